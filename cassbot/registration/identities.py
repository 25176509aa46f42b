"""A person's identity on each channel, derived from their phone number where possible.

WhatsApp ids come from the number; the playground maps a number to the persona configured with
it (else a persona id made from the number); other channels (Telegram) only know a person
once they have written to the bot with an identity linked to the same person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.events import ChatRef, UserRef
from cassbot.phones import digits, whatsapp_id
from cassbot.storage.models import Identity

if TYPE_CHECKING:
    from cassbot.app import CassBot


def local_persona_id(app: CassBot, phone: str) -> str:
    for persona in app.settings.adapters.local.personas:
        if persona.phone == phone:
            return persona.id
    return "tel-" + digits(phone)


async def user_on(
    app: CassBot,
    session: AsyncSession,
    channel: str,
    *,
    phone: str | None,
    name: str | None,
    person_id: int | None,
) -> UserRef | None:
    """The platform identity to add or write to on `channel`, or None when unknown there."""
    if channel == "whatsapp" and phone:
        return UserRef(channel=channel, user_id=whatsapp_id(phone), display_name=name, phone=phone)
    if channel == "local" and phone:
        return UserRef(
            channel=channel, user_id=local_persona_id(app, phone), display_name=name, phone=phone
        )
    if person_id is not None:
        identity = (
            await session.execute(
                select(Identity)
                .where(Identity.person_id == person_id, Identity.channel == channel)
                .order_by(Identity.last_seen_at.desc().nulls_last(), Identity.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        if identity is not None:
            return UserRef(
                channel=channel,
                user_id=identity.user_id,
                display_name=identity.display_name or name,
                phone=phone,
            )
    return None


async def private_chats(
    app: CassBot,
    session: AsyncSession,
    *,
    phone: str | None,
    name: str | None,
    person_id: int | None,
    only: str | None = None,
) -> list[ChatRef]:
    """Private chats where the bot can write to the person (one per capable channel)."""
    chats: list[ChatRef] = []
    for adapter in app.adapters:
        if only is not None and adapter.name != only:
            continue
        if adapter.name == "local" and phone and local_persona_id(app, phone).startswith("tel-"):
            continue  # nobody reads a made-up persona's private chat
        user = await user_on(
            app, session, adapter.name, phone=phone, name=name, person_id=person_id
        )
        if user is None:
            continue
        chat = adapter.private_chat(user)
        if chat is not None:
            chats.append(chat)
    return chats
