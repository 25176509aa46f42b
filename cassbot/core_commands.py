"""Commands every deployment has: /ayuda and /reglas."""

from __future__ import annotations

from cassbot import texts
from cassbot.commands import CommandRegistry, CommandSpec, ParsedCommand
from cassbot.pipeline import Context


async def help_command(ctx: Context, _command: ParsedCommand) -> None:
    assert ctx.sender is not None
    lines = [texts.HELP_HEADER]
    for spec in ctx.app.commands.available(ctx.sender.role, private=ctx.event.chat.private):
        usage = f"{spec.usage} " if spec.usage else ""
        lines.append(texts.HELP_LINE.format(name=spec.name, usage=usage, summary=spec.summary))
    ctx.reply("\n".join(lines), purpose="command")


async def rules_command(ctx: Context, _command: ParsedCommand) -> None:
    ctx.reply(texts.rules_text(), purpose="command")


def register_core_commands(registry: CommandRegistry) -> None:
    registry.register(
        CommandSpec(
            name="ayuda",
            aliases=("help", "comandos", "start"),
            handler=help_command,
            summary="muestra los comandos que puedes usar",
        )
    )
    registry.register(
        CommandSpec(
            name="reglas",
            aliases=("rules",),
            handler=rules_command,
            summary="muestra las reglas de los grupos CASS",
        )
    )
