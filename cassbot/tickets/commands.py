"""Ticket commands: /reporte and /ticket to file; the officials' status commands; /folio,
/pendientes, /misreportes, /cancelar, /si and /no."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy import select

from cassbot import texts
from cassbot.commands import CommandRegistry, CommandSpec, ParsedCommand
from cassbot.events import MessagePosted
from cassbot.pipeline import Context
from cassbot.storage.models import Identity, Ticket, TicketSubscriber
from cassbot.tickets import notices
from cassbot.tickets.catalog import (
    AWAITING_ACK,
    OPEN_STATUSES,
    STATUS_LABELS,
    category_department,
    category_label,
    department_name,
)
from cassbot.tickets.folio import find_folio
from cassbot.tickets.intake import Intake, find_message, location_of, location_text, media_of
from cassbot.tickets.stage import REPORT_NOTE, confirm
from moderation.service_requests import classify, parse_category

if TYPE_CHECKING:
    from cassbot.tickets.service import TicketService

OFFICIALS = frozenset({"funcionario", "administrador"})
Handler = Callable[[Context, ParsedCommand], Awaitable[None]]

# status → the statuses it may come from
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "recibido": AWAITING_ACK,
    "en_atencion": AWAITING_ACK | {"recibido"},
    "resuelto": OPEN_STATUSES,
    "cerrado": OPEN_STATUSES | {"resuelto"},
    "rechazado": OPEN_STATUSES,
    "duplicado": OPEN_STATUSES | {"resuelto"},
}


class TicketCommands:
    def __init__(self, service: TicketService, intake: Intake) -> None:
        self.service = service
        self.intake = intake

    # Finding the ticket a command is about ---------------------------------------------------

    async def _target(self, ctx: Context, command: ParsedCommand) -> tuple[Ticket | None, str]:
        """The ticket named by a folio at the start of the arguments, or by the replied message."""
        args = command.args
        first, _, rest = args.partition(" ")
        folio = find_folio(first) if first else None
        if folio is not None:
            ticket = await self.service.by_folio(ctx.session, folio)
            if ticket is None:
                ctx.reply(texts.TK_UNKNOWN_FOLIO.format(folio=folio), purpose="command")
            return ticket, rest.strip()
        message = ctx.event
        if isinstance(message, MessagePosted) and message.reply_to is not None:
            ticket = await self.service.for_message(ctx.session, message.reply_to)
            if ticket is not None:
                return ticket, args
        ctx.reply(texts.TK_NEED_FOLIO.format(name=command.name), purpose="command")
        return None, args

    async def _managed(self, ctx: Context, command: ParsedCommand) -> tuple[Ticket | None, str]:
        assert ctx.sender is not None
        official = ctx.sender.official
        if official is None:
            ctx.reply(texts.TK_NOT_OFFICIAL, purpose="command")
            return None, ""
        ticket, rest = await self._target(ctx, command)
        if ticket is None:
            return None, rest
        if not notices.can_manage(official, ticket):
            ctx.reply(
                texts.TK_NOT_YOUR_TICKET.format(
                    folio=ticket.folio, department=department_name(ticket.department)
                ),
                purpose="command",
            )
            await ctx.audit(
                "ticket_command_refused", detail={"folio": ticket.folio, "command": command.name}
            )
            return None, rest
        return ticket, rest

    # Filing ----------------------------------------------------------------------------------

    async def reporte(self, ctx: Context, command: ParsedCommand) -> None:
        ctx.notes[REPORT_NOTE] = command.args  # the tickets stage files it after moderation

    async def ticket(self, ctx: Context, command: ParsedCommand) -> None:
        """An official replies `/ticket [categoría]` to any message to make it a ticket."""
        assert ctx.sender is not None
        event = ctx.event
        if ctx.sender.official is None:
            ctx.reply(texts.TK_NOT_OFFICIAL, purpose="command")
            return
        if not isinstance(event, MessagePosted) or event.reply_to is None:
            ctx.reply(texts.TK_TICKET_USAGE, purpose="command")
            return
        category = parse_category(command.args) if command.args else None
        if command.args and category is None:
            ctx.reply(
                texts.TK_UNKNOWN_CATEGORY.format(word=command.args, known=_category_list()),
                purpose="command",
            )
            return
        existing = await self.service.for_message(ctx.session, event.reply_to)
        if existing is not None:
            await self._recategorise(ctx, existing, category)
            return
        source = await find_message(ctx.session, event.reply_to)
        if source is None or source.actor is None or source.actor.is_bot:
            ctx.reply(texts.TK_TICKET_NO_SOURCE, purpose="command")
            return
        location = location_of(source)
        match = classify(source.text, location=location_text(location), explicit=True)
        assert ctx.community_id is not None
        await self.intake.open_from(
            ctx,
            source,
            community_id=ctx.community_id,
            text=source.text.strip() or texts.TK_VOICE_TEXT,
            match=match,
            origin="ticket",
            media=media_of(source),
            location=location,
            category=category,
            requester=source.actor,
            opened_by=ctx.sender.name,
            answer_to=source.message,
        )

    async def _recategorise(self, ctx: Context, ticket: Ticket, category: str | None) -> None:
        assert ctx.sender is not None
        if category is None or category == ticket.category:
            ctx.reply(texts.TK_ALREADY_TICKET.format(folio=ticket.folio), purpose="command")
            return
        if not notices.can_manage(ctx.sender.official, ticket):
            ctx.reply(
                texts.TK_NOT_YOUR_TICKET.format(
                    folio=ticket.folio, department=department_name(ticket.department)
                ),
                purpose="command",
            )
            return
        before = (ticket.category, ticket.department)
        ticket.category = category
        ticket.department = category_department(category, self.service.settings.triage_department)
        ticket.is_public = ticket.department not in self.service.settings.private_departments
        ticket.updated_at = ctx.now
        entry = await self.service.add_event(
            ctx.session,
            ticket,
            "recategorised",
            now=ctx.now,
            actor_kind="official",
            actor_name=ctx.sender.name,
            detail={"from": list(before), "to": [ticket.category, ticket.department]},
        )
        if ticket.department != before[1]:
            officials = notices.department_officials(self.service.app, ticket)
            await notices.notify(
                self.service.app,
                ctx.session,
                ticket,
                officials,
                texts.TK_OFFICIAL_REROUTED.format(
                    folio=ticket.folio,
                    category=category_label(category),
                    text=ticket.text[:1000],
                ),
                key=notices.ticket_key(ticket, "ev", entry.id),
                subject="Reporte turnado",
            )
        ctx.reply(
            texts.TK_RECATEGORISED.format(
                folio=ticket.folio,
                category=category_label(category),
                department=department_name(ticket.department),
            ),
            purpose="command",
        )

    # Status changes by officials -------------------------------------------------------------

    def _status_command(self, status: str, *, needs_note: bool = False) -> Handler:
        async def handler(ctx: Context, command: ParsedCommand) -> None:
            assert ctx.sender is not None
            ticket, note = await self._managed(ctx, command)
            if ticket is None:
                return
            if needs_note and not note:
                ctx.reply(texts.TK_NEED_REASON.format(name=command.name), purpose="command")
                return
            if ticket.status not in ALLOWED_FROM[status]:
                ctx.reply(
                    texts.TK_CANNOT_CHANGE.format(
                        folio=ticket.folio,
                        status=STATUS_LABELS[ticket.status],
                        new=STATUS_LABELS[status],
                    ),
                    purpose="command",
                )
                return
            await self.service.change_status(
                ctx.session,
                ticket,
                status,
                now=ctx.now,
                actor_name=ctx.sender.name,
                note=note or None,
            )
            await ctx.audit("ticket_status", detail={"folio": ticket.folio, "status": status})
            ctx.reply(
                texts.TK_STATUS_DONE.format(folio=ticket.folio, status=STATUS_LABELS[status]),
                purpose="command",
            )

        return handler

    async def duplicado(self, ctx: Context, command: ParsedCommand) -> None:
        assert ctx.sender is not None
        ticket, rest = await self._managed(ctx, command)
        if ticket is None:
            return
        other_folio = find_folio(rest)
        if other_folio is None:
            ctx.reply(texts.TK_DUPLICATE_USAGE, purpose="command")
            return
        original = await self.service.by_folio(ctx.session, other_folio)
        while original is not None and original.duplicate_of_id is not None:
            original = await ctx.session.get(Ticket, original.duplicate_of_id)
        if original is None:
            ctx.reply(texts.TK_UNKNOWN_FOLIO.format(folio=other_folio), purpose="command")
            return
        if original.id == ticket.id:
            ctx.reply(texts.TK_DUPLICATE_SELF, purpose="command")
            return
        if ticket.status not in ALLOWED_FROM["duplicado"]:
            ctx.reply(
                texts.TK_CANNOT_CHANGE.format(
                    folio=ticket.folio,
                    status=STATUS_LABELS[ticket.status],
                    new=STATUS_LABELS["duplicado"],
                ),
                purpose="command",
            )
            return
        await self.service.merge_into(
            ctx.session, ticket, original, now=ctx.now, actor_name=ctx.sender.name
        )
        ctx.reply(
            texts.TK_MERGED.format(folio=ticket.folio, original=original.folio), purpose="command"
        )

    # Looking things up -----------------------------------------------------------------------

    async def pendientes(self, ctx: Context, command: ParsedCommand) -> None:
        assert ctx.sender is not None
        official = ctx.sender.official
        if official is None:
            ctx.reply(texts.TK_NOT_OFFICIAL, purpose="command")
            return
        rows = (
            await ctx.session.execute(
                select(Ticket)
                .where(Ticket.status.in_(OPEN_STATUSES | {"resuelto"}))
                .order_by(Ticket.requested_at)
            )
        ).scalars()
        mine = [t for t in rows if notices.can_manage(official, t)]
        if not mine:
            ctx.reply(texts.TK_NO_PENDING, purpose="command")
            return
        lines = [texts.TK_PENDING_HEADER.format(count=len(mine))]
        for ticket in mine[:25]:
            community = ctx.app.directory.community(ticket.community_id)
            lines.append(
                texts.TK_PENDING_LINE.format(
                    folio=ticket.folio,
                    category=category_label(ticket.category),
                    community=community.name if community else ticket.community_id,
                    status=STATUS_LABELS[ticket.status],
                    since=notices.local_time(ctx.app, ticket.requested_at),
                    overdue=" ⚠️" if ticket.ack_breached or ticket.expected_at < ctx.now else "",
                )
            )
        if len(mine) > 25:
            lines.append(texts.TK_PENDING_MORE.format(count=len(mine) - 25))
        ctx.reply("\n".join(lines), purpose="command")

    async def folio(self, ctx: Context, command: ParsedCommand) -> None:
        assert ctx.sender is not None
        ticket, _ = await self._target(ctx, command)
        if ticket is None:
            return
        own = await self.service.is_subscriber(ctx.session, ticket, ctx.sender.person.id)
        if not own and not notices.can_manage(ctx.sender.official, ticket):
            ctx.reply(texts.TK_NOT_YOURS.format(folio=ticket.folio), purpose="command")
            return
        ctx.reply(self.describe(ctx, ticket), purpose="command")

    def describe(self, ctx: Context, ticket: Ticket) -> str:
        community = ctx.app.directory.community(ticket.community_id)
        return texts.TK_DETAIL.format(
            folio=ticket.folio,
            category=category_label(ticket.category),
            department=department_name(ticket.department),
            community=community.name if community else ticket.community_id,
            place=ticket.place or texts.TK_NO_PLACE,
            status=STATUS_LABELS[ticket.status],
            requested=notices.local_time(ctx.app, ticket.requested_at),
            ack=(
                texts.TK_DETAIL_ACKED.format(
                    at=notices.local_time(ctx.app, ticket.acknowledged_at)
                )
                if ticket.acknowledged_at
                else texts.TK_DETAIL_ACK_DUE.format(
                    at=notices.local_time(ctx.app, ticket.ack_due_at)
                )
            ),
            expected=notices.local_time(ctx.app, ticket.expected_at),
            affected=ticket.affected_count,
            note=texts.TK_NOTE_LINE.format(note=ticket.status_note) if ticket.status_note else "",
        )

    async def misreportes(self, ctx: Context, command: ParsedCommand) -> None:
        assert ctx.sender is not None
        rows = (
            (
                await ctx.session.execute(
                    select(Ticket)
                    .join(TicketSubscriber, TicketSubscriber.ticket_id == Ticket.id)
                    .join(Identity, Identity.id == TicketSubscriber.identity_id)
                    .where(Identity.person_id == ctx.sender.person.id)
                    .order_by(Ticket.requested_at.desc())
                    .limit(10)
                )
            )
            .scalars()
            .unique()
            .all()
        )
        if not rows:
            ctx.reply(texts.TK_MY_NONE, purpose="command")
            return
        lines = [texts.TK_MY_HEADER] + [
            texts.TK_MY_LINE.format(
                folio=t.folio, category=category_label(t.category), status=STATUS_LABELS[t.status]
            )
            for t in rows
        ]
        ctx.reply("\n".join(lines), purpose="command")

    async def cancelar(self, ctx: Context, command: ParsedCommand) -> None:
        """The requester withdraws a report nobody has taken yet (e.g. a misread message)."""
        assert ctx.sender is not None
        ticket, _ = await self._target(ctx, command)
        if ticket is None:
            return
        requester = (
            await ctx.session.get(Identity, ticket.requester_identity_id)
            if ticket.requester_identity_id is not None
            else None
        )
        own = requester is not None and requester.person_id == ctx.sender.person.id
        if not own and not notices.can_manage(ctx.sender.official, ticket):
            ctx.reply(texts.TK_NOT_YOURS.format(folio=ticket.folio), purpose="command")
            return
        if ticket.status not in AWAITING_ACK:
            ctx.reply(
                texts.TK_CANNOT_CANCEL.format(
                    folio=ticket.folio, status=STATUS_LABELS[ticket.status]
                ),
                purpose="command",
            )
            return
        await self.service.change_status(
            ctx.session,
            ticket,
            "cerrado",
            now=ctx.now,
            actor_name=ctx.sender.name,
            actor_kind="member",
            note=texts.TK_NOTE_CANCELLED,
            kind="cancelled",
            skip_identity=ctx.sender.identity.id,
        )
        officials = notices.department_officials(self.service.app, ticket)
        await notices.notify(
            self.service.app,
            ctx.session,
            ticket,
            officials,
            texts.TK_OFFICIAL_CANCELLED.format(folio=ticket.folio),
            key=notices.ticket_key(ticket, "cancelled"),
            subject="Reporte cancelado",
        )
        ctx.reply(texts.TK_CANCELLED.format(folio=ticket.folio), purpose="command")

    def _answer(self, answer: str) -> Handler:
        async def handler(ctx: Context, command: ParsedCommand) -> None:
            assert ctx.sender is not None
            ticket, _ = await self._target(ctx, command)
            if ticket is None:
                return
            if not await self.service.is_subscriber(ctx.session, ticket, ctx.sender.person.id):
                ctx.reply(texts.TK_NOT_YOURS.format(folio=ticket.folio), purpose="command")
                return
            if ticket.status != "resuelto":
                ctx.reply(
                    texts.TK_NOT_WAITING.format(
                        folio=ticket.folio, status=STATUS_LABELS[ticket.status]
                    ),
                    purpose="command",
                )
                return
            await confirm(self.service, ctx, ticket, answer)

        return handler

    # Registration ----------------------------------------------------------------------------

    def register(self, registry: CommandRegistry) -> None:
        specs = [
            CommandSpec(
                "reporte",
                self.reporte,
                "pide un servicio público (agua, luz, basura, "
                "baches, seguridad, protección civil)",
                usage="<qué pasa y dónde>",
                aliases=("reportar", "report"),
                screen_after=True,
            ),
            CommandSpec(
                "folio",
                self.folio,
                "consulta cómo va un reporte tuyo",
                usage="<folio>",
                aliases=("estado",),
            ),
            CommandSpec(
                "misreportes", self.misreportes, "lista tus reportes", aliases=("mis_reportes",)
            ),
            CommandSpec(
                "cancelar",
                self.cancelar,
                "retira un reporte tuyo que aún nadie tomó",
                usage="<folio>",
            ),
            CommandSpec(
                "si",
                self._answer("si"),
                "confirma que tu reporte se resolvió",
                usage="<folio>",
                aliases=("sí",),
            ),
            CommandSpec(
                "no", self._answer("no"), "avisa que tu reporte no se resolvió", usage="<folio>"
            ),
            CommandSpec(
                "ticket",
                self.ticket,
                "convierte el mensaje al que respondes en reporte",
                usage="[categoría]",
                roles=OFFICIALS,
                where="group",
            ),
            CommandSpec(
                "recibido",
                self._status_command("recibido"),
                "acusa de recibido un reporte",
                usage="<folio>",
                roles=OFFICIALS,
            ),
            CommandSpec(
                "atendiendo",
                self._status_command("en_atencion"),
                "marca un reporte en atención",
                usage="<folio>",
                roles=OFFICIALS,
                aliases=("enatencion", "en_atencion"),
            ),
            CommandSpec(
                "resuelto",
                self._status_command("resuelto"),
                "marca un reporte como resuelto",
                usage="<folio> <nota>",
                roles=OFFICIALS,
            ),
            CommandSpec(
                "cerrar",
                self._status_command("cerrado"),
                "cierra un reporte",
                usage="<folio> [nota]",
                roles=OFFICIALS,
            ),
            CommandSpec(
                "rechazar",
                self._status_command("rechazado", needs_note=True),
                "rechaza un reporte explicando el motivo",
                usage="<folio> <motivo>",
                roles=OFFICIALS,
            ),
            CommandSpec(
                "duplicado",
                self.duplicado,
                "une un reporte a otro igual",
                usage="<folio> <folio original>",
                roles=OFFICIALS,
            ),
            CommandSpec(
                "pendientes",
                self.pendientes,
                "lista los reportes abiertos de tu área",
                roles=OFFICIALS,
            ),
        ]
        for spec in specs:
            registry.register(spec)


def _category_list() -> str:
    from moderation.service_requests import CATEGORIES

    return ", ".join(c.replace("_", " ") for c in CATEGORIES)
