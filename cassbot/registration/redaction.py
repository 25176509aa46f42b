"""Taking personal data out of stored records while keeping what they count.

Shared by retention (after the configured days) and erasure (a person's request): message
texts, quotes, names and places go; ids, dates, statuses, categories and counts stay, so
/transparencia, Open311 and the audit trail keep adding up.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.storage.models import (
    AuditEntry,
    ModerationCase,
    OutboxAction,
    Ticket,
    TicketEvent,
    TicketSubscriber,
)
from cassbot.tickets.privacy import redact

ERASED = "[eliminado]"
FINISHED = ("done", "failed", "dry_run", "cancelled")


def scrub_case(case: ModerationCase) -> None:
    """A moderation case keeps its rule, category, severity and effects, not the message."""
    case.text = None
    case.report = scrub_report(case.report)


def scrub_report(report: dict[str, Any]) -> dict[str, Any]:
    clean = {key: value for key, value in report.items() if key != "text"}
    matches = clean.get("matches")
    if isinstance(matches, list):
        clean["matches"] = [
            {k: v for k, v in m.items() if k != "quote"} if isinstance(m, dict) else m
            for m in matches
        ]
    return clean


def scrub_audit(entry: AuditEntry, *, erase: bool = False) -> None:
    """The quoted words go; on erasure also the member's name as actor and their platform id
    (a WhatsApp id is a phone number)."""
    detail = dict(entry.detail or {})
    if detail.get("quote") is not None:
        detail["quote"] = None
    if erase and detail.get("user") is not None:
        detail["user"] = None
    if detail != (entry.detail or {}):
        entry.detail = detail
    if erase and entry.actor_kind == "member":
        entry.actor_name = ERASED


def scrub_ticket(ticket: Ticket, *, erase: bool) -> None:
    """A closed ticket's private copy goes: the text, who asked, the exact place, the media.

    What was already published stays after retention (the redacted description, the redacted
    place, the rounded position); erasure takes those too.
    """
    ticket.text = ""
    ticket.requester_name = None
    ticket.source_message_id = None
    ticket.source_chat_id = None
    ticket.media = [{"kind": m.get("kind")} for m in ticket.media or [] if isinstance(m, dict)]
    if erase:
        ticket.description_public = ""
        ticket.place = None
        ticket.latitude = None
        ticket.longitude = None
    elif ticket.place:
        ticket.place = redact(ticket.place)[:300] or None


async def scrub_ticket_history(
    session: AsyncSession, ticket_ids: Iterable[int], *, names: Iterable[str] | None = None
) -> None:
    """Members' names in the tickets' history become ERASED (all of them, or only `names`).

    The history is append-only for the application; this redaction is its one exception, done
    with a bulk UPDATE so the ORM guard against edits stays in force everywhere else.
    """
    ids = list(ticket_ids)
    if not ids:
        return
    statement = update(TicketEvent).where(
        TicketEvent.ticket_id.in_(ids),
        TicketEvent.actor_kind == "member",
        TicketEvent.actor_name != ERASED,
    )
    if names is not None:
        wanted = sorted({n for n in names if n})
        if not wanted:
            return
        statement = statement.where(TicketEvent.actor_name.in_(wanted))
    await session.execute(
        statement.values(actor_name=ERASED).execution_options(synchronize_session=False)
    )


def scrub_subscriber(subscriber: TicketSubscriber, *, erase: bool) -> None:
    subscriber.display_name = None
    subscriber.chat_id = None
    subscriber.message_id = None
    if erase:
        subscriber.user_id = f"borrado-{subscriber.identity_id}"


def scrub_outbox(row: OutboxAction) -> None:
    """A finished action keeps its kind, target, time and result; not what a message said, nor
    the names and numbers in its user references."""
    payload = dict(row.payload)
    if row.kind == "send":
        payload["text"] = ERASED
        if payload.get("fallback_text"):
            payload["fallback_text"] = ERASED
    elif row.kind == "email":
        payload["subject"] = ERASED
        payload["body"] = ERASED
    row.payload = _without_names(payload)


def _without_names(value: Any) -> Any:
    """User references keep their platform id but lose the name and number."""
    if isinstance(value, dict):
        out = {k: _without_names(v) for k, v in value.items()}
        if "user_id" in out:
            for key in ("display_name", "phone"):
                if out.get(key) is not None:
                    out[key] = None
        return out
    if isinstance(value, list):
        return [_without_names(v) for v in value]
    return value
