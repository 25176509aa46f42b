"""Small shared pieces: who acts (an official, by panel or CLI), audit rows, mail, errors."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.actions import SendEmail
from cassbot.audit import add_audit_entry
from cassbot.storage.models import AuditEntry

if TYPE_CHECKING:
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)


class DecisionError(Exception):
    """A decision the rules refuse; the message is Spanish and shown as is."""


@dataclass(frozen=True, slots=True)
class Actor:
    """An official deciding something: by name (the configured official's, when linked)."""

    name: str
    username: str | None = None
    via: str = "panel"  # panel | cli

    def same_person_as(self, other: str | None) -> bool:
        return bool(other) and _fold(self.name) == _fold(other or "")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


async def audit(
    session: AsyncSession,
    now: datetime,
    action: str,
    *,
    community_id: str | None = None,
    actor: Actor | None = None,
    detail: dict[str, Any] | None = None,
    subject_identity_id: int | None = None,
    group_id: int | None = None,
) -> AuditEntry:
    """Record a manual or automatic step (details carry folios and ids, never phone numbers)."""
    extra = dict(detail or {})
    if actor is not None:
        extra.setdefault("via", actor.via)
        if actor.username:
            extra.setdefault("panel_user", actor.username)
    entry = add_audit_entry(
        session,
        at=now,
        community_id=community_id,
        group_id=group_id,
        actor_kind="official" if actor else "bot",
        actor_name=actor.name if actor else "cassbot",
        action=action,
        subject_identity_id=subject_identity_id,
        detail=extra,
    )
    await session.flush()
    return entry


async def mail_mailbox(
    app: CassBot, session: AsyncSession, subject: str, body: str, *, key: str, purpose: str
) -> bool:
    """E-mail the configured registration mailbox through the outbox; False when not set up."""
    mailbox = app.settings.registration.mailbox
    if not mailbox:
        return False
    if app.adapters.get("email") is None:
        logger.warning("registration.mailbox is set but the e-mail channel is not enabled")
        return False
    await app.outbox.enqueue(
        session, SendEmail(to=(mailbox,), subject=subject, body=body), key=key, purpose=purpose
    )
    return True
