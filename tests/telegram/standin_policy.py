"""TEST-ONLY STAND-IN for the moderation feature, to drive the Telegram path end to end.

The real screening engine and warn-then-expel policy are built on another branch; this is not
them. It treats any message containing "GROSERIA" as an offence: the message is deleted and the
author warned in the group and privately; the third offence removes the author and records a
community ban. It also registers a stand-in `/expulsar` (officials and admins, in reply to a
message), whose permission check is the core's.
"""

from __future__ import annotations

from sqlalchemy import func, select

from cassbot.actions import DeleteMessage, RemoveMember, SendMessage
from cassbot.app import CassBot
from cassbot.commands import CommandSpec, ParsedCommand
from cassbot.events import MessagePosted
from cassbot.pipeline import Context, Next
from cassbot.storage.models import AuditEntry, CommunityBan

OFFENSIVE_WORD = "GROSERIA"
OFFENCES_TO_REMOVE = 3
STANDIN_WARNING = "⚠️ {name}: tu mensaje fue borrado por lenguaje ofensivo (regla 2). Aviso {n}."
STANDIN_PRIVATE = "Borramos tu mensaje en el grupo por lenguaje ofensivo (regla 2)."
STANDIN_REMOVED = "{name} fue sacado del grupo por faltar a las reglas."


class StandInPolicy:
    async def __call__(self, ctx: Context, call_next: Next) -> None:
        event = ctx.event
        sender = ctx.sender
        offensive = isinstance(event, MessagePosted) and OFFENSIVE_WORD in event.text.upper()
        if not offensive or not ctx.in_group or sender is None or sender.exempt:
            await call_next()
            return
        assert isinstance(event, MessagePosted)
        before = await ctx.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == "standin_offence",
                AuditEntry.subject_identity_id == sender.identity.id,
                AuditEntry.community_id == ctx.community_id,
            )
        )
        count = int(before or 0) + 1
        entry = await ctx.audit(
            "standin_offence", rule_id="2", subject=sender.identity, detail={"n": count}
        )
        ctx.emit(DeleteMessage(message=event.message), purpose="standin_delete", audit=entry)
        if count >= OFFENCES_TO_REMOVE:
            assert ctx.community_id is not None
            ctx.session.add(
                CommunityBan(
                    community_id=ctx.community_id, person_id=sender.person.id, reason="stand-in"
                )
            )
            ctx.emit(RemoveMember(chat=ctx.chat, user=sender.user), purpose="standin_remove")
            ctx.emit(SendMessage(chat=ctx.chat, text=STANDIN_REMOVED.format(name=sender.name)))
            return
        warning = STANDIN_WARNING.format(name=sender.name, n=count)
        ctx.emit(
            SendMessage(chat=ctx.chat, text=warning, mentions=(sender.user,)),
            purpose="standin_warn_group",
        )
        ctx.tell_privately(sender.user, STANDIN_PRIVATE, purpose="standin_warn_private")


async def expel_command(ctx: Context, command: ParsedCommand) -> None:
    event = ctx.event
    target = event.reply_to_author if isinstance(event, MessagePosted) else None
    if target is None:
        ctx.reply("Responde al mensaje de la persona que quieres sacar del grupo.")
        return
    ctx.emit(RemoveMember(chat=ctx.chat, user=target, reason=command.args), purpose="expel")
    ctx.reply(STANDIN_REMOVED.format(name=target.display_name or target.user_id))


def install_standin(app: CassBot) -> None:
    app.pipeline.replace("decide", StandInPolicy())
    app.commands.register(
        CommandSpec(
            name="expulsar",
            handler=expel_command,
            summary="saca del grupo a quien escribió el mensaje respondido (stand-in)",
            roles=frozenset({"funcionario", "administrador"}),
            where="group",
        )
    )
