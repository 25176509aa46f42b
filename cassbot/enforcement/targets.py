"""Who a moderation command is about: the author of the replied message, or an @mention."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.enforcement.session import ModerationSession
from cassbot.events import MessagePosted, MessageRef, UserRef
from cassbot.people import identity_for, membership_of
from cassbot.pipeline import Context, Sender
from cassbot.storage.models import Group, Identity, Membership

if TYPE_CHECKING:
    from cassbot.app import CassBot


@dataclass(frozen=True, slots=True)
class Target:
    sender: Sender
    message: MessageRef | None  # the replied message, when the command was a reply
    rest: str  # the command's arguments without the @mention


async def resolve_target(ctx: Context, args: str) -> Target | None:
    """Reply first (it is unambiguous), else `@name` / `@id` among this group's members."""
    event = ctx.event
    words = args.split()
    replied = event.reply_to_author if isinstance(event, MessagePosted) else None
    if replied is not None and not replied.is_bot:
        assert isinstance(event, MessagePosted)
        kept = words[1:] if words and words[0].startswith("@") else words
        return Target(await _sender_for(ctx, replied), event.reply_to, " ".join(kept))
    if not words or not words[0].startswith("@"):
        return None
    handle = words[0][1:]
    rest = " ".join(words[1:])
    channel = ctx.chat.channel
    if isinstance(event, MessagePosted):
        for mention in event.facts.mentions:  # a platform mention names an exact account
            if mention.lower() == handle.lower() or mention.split("@", 1)[0] == handle:
                known = (
                    await ctx.session.execute(
                        select(Identity).where(
                            Identity.channel == channel, Identity.user_id == mention
                        )
                    )
                ).scalar_one_or_none()
                if known is not None:  # never invent a member from a name typed after @
                    return Target(await _sender_of_identity(ctx, known), None, rest)
    found = await _find_identities(ctx, channel, handle)
    if not found:
        return None
    if len(found) > 1:
        raise AmbiguousTarget(handle, [i.display_name or i.user_id for i in found])
    return Target(await _sender_of_identity(ctx, found[0]), None, rest)


class AmbiguousTarget(Exception):
    """`@Juan` matches several members: the admin must reply to the right person's message."""

    def __init__(self, handle: str, names: list[str]) -> None:
        super().__init__(handle)
        self.handle = handle
        self.names = names


async def _find_identities(ctx: Context, channel: str, handle: str) -> list[Identity]:
    """Identities of this channel by user id, or by display name within the community."""
    wanted = handle.lower().replace("_", " ")
    query = select(Identity).where(
        Identity.channel == channel,
        or_(Identity.user_id == handle, func.lower(Identity.display_name) == wanted),
    )
    if ctx.place is not None:
        query = (
            query.join(Membership, Membership.identity_id == Identity.id)
            .join(Group, Group.id == Membership.group_id)
            .where(Group.community_id == ctx.place.community.id)
        )
    exact = (
        (await ctx.session.execute(query.where(Identity.user_id == handle).limit(1)))
        .scalars()
        .first()
    )
    if exact is not None:  # a platform id is unambiguous
        return [exact]
    return list((await ctx.session.execute(query.distinct().limit(6))).scalars())


async def sender_for_identity(ms: ModerationSession, identity: Identity) -> Sender:
    """The person a stored case is about, as the policy sees them in the case's group."""
    user = UserRef(
        channel=identity.channel, user_id=identity.user_id, display_name=identity.display_name
    )
    return await _resolve(ms.app, ms.session, ms.group, user)


async def _sender_for(ctx: Context, user: UserRef) -> Sender:
    return await _resolve(ctx.app, ctx.session, ctx.group, user)


async def _sender_of_identity(ctx: Context, identity: Identity) -> Sender:
    user = UserRef(
        channel=identity.channel, user_id=identity.user_id, display_name=identity.display_name
    )
    return await _sender_for(ctx, user)


async def _resolve(
    app: CassBot, session: AsyncSession, group: Group | None, user: UserRef
) -> Sender:
    identity, person = await identity_for(session, user)
    membership = await membership_of(session, group, identity) if group else None
    return Sender(
        user=UserRef(
            channel=identity.channel,
            user_id=identity.user_id,
            display_name=identity.display_name or user.display_name,
        ),
        identity=identity,
        person=person,
        official=app.directory.official_for(user),
        membership=membership,
    )
