"""Polling mode: the same updates as the webhook, and restarts that neither lose nor repeat."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from cassbot.app import CassBot
from cassbot.storage.models import InboundEvent
from tests.helpers import eventually, settle
from tests.telegram.conftest import (
    BETO,
    GROUP_ID,
    KARLA,
    LUPITA,
    SECRET,
    StartBot,
    deliver,
)
from tests.telegram.fake_bot_api import FakeBotAPI

JSON = dict[str, Any]


async def events_of(bot: CassBot) -> list[tuple[str, str, JSON]]:
    async with bot.db.read() as session:
        rows = (await session.execute(select(InboundEvent).order_by(InboundEvent.id))).scalars()
        return [(r.dedupe_key, r.status, r.payload) for r in rows]


async def wait_for_events(bot: CassBot, count: int) -> None:
    async def enough() -> bool:
        return len(await events_of(bot)) >= count

    await eventually(enough)
    await settle(bot)


def a_day_in_the_group(fake: FakeBotAPI) -> list[JSON]:
    """A mix of every update kind cassbot uses, plus one it does not, and an insult."""
    first = fake.message_update(GROUP_ID, LUPITA, "Buenos días, ¿hay agua hoy?")
    edited = dict(first["message"], text="Buenos días, ¿hay agua hoy en Canalejas?")
    edited["edit_date"] = edited["date"] + 20
    fake.set_member(GROUP_ID, BETO, "left")
    return [
        first,
        {"update_id": fake.next_update_id(), "edited_message": edited},
        fake.member_update(GROUP_ID, BETO, "member"),
        fake.message_update(GROUP_ID, BETO, "tú eres un pendejo"),
        fake.member_update(GROUP_ID, LUPITA, "administrator", by=KARLA, can_pin_messages=True),
        {"update_id": fake.next_update_id(), "callback_query": {"id": "x"}},
        fake.message_update(GROUP_ID, BETO, "/reglas"),
    ]


def snapshot(fake: FakeBotAPI) -> dict[int, tuple[dict[int, JSON], dict[int, JSON]]]:
    """The groups' messages and members, to replay the same day on the same Telegram."""
    return {i: (dict(c.messages), dict(c.members)) for i, c in fake.chats.items()}


def restore(fake: FakeBotAPI, saved: dict[int, tuple[dict[int, JSON], dict[int, JSON]]]) -> None:
    for chat_id, (messages, members) in saved.items():
        fake.chats[chat_id].messages = dict(messages)
        fake.chats[chat_id].members = dict(members)
    fake.posted.clear()
    fake.calls.clear()


def what_telegram_did(fake: FakeBotAPI) -> tuple[list[JSON], list[tuple[int, str]]]:
    """Deletions and removals asked for, and every message sent (chat, text)."""
    acts = [
        {"method": c.method, **c.params}
        for c in fake.calls
        if c.method in ("deleteMessage", "banChatMember", "unbanChatMember")
    ]
    return acts, [(m["chat"]["id"], m["text"]) for m in fake.sent()]


async def test_polling_processes_the_same_updates_as_the_webhook(
    fake: FakeBotAPI, start_bot: StartBot, tmp_path: Path
) -> None:
    from tests.telegram.conftest import populate

    populate(fake)
    updates = a_day_in_the_group(fake)
    before = snapshot(fake)

    by_webhook = await start_bot()
    for update in updates:
        status, _ = await deliver(fake, by_webhook, update)
        assert status == 200
    await settle(by_webhook)
    webhook_events = await events_of(by_webhook)
    webhook_acts, webhook_sent = what_telegram_did(fake)
    await by_webhook.stop()

    restore(fake, before)
    fresh_database = f"sqlite+aiosqlite:///{tmp_path / 'polling.db'}"
    by_polling = await start_bot(mode="polling", database_url=fresh_database)
    fake.queue(*updates)
    await wait_for_events(by_polling, len(webhook_events))
    await eventually(_sent(fake, len(webhook_sent)))
    await settle(by_polling)

    assert await events_of(by_polling) == webhook_events
    assert [status for _, status, _ in webhook_events] == ["processed"] * 6
    assert what_telegram_did(fake) == (webhook_acts, webhook_sent)
    # The insult was deleted and Beto (who never started the bot) warned in the group;
    # /reglas was answered.
    insult_id = updates[3]["message"]["message_id"]
    assert webhook_acts == [
        {"method": "deleteMessage", "chat_id": GROUP_ID, "message_id": insult_id}
    ]
    group_texts = [text for chat, text in webhook_sent if chat == GROUP_ID]
    assert [t.split()[0] for t in group_texts] == ["⚠️", "📋"]
    assert group_texts[0].startswith("⚠️ Beto Hernández: retiramos un mensaje")


def _sent(fake: FakeBotAPI, count: int) -> Any:
    async def check() -> bool:
        return len(fake.sent()) >= count

    return check


async def test_polling_removes_a_webhook_first(world: FakeBotAPI, start_bot: StartBot) -> None:
    world.webhook = {
        "url": "https://cass.example.org/webhooks/telegram",
        "secret_token": SECRET,
        "allowed_updates": None,
    }
    bot = await start_bot(mode="polling")
    world.queue(world.message_update(GROUP_ID, LUPITA, "hola"))
    await wait_for_events(bot, 1)
    methods = [c.method for c in world.calls if c.method in ("deleteWebhook", "getUpdates")]
    assert methods[0] == "deleteWebhook"
    assert world.calls_to("deleteWebhook")[0].params.get("drop_pending_updates") is False
    [first_poll, *_] = world.calls_to("getUpdates")
    assert first_poll.params["allowed_updates"] == [
        "message",
        "edited_message",
        "chat_member",
        "my_chat_member",
        "chat_join_request",
    ]
    assert first_poll.params["timeout"] == 1


async def test_a_restart_neither_loses_nor_repeats_updates(
    world: FakeBotAPI, start_bot: StartBot
) -> None:
    first_run = await start_bot(mode="polling")
    early = [world.message_update(GROUP_ID, LUPITA, f"mensaje {n}") for n in range(3)]
    world.queue(*early)
    await wait_for_events(first_run, 3)
    await first_run.stop()

    # Written while cassbot was down; one early update is delivered again.
    late = [world.message_update(GROUP_ID, BETO, f"tarde {n}") for n in range(2)]
    world.queue(early[-1], *late)
    second_run = await start_bot(mode="polling")
    await wait_for_events(second_run, 5)

    events = await events_of(second_run)
    texts = [payload["text"] for _, _, payload in events]
    assert texts == ["mensaje 0", "mensaje 1", "mensaje 2", "tarde 0", "tarde 1"]
    assert all(status == "processed" for _, status, _ in events)
    # The second run asked from where the first stopped.
    resumed = [c for c in world.calls_to("getUpdates")][-1]
    assert resumed.params["offset"] == late[-1]["update_id"] + 1
    assert world.pending == [] or all(
        u["update_id"] > late[-1]["update_id"] for u in world.pending
    )


async def test_polling_survives_telegram_errors(world: FakeBotAPI, start_bot: StartBot) -> None:
    world.fail("getUpdates", status=502, description="Bad Gateway")
    bot = await start_bot(mode="polling")
    world.queue(world.message_update(GROUP_ID, LUPITA, "sigue aquí"))
    await wait_for_events(bot, 1)
    assert [c.status for c in world.calls_to("getUpdates")][:2] == [502, 200]
    assert bot.adapters.get("telegram").health().ready  # type: ignore[union-attr]
