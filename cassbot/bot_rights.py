"""Whether the bot holds admin rights in a group, and telling officials once when it does not.

Without admin rights the bot cannot delete messages or remove anyone on WhatsApp (nor on
Telegram). Each lapse (from losing the rights until they come back) is told to the group's
officials exactly once: the notice's outbox key carries the lapse number.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from cassbot import texts
from cassbot.audit import add_audit_entry
from cassbot.events import ChatRef
from cassbot.notify import notify_officials
from cassbot.storage.models import AdapterState, Group

if TYPE_CHECKING:
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)

# The officials who can make the bot an admin: the groups' admins.
NOTICE_ROLES = ("director", "presidencia", "administrador")


def _state_key(group: Group) -> str:
    return f"bot_admin:{group.chat_id}"[:100]


async def record_bot_admin(
    app: CassBot,
    session: AsyncSession,
    group: Group,
    admin: bool,
    *,
    now: datetime,
    account: str | None = None,
) -> list[str]:
    """Remember the bot's rights in `group`; returns who was told (empty when nobody needed to)."""
    group.bot_is_admin = admin
    state = await session.get(AdapterState, (group.channel, _state_key(group)))
    value = dict(state.value) if state is not None else {"lapse": 0, "notified": False}
    if admin:
        if value.get("notified"):
            value["notified"] = False
            _save(session, state, group, value)
            _audit(session, group, now, "bot_admin_restored", {"lapse": value["lapse"]})
        return []
    if value.get("notified"):
        return []
    value = {"lapse": int(value.get("lapse", 0)) + 1, "notified": True}
    _save(session, state, group, value)
    place = app.directory.place(ChatRef(channel=group.channel, chat_id=group.chat_id))
    community = app.directory.community(group.community_id)
    officials = app.directory.officials_for(group.community_id, roles=NOTICE_ROLES)
    officials = officials or app.directory.officials_for(group.community_id)
    name = group.name or (place.group.name if place else None) or group.chat_id
    text = texts.BOT_NOT_ADMIN.format(
        group=name,
        community=community.name if community else group.community_id,
        account=texts.BOT_ACCOUNT.format(phone=account) if account else "",
    )
    reached = await notify_officials(
        app,
        session,
        officials,
        text,
        key=f"bot-not-admin:{group.channel}:{group.chat_id}:{value['lapse']}",
        purpose="bot_not_admin",
        community_id=group.community_id,
        email_subject=texts.BOT_NOT_ADMIN_SUBJECT.format(group=name),
    )
    _audit(session, group, now, "bot_not_admin", {"lapse": value["lapse"], "told": reached})
    logger.warning(
        "the bot is not an admin of a group; officials told",
        extra={"chat": f"{group.channel}:{group.chat_id}", "told": ", ".join(reached)},
    )
    return reached


def _save(
    session: AsyncSession, state: AdapterState | None, group: Group, value: dict[str, object]
) -> None:
    if state is None:
        session.add(AdapterState(channel=group.channel, key=_state_key(group), value=value))
    else:
        state.value = value


def _audit(
    session: AsyncSession, group: Group, now: datetime, action: str, detail: dict[str, object]
) -> None:
    add_audit_entry(
        session,
        at=now,
        community_id=group.community_id,
        group_id=group.id,
        action=action,
        detail=detail,
    )
