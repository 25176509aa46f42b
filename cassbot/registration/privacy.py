"""Retention: the scheduler job that keeps the promises of /privacidad.

After `message_text_days` the words people wrote go everywhere they were copied: inbound
message texts, moderation cases and the quotes in their audit entries, the texts of messages
the bot sent (officials' notices quote reports and threats; warnings name people), and closed
tickets' private copies (text, who asked, the exact place, media). After their own periods,
rejected requests and closed complaints/appeals are anonymised, and playground texts cleared.
Dates, statuses, categories, communities and counts stay: /transparencia, Open311 and the
audit trail keep adding up. A person's own requests (`cassbot privacy export|erase`) live in
`cassbot.registration.person_data`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.registration.redaction import (
    ERASED,
    FINISHED,
    scrub_audit,
    scrub_case,
    scrub_outbox,
    scrub_subscriber,
    scrub_ticket,
    scrub_ticket_history,
)
from cassbot.storage.models import (
    Appeal,
    AuditEntry,
    FeedbackItem,
    InboundEvent,
    ModerationCase,
    OutboxAction,
    PlaygroundEntry,
    RegistrationRequest,
    Ticket,
    TicketSubscriber,
)

if TYPE_CHECKING:
    from cassbot.app import CassBot
    from cassbot.registration.feature import RegistrationFeature

logger = logging.getLogger(__name__)

__all__ = ["ERASED", "install_retention", "sweep"]

_MESSAGE_KINDS = ("message.posted", "message.edited")
_BATCH = 500


def install_retention(app: CassBot, feature: RegistrationFeature) -> None:
    async def job(now: datetime) -> None:
        counts = await sweep(app, now)
        counts["rate_counters"] = await feature.limiter.purge(now - timedelta(days=2))
        counts["panel_sessions"] = await feature.panel.sessions.purge(now)
        if any(counts.values()):
            logger.info("retention sweep", extra=counts)

    app.scheduler.every("privacy.retention", app.settings.privacy.sweep_interval_minutes * 60, job)


async def sweep(app: CassBot, now: datetime) -> dict[str, int]:
    privacy = app.settings.privacy
    text_cutoff = now - timedelta(days=privacy.message_text_days)
    counts = {
        "event_texts": await _in_batches(app, _old_event_texts(text_cutoff), _blank_event),
        "moderation_cases": await _in_batches(app, _old_cases(text_cutoff), _scrub_case),
        "audit_quotes": await _in_batches(app, _old_quotes(text_cutoff), _scrub_audit),
        "tickets": await _in_batches(app, _old_closed_tickets(text_cutoff), _scrub_ticket),
        "sent_texts": await _in_batches(app, _old_sent_messages(text_cutoff), _scrub_outbox),
        "playground_texts": 0,
        "requests": 0,
        "closed_items": 0,
    }
    playground_cutoff = now - timedelta(days=privacy.playground_log_days)
    async with app.db.transaction() as session:
        entries = (
            (
                await session.execute(
                    select(PlaygroundEntry).where(
                        PlaygroundEntry.created_at < playground_cutoff, PlaygroundEntry.text != ""
                    )
                )
            )
            .scalars()
            .all()
        )
        for entry in entries:
            entry.text = ""
        counts["playground_texts"] = len(entries)
        request_cutoff = now - timedelta(days=privacy.rejected_request_days)
        requests = (
            (
                await session.execute(
                    select(RegistrationRequest).where(
                        RegistrationRequest.status == "rejected",
                        RegistrationRequest.decided_at < request_cutoff,
                        RegistrationRequest.anonymised_at.is_(None),
                    )
                )
            )
            .scalars()
            .all()
        )
        for request in requests:
            anonymise_request(request, now)
        counts["requests"] = len(requests)
        closed_cutoff = now - timedelta(days=privacy.closed_item_days)
        items = (
            (
                await session.execute(
                    select(FeedbackItem).where(
                        FeedbackItem.status == "answered",
                        FeedbackItem.answered_at < closed_cutoff,
                        FeedbackItem.anonymised_at.is_(None),
                    )
                )
            )
            .scalars()
            .all()
        )
        for item in items:
            anonymise_feedback(item, now)
        appeals = (
            (
                await session.execute(
                    select(Appeal).where(
                        Appeal.status != "pending",
                        Appeal.decided_at < closed_cutoff,
                        Appeal.anonymised_at.is_(None),
                    )
                )
            )
            .scalars()
            .all()
        )
        for appeal in appeals:
            anonymise_appeal(appeal, now)
        counts["closed_items"] = len(items) + len(appeals)
    return counts


# --- Batches ------------------------------------------------------------------------------

Row = Any
Scrub = Callable[[AsyncSession, list[Row]], Awaitable[None]]


async def _in_batches(app: CassBot, query: Select[Any], scrub: Scrub) -> int:
    """Scrub what `query` selects, a batch per transaction, so a big backlog never blocks the
    bot; each scrub makes its rows stop matching the query."""
    total = 0
    while True:
        async with app.db.transaction() as session:
            rows = list((await session.execute(query.limit(_BATCH))).scalars())
            if rows:
                await scrub(session, rows)
        total += len(rows)
        if len(rows) < _BATCH:
            return total


def _old_event_texts(cutoff: datetime) -> Select[Any]:
    return select(InboundEvent).where(
        InboundEvent.kind.in_(_MESSAGE_KINDS),
        InboundEvent.status != "pending",
        InboundEvent.received_at < cutoff,
        InboundEvent.payload["text"].as_string() != "",
    )


async def _blank_event(_session: AsyncSession, rows: list[InboundEvent]) -> None:
    for row in rows:
        row.payload = {**row.payload, "text": ""}


def _old_cases(cutoff: datetime) -> Select[Any]:
    return select(ModerationCase).where(
        ModerationCase.created_at < cutoff,
        or_(
            ModerationCase.text.is_not(None),
            ModerationCase.report["text"].as_string().is_not(None),
        ),
    )


async def _scrub_case(_session: AsyncSession, rows: list[ModerationCase]) -> None:
    for case in rows:
        scrub_case(case)


def _old_quotes(cutoff: datetime) -> Select[Any]:
    return select(AuditEntry).where(
        AuditEntry.at < cutoff, AuditEntry.detail["quote"].as_string().is_not(None)
    )


async def _scrub_audit(_session: AsyncSession, rows: list[AuditEntry]) -> None:
    for entry in rows:
        scrub_audit(entry)


def _old_closed_tickets(cutoff: datetime) -> Select[Any]:
    """Closed tickets (a final status) whose private copy is still there: an open ticket
    keeps it for the officials working on it."""
    return select(Ticket).where(
        Ticket.closed_at.is_not(None),
        Ticket.closed_at < cutoff,
        or_(
            Ticket.text != "",
            Ticket.requester_name.is_not(None),
            Ticket.source_message_id.is_not(None),
            Ticket.source_chat_id.is_not(None),
        ),
    )


async def _scrub_ticket(session: AsyncSession, rows: list[Ticket]) -> None:
    for ticket in rows:
        scrub_ticket(ticket, erase=False)
    ids = [t.id for t in rows]
    for subscriber in (
        await session.execute(select(TicketSubscriber).where(TicketSubscriber.ticket_id.in_(ids)))
    ).scalars():
        scrub_subscriber(subscriber, erase=False)
    await scrub_ticket_history(session, ids)


def _old_sent_messages(cutoff: datetime) -> Select[Any]:
    return select(OutboxAction).where(
        OutboxAction.status.in_(FINISHED),
        OutboxAction.created_at < cutoff,
        or_(
            and_(
                OutboxAction.kind == "send",
                OutboxAction.payload["text"].as_string() != ERASED,
            ),
            and_(
                OutboxAction.kind == "email",
                OutboxAction.payload["body"].as_string() != ERASED,
            ),
            # Adds, removals, bans…: the member's name and number in the user reference.
            OutboxAction.payload["user"]["display_name"].as_string().is_not(None),
            OutboxAction.payload["user"]["phone"].as_string().is_not(None),
        ),
    )


async def _scrub_outbox(_session: AsyncSession, rows: list[OutboxAction]) -> None:
    for row in rows:
        scrub_outbox(row)


# --- Anonymising registration records -------------------------------------------------------


def anonymise_request(request: RegistrationRequest, now: datetime) -> None:
    request.full_name = ERASED
    request.phone = None
    request.open_phone = None
    request.message = ""
    request.info_question = None if request.info_question is None else ""
    request.info_answer = None if request.info_answer is None else ""
    request.anonymised_at = now


def anonymise_feedback(item: FeedbackItem, now: datetime) -> None:
    item.name = None
    item.phone = None
    item.text = ""
    item.answer = None if item.answer is None else ""
    item.user_id = None
    item.anonymised_at = now


def anonymise_appeal(appeal: Appeal, now: datetime) -> None:
    appeal.text = ""
    appeal.phone = None
    appeal.user_id = None
    appeal.anonymised_at = now
