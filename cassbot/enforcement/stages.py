"""The screen and decide stages: the engine sees each group message; the policy decides."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from cassbot.config import packaged_config_dir
from cassbot.enforcement.apply import apply_decision, load_standing
from cassbot.enforcement.session import ModerationSession
from cassbot.pipeline import Context, Next
from cassbot.settings import Settings
from cassbot.storage.db import Database
from cassbot.storage.models import RecentMessage
from moderation.engine import RecentMessage as RecentFingerprint
from moderation.engine import ScreeningEngine, ScreenInput, fingerprint
from moderation.model import MODEL_FILE
from moderation.policy import decide

logger = logging.getLogger(__name__)

RECENT_KEEP = timedelta(hours=2)  # longer than any flood window worth configuring


def build_engine(settings: Settings) -> ScreeningEngine:
    """Compile the lexicons once; use a trained model when `cassbot train` left one."""
    path = settings.data_dir / "models" / MODEL_FILE
    engine = ScreeningEngine.from_settings(
        settings.moderation, lexicon_dir=packaged_config_dir() / "lexicons", model_path=path
    )
    if engine.model is not None:
        logger.info("screening uses the trained model", extra={"model": str(path)})
    return engine


class ScreenStage:
    def __init__(self, engine: ScreeningEngine) -> None:
        self.engine = engine

    async def __call__(self, ctx: Context, call_next: Next) -> None:
        message = ctx.message
        if message is None or not ctx.in_group or ctx.sender is None or ctx.group is None:
            ctx.notes.setdefault("screen", None)
            await call_next()
            return
        assert ctx.place is not None
        policy = ctx.place.community.policy
        identity = ctx.sender.identity
        recent = (
            await ctx.session.execute(
                select(RecentMessage.at, RecentMessage.fingerprint)
                .where(
                    RecentMessage.group_id == ctx.group.id,
                    RecentMessage.identity_id == identity.id,
                    RecentMessage.at >= ctx.now - RECENT_KEEP,
                )
                .order_by(RecentMessage.at)
            )
        ).all()
        membership = ctx.sender.membership
        facts = message.facts
        # When it was written, not when we got to it: after an outage a backlog arrives at
        # once, and must not read as a flood.
        sent_at = min(message.occurred_at, ctx.now)
        report = self.engine.screen(
            ScreenInput(
                text=message.text,
                links=facts.links,
                attachments=tuple(a.kind for a in facts.attachments),
                forwarded=facts.forwarded,
                forwarded_many=facts.forwarded_many,
                mentions=facts.mentions,
                is_reply=getattr(message, "reply_to", None) is not None,
                sent_at=sent_at,
                author_message_count=max(0, (membership.message_count - 1) if membership else 0),
                recent_by_author=tuple(RecentFingerprint(at, fp) for at, fp in recent),
            ),
            policy,
        )
        ctx.notes["screen"] = report
        if message.text.strip():
            ctx.session.add(
                RecentMessage(
                    group_id=ctx.group.id,
                    identity_id=identity.id,
                    at=sent_at,
                    fingerprint=fingerprint(message.text),
                    flagged=report.action != "none",
                )
            )
        await call_next()


class DecideStage:
    async def __call__(self, ctx: Context, call_next: Next) -> None:
        report = ctx.notes.get("screen")
        ctx.notes["decision"] = None
        if report is None or report.action == "none" or ctx.sender is None or ctx.place is None:
            await call_next()
            return
        policy = ctx.place.community.policy
        ms = ModerationSession.for_event(ctx, signed=False)  # the bot decides
        standing = await load_standing(ms, ctx.sender)
        decision = decide(
            report, standing=standing, settings=policy, now=ctx.now, dry_run=ctx.dry_run
        )
        if decision.effects:
            ctx.notes["decision"] = await apply_decision(
                ms,
                decision,
                report,
                subject=ctx.sender,
                source="auto",
                group_chat=ctx.chat,
                message=ctx.message_ref,
            )
        await call_next()


async def prune_recent(db: Database, now: datetime) -> None:
    async with db.transaction() as session:
        await session.execute(delete(RecentMessage).where(RecentMessage.at < now - RECENT_KEEP))
