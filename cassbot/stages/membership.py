"""Membership stage: keep the roster from joins, leaves, role changes and who speaks.

A member on the community's ban list who comes back is removed again at once.
"""

from __future__ import annotations

import logging

from cassbot.actions import RemoveMember
from cassbot.events import (
    ChannelStatus,
    JoinRequested,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    RoleChanged,
    UserRef,
)
from cassbot.people import active_ban, ensure_membership, identity_for
from cassbot.pipeline import Context, Next
from cassbot.storage.models import AdapterState

logger = logging.getLogger(__name__)


class MembershipStage:
    async def __call__(self, ctx: Context, call_next: Next) -> None:
        event = ctx.event
        if isinstance(event, ChannelStatus):
            await self._channel_status(ctx, event)
            await call_next()
            return
        if ctx.group is None:
            await call_next()
            return
        if isinstance(event, MemberJoined):
            await self._joined(ctx, event.member, via=event.via)
        elif isinstance(event, MemberLeft):
            await self._left(ctx, event)
        elif isinstance(event, RoleChanged):
            await self._role_changed(ctx, event)
        elif isinstance(event, JoinRequested):
            await ctx.audit("join_requested", detail={"user": event.member.user_id})
        elif isinstance(event, MessagePosted) and ctx.sender is not None:
            membership = await ensure_membership(
                ctx.session, ctx.group, ctx.sender.identity, now=ctx.now, source="seen"
            )
            if membership.status != "active":
                # Speaking in the group means they are in it, whatever we thought.
                membership.status = "active"
                membership.left_at = None
                if await self._enforce_ban(ctx, ctx.sender.user, ctx.sender.person.id):
                    return
            membership.message_count += 1
            membership.last_seen_at = ctx.now
            ctx.sender.membership = membership
        await call_next()

    async def _joined(self, ctx: Context, user: UserRef, *, via: str) -> None:
        assert ctx.group is not None
        if user.is_bot:
            logger.info("the bot joined a group", extra={"chat": ctx.chat.key})
            return
        identity, person = await identity_for(ctx.session, user, now=ctx.now)
        membership = await ensure_membership(ctx.session, ctx.group, identity, now=ctx.now)
        membership.status = "active"
        membership.joined_at = ctx.now
        membership.left_at = None
        membership.source = "event"
        await ctx.audit(
            "member_joined", subject=identity, actor_kind="member", detail={"via": via}
        )
        await self._enforce_ban(ctx, user, person.id)

    async def _enforce_ban(self, ctx: Context, user: UserRef, person_id: int) -> bool:
        assert ctx.community_id is not None
        ban = await active_ban(ctx.session, ctx.community_id, person_id)
        if ban is None:
            return False
        identity, _ = await identity_for(ctx.session, user)
        entry = await ctx.audit(
            "ban_enforced",
            subject=identity,
            actor_kind="bot",
            detail={"ban_id": ban.id, "reason": ban.reason},
            dry_run=ctx.dry_run,
        )
        ctx.emit(
            RemoveMember(chat=ctx.chat, user=user, reason="community ban"),
            purpose="ban_enforced",
            audit=entry,
            dry_run=ctx.dry_run,  # a trial group records it without doing it
        )
        return True

    async def _left(self, ctx: Context, event: MemberLeft) -> None:
        assert ctx.group is not None
        if event.member.is_bot:
            logger.warning(
                "the bot left or was removed from a group", extra={"chat": ctx.chat.key}
            )
            ctx.group.bot_is_admin = False
            return
        identity, _ = await identity_for(ctx.session, event.member, now=ctx.now)
        membership = await ensure_membership(ctx.session, ctx.group, identity, now=ctx.now)
        removed = event.removed_by is not None and event.removed_by.user_id != event.member.user_id
        if membership.status not in ("removed", "banned"):
            membership.status = "removed" if removed else "left"
        membership.left_at = ctx.now
        await ctx.audit(
            "member_removed" if removed else "member_left", subject=identity, actor_kind="member"
        )

    async def _role_changed(self, ctx: Context, event: RoleChanged) -> None:
        assert ctx.group is not None
        if event.member.is_bot:
            ctx.group.bot_is_admin = event.admin
            await ctx.audit(
                "bot_admin_changed", actor_kind="system", detail={"admin": event.admin}
            )
            return
        identity, _ = await identity_for(ctx.session, event.member, now=ctx.now)
        membership = await ensure_membership(ctx.session, ctx.group, identity, now=ctx.now)
        membership.platform_admin = event.admin
        await ctx.audit(
            "member_promoted" if event.admin else "member_demoted",
            subject=identity,
            actor_kind="member",
        )

    async def _channel_status(self, ctx: Context, event: ChannelStatus) -> None:
        state = await ctx.session.get(AdapterState, (event.chat.channel, "status"))
        value = {"status": event.status, "detail": event.detail, "at": ctx.now.isoformat()}
        if state is None:
            ctx.session.add(AdapterState(channel=event.chat.channel, key="status", value=value))
        else:
            state.value = value
        await ctx.audit(
            "channel_status", actor_kind="system", detail={"channel": event.chat.channel, **value}
        )
