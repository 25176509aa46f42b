"""Telling officials: a private message on each channel where they can be reached, and e-mail.

Used for escalations, alerts and notices. Every message goes through the outbox with a key
built from `key`, so a notice planned twice (a retry, a restart) reaches each official once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.actions import SendEmail, SendMessage
from cassbot.adapter import Capability
from cassbot.settings import OfficialSettings, slugify

if TYPE_CHECKING:
    from cassbot.app import CassBot


async def notify_officials(
    app: CassBot,
    session: AsyncSession,
    officials: list[OfficialSettings],
    text: str,
    *,
    key: str,
    purpose: str = "notify_officials",
    community_id: str | None = None,
    email_subject: str | None = None,
    cause_event_id: int | None = None,
) -> list[str]:
    """Queue `text` for each official; returns the names of those it could reach somehow."""
    reached: list[str] = []
    for official in officials:
        who = slugify(official.name)
        delivered = False
        for user in app.directory.identities_of(official):
            adapter = app.adapters.get(user.channel)
            if adapter is None or not adapter.supports(Capability.PRIVATE_MESSAGES):
                continue
            chat = adapter.private_chat(user)
            if chat is None:
                continue
            await app.outbox.enqueue(
                session,
                SendMessage(chat=chat, text=text),
                key=f"{key}:{who}:{user.channel}",
                purpose=purpose,
                community_id=community_id,
                cause_event_id=cause_event_id,
            )
            delivered = True
        mailer = app.adapters.get("email")
        if official.email and mailer is not None and email_subject:
            await app.outbox.enqueue(
                session,
                SendEmail(to=(official.email,), subject=email_subject, body=text),
                key=f"{key}:{who}:email",
                purpose=purpose,
                community_id=community_id,
                cause_event_id=cause_event_id,
            )
            delivered = True
        if delivered:
            reached.append(official.name)
    return reached
