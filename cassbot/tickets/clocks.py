"""The two clocks, run by the scheduler from database timers (they survive restarts).

1. Acknowledgement: reminders and escalation up the configured chain while nobody from the área
   has acknowledged the ticket; at the deadline the breach is recorded, the requester is told
   honestly, and the chain is reminded again every `breach_repeat` until someone acknowledges.
2. Resolution: at the category's target the área and its director are reminded (overdue).
Plus the confirmation window after "resuelto": no answer closes the ticket.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from cassbot import texts
from cassbot.settings import OfficialSettings
from cassbot.storage.models import Ticket, Timer
from cassbot.tickets import notices
from cassbot.tickets.catalog import AWAITING_ACK, OPEN_STATUSES, category_label, department_name

if TYPE_CHECKING:
    from cassbot.tickets.service import TicketService


class TicketClocks:
    def __init__(self, service: TicketService) -> None:
        self.service = service
        self.app = service.app

    def install(self) -> None:
        scheduler = self.app.scheduler
        scheduler.on("ticket_ack", self.acknowledgement)
        scheduler.on("ticket_due", self.resolution)
        scheduler.on("ticket_confirm", self.confirmation)

    async def _ticket(self, session: AsyncSession, timer: Timer) -> Ticket | None:
        ticket_id = timer.payload.get("ticket_id")
        return await session.get(Ticket, ticket_id) if isinstance(ticket_id, int) else None

    async def acknowledgement(self, session: AsyncSession, timer: Timer, now: datetime) -> None:
        ticket = await self._ticket(session, timer)
        if ticket is None or ticket.status not in AWAITING_ACK:
            return  # acknowledged (or closed) in the meantime
        step = timer.payload.get("step")
        if step == "breach":
            await self._breach(session, ticket, timer, now)
            return
        chain = self.service.settings.escalation
        if not isinstance(step, int) or step >= len(chain):
            return  # the chain was shortened by a configuration change
        level = chain[step].to
        officials = notices.chain_recipients(self.app, ticket, level)
        elapsed = _hours(now - ticket.requested_at)
        kind = "reminder" if step == 0 else "escalated"
        template = texts.TK_OFFICIAL_REMINDER if step == 0 else texts.TK_OFFICIAL_ESCALATION
        text = template.format(
            folio=ticket.folio,
            category=category_label(ticket.category),
            hours=elapsed,
            ack_due=notices.local_time(self.app, ticket.ack_due_at),
            department=department_name(ticket.department),
        )
        reached = await notices.notify(
            self.app,
            session,
            ticket,
            officials,
            text,
            key=notices.ticket_key(ticket, "ack", ticket.reopen_count, step),
            subject="Recordatorio" if step == 0 else "Escalamiento",
        )
        ticket.escalation_level = max(ticket.escalation_level, step + 1)
        await self.service.add_event(
            session,
            ticket,
            kind,
            now=now,
            detail={"level": level, "step": step, "reached": reached},
        )

    async def _breach(
        self, session: AsyncSession, ticket: Ticket, timer: Timer, now: datetime
    ) -> None:
        repeat = int(timer.payload.get("repeat", 0))
        first = not ticket.ack_breached
        ticket.ack_breached = True
        officials: list[OfficialSettings] = []
        for level in ("director", "presidencia"):
            officials += [
                o for o in notices.chain_recipients(self.app, ticket, level) if o not in officials
            ]
        text = texts.TK_OFFICIAL_BREACH.format(
            folio=ticket.folio,
            category=category_label(ticket.category),
            department=department_name(ticket.department),
            hours=_hours(now - ticket.requested_at),
        )
        reached = await notices.notify(
            self.app,
            session,
            ticket,
            officials,
            text,
            key=notices.ticket_key(ticket, "ack", ticket.reopen_count, "breach", repeat),
            subject="Plazo de acuse vencido",
        )
        entry = await self.service.add_event(
            session,
            ticket,
            "ack_breach" if first else "breach_reminder",
            now=now,
            detail={"repeat": repeat, "reached": reached},
        )
        if first:
            await notices.tell_subscribers(
                self.app,
                session,
                ticket,
                texts.TK_CITIZEN_BREACH.format(
                    folio=ticket.folio, department=department_name(ticket.department)
                ),
                key=notices.ticket_key(ticket, "ev", entry.id),
            )
        # Keep reminding until someone acknowledges: the scheduler keeps a moved timer pending.
        timer.due_at = now + self.service.settings.breach_repeat
        timer.payload = {**timer.payload, "repeat": repeat + 1}

    async def resolution(self, session: AsyncSession, timer: Timer, now: datetime) -> None:
        ticket = await self._ticket(session, timer)
        if ticket is None or ticket.status not in OPEN_STATUSES:
            return
        officials = notices.department_officials(self.app, ticket)
        officials += [
            o for o in notices.chain_recipients(self.app, ticket, "director") if o not in officials
        ]
        reached = await notices.notify(
            self.app,
            session,
            ticket,
            officials,
            texts.TK_OFFICIAL_OVERDUE.format(
                folio=ticket.folio,
                category=category_label(ticket.category),
                expected=notices.local_time(self.app, ticket.expected_at),
            ),
            key=notices.ticket_key(ticket, "overdue", ticket.reopen_count),
            subject="Plazo de atención vencido",
        )
        await self.service.add_event(
            session, ticket, "overdue", now=now, detail={"reached": reached}
        )

    async def confirmation(self, session: AsyncSession, timer: Timer, now: datetime) -> None:
        ticket = await self._ticket(session, timer)
        if ticket is None or ticket.status != "resuelto":
            return
        await self.service.change_status(
            session,
            ticket,
            "cerrado",
            now=now,
            actor_name="cassbot",
            actor_kind="bot",
            note=texts.TK_NOTE_AUTO_CLOSED,
            kind="auto_closed",
        )


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f}" if hours >= 10 else f"{hours:.1f}".rstrip("0").rstrip(".")
