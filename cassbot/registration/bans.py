"""The community ban list: who is kept out, why, by whom; lifting is an explicit, audited act."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot import texts
from cassbot.actions import UnbanMember
from cassbot.adapter import Capability
from cassbot.events import UserRef
from cassbot.people import active_ban, group_by_chat
from cassbot.registration.common import Actor, DecisionError, audit
from cassbot.storage.models import CommunityBan, Identity

if TYPE_CHECKING:
    from cassbot.app import CassBot


async def record_ban(
    session: AsyncSession,
    *,
    community_id: str,
    person_id: int,
    reason: str,
    banned_by: str,
    now: datetime,
) -> CommunityBan:
    """Put a person on the community's ban list (the active ban when there is one already)."""
    existing = await active_ban(session, community_id, person_id)
    if existing is not None:
        return existing
    ban = CommunityBan(
        community_id=community_id,
        person_id=person_id,
        reason=reason,
        banned_by=banned_by,
        created_at=now,
    )
    session.add(ban)
    await session.flush()
    return ban


async def lift_ban(
    app: CassBot,
    session: AsyncSession,
    ban: CommunityBan,
    actor: Actor,
    reason: str,
    now: datetime,
) -> None:
    """Lift a ban (audited) and undo platform bans where the channel keeps people out."""
    if ban.lifted_at is not None:
        raise DecisionError(texts.BAN_ALREADY_LIFTED)
    if not reason.strip():
        raise DecisionError(texts.BAN_LIFT_REASON_MISSING)
    ban.lifted_at = now
    ban.lifted_by = actor.name
    identities = (
        (await session.execute(select(Identity).where(Identity.person_id == ban.person_id)))
        .scalars()
        .all()
    )
    for place in app.directory.groups(ban.community_id):
        adapter = app.adapters.get(place.group.channel)
        if adapter is None or not adapter.supports(Capability.UNBAN_MEMBER):
            continue
        group = await group_by_chat(session, place.group.channel, place.group.chat_id)
        for identity in identities:
            if identity.channel != place.group.channel or group is None:
                continue
            await app.outbox.enqueue(
                session,
                UnbanMember(
                    chat=place.chat,
                    user=UserRef(channel=identity.channel, user_id=identity.user_id),
                ),
                key=f"ban:{ban.id}:unban:{group.id}:{identity.id}",
                purpose="ban_lifted",
                community_id=ban.community_id,
            )
    await audit(
        session,
        now,
        "ban_lifted",
        community_id=ban.community_id,
        actor=actor,
        detail={"ban_id": ban.id, "reason": reason.strip()[:500], "banned_by": ban.banned_by},
    )
