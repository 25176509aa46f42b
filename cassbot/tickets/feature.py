"""Installs service requests on the app: commands, the tickets stage after `decide`, the
clocks, announcements, the public pages and API, and the nightly export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.actions import Action, ActionResult, SendMessage
from cassbot.events import MessageRef
from cassbot.storage.models import OutboxAction
from cassbot.tickets.announcements import Announcements
from cassbot.tickets.clocks import TicketClocks
from cassbot.tickets.commands import TicketCommands
from cassbot.tickets.export import NightlyExport
from cassbot.tickets.intake import Intake
from cassbot.tickets.service import TicketService
from cassbot.tickets.stage import TicketStage
from cassbot.tickets.web import ticket_routes

if TYPE_CHECKING:
    from cassbot.app import CassBot


def install_tickets(app: CassBot) -> None:
    service = TicketService(app)
    intake = Intake(service)
    TicketCommands(service, intake).register(app.commands)
    app.pipeline.insert("tickets", TicketStage(service, intake), after="decide")
    TicketClocks(service).install()
    Announcements(app).install(app.commands)
    app.outbox.on_result(_remember_sent(service), kind="send")
    NightlyExport(app).install()
    app.extra_routes.extend(ticket_routes(app))


def _remember_sent(service: TicketService):  # type: ignore[no-untyped-def]
    """Remember the bot's messages about a ticket, so a reply to one names the folio."""

    async def hook(
        session: AsyncSession, row: OutboxAction, action: Action, result: ActionResult
    ) -> None:
        key = row.idempotency_key
        if not key.startswith("ticket:") or row.status != "done" or not result.platform_ref:
            return
        if not isinstance(action, SendMessage):
            return
        ticket_id = key.split(":", 2)[1]
        if not ticket_id.isdigit():
            return
        kind = {"ticket_ack": "ack", "ticket_question": "question"}.get(
            row.purpose.split(":")[0], "update"
        )
        await service.record_message(
            session,
            int(ticket_id),
            MessageRef(chat=action.chat, message_id=result.platform_ref),
            kind,
            service.app.clock.now(),
        )

    return hook
