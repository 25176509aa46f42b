"""Roster from joins and speech, the community ban list, and command permissions by role."""

from __future__ import annotations

from sqlalchemy import select

from adapters.local import LocalAdapter
from cassbot.actions import RemoveMember
from cassbot.app import CassBot
from cassbot.commands import CommandSpec, ParsedCommand, parse_command
from cassbot.events import ChatRef, UserRef
from cassbot.pipeline import Context
from cassbot.storage.models import (
    AuditEntry,
    CommunityBan,
    Identity,
    Membership,
    OutboxAction,
    PlaygroundEntry,
)
from tests.helpers import settle


def local(bot: CassBot) -> LocalAdapter:
    adapter = bot.adapters.get("local")
    assert isinstance(adapter, LocalAdapter)
    return adapter


async def bot_texts(bot: CassBot, chat: str) -> list[str]:
    async with bot.db.read() as session:
        return list(
            (
                await session.execute(
                    select(PlaygroundEntry.text)
                    .where(PlaygroundEntry.chat_id == chat, PlaygroundEntry.author_id == "cassbot")
                    .order_by(PlaygroundEntry.seq)
                )
            ).scalars()
        )


def test_command_parsing() -> None:
    assert parse_command("/reglas") == ParsedCommand("reglas", "")
    assert parse_command("  /Advertencias @juan ") == ParsedCommand("advertencias", "@juan")
    assert parse_command("/expulsar@CassJilotepecBot spam") == ParsedCommand(
        "expulsar", "spam", "CassJilotepecBot"
    )
    assert parse_command("!reporte no hay agua") == ParsedCommand("reporte", "no hay agua")
    assert parse_command("/Ayúda") == ParsedCommand("ayuda", "")
    assert parse_command("hola /reglas") is None
    assert parse_command("/") is None
    assert parse_command("https://x.mx/a") is None


async def test_speaking_and_joining_keep_the_roster(make_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(make_settings(), serve_http=False)
    await local(bot).post("canalejas", "vecina-lupita", "buenos días")
    await local(bot).post("canalejas", "vecina-lupita", "¿ya llegó la pipa?")
    await settle(bot)
    async with bot.db.read() as session:
        membership = (await session.execute(select(Membership))).scalar_one()
        actions = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert (membership.status, membership.message_count, membership.role) == (
        "active",
        2,
        "vecino",
    )
    assert "member_joined" in actions


async def test_a_banned_person_who_comes_back_is_removed_again(make_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(make_settings(), serve_http=False)
    playground = local(bot)
    await playground.post("canalejas", "vecino-beto", "hola")
    await settle(bot)
    async with bot.db.transaction() as session:
        identity = (
            await session.execute(select(Identity).where(Identity.user_id == "vecino-beto"))
        ).scalar_one()
        session.add(
            CommunityBan(
                community_id="canalejas",
                person_id=identity.person_id,
                reason="amenazas",
                banned_by="Directora de ODAPAS",
            )
        )
    # Removed by an admin in the app, then back through an old invite link:
    await playground.execute(
        RemoveMember(
            chat=ChatRef(channel="local", chat_id="canalejas"),
            user=UserRef(channel="local", user_id="vecino-beto"),
        )
    )
    await playground.join("canalejas", "vecino-beto")
    await settle(bot)
    async with bot.db.read() as session:
        audit = (await session.execute(select(AuditEntry.action))).scalars().all()
        removals = (
            (await session.execute(select(OutboxAction).where(OutboxAction.kind == "remove")))
            .scalars()
            .all()
        )
    assert "ban_enforced" in audit
    assert [(r.purpose, r.status) for r in removals] == [("ban_enforced", "done")]
    members = {
        m.user.user_id
        for m in await playground.list_members(ChatRef(channel="local", chat_id="canalejas"))
    }
    assert "vecino-beto" not in members
    # The ban holds only in its community.
    await playground.post("coscomate", "vecino-beto", "hola Coscomate")
    await settle(bot)
    async with bot.db.read() as session:
        removals = (
            (await session.execute(select(OutboxAction).where(OutboxAction.kind == "remove")))
            .scalars()
            .all()
        )
    assert len(removals) == 1


async def admin_only(ctx: Context, command: ParsedCommand) -> None:
    ctx.reply(f"hecho: {command.args}")


async def broken(ctx: Context, command: ParsedCommand) -> None:
    ctx.reply("esto no debe salir")
    raise RuntimeError("bug")


def admin_commands(app: CassBot) -> None:
    app.commands.register(
        CommandSpec(
            name="probar",
            handler=admin_only,
            summary="prueba",
            roles=frozenset({"funcionario", "administrador"}),
            where="group",
        )
    )
    app.commands.register(CommandSpec(name="romper", handler=broken, summary="falla"))


async def test_commands_check_roles_and_places(make_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(make_settings(), serve_http=False, features=[admin_commands])
    playground = local(bot)
    await playground.post("canalejas", "vecina-lupita", "/probar algo")
    await playground.post("canalejas", "oficial-odapas", "/probar algo")
    await playground.post("dm-oficial-odapas", "oficial-odapas", "/probar algo")
    await playground.post("dm-vecina-lupita", "vecina-lupita", "/inexistente")
    await playground.post("canalejas", "vecina-lupita", "/inexistente en grupo")
    await playground.post("canalejas", "vecina-lupita", "/romper")
    await settle(bot)
    group = await bot_texts(bot, "canalejas")
    assert group[0] == "El comando /probar es solo para funcionarios y administradores."
    assert group[1] == "hecho: algo"
    assert "No pude completar /romper" in group[2]
    assert "esto no debe salir" not in " ".join(group)
    assert len(group) == 3  # an unknown /word in a group is just a message
    assert await bot_texts(bot, "dm-oficial-odapas") == [
        "El comando /probar se usa dentro del grupo de tu comunidad."
    ]
    assert await bot_texts(bot, "dm-vecina-lupita") == [
        "No conozco el comando /inexistente. Escribe /ayuda para ver los disponibles."
    ]


async def test_help_lists_what_each_role_may_use(make_settings, make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(make_settings(), serve_http=False, features=[admin_commands])
    await local(bot).post("canalejas", "vecina-lupita", "/ayuda")
    await local(bot).post("canalejas", "oficial-gd", "/ayuda")
    await settle(bot)
    neighbour, admin = await bot_texts(bot, "canalejas")
    assert "/reglas" in neighbour and "/probar" not in neighbour
    assert "/probar" in admin
