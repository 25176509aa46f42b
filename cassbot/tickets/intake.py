"""From a chat message to a ticket: who asks, for which community, what and where; the reply."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot import texts
from cassbot.actions import SendMessage
from cassbot.commands import fold
from cassbot.events import EVENT_ADAPTER, Attachment, MessagePosted, MessageRef, UserRef
from cassbot.people import identity_for
from cassbot.pipeline import Context
from cassbot.settings import CommunitySettings, slugify
from cassbot.storage.models import Group, Identity, InboundEvent, Membership
from cassbot.tickets import notices
from cassbot.tickets.catalog import OTHER, STATUS_LABELS, category_department, category_label
from cassbot.tickets.service import NewRequest, Opened, TicketService
from moderation.service_requests import ServiceRequestMatch, classify

MEDIA_KINDS = frozenset({"voice", "audio", "image", "video", "document"})


def location_of(message: MessagePosted) -> Attachment | None:
    return next((a for a in message.facts.attachments if a.kind == "location"), None)


def location_text(attachment: Attachment | None) -> str | None:
    if attachment is None:
        return None
    if attachment.place:
        return attachment.place
    if attachment.latitude is not None and attachment.longitude is not None:
        return f"{attachment.latitude:.5f}, {attachment.longitude:.5f}"
    return None


def media_of(message: MessagePosted) -> list[dict[str, Any]]:
    """The attachment facts worth keeping (the URL may expire; transcription comes later)."""
    return [
        {
            **a.model_dump(mode="json", exclude_none=True),
            "message_id": message.message.message_id,
            "chat": message.chat.key,
        }
        for a in message.facts.attachments
        if a.kind in MEDIA_KINDS
    ]


async def find_message(session: AsyncSession, ref: MessageRef) -> MessagePosted | None:
    """A message seen earlier in a chat, by its platform id (from the event log)."""
    row = (
        await session.execute(
            select(InboundEvent.payload)
            .where(
                InboundEvent.chat_key == ref.chat.key,
                InboundEvent.kind == "message.posted",
                InboundEvent.payload["message"]["message_id"].as_string() == ref.message_id,
            )
            .order_by(InboundEvent.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    event = EVENT_ADAPTER.validate_python(row)
    return event if isinstance(event, MessagePosted) else None


def find_community(ctx: Context, word: str) -> CommunitySettings | None:
    wanted = slugify(word)
    for community in ctx.app.directory.communities:
        if wanted in (community.id, slugify(community.name)) or fold(word) == fold(community.name):
            return community
    return None


async def communities_of(session: AsyncSession, person_id: int) -> list[str]:
    rows = (
        await session.execute(
            select(Group.community_id)
            .join(Membership, Membership.group_id == Group.id)
            .join(Identity, Identity.id == Membership.identity_id)
            .where(Identity.person_id == person_id, Membership.status == "active")
            .distinct()
        )
    ).scalars()
    return sorted(rows)


class Intake:
    def __init__(self, service: TicketService) -> None:
        self.service = service
        self.app = service.app

    async def explicit(self, ctx: Context, event: MessagePosted, args: str) -> None:
        """`/reporte <texto>` in a group or in private (with a voice note, or replying to one)."""
        assert ctx.sender is not None
        text, source = args.strip(), event
        if not text and not media_of(event) and event.reply_to is not None:
            replied = await find_message(ctx.session, event.reply_to)
            if replied is not None:
                text, source = replied.text.strip(), replied
        if ctx.in_group:
            community_id: str | None = ctx.community_id
        else:
            community_id, text = await self._private_community(ctx, text)
            if community_id is None:
                return
        media = media_of(source)
        if not text and not media:
            ctx.reply(texts.TK_REPORT_USAGE, purpose="command")
            return
        location = location_of(source)
        match = classify(text, location=location_text(location), explicit=True) if text else None
        await self.open_from(
            ctx,
            event,
            community_id=community_id or "",
            text=text or texts.TK_VOICE_TEXT,
            match=match,
            origin="reporte" if ctx.in_group else "privado",
            media=media,
            location=location,
        )

    async def _private_community(self, ctx: Context, text: str) -> tuple[str | None, str]:
        assert ctx.sender is not None
        first, _, rest = text.partition(" ")
        named = find_community(ctx, first) if first else None
        if named is not None:
            return named.id, rest.strip()
        mine = await communities_of(ctx.session, ctx.sender.person.id)
        if len(mine) == 1:
            return mine[0], text
        directory = ctx.app.directory
        choices = mine or [c.id for c in directory.communities]
        listing = "\n".join(
            f"• {cid} — {c.name}" for cid in choices if (c := directory.community(cid))
        )
        template = texts.TK_PRIVATE_WHICH_COMMUNITY if mine else texts.TK_PRIVATE_NO_COMMUNITY
        ctx.reply(template.format(communities=listing), purpose="command")
        return None, text

    async def open_from(
        self,
        ctx: Context,
        event: MessagePosted,
        *,
        community_id: str,
        text: str,
        match: ServiceRequestMatch | None,
        origin: str,
        media: list[dict[str, Any]] | None = None,
        location: Attachment | None = None,
        category: str | None = None,
        requester: UserRef | None = None,
        opened_by: str | None = None,
        answer_to: MessageRef | None = None,
    ) -> Opened:
        assert ctx.sender is not None
        settings = self.service.settings
        category = category or (match.category if match else OTHER)
        user = requester or ctx.sender.user
        identity = (
            ctx.sender.identity
            if requester is None
            else (await identity_for(ctx.session, requester, now=ctx.now))[0]
        )
        place = match.place if match else location_text(location)
        request = NewRequest(
            community_id=community_id,
            chat=event.chat,
            text=text,
            category=category,
            department=category_department(category, settings.triage_department),
            origin=origin,
            now=ctx.now,
            group=ctx.group if ctx.in_group else None,
            message=event.message,
            requester=user,
            identity=identity,
            emergency=match.emergency if match else False,
            place=place,
            latitude=location.latitude if location else None,
            longitude=location.longitude if location else None,
            media=media if media is not None else media_of(event),
            opened_by=opened_by,
            terms=match.terms if match else (),
        )
        opened = await self.service.open(ctx.session, request)
        await ctx.audit(
            "ticket_opened" if opened.created else "ticket_linked",
            subject=identity,
            actor_kind="official" if opened_by else "member",
            detail={"folio": opened.ticket.folio, "category": category, "origin": origin},
        )
        self.answer(ctx, opened, origin=origin, answer_to=answer_to or ctx.message_ref)
        return opened

    def answer(
        self, ctx: Context, opened: Opened, *, origin: str, answer_to: MessageRef | None
    ) -> None:
        ticket = opened.ticket
        if not opened.created and not opened.newly_subscribed and origin == "auto":
            return  # the same neighbour again: one answer is enough in a busy group
        urgent = texts.TK_EMERGENCY if ticket.emergency else ""
        if opened.created:
            text = texts.TK_ACK.format(
                urgent=urgent,
                folio=ticket.folio,
                category=category_label(ticket.category),
                place=texts.TK_PLACE_LINE.format(place=ticket.place) if ticket.place else "",
                reached=(
                    texts.TK_REACHED.format(departments=", ".join(opened.reached))
                    if opened.reached
                    else texts.TK_NOBODY_REACHED
                ),
                ack_due=notices.local_time(self.app, ticket.ack_due_at),
                cancel=texts.TK_CANCEL_HINT.format(folio=ticket.folio) if origin == "auto" else "",
            )
        elif opened.newly_subscribed:
            text = texts.TK_LINKED.format(
                urgent=urgent,
                folio=ticket.folio,
                status=STATUS_LABELS[ticket.status],
                affected=ticket.affected_count,
            )
        else:
            text = texts.TK_ALREADY_FOLLOWING.format(
                folio=ticket.folio, status=STATUS_LABELS[ticket.status]
            )
        ctx.emit(
            SendMessage(chat=ctx.chat, text=text, reply_to=answer_to),
            purpose="ticket_ack",
            key=notices.ticket_key(ticket, "ack", f"ev{ctx.event_id}"),
        )
