"""The Telegram webhook of a running cassbot: secret, bad input, duplicates, unknown kinds."""

from __future__ import annotations

import logging

import aiohttp
import pytest
from sqlalchemy import select

from cassbot.app import CassBot
from cassbot.logs import JsonFormatter
from cassbot.storage.models import InboundEvent
from tests.helpers import settle
from tests.telegram.conftest import (
    GROUP_ID,
    LUPITA,
    SECRET,
    StartBot,
    deliver,
    webhook_url,
)
from tests.telegram.fake_bot_api import FakeBotAPI


async def stored(bot: CassBot) -> list[InboundEvent]:
    async with bot.db.read() as session:
        return list((await session.execute(select(InboundEvent))).scalars())


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_processed(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    bot = await start_bot()
    update = world.message_update(GROUP_ID, LUPITA, "/reglas")
    for secret in ("not-the-secret", None, SECRET + "x"):
        status, body = await deliver(world, bot, update, secret=secret)
        assert status == 401
        assert "X-Telegram-Bot-Api-Secret-Token" in body["error"]
    await settle(bot)
    assert await stored(bot) == []
    assert world.sent(GROUP_ID) == []


async def test_bad_bodies_get_a_clear_400(world: FakeBotAPI, start_bot: StartBot) -> None:
    bot = await start_bot()
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with aiohttp.ClientSession() as session:
        for body, expected in (
            (b"{not json", "not valid JSON"),
            (b"[1, 2]", "not a Telegram update"),
            (b'{"message": {}}', "integer update_id"),
        ):
            async with session.post(webhook_url(bot), data=body, headers=headers) as response:
                assert response.status == 400
                assert expected in (await response.json())["error"]
    assert await stored(bot) == []


async def test_unknown_and_unreadable_updates_are_acknowledged_and_logged(
    world: FakeBotAPI, start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.telegram")
    bot = await start_bot()
    callback = {"update_id": world.next_update_id(), "callback_query": {"id": "1"}}
    status, body = await deliver(world, bot, callback)
    assert status == 200
    assert body["events"] == 0
    # No chat: unreadable. Its sender's name and text must not reach the log.
    broken = {
        "update_id": world.next_update_id(),
        "message": {
            "message_id": 1,
            "from": {"id": 987654321, "is_bot": False, "first_name": "Lupita"},
            "text": "Mi celular es 761 123 4567",
        },
    }
    status, body = await deliver(world, bot, broken)
    assert status == 200
    assert body["ignored"] == "unreadable update"
    reasons = [getattr(r, "reason", "") for r in caplog.records]
    assert "update kind cassbot does not use" in reasons
    [unreadable] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "could not be read" in unreadable.error
    assert unreadable.update_id == broken["update_id"]
    assert unreadable.kind == "message"
    assert unreadable.fields == "from,message_id,text"  # field names, never their values
    logged = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    for leak in ("Lupita", "761 123 4567", "987654321"):
        assert leak not in logged
    assert await stored(bot) == []


async def test_a_duplicated_update_is_processed_once(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    bot = await start_bot()
    update = world.message_update(GROUP_ID, LUPITA, "/reglas")
    first = await deliver(world, bot, update)
    second = await deliver(world, bot, update)  # Telegram re-sends what it thinks was lost
    assert first == (200, {"ok": True, "update_id": update["update_id"], "events": 1, "new": 1})
    assert second[1]["new"] == 0
    await settle(bot)
    rows = await stored(bot)
    assert len(rows) == 1
    assert rows[0].status == "processed"
    [answer] = world.sent(GROUP_ID)
    assert answer["text"].startswith("📋 Reglas de los grupos CASS")


async def test_commands_addressed_to_the_bot_by_name(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    bot = await start_bot()
    assert bot.bot_usernames("telegram") == {"cass_jilotepec_bot"}
    await deliver(world, bot, world.message_update(GROUP_ID, LUPITA, "/reglas@otro_bot"))
    await settle(bot)
    assert world.sent(GROUP_ID) == []
    await deliver(world, bot, world.message_update(GROUP_ID, LUPITA, "/reglas@Cass_Jilotepec_Bot"))
    await settle(bot)
    assert len(world.sent(GROUP_ID)) == 1


async def test_in_polling_mode_the_webhook_is_off(world: FakeBotAPI, start_bot: StartBot) -> None:
    bot = await start_bot(mode="polling")
    status, body = await deliver(world, bot, world.message_update(GROUP_ID, LUPITA, "hola"))
    assert status == 409
    assert "polling" in body["error"]
