"""cassbot on Telegram end to end: fake Bot API ⇄ PTB ⇄ webhook → pipeline → outbox → PTB.

Moderation outcomes come from the test-only stand-in policy (tests/telegram/standin_policy.py);
what is proven here is the Telegram path: the right Bot API calls, in order, with the state the
fake keeps, and what cassbot records.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cassbot.app import CassBot
from cassbot.clock import ManualClock
from cassbot.storage.models import CommunityBan, Group, OutboxAction
from tests.helpers import eventually, settle
from tests.telegram.conftest import BETO, GROUP_ID, KARLA, LUPITA, StartBot, deliver
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.standin_policy import STANDIN_PRIVATE, install_standin


async def run(fake: FakeBotAPI, bot: CassBot, update: dict[str, object]) -> None:
    status, _ = await deliver(fake, bot, update)
    assert status == 200
    await settle(bot)


async def admins_read(fake: FakeBotAPI, bot: CassBot) -> None:
    """Wait for the start-up admin refresh of both groups."""

    async def done() -> bool:
        return len(fake.calls_to("getChatAdministrators")) >= 2

    await eventually(done)
    await settle(bot)


async def test_an_offensive_message_is_deleted_and_its_author_warned(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    bot = await start_bot(features=[install_standin])
    update = world.message_update(GROUP_ID, LUPITA, "eres una GROSERIA")
    offending_id = update["message"]["message_id"]
    await run(world, bot, update)

    assert offending_id not in world.chats[GROUP_ID].messages
    [delete] = world.calls_to("deleteMessage")
    assert delete.params == {"chat_id": GROUP_ID, "message_id": offending_id}
    [warning] = world.sent(GROUP_ID)
    assert warning["text"].startswith("⚠️ Lupita Martínez: tu mensaje fue borrado")
    assert f"tg://user?id={LUPITA}" in warning["html"]  # the author is mentioned
    [private] = world.sent(LUPITA)  # Lupita started the bot: she is told privately too
    assert private["text"] == STANDIN_PRIVATE


async def test_the_third_offence_removes_the_author(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    bot = await start_bot(features=[install_standin])
    for n in range(3):
        await run(world, bot, world.message_update(GROUP_ID, LUPITA, f"GROSERIA {n}"))

    assert len(world.calls_to("deleteMessage")) == 3
    ban, unban = world.calls_to("banChatMember"), world.calls_to("unbanChatMember")
    assert [c.params["user_id"] for c in ban + unban] == [LUPITA, LUPITA]
    assert unban[0].params["only_if_banned"] is True
    assert world.status_of(GROUP_ID, LUPITA) == "left"  # out, but may be readmitted later
    assert (
        world.sent(GROUP_ID)[-1]["text"]
        == "Lupita Martínez fue sacado del grupo por faltar a las reglas."
    )
    async with bot.db.read() as session:
        bans = (await session.execute(select(CommunityBan))).scalars().all()
    assert [(b.community_id, b.lifted_at) for b in bans] == [("canalejas", None)]


async def test_a_private_warning_to_someone_who_never_started_the_bot_falls_back_to_the_group(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    bot = await start_bot(features=[install_standin])
    update = world.message_update(GROUP_ID, BETO, "GROSERIA")
    await run(world, bot, update)

    private_tries = [c for c in world.calls_to("sendMessage") if c.params["chat_id"] == BETO]
    assert [c.status for c in private_tries] == [403]  # "bot can't initiate conversation"
    texts = [m["text"] for m in world.sent(GROUP_ID)]
    assert texts[-1] == STANDIN_PRIVATE  # said in the group instead
    assert len(texts) == 2  # the group warning, then the fallback
    async with bot.db.read() as session:
        rows = (await session.execute(select(OutboxAction))).scalars().all()
    by_purpose = {r.purpose: (r.status, r.result) for r in rows}
    assert by_purpose["standin_warn_private"] == ("failed", "forbidden")
    assert by_purpose["standin_warn_private:fallback"] == ("done", "ok")


async def test_expulsar_works_for_an_admin_and_not_for_a_neighbour(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    bot = await start_bot(features=[install_standin])
    await admins_read(world, bot)  # Karla is an admin of the group on Telegram
    rude = world.message_update(GROUP_ID, BETO, "ya verán")
    await run(world, bot, rude)
    rude_id = rude["message"]["message_id"]

    # A neighbour cannot expel anybody: the core refuses, nothing reaches Telegram.
    await run(world, bot, world.message_update(GROUP_ID, LUPITA, "/expulsar", reply_to=rude_id))
    assert world.calls_to("banChatMember") == []
    assert world.sent(GROUP_ID)[-1]["text"] == (
        "El comando /expulsar es solo para funcionarios y administradores."
    )
    assert world.status_of(GROUP_ID, BETO) == "member"

    # The group's admin can, in reply to the message.
    await run(world, bot, world.message_update(GROUP_ID, KARLA, "/expulsar", reply_to=rude_id))
    [ban] = world.calls_to("banChatMember")
    assert ban.params["user_id"] == BETO
    assert world.calls_to("unbanChatMember")[0].params["user_id"] == BETO
    assert world.status_of(GROUP_ID, BETO) == "left"


async def test_a_429_is_retried_after_retry_after(world: FakeBotAPI, start_bot: StartBot) -> None:
    clock = ManualClock()
    bot = await start_bot(clock=clock)
    world.fail("sendMessage", status=429, retry_after=30)
    await run(world, bot, world.message_update(GROUP_ID, LUPITA, "/reglas"))

    assert [c.status for c in world.calls_to("sendMessage")] == [429]
    async with bot.db.read() as session:
        row = (await session.execute(select(OutboxAction))).scalar_one()
    assert (row.status, row.result) == ("pending", "rate_limited")
    assert row.next_attempt_at == clock.now() + timedelta(seconds=30)

    clock.advance(29)
    await settle(bot)
    assert len(world.calls_to("sendMessage")) == 1  # not before Telegram allows it
    clock.advance(1)
    await settle(bot)
    assert [c.status for c in world.calls_to("sendMessage")] == [429, 200]
    assert world.sent(GROUP_ID)[0]["text"].startswith("📋 Reglas")


async def test_a_bot_without_admin_rights_tells_the_officials_once(
    fake: FakeBotAPI, start_bot: StartBot
) -> None:
    from tests.telegram.conftest import ODAPAS, OTHER_GROUP_ID, populate

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
    from tests.telegram.conftest import ODAPAS

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
    from cassbot.storage.models import Identity, Membership

    async with bot.db.read() as session:
        rows = await session.execute(
            select(Identity.user_id)
            .join(Membership, Membership.identity_id == Identity.id)
            .join(Group, Group.id == Membership.group_id)
            .where(Group.chat_id == str(GROUP_ID), Membership.platform_admin.is_(True))
        )
        return set(rows.scalars())
