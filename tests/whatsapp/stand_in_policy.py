"""A STAND-IN moderation policy for the WhatsApp end-to-end tests (not the real engine).

Moderation is built on another branch. To prove the adapter path end to end, this test-only
stage treats any message containing "GROSERIA" as an offence: delete it and warn the author;
at the third offence remove the author and put them on the community's ban list.
"""

from __future__ import annotations

from sqlalchemy import func, select

from cassbot.actions import DeleteMessage, RemoveMember, SendMessage
from cassbot.app import CassBot
from cassbot.events import MessagePosted
from cassbot.pipeline import Context, Next
from cassbot.storage.models import AuditEntry, CommunityBan

OFFENSIVE = "GROSERIA"
LIMIT = 3


class StandInPolicy:
    async def __call__(self, ctx: Context, call_next: Next) -> None:
        event = ctx.event
        sender = ctx.sender
        offensive = isinstance(event, MessagePosted) and OFFENSIVE in event.text.upper()
        if not (offensive and ctx.in_group and sender is not None and not sender.exempt):
            await call_next()
            return
        assert isinstance(event, MessagePosted)
        earlier = await ctx.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.action == "stand_in_offence",
                AuditEntry.subject_identity_id == sender.identity.id,
            )
        )
        count = int(earlier or 0) + 1
        entry = await ctx.audit(
            "stand_in_offence",
            rule_id="stand-in",
            subject=sender.identity,
            detail={"count": count},
        )
        ctx.emit(DeleteMessage(message=event.message), purpose="delete", audit=entry)
        if count < LIMIT:
            ctx.emit(
                SendMessage(
                    chat=ctx.chat,
                    text=f"Advertencia {count} de {LIMIT}: respeta las reglas del grupo.",
                    reply_to=event.message,
                ),
                purpose="warn",
                audit=entry,
            )
        else:
            assert ctx.community_id is not None
            ctx.session.add(
                CommunityBan(
                    community_id=ctx.community_id,
                    person_id=sender.person.id,
                    reason="stand-in: three offences",
                )
            )
            ctx.emit(
                RemoveMember(chat=ctx.chat, user=sender.user, reason="three offences"),
                purpose="expel",
                audit=entry,
            )
        await call_next()


def stand_in_policy(app: CassBot) -> None:
    app.pipeline.replace("decide", StandInPolicy())
