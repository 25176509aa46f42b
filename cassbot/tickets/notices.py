"""Who hears about a ticket, and how: subscribers in private (else in their group), officials
through `notify_officials`. Every message is queued in the outbox under a stable key."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.actions import SendMessage
from cassbot.events import ChatRef, MessageRef, UserRef
from cassbot.notify import notify_officials
from cassbot.settings import OfficialSettings
from cassbot.storage.models import Ticket, TicketSubscriber
from cassbot.tickets.catalog import category_label

if TYPE_CHECKING:
    from cassbot.app import CassBot


def local_time(app: CassBot, moment: datetime) -> str:
    return moment.astimezone(app.settings.tickets.zone).strftime("%d/%m/%Y %H:%M")


def ticket_key(ticket: Ticket, *parts: object) -> str:
    """Outbox keys of ticket messages start with `ticket:<id>:` (the result hook reads it)."""
    return ":".join(["ticket", str(ticket.id), *map(str, parts)])


def is_admin(official: OfficialSettings) -> bool:
    return (
        official.role in ("administrador", "presidencia") or official.department == "presidencia"
    )


def can_manage(official: OfficialSettings | None, ticket: Ticket) -> bool:
    """Officials of the ticket's área covering its community, administrators and Presidencia."""
    if official is None:
        return False
    if is_admin(official):
        return True
    return official.department == ticket.department and official.covers(ticket.community_id)


def chain_recipients(app: CassBot, ticket: Ticket, level: str) -> list[OfficialSettings]:
    """The officials one step of the escalation chain reaches (never nobody)."""
    directory = app.directory
    community = ticket.community_id
    if level in ("enlace", "director"):
        found = directory.officials_for(community, [ticket.department], [level])
        if found:
            return found
        found = directory.officials_for(community, [ticket.department])
    elif level == "presidencia":
        found = [
            o
            for o in directory.officials_for(community)
            if o.role == "presidencia" or o.department == "presidencia"
        ]
    else:
        found = directory.officials_for(community, roles=["administrador"])
    if not found:  # an empty step must not swallow the alarm
        found = directory.officials_for(community, roles=["administrador"])
    return found


def department_officials(app: CassBot, ticket: Ticket) -> list[OfficialSettings]:
    found = app.directory.officials_for(ticket.community_id, [ticket.department])
    return found or app.directory.officials_for(ticket.community_id, roles=["administrador"])


async def notify(
    app: CassBot,
    session: AsyncSession,
    ticket: Ticket,
    officials: list[OfficialSettings],
    text: str,
    *,
    key: str,
    subject: str,
) -> list[str]:
    community = app.directory.community(ticket.community_id)
    where = community.name if community else ticket.community_id
    return await notify_officials(
        app,
        session,
        officials,
        text,
        key=key,
        purpose="ticket_notify",
        community_id=ticket.community_id,
        email_subject=f"[{ticket.folio}] {subject} · {category_label(ticket.category)} · {where}",
    )


async def subscribers(session: AsyncSession, ticket: Ticket) -> list[TicketSubscriber]:
    return list(
        (
            await session.execute(
                select(TicketSubscriber)
                .where(TicketSubscriber.ticket_id == ticket.id)
                .order_by(TicketSubscriber.id)
            )
        ).scalars()
    )


async def tell_subscribers(
    app: CassBot,
    session: AsyncSession,
    ticket: Ticket,
    text: str,
    *,
    key: str,
    purpose: str = "ticket_update",
    skip_identity: int | None = None,
) -> int:
    """Tell everyone following the ticket, in private where possible, else in their group."""
    told = 0
    for sub in await subscribers(session, ticket):
        if sub.identity_id == skip_identity:
            continue
        user = UserRef(channel=sub.channel, user_id=sub.user_id, display_name=sub.display_name)
        adapter = app.adapters.get(sub.channel)
        private = adapter.private_chat(user) if adapter else None
        group = ChatRef(channel=sub.channel, chat_id=sub.chat_id) if sub.chat_id else None
        group_message = (
            MessageRef(chat=group, message_id=sub.message_id) if group and sub.message_id else None
        )
        if private is not None:
            action = SendMessage(
                chat=private, text=text, fallback_chat=group, fallback_reply_to=group_message
            )
        elif group is not None:
            action = SendMessage(chat=group, text=text, reply_to=group_message, mentions=(user,))
        else:
            continue
        await app.outbox.enqueue(
            session,
            action,
            key=f"{key}:{sub.identity_id}",
            purpose=purpose,
            community_id=ticket.community_id,
        )
        told += 1
    return told
