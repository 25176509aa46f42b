"""Moderation in the running bot: the screening engine and policy wired into the pipeline.

`moderation/` is pure (screen, decide). This package gives it state and hands: it builds what
screening needs from the database (probation counts, recent messages for floods), records cases,
points and the audit trail, turns abstract effects into channel actions with graceful
degradation, and offers the admins' moderation commands and the review queue.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from cassbot import texts
from cassbot.actions import Action, ActionResult, CreateInviteLink, SendMessage
from cassbot.storage.models import OutboxAction

if TYPE_CHECKING:
    from cassbot.app import CassBot


def install(app: CassBot) -> None:
    from cassbot.enforcement.commands import register_moderation_commands
    from cassbot.enforcement.stages import DecideStage, ScreenStage, build_engine, prune_recent

    engine = build_engine(app.settings)
    app.pipeline.replace("screen", ScreenStage(engine))
    app.pipeline.replace("decide", DecideStage())
    register_moderation_commands(app.commands)

    async def prune(now: datetime) -> None:
        await prune_recent(app.db, now)

    app.scheduler.every("moderation.prune_recent", 3600, prune)

    async def deliver_readmission_link(
        session: AsyncSession, row: OutboxAction, action: Action, result: ActionResult
    ) -> None:
        """An invite link made to readmit someone goes to them privately."""
        if not (result.ok and result.platform_ref and row.purpose.startswith("readmit")):
            return
        if not isinstance(action, CreateInviteLink) or action.user is None:
            return
        adapter = app.adapters.get(action.user.channel)
        private = adapter.private_chat(action.user) if adapter else None
        if private is None:
            return
        await app.outbox.enqueue(
            session,
            SendMessage(chat=private, text=texts.ENF_INVITE_LINK.format(link=result.platform_ref)),
            key=f"{row.idempotency_key}:deliver",
            purpose="readmit.link",
            community_id=row.community_id,
        )

    app.outbox.on_result(deliver_readmission_link, kind="invite_link")
