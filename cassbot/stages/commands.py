"""Commands stage: run `/commands` with the sender's permissions, on every channel alike."""

from __future__ import annotations

import logging

from cassbot import texts
from cassbot.commands import CommandSpec, parse_command
from cassbot.events import MessagePosted
from cassbot.pipeline import Context, Next

logger = logging.getLogger(__name__)


class CommandsStage:
    async def __call__(self, ctx: Context, call_next: Next) -> None:
        event = ctx.event
        if not isinstance(event, MessagePosted) or ctx.sender is None:
            await call_next()
            return
        parsed = parse_command(event.text)
        if parsed is None:
            await call_next()
            return
        own_names = ctx.app.bot_usernames(event.chat.channel)
        if parsed.addressed_to and parsed.addressed_to.lower() not in own_names:
            await call_next()  # `/cmd@otherbot`: not for us, screen it like any message
            return
        spec = ctx.app.commands.get(parsed.name)
        if spec is None:
            if event.chat.private:
                ctx.reply(texts.UNKNOWN_COMMAND.format(name=parsed.name), purpose="command")
                return
            await call_next()  # in a group, an unknown "/word" is just a message
            return
        # In a group, what a member writes is screened whatever it starts with: a command
        # must not be a way around the rules ("/reglas <insult>").
        screen_anyway = not event.chat.private and not ctx.sender.exempt
        if not await self._allowed(ctx, spec):
            if screen_anyway:
                await call_next()
            return
        try:
            async with ctx.session.begin_nested():
                planned_before = len(ctx.planned)
                try:
                    await spec.handler(ctx, parsed)
                except Exception:
                    del ctx.planned[planned_before:]
                    raise
        except Exception:
            logger.exception(
                "command failed", extra={"command": spec.name, "event_id": ctx.event_id}
            )
            ctx.reply(texts.COMMAND_FAILED.format(name=spec.name), purpose="command")
            if screen_anyway:
                await call_next()
            return
        if spec.screen_after or screen_anyway:
            await call_next()

    async def _allowed(self, ctx: Context, spec: CommandSpec) -> bool:
        assert ctx.sender is not None
        private = ctx.event.chat.private
        if spec.where == "group" and private:
            ctx.reply(texts.ONLY_IN_GROUP.format(name=spec.name), purpose="command")
            return False
        if spec.where == "private" and not private:
            ctx.reply(texts.ONLY_IN_PRIVATE.format(name=spec.name), purpose="command")
            return False
        if spec.roles is not None and ctx.sender.role not in spec.roles:
            who = " y ".join(
                texts.ROLE_NAMES[r]
                for r in ("vecino", "autoridad_local", "funcionario", "administrador")
                if r in spec.roles
            )
            ctx.reply(texts.NOT_ALLOWED.format(name=spec.name, who=who), purpose="command")
            await ctx.audit(
                "command_refused",
                actor_kind="member",
                detail={"command": spec.name, "role": ctx.sender.role},
            )
            return False
        return True
