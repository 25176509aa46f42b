"""cassbot on Telegram end to end: fake Bot API ⇄ PTB ⇄ webhook → pipeline → outbox → PTB.

The bot runs with its default features: the real Spanish screening engine and warn-then-expel
policy, the admins' moderation commands, tickets and registration. Neighbours write as people
in Jilotepec do; what is asserted is what Telegram was asked to do (the fake's recorded calls
and the state it keeps) and what cassbot recorded (cases, points, bans, outbox rows).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from cassbot.app import CassBot
from cassbot.clock import ManualClock
from cassbot.storage.models import (
    CommunityBan,
    Group,
    Identity,
    InboundEvent,
    Membership,
    ModerationCase,
    OutboxAction,
    PointsRecord,
)
from tests.helpers import eventually, settle
from tests.telegram.conftest import (
    BETO,
    GROUP_ID,
    KARLA,
    LUPITA,
    ODAPAS,
    OTHER_GROUP_ID,
    StartBot,
    deliver,
    populate,
)
from tests.telegram.fake_bot_api import FakeBotAPI

# What neighbours write. The insults are aimed at someone (the engine acts on those); the
# ordinary message and the complaint are fine, however blunt.
ORDINARY = "Buenos días, vecinos. Gracias por avisar de la faena del sábado."
COMPLAINT = "Aquí nadie hace nada, puro cuento"
INSULTS = ("eres un pendejo", "Lupe, eres una idiota", "ya cállate pinche vieja chismosa")
LINK = "https://videos-chistosos.example.com/v/123"

FIRST_WARNING = (
    "⚠️ Lupita Martínez: retiramos un mensaje porque tiene insultos u ofensas hacia otra "
    "persona (regla 2 de los grupos CASS). Llevas 1 de 3 advertencias en 30 días; con 2 "
    "advertencias más en ese plazo se te dará de baja del grupo. Si crees que es un error, "
    "escribe /apelar en privado al asistente."
)
FIRST_PRIVATE_WARNING_START = (
    "Hola, Lupita Martínez. Retiramos tu mensaje del grupo porque tiene insultos u ofensas "
    "hacia otra persona.\nRegla 2: "
)


async def run(fake: FakeBotAPI, bot: CassBot, update: dict[str, Any]) -> None:
    status, _ = await deliver(fake, bot, update)
    assert status == 200
    await settle(bot)


async def admins_read(fake: FakeBotAPI, bot: CassBot) -> None:
    """Wait for the start-up admin refresh of both groups."""

    async def done() -> bool:
        return len(fake.calls_to("getChatAdministrators")) >= 2

    await eventually(done)
    await settle(bot)


async def all_rows(bot: CassBot, model: Any, *where: Any) -> list[Any]:
    async with bot.db.read() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def identity_id(bot: CassBot, user_id: int) -> int:
    [identity] = await all_rows(
        bot, Identity, Identity.channel == "telegram", Identity.user_id == str(user_id)
    )
    return int(identity.id)


def texts_sent(fake: FakeBotAPI, chat_id: int) -> list[str]:
    return [m["text"] for m in fake.sent(chat_id)]


async def test_an_insult_is_deleted_and_its_author_warned_in_the_group_and_privately(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    bot = await start_bot()
    ordinary = world.message_update(GROUP_ID, BETO, ORDINARY)
    await run(world, bot, ordinary)
    ordinary_id = ordinary["message"]["message_id"]
    insult = world.message_update(GROUP_ID, LUPITA, INSULTS[0], reply_to=ordinary_id)
    insult_id = insult["message"]["message_id"]
    await run(world, bot, insult)

    # The insult is gone from the group; the ordinary message is untouched.
    assert insult_id not in world.chats[GROUP_ID].messages
    assert ordinary_id in world.chats[GROUP_ID].messages
    [delete] = world.calls_to("deleteMessage")
    assert delete.params == {"chat_id": GROUP_ID, "message_id": insult_id}
    # Lupita is warned in the group, mentioned by name…
    [warning] = world.sent(GROUP_ID)
    assert warning["text"] == FIRST_WARNING
    assert f'<a href="tg://user?id={LUPITA}">Lupita Martínez</a>' in warning["html"]
    # …and privately, since she started the bot, with the rule spelled out.
    [private] = world.sent(LUPITA)
    assert private["text"].startswith(FIRST_PRIVATE_WARNING_START)
    assert "Llevas 1 de 3 advertencias en los últimos 30 días" in private["text"]
    # Warnings name the rule, never repeat the insult.
    assert all("pendejo" not in m["text"] for m in world.sent())

    # One case, one point, for Lupita only; the ordinary message left no trace.
    [case] = await all_rows(bot, ModerationCase)
    assert (case.source, case.category, case.status, case.points) == (
        "auto",
        "insult",
        "applied",
        1,
    )
    assert (case.community_id, case.message_id) == ("canalejas", str(insult_id))
    assert case.subject_identity_id == await identity_id(bot, LUPITA)
    assert sorted(case.effects) == ["delete", "warn_group", "warn_private"]
    [points] = await all_rows(bot, PointsRecord)
    assert (points.person_id, points.points, points.case_id) == (
        case.subject_person_id,
        1,
        case.id,
    )


async def test_someone_who_never_started_the_bot_hears_it_in_the_group(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    bot = await start_bot()
    # An insult: warned in the group; the private warning cannot reach Beto (Telegram refuses
    # to open the chat) and is not repeated in the group, which already heard it.
    await run(world, bot, world.message_update(GROUP_ID, BETO, INSULTS[0]))
    [warning] = texts_sent(world, GROUP_ID)
    assert warning.startswith("⚠️ Beto Hernández: retiramos un mensaje porque tiene insultos")
    tries = [c for c in world.calls_to("sendMessage") if c.params["chat_id"] == BETO]
    assert [c.status for c in tries] == [403]  # "bot can't initiate conversation with a user"
    [row] = await all_rows(bot, OutboxAction, OutboxAction.purpose.like("moderation.private%"))
    assert (row.status, row.result) == ("failed", "forbidden")

    # A newcomer's link is only ever explained in private: for Beto, that falls back to the
    # group, so he still learns why his message disappeared.
    link = world.message_update(
        GROUP_ID,
        BETO,
        f"Miren este video {LINK}",
        entities=[{"type": "url", "offset": 17, "length": len(LINK)}],
    )
    await run(world, bot, link)
    assert link["message"]["message_id"] not in world.chats[GROUP_ID].messages
    tries = [c for c in world.calls_to("sendMessage") if c.params["chat_id"] == BETO]
    assert [c.status for c in tries] == [403, 403]
    fallback = texts_sent(world, GROUP_ID)[-1]
    assert fallback.startswith("Hola, Beto Hernández. Retiramos tu mensaje del grupo porque")
    assert "quienes acaban de entrar al grupo aún no pueden compartirlos" in fallback
    assert len(texts_sent(world, GROUP_ID)) == 2  # the insult's warning, then this
    rows = await all_rows(bot, OutboxAction, OutboxAction.purpose.like("moderation.private%"))
    assert sorted((r.purpose, r.status, r.result) for r in rows) == [
        ("moderation.private_warning", "failed", "forbidden"),
        ("moderation.private_warning", "failed", "forbidden"),
        ("moderation.private_warning:fallback", "done", "ok"),
    ]
    # The link cost no points: only the insult counts towards an expulsion.
    assert [p.points for p in await all_rows(bot, PointsRecord)] == [1]


async def test_the_third_offence_removes_the_author_from_the_community(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    bot = await start_bot()
    for text in INSULTS:
        await run(world, bot, world.message_update(GROUP_ID, LUPITA, text))

    assert len(world.calls_to("deleteMessage")) == 3
    ban, unban = world.calls_to("banChatMember"), world.calls_to("unbanChatMember")
    assert [(c.params["chat_id"], c.params["user_id"]) for c in ban + unban] == [
        (GROUP_ID, LUPITA),
        (GROUP_ID, LUPITA),
    ]
    assert unban[0].params["only_if_banned"] is True
    assert world.status_of(GROUP_ID, LUPITA) == "left"  # out, but may be readmitted later
    assert world.status_of(OTHER_GROUP_ID, LUPITA) == "member"  # another community
    group_texts = texts_sent(world, GROUP_ID)
    assert [t.split()[0] for t in group_texts] == ["⚠️", "⚠️", "🚫"]
    assert "Llevas 2 de 3 advertencias" in group_texts[1]
    assert "con una advertencia más en ese plazo se te dará de baja" in group_texts[1]
    assert group_texts[2].startswith(
        "🚫 Dimos de baja del grupo a Lupita Martínez por acumular 3 advertencias en 30 días"
    )
    assert world.sent(LUPITA)[-1]["text"].startswith(
        "Hola, Lupita Martínez. Te dimos de baja del grupo porque acumulaste 3 advertencias"
    )

    cases = await all_rows(bot, ModerationCase)
    assert [("expel" in c.effects, c.points) for c in cases] == [
        (False, 1),
        (False, 1),
        (True, 1),
    ]
    [ban_row] = await all_rows(bot, CommunityBan)
    assert (ban_row.community_id, ban_row.lifted_at, ban_row.banned_by) == (
        "canalejas",
        None,
        "cassbot",
    )
    assert (ban_row.person_id, ban_row.case_id) == (cases[2].subject_person_id, cases[2].id)
    [membership] = await all_rows(
        bot, Membership, Membership.identity_id == await identity_id(bot, LUPITA)
    )
    assert membership.status == "banned"

    # The ban holds: coming back to the group (an old link, an admin's slip) takes her out.
    await run(world, bot, world.member_update(GROUP_ID, LUPITA, "member"))
    assert len(world.calls_to("banChatMember")) == 2
    assert world.status_of(GROUP_ID, LUPITA) == "left"


async def test_expulsar_works_for_an_admin_and_not_for_a_neighbour(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    bot = await start_bot()
    await admins_read(world, bot)  # Karla is an admin of the group on Telegram
    complaint = world.message_update(GROUP_ID, BETO, COMPLAINT)
    await run(world, bot, complaint)
    complaint_id = complaint["message"]["message_id"]
    assert world.calls_to("deleteMessage") == []  # blunt, not against the rules

    # A neighbour cannot expel anybody: the core refuses, nothing reaches Telegram.
    neighbour = world.message_update(GROUP_ID, LUPITA, "/expulsar", reply_to=complaint_id)
    await run(world, bot, neighbour)
    assert world.calls_to("banChatMember") == []
    assert world.calls_to("deleteMessage") == []
    assert texts_sent(world, GROUP_ID) == [
        "El comando /expulsar es solo para funcionarios y administradores."
    ]
    assert world.status_of(GROUP_ID, BETO) == "member"
    assert await all_rows(bot, ModerationCase) == []

    # The group's admin can, in reply to the message: it goes, and so does Beto.
    admin = world.message_update(
        GROUP_ID, KARLA, "/expulsar se burla de los vecinos", reply_to=complaint_id
    )
    await run(world, bot, admin)
    [delete] = world.calls_to("deleteMessage")
    assert delete.params == {"chat_id": GROUP_ID, "message_id": complaint_id}
    [ban] = world.calls_to("banChatMember")
    [unban] = world.calls_to("unbanChatMember")
    assert ban.params["user_id"] == unban.params["user_id"] == BETO
    assert world.status_of(GROUP_ID, BETO) == "left"
    assert texts_sent(world, GROUP_ID)[-1] == (
        "🚫 Beto Hernández fue dado de baja del grupo por decisión de un administrador, por se "
        "burla de los vecinos (regla 1 de los grupos CASS). Puede apelar escribiendo /apelar "
        "en privado al asistente."
    )
    [case] = await all_rows(bot, ModerationCase)
    assert (case.source, case.rule_id, case.actor_name, case.message_id) == (
        "manual",
        "manual.expel",
        "Karla Ramírez",
        str(complaint_id),
    )
    assert case.subject_identity_id == await identity_id(bot, BETO)
    [ban_row] = await all_rows(bot, CommunityBan)
    assert (ban_row.banned_by, ban_row.case_id) == ("Karla Ramírez", case.id)


async def test_a_429_is_retried_after_retry_after(world: FakeBotAPI, start_bot: StartBot) -> None:
    clock = ManualClock()
    bot = await start_bot(clock=clock)
    world.fail("sendMessage", status=429, retry_after=30, when=lambda p: p["chat_id"] == GROUP_ID)
    await run(world, bot, world.message_update(GROUP_ID, LUPITA, INSULTS[0]))

    group_sends = [c for c in world.calls_to("sendMessage") if c.params["chat_id"] == GROUP_ID]
    assert [c.status for c in group_sends] == [429]
    assert len(world.calls_to("deleteMessage")) == 1  # the rest of the decision went ahead
    [row] = await all_rows(bot, OutboxAction, OutboxAction.purpose == "moderation.warning")
    assert (row.status, row.result) == ("pending", "rate_limited")
    assert row.next_attempt_at == clock.now() + timedelta(seconds=30)

    clock.advance(29)
    await settle(bot)
    assert texts_sent(world, GROUP_ID) == []  # not before Telegram allows it
    clock.advance(1)
    await settle(bot)
    group_sends = [c for c in world.calls_to("sendMessage") if c.params["chat_id"] == GROUP_ID]
    assert [c.status for c in group_sends] == [429, 200]
    assert texts_sent(world, GROUP_ID) == [FIRST_WARNING]


async def test_a_forged_update_is_refused_and_a_repeated_one_acted_on_once(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    bot = await start_bot()
    insult = world.message_update(GROUP_ID, LUPITA, INSULTS[0])

    # Without Telegram's secret, nobody can make the bot delete or warn.
    status, body = await deliver(world, bot, insult, secret="adivina")
    assert status == 401
    assert "X-Telegram-Bot-Api-Secret-Token" in body["error"]
    await settle(bot)
    assert await all_rows(bot, InboundEvent) == []
    assert world.calls_to("deleteMessage") == []

    # Telegram repeats a delivery it thinks was lost: one event, one case, one warning.
    for _ in range(3):
        await run(world, bot, insult)
    assert len(await all_rows(bot, InboundEvent)) == 1
    assert len(world.calls_to("deleteMessage")) == 1
    assert texts_sent(world, GROUP_ID) == [FIRST_WARNING]
    assert len(await all_rows(bot, ModerationCase)) == 1
    assert [p.points for p in await all_rows(bot, PointsRecord)] == [1]


async def test_a_bot_without_admin_rights_tells_the_officials_once(
    fake: FakeBotAPI, start_bot: StartBot
) -> None:
    populate(fake)
    fake.set_member(GROUP_ID, fake.bot_id, "member")  # not an admin in Canalejas
    fake.set_member(OTHER_GROUP_ID, fake.bot_id, "administrator", can_delete_messages=True)
    clock = ManualClock()
    bot = await start_bot(clock=clock, admin_refresh_s=600)
    await admins_read(fake, bot)

    notices = fake.sent(ODAPAS)  # the ODAPAS director covers every community
    assert len(notices) == 2  # one per group
    canalejas, coscomate = sorted(notices, key=lambda m: "Coscomate" in m["text"])
    assert "«CASS Canalejas»" in canalejas["text"]
    assert "no es administrador del grupo" in canalejas["text"]
    assert (
        "le faltan permisos: bloquear usuarios, invitar usuarios mediante enlace"
        in (coscomate["text"])
    )
    async with bot.db.read() as session:
        groups = (
            await session.execute(select(Group).where(Group.channel == "telegram"))
        ).scalars()
        admin_flags = {g.chat_id: g.bot_is_admin for g in groups}
    assert admin_flags == {str(GROUP_ID): False, str(OTHER_GROUP_ID): False}

    # Later refreshes find the same problem: nobody is told again.
    for _ in range(2):
        clock.advance(600)
        await bot.scheduler.run_due()
        await settle(bot)
    assert len(fake.calls_to("getChatAdministrators")) == 6
    assert len(fake.sent(ODAPAS)) == 2

    # Made an admin, then stripped of its rights again: that is news, told once more.
    fake.set_member(
        GROUP_ID,
        fake.bot_id,
        "administrator",
        can_delete_messages=True,
        can_restrict_members=True,
        can_invite_users=True,
    )
    clock.advance(600)
    await bot.scheduler.run_due()
    await settle(bot)
    async with bot.db.read() as session:
        group = (
            await session.execute(select(Group).where(Group.chat_id == str(GROUP_ID)))
        ).scalar_one()
    assert group.bot_is_admin is True
    assert len(fake.sent(ODAPAS)) == 2
    fake.set_member(GROUP_ID, fake.bot_id, "member")
    clock.advance(600)
    await bot.scheduler.run_due()
    await settle(bot)
    assert len(fake.sent(ODAPAS)) == 3


async def test_losing_admin_rights_is_noticed_at_once_and_admins_follow_telegram(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    bot = await start_bot(admin_refresh_s=3600)
    await admins_read(world, bot)
    assert world.sent(ODAPAS) == []  # the bot has what it needs
    assert await platform_admins(bot) == {str(KARLA), str(GROUP_ID)}  # anonymous admins too

    # Karla steps down and someone demotes the bot: Telegram tells the bot (my_chat_member).
    world.set_member(GROUP_ID, KARLA, "member")
    demoted = world.member_update(GROUP_ID, world.bot_id, "member", by=KARLA)
    await run(world, bot, demoted)

    async def told() -> bool:
        return len(world.sent(ODAPAS)) == 1

    await eventually(told)  # without waiting for the next periodic refresh
    await settle(bot)
    assert "no es administrador del grupo" in world.sent(ODAPAS)[0]["text"]
    assert await platform_admins(bot) == {str(GROUP_ID)}
    async with bot.db.read() as session:
        group = (
            await session.execute(select(Group).where(Group.chat_id == str(GROUP_ID)))
        ).scalar_one()
    assert group.bot_is_admin is False


async def platform_admins(bot: CassBot) -> set[str]:
    async with bot.db.read() as session:
        rows = await session.execute(
            select(Identity.user_id)
            .join(Membership, Membership.identity_id == Identity.id)
            .join(Group, Group.id == Membership.group_id)
            .where(Group.chat_id == str(GROUP_ID), Membership.platform_admin.is_(True))
        )
        return set(rows.scalars())
