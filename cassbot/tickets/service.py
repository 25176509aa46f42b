"""Opening tickets, linking duplicates, and moving tickets through their statuses.

Everything happens in the caller's transaction; the clocks are database timers and every
message goes through the outbox, so a crash anywhere loses nothing and repeats nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot import texts
from cassbot.events import ChatRef, MessageRef, UserRef
from cassbot.scheduler import Scheduler
from cassbot.storage.models import (
    Group,
    Identity,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketSubscriber,
)
from cassbot.storage.upsert import insert_ignore
from cassbot.tickets import notices
from cassbot.tickets.catalog import (
    AWAITING_ACK,
    FINAL_STATUSES,
    OPEN_STATUSES,
    STATUS_LABELS,
    category_label,
    department_name,
)
from cassbot.tickets.folio import next_folio
from cassbot.tickets.privacy import redact
from moderation.service_requests import fold

if TYPE_CHECKING:
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)

# Problems that affect a whole community at once: one open ticket per community is enough.
AREA_WIDE = frozenset({"sin_agua", "basura"})
_GENERIC_PLACE_WORDS = frozenset(
    [
        "calle",
        "avenida",
        "esquina",
        "frente",
        "enfrente",
        "junto",
        "cerca",
        "lado",
        "entre",
        "colonia",
        "barrio",
        "camino",
        "carretera",
        "privada",
        "cerrada",
        "altura",
        "atras",
        "detras",
        "afuera",
        "entrada",
        "salida",
        "rumbo",
    ]
)
_STOPWORDS = frozenset(
    [
        "para",
        "pero",
        "porque",
        "desde",
        "hace",
        "esta",
        "estan",
        "este",
        "esto",
        "todo",
        "toda",
        "todos",
        "todas",
        "como",
        "cuando",
        "donde",
        "alguien",
        "nadie",
        "tiene",
        "tienen",
        "hay",
        "favor",
        "buenas",
        "buenos",
        "tardes",
        "noches",
        "dias",
        "vecinos",
        "calle",
    ]
)


@dataclass(slots=True)
class NewRequest:
    community_id: str
    chat: ChatRef
    text: str
    category: str
    department: str
    origin: str  # auto | reporte | ticket | privado
    now: datetime
    group: Group | None = None
    message: MessageRef | None = None
    requester: UserRef | None = None
    identity: Identity | None = None
    emergency: bool = False
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    media: list[dict[str, Any]] = field(default_factory=list)
    opened_by: str | None = None
    terms: tuple[str, ...] = ()


@dataclass(slots=True)
class Opened:
    ticket: Ticket
    created: bool  # False: linked to an open ticket about the same problem
    newly_subscribed: bool = True
    reached: list[str] = field(default_factory=list)  # departments told


class TicketService:
    def __init__(self, app: CassBot) -> None:
        self.app = app
        self.settings = app.settings.tickets

    # Look-ups -------------------------------------------------------------------------------

    async def by_folio(self, session: AsyncSession, folio: str) -> Ticket | None:
        return (
            await session.execute(select(Ticket).where(Ticket.folio == folio))
        ).scalar_one_or_none()

    async def for_message(self, session: AsyncSession, message: MessageRef) -> Ticket | None:
        row = (
            await session.execute(
                select(TicketMessage.ticket_id).where(
                    TicketMessage.channel == message.chat.channel,
                    TicketMessage.chat_id == message.chat.chat_id,
                    TicketMessage.message_id == message.message_id,
                )
            )
        ).scalar_one_or_none()
        return await session.get(Ticket, row) if row is not None else None

    async def record_message(
        self, session: AsyncSession, ticket_id: int, message: MessageRef, kind: str, now: datetime
    ) -> None:
        await insert_ignore(
            session,
            TicketMessage.__table__,  # type: ignore[arg-type]
            {
                "ticket_id": ticket_id,
                "channel": message.chat.channel,
                "chat_id": message.chat.chat_id,
                "message_id": message.message_id,
                "kind": kind,
                "created_at": now,
            },
            conflict=["channel", "chat_id", "message_id"],
        )

    async def is_subscriber(self, session: AsyncSession, ticket: Ticket, person_id: int) -> bool:
        return (
            await session.execute(
                select(TicketSubscriber.id)
                .join(Identity, Identity.id == TicketSubscriber.identity_id)
                .where(TicketSubscriber.ticket_id == ticket.id, Identity.person_id == person_id)
                .limit(1)
            )
        ).first() is not None

    # Opening ----------------------------------------------------------------------------------

    async def open(self, session: AsyncSession, request: NewRequest) -> Opened:
        duplicate = await self.find_duplicate(session, request)
        if duplicate is not None:
            return await self._link(session, duplicate, request)
        settings = self.settings
        now = request.now
        year = now.astimezone(settings.zone).year
        folio = await next_folio(session, settings.folio_prefix, year)
        ticket = Ticket(
            folio=folio,
            community_id=request.community_id,
            group_id=request.group.id if request.group else None,
            channel=request.chat.channel,
            source_chat_id=request.chat.chat_id,
            source_message_id=request.message.message_id if request.message else None,
            origin=request.origin,
            requester_identity_id=request.identity.id if request.identity else None,
            requester_name=request.requester.display_name if request.requester else None,
            opened_by=request.opened_by,
            text=request.text,
            description_public=redact(request.text),
            category=request.category,
            department=request.department,
            place=request.place[:300] if request.place else None,
            latitude=request.latitude,
            longitude=request.longitude,
            media=request.media,
            emergency=request.emergency,
            is_public=request.department not in settings.private_departments,
            status="nuevo",
            requested_at=now,
            ack_due_at=now + settings.ack_deadline,
            expected_at=now + settings.resolution_target(request.category),
            updated_at=now,
            escalation_level=0,
            ack_breached=False,
            affected_count=1,
            reopen_count=0,
        )
        session.add(ticket)
        await session.flush()
        await self.add_event(
            session,
            ticket,
            "opened",
            now=now,
            status_after="nuevo",
            actor_kind="official" if request.opened_by else "member",
            actor_name=request.opened_by or (ticket.requester_name or "vecino"),
            detail={"origin": request.origin, "terms": list(request.terms)},
        )
        if request.message is not None:
            await self.record_message(session, ticket.id, request.message, "source", now)
        if request.requester is not None and request.identity is not None:
            await self._subscribe(session, ticket, request, role="requester")
        await self.schedule_ack_clock(session, ticket)
        await Scheduler.schedule(
            session,
            "ticket_due",
            notices.ticket_key(ticket, "due"),
            ticket.expected_at,
            {"ticket_id": ticket.id},
        )
        reached = await self._announce_to_officials(session, ticket)
        logger.info(
            "ticket opened",
            extra={
                "folio": folio,
                "community": ticket.community_id,
                "category": ticket.category,
                "origin": request.origin,
            },
        )
        return Opened(ticket=ticket, created=True, reached=reached)

    async def _announce_to_officials(self, session: AsyncSession, ticket: Ticket) -> list[str]:
        community = self.app.directory.community(ticket.community_id)
        text = texts.TK_OFFICIAL_NEW.format(
            urgent=texts.TK_OFFICIAL_URGENT if ticket.emergency else "",
            folio=ticket.folio,
            category=category_label(ticket.category),
            community=community.name if community else ticket.community_id,
            place=ticket.place or texts.TK_NO_PLACE,
            requester=ticket.requester_name or texts.TK_UNKNOWN_PERSON,
            text=ticket.text[:1000],
            media=texts.TK_OFFICIAL_MEDIA.format(count=len(ticket.media)) if ticket.media else "",
            ack_due=notices.local_time(self.app, ticket.ack_due_at),
        )
        officials = notices.department_officials(self.app, ticket)
        reached = await notices.notify(
            self.app,
            session,
            ticket,
            officials,
            text,
            key=notices.ticket_key(ticket, "new"),
            subject="Nuevo reporte",
        )
        return [department_name(ticket.department)] if reached else []

    async def find_duplicate(self, session: AsyncSession, request: NewRequest) -> Ticket | None:
        since = request.now - self.settings.duplicate_window
        candidates = (
            await session.execute(
                select(Ticket)
                .where(
                    Ticket.community_id == request.community_id,
                    Ticket.category == request.category,
                    Ticket.status.in_([*OPEN_STATUSES, "resuelto"]),
                    Ticket.requested_at >= since,
                )
                .order_by(Ticket.requested_at.desc())
                .limit(50)
            )
        ).scalars()
        for ticket in candidates:
            if request.category in AREA_WIDE:
                return ticket
            if request.place and ticket.place and _similar_places(request.place, ticket.place):
                return ticket
            if _similar_texts(request.text, ticket.text):
                return ticket
        return None

    async def _link(self, session: AsyncSession, ticket: Ticket, request: NewRequest) -> Opened:
        new = False
        if request.requester is not None and request.identity is not None:
            new = await self._subscribe(session, ticket, request, role="reporter")
        if request.message is not None:
            await self.record_message(session, ticket.id, request.message, "source", request.now)
        if new:
            ticket.affected_count += 1
            ticket.updated_at = request.now
            await self.add_event(
                session,
                ticket,
                "linked_report",
                now=request.now,
                actor_kind="member",
                actor_name=(request.requester.display_name if request.requester else None)
                or "vecino",
                detail={"affected_count": ticket.affected_count, "origin": request.origin},
            )
        return Opened(ticket=ticket, created=False, newly_subscribed=new)

    async def _subscribe(
        self, session: AsyncSession, ticket: Ticket, request: NewRequest, *, role: str
    ) -> bool:
        assert request.requester is not None
        assert request.identity is not None
        if await self.is_subscriber(session, ticket, request.identity.person_id):
            return False
        in_group = not request.chat.private
        inserted = await insert_ignore(
            session,
            TicketSubscriber.__table__,  # type: ignore[arg-type]
            {
                "ticket_id": ticket.id,
                "identity_id": request.identity.id,
                "channel": request.requester.channel,
                "user_id": request.requester.user_id,
                "display_name": request.requester.display_name,
                "chat_id": request.chat.chat_id if in_group else None,
                "message_id": request.message.message_id if in_group and request.message else None,
                "role": role,
                "created_at": request.now,
            },
            conflict=["ticket_id", "identity_id"],
        )
        return inserted is not None

    # History and clocks ------------------------------------------------------------------------

    async def add_event(
        self,
        session: AsyncSession,
        ticket: Ticket,
        kind: str,
        *,
        now: datetime,
        actor_kind: str = "bot",
        actor_name: str = "cassbot",
        status_before: str | None = None,
        status_after: str | None = None,
        note: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> TicketEvent:
        entry = TicketEvent(
            ticket_id=ticket.id,
            at=now,
            kind=kind,
            status_before=status_before,
            status_after=status_after,
            actor_kind=actor_kind,
            actor_name=actor_name,
            public_note=note,
            detail=detail or {},
        )
        session.add(entry)
        await session.flush()
        return entry

    async def schedule_ack_clock(self, session: AsyncSession, ticket: Ticket) -> None:
        base = ticket.ack_due_at - self.settings.ack_deadline
        round_ = ticket.reopen_count
        for index, step in enumerate(self.settings.escalation):
            await Scheduler.schedule(
                session,
                "ticket_ack",
                notices.ticket_key(ticket, "ack", round_, index),
                base + step.after,
                {"ticket_id": ticket.id, "step": index},
            )
        await Scheduler.schedule(
            session,
            "ticket_ack",
            notices.ticket_key(ticket, "ack", round_, "breach"),
            ticket.ack_due_at,
            {"ticket_id": ticket.id, "step": "breach", "repeat": 0},
        )

    async def stop_ack_clock(self, session: AsyncSession, ticket: Ticket) -> None:
        await Scheduler.cancel(session, notices.ticket_key(ticket, "ack") + ":", prefix=True)

    # Status changes ----------------------------------------------------------------------------

    async def change_status(
        self,
        session: AsyncSession,
        ticket: Ticket,
        status: str,
        *,
        now: datetime,
        actor_name: str,
        actor_kind: str = "official",
        note: str | None = None,
        kind: str = "status_changed",
        detail: dict[str, Any] | None = None,
        tell: bool = True,
        skip_identity: int | None = None,
    ) -> TicketEvent:
        before = ticket.status
        ticket.status = status
        ticket.updated_at = now
        if note:
            ticket.status_note = note[:2000]
        official_acted = actor_kind == "official"
        if official_acted and ticket.acknowledged_at is None and status not in AWAITING_ACK:
            ticket.acknowledged_at = now
        if official_acted and status not in AWAITING_ACK:
            await self.stop_ack_clock(session, ticket)
        if status == "resuelto":
            ticket.resolved_at = now
            await Scheduler.cancel(session, notices.ticket_key(ticket, "due"))
            await Scheduler.schedule(
                session,
                "ticket_confirm",
                notices.ticket_key(ticket, "confirm", ticket.reopen_count),
                now + self.settings.confirm_window,
                {"ticket_id": ticket.id},
            )
        if status in FINAL_STATUSES:
            ticket.closed_at = now
            await Scheduler.cancel(session, notices.ticket_key(ticket) + ":", prefix=True)
        entry = await self.add_event(
            session,
            ticket,
            kind,
            now=now,
            actor_kind=actor_kind,
            actor_name=actor_name,
            status_before=before,
            status_after=status,
            note=note,
            detail=detail,
        )
        if tell:
            await self.tell_change(session, ticket, entry, skip_identity=skip_identity)
        return entry

    async def tell_change(
        self,
        session: AsyncSession,
        ticket: Ticket,
        entry: TicketEvent,
        *,
        skip_identity: int | None = None,
    ) -> None:
        status = ticket.status
        if status == "resuelto":
            text = texts.TK_CITIZEN_RESOLVED.format(
                folio=ticket.folio, note=_note_line(entry.public_note)
            )
            purpose = "ticket_question"
        elif status == "duplicado":
            original = (
                await session.get(Ticket, ticket.duplicate_of_id)
                if ticket.duplicate_of_id
                else None
            )
            text = texts.TK_CITIZEN_DUPLICATE.format(
                folio=ticket.folio, original=original.folio if original else "?"
            )
            purpose = "ticket_update"
        else:
            text = texts.TK_CITIZEN_STATUS.format(
                folio=ticket.folio,
                status=STATUS_LABELS[status],
                department=department_name(ticket.department),
                note=_note_line(entry.public_note),
            )
            purpose = "ticket_update"
        await notices.tell_subscribers(
            self.app,
            session,
            ticket,
            text,
            key=notices.ticket_key(ticket, "ev", entry.id),
            purpose=purpose,
            skip_identity=skip_identity,
        )

    async def reopen(
        self, session: AsyncSession, ticket: Ticket, *, now: datetime, actor_name: str
    ) -> None:
        ticket.reopen_count += 1
        ticket.resolved_at = None
        ticket.ack_due_at = now + self.settings.ack_deadline
        await Scheduler.cancel(session, notices.ticket_key(ticket, "confirm") + ":", prefix=True)
        entry = await self.change_status(
            session,
            ticket,
            "reabierto",
            now=now,
            actor_name=actor_name,
            actor_kind="member",
            kind="reopened",
            tell=False,
        )
        await self.schedule_ack_clock(session, ticket)
        if ticket.expected_at > now:
            await Scheduler.schedule(
                session,
                "ticket_due",
                notices.ticket_key(ticket, "due"),
                ticket.expected_at,
                {"ticket_id": ticket.id},
            )
        await notices.notify(
            self.app,
            session,
            ticket,
            notices.department_officials(self.app, ticket),
            texts.TK_OFFICIAL_REOPENED.format(
                folio=ticket.folio, ack_due=notices.local_time(self.app, ticket.ack_due_at)
            ),
            key=notices.ticket_key(ticket, "ev", entry.id),
            subject="Reabierto",
        )
        await self.tell_change(session, ticket, entry)

    async def merge_into(
        self,
        session: AsyncSession,
        ticket: Ticket,
        original: Ticket,
        *,
        now: datetime,
        actor_name: str,
    ) -> None:
        """Mark `ticket` a duplicate of `original`; its followers now follow the original."""
        ticket.duplicate_of_id = original.id
        moved = 0
        for sub in await notices.subscribers(session, ticket):
            inserted = await insert_ignore(
                session,
                TicketSubscriber.__table__,  # type: ignore[arg-type]
                {
                    "ticket_id": original.id,
                    "identity_id": sub.identity_id,
                    "channel": sub.channel,
                    "user_id": sub.user_id,
                    "display_name": sub.display_name,
                    "chat_id": sub.chat_id,
                    "message_id": sub.message_id,
                    "role": "reporter",
                    "created_at": now,
                },
                conflict=["ticket_id", "identity_id"],
            )
            moved += inserted is not None
        original.affected_count += max(moved, 1)
        original.updated_at = now
        await self.change_status(
            session,
            ticket,
            "duplicado",
            now=now,
            actor_name=actor_name,
            note=texts.TK_NOTE_DUPLICATE.format(original=original.folio),
            detail={"duplicate_of": original.folio},
        )
        await self.add_event(
            session,
            original,
            "merged",
            now=now,
            actor_kind="official",
            actor_name=actor_name,
            detail={"merged": ticket.folio, "affected_count": original.affected_count},
        )


def _note_line(note: str | None) -> str:
    return texts.TK_NOTE_LINE.format(note=note) if note else ""


def _significant(text: str, *, place: bool = False) -> set[str]:
    words = {w for w in fold(text).replace(".", " ").split() if len(w) >= 4 and w.isalnum()}
    return words - (_GENERIC_PLACE_WORDS if place else set()) - _STOPWORDS


def _similar_places(a: str, b: str) -> bool:
    return bool(_significant(a, place=True) & _significant(b, place=True))


def _similar_texts(a: str, b: str) -> bool:
    left, right = _significant(a), _significant(b)
    if not left or not right:
        return False
    return len(left & right) / len(left | right) >= 0.4
