"""Writing to a person privately on every channel where the bot can reach them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.actions import SendMessage
from cassbot.events import ChatRef
from cassbot.registration.identities import private_chats

if TYPE_CHECKING:
    from cassbot.app import CassBot


async def tell_person(
    app: CassBot,
    session: AsyncSession,
    text: str,
    *,
    key: str,
    purpose: str,
    phone: str | None,
    name: str | None = None,
    person_id: int | None = None,
    also: ChatRef | None = None,
    community_id: str | None = None,
) -> int:
    """Queue `text` to the person's private chats (and `also`); returns how many were queued."""
    chats = await private_chats(app, session, phone=phone, name=name, person_id=person_id)
    if also is not None and also not in chats:
        chats.append(also)
    for chat in chats:
        await app.outbox.enqueue(
            session,
            SendMessage(chat=chat, text=text),
            key=f"{key}:{chat.channel}:{chat.chat_id}",
            purpose=purpose,
            community_id=community_id,
        )
    return len(chats)
