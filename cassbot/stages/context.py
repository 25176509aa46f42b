"""Context stage: which group, community and person an event is about, and their role."""

from __future__ import annotations

import logging

from cassbot.events import ChannelStatus
from cassbot.people import group_by_chat, identity_for, membership_of
from cassbot.pipeline import Context, Next, Sender

logger = logging.getLogger(__name__)


class ContextStage:
    async def __call__(self, ctx: Context, call_next: Next) -> None:
        event = ctx.event
        if isinstance(event, ChannelStatus):
            await call_next()  # channel-wide: no group, no sender
            return
        if not event.chat.private:
            ctx.place = ctx.app.directory.place(event.chat)
            if ctx.place is None:
                logger.info(
                    "event from a chat that belongs to no community; ignored",
                    extra={"chat": event.chat.key, "kind": event.kind},
                )
                return
            ctx.group = await group_by_chat(ctx.session, event.chat.channel, event.chat.chat_id)
            if ctx.group is None:  # configured but not yet synced (should not happen after start)
                ctx.group = await ctx.app.sync_group(ctx.session, ctx.place)
        actor = event.actor
        if actor is not None and not actor.is_bot:
            identity, person = await identity_for(ctx.session, actor, now=ctx.now)
            membership = (
                await membership_of(ctx.session, ctx.group, identity) if ctx.group else None
            )
            ctx.sender = Sender(
                user=actor,
                identity=identity,
                person=person,
                official=ctx.app.directory.official_for(actor),
                membership=membership,
            )
        elif actor is not None and actor.is_bot and event.kind.startswith("message."):
            return  # the bot's own messages need nothing
        await call_next()
