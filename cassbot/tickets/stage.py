"""The tickets stage (after `decide`): explicit reports, "¿se resolvió?" answers, and requests
the screener recognises in community groups.

A message that moderation is deleting opens no ticket. A failure here is logged and rolled
back to a savepoint, so it never costs the moderation decisions of the same message.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from sqlalchemy import select

from cassbot import texts
from cassbot.events import MessagePosted
from cassbot.pipeline import Context, Next
from cassbot.storage.models import Identity, Ticket, TicketSubscriber
from cassbot.tickets.intake import Intake, location_of, location_text
from moderation.service_requests import classify, fold

if TYPE_CHECKING:
    from cassbot.tickets.service import TicketService

logger = logging.getLogger(__name__)

REPORT_NOTE = "ticket_report"  # set by /reporte for this stage
YES = frozenset(
    {
        "si",
        "si se resolvio",
        "si ya",
        "si ya quedo",
        "si gracias",
        "ya se resolvio",
        "ya quedo",
        "si quedo",
    }
)
NO = frozenset(
    {
        "no",
        "no se resolvio",
        "todavia no",
        "aun no",
        "sigue igual",
        "no sigue igual",
        "no ha quedado",
        "no quedo",
    }
)


def yes_or_no(text: str) -> str | None:
    words = " ".join(re.findall(r"[a-z]+", fold(text)))
    return "si" if words in YES else "no" if words in NO else None


class TicketStage:
    def __init__(self, service: TicketService, intake: Intake) -> None:
        self.service = service
        self.intake = intake

    async def __call__(self, ctx: Context, call_next: Next) -> None:
        event = ctx.event
        if isinstance(event, MessagePosted) and ctx.sender is not None:
            explicit = ctx.notes.get(REPORT_NOTE)
            try:
                async with ctx.session.begin_nested():
                    planned = len(ctx.planned)
                    try:
                        await self._handle(ctx, event, explicit)
                    except Exception:
                        del ctx.planned[planned:]
                        raise
            except Exception:
                logger.exception("tickets stage failed", extra={"event_id": ctx.event_id})
                if explicit is not None:
                    ctx.reply(texts.COMMAND_FAILED.format(name="reporte"), purpose="command")
        await call_next()

    async def _handle(self, ctx: Context, event: MessagePosted, explicit: str | None) -> None:
        assert ctx.sender is not None
        decision = ctx.notes.get("decision")
        if decision is not None and getattr(decision, "deleted", False):
            # The message is being removed for breaking the rules: no ticket stores it. If it
            # also asked for a service, say how to ask again, so the problem is not lost.
            if classify(event.text, explicit=explicit is not None) is not None:
                ctx.tell_privately(
                    ctx.sender.user, texts.TK_RESEND_RESPECTFULLY, purpose="ticket_resend"
                )
            return
        if explicit is not None:
            await self.intake.explicit(ctx, event, explicit)
            return
        if await self.answer_confirmation(ctx, event):
            return
        if not ctx.in_group or ctx.sender.exempt or not self.service.settings.auto_detect:
            return
        text = event.text.strip()
        if not text or text[0] in "/!":
            return
        location = location_of(event)
        match = classify(text, location=location_text(location))
        if match is None or ctx.community_id is None:
            return
        await self.intake.open_from(
            ctx,
            event,
            community_id=ctx.community_id,
            text=text,
            match=match,
            origin="auto",
            location=location,
        )

    async def answer_confirmation(self, ctx: Context, event: MessagePosted) -> bool:
        """A "sí"/"no" replying to the "¿Se resolvió?" question (or in private, when only one
        of the person's tickets is waiting for that answer)."""
        assert ctx.sender is not None
        answer = yes_or_no(event.text)
        if answer is None:
            return False
        ticket: Ticket | None = None
        if event.reply_to is not None:
            ticket = await self.service.for_message(ctx.session, event.reply_to)
        elif ctx.chat.private:
            waiting = (
                (
                    await ctx.session.execute(
                        select(Ticket)
                        .join(TicketSubscriber, TicketSubscriber.ticket_id == Ticket.id)
                        .join(Identity, Identity.id == TicketSubscriber.identity_id)
                        .where(
                            Ticket.status == "resuelto", Identity.person_id == ctx.sender.person.id
                        )
                        .distinct()
                    )
                )
                .scalars()
                .all()
            )
            ticket = waiting[0] if len(waiting) == 1 else None
        if ticket is None or ticket.status != "resuelto":
            return False
        if not await self.service.is_subscriber(ctx.session, ticket, ctx.sender.person.id):
            return False
        await confirm(self.service, ctx, ticket, answer)
        return True


async def confirm(service: TicketService, ctx: Context, ticket: Ticket, answer: str) -> None:
    """The requester (or a follower) says whether the problem was really solved."""
    assert ctx.sender is not None
    who = ctx.sender.name
    if answer == "si":
        await service.change_status(
            ctx.session,
            ticket,
            "cerrado",
            now=ctx.now,
            actor_name=who,
            actor_kind="member",
            note=texts.TK_NOTE_CONFIRMED,
            kind="confirmed",
            skip_identity=ctx.sender.identity.id,
        )
        ctx.reply(texts.TK_THANKS_CONFIRMED.format(folio=ticket.folio), purpose="command")
    else:
        await service.reopen(ctx.session, ticket, now=ctx.now, actor_name=who)
        ctx.reply(texts.TK_REOPENED.format(folio=ticket.folio), purpose="command")
