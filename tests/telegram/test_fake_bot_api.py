"""The fake Bot API keeps Telegram's contract: envelope, bodies, tokens, getUpdates offsets."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from tests.telegram.conftest import BETO, GROUP_ID, LUPITA
from tests.telegram.fake_bot_api import FakeBotAPI


async def call(fake: FakeBotAPI, method: str, token: str | None = None, **kw: Any) -> Any:
    url = f"{fake.base_url}{token or fake.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, **kw) as response:
        return response.status, await response.json()


async def test_json_and_form_bodies_are_both_understood(world: FakeBotAPI) -> None:
    as_json = await call(world, "sendMessage", json={"chat_id": GROUP_ID, "text": "123"})
    as_form = await call(world, "sendMessage", data={"chat_id": str(GROUP_ID), "text": "true"})
    assert as_json[0] == as_form[0] == 200
    assert as_json[1]["ok"] is True
    # Text stays text even when it looks like JSON; other fields are decoded.
    assert [m["text"] for m in world.sent(GROUP_ID)] == ["123", "true"]
    assert world.calls_to("sendMessage")[1].params["chat_id"] == GROUP_ID


async def test_errors_use_telegrams_envelope(world: FakeBotAPI) -> None:
    assert await call(world, "getMe", token="1:wrong") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    status, body = await call(world, "sendCarrierPigeon")
    assert (status, body["error_code"]) == (404, 404)
    world.fail("getMe", status=429, retry_after=3)
    status, body = await call(world, "getMe")
    assert status == 429
    assert body["parameters"] == {"retry_after": 3}
    assert body["description"] == "Too Many Requests: retry after 3"
    assert [c.status for c in world.calls] == [401, 404, 429]


async def test_get_updates_confirms_by_offset_and_waits_for_news(world: FakeBotAPI) -> None:
    first = world.message_update(GROUP_ID, LUPITA, "uno")
    second = world.message_update(GROUP_ID, LUPITA, "dos")
    world.queue(first, second)
    _, body = await call(world, "getUpdates", json={"timeout": 0})
    assert [u["update_id"] for u in body["result"]] == [first["update_id"], second["update_id"]]
    _, body = await call(world, "getUpdates", json={"offset": second["update_id"], "timeout": 0})
    assert body["result"] == [second]  # the first is confirmed and gone

    waiting = asyncio.create_task(
        call(world, "getUpdates", json={"offset": second["update_id"] + 1, "timeout": 10})
    )
    await asyncio.sleep(0.1)
    assert not waiting.done()  # a long poll waits…
    third = world.message_update(GROUP_ID, LUPITA, "tres")
    world.queue(third)
    _, body = await waiting  # …and answers as soon as something arrives
    assert body["result"] == [third]


async def test_get_updates_refuses_while_a_webhook_is_set(world: FakeBotAPI) -> None:
    await call(world, "setWebhook", json={"url": "https://cass.example.org/webhooks/telegram"})
    status, body = await call(world, "getUpdates", json={})
    assert status == 409
    assert "deleteWebhook" in body["description"]
    status, body = await call(world, "setWebhook", json={"url": "http://insecure.example.org"})
    assert status == 400
    assert "HTTPS" in body["description"]


async def test_a_one_time_link_lets_one_person_in(world: FakeBotAPI) -> None:
    _, body = await call(
        world, "createChatInviteLink", json={"chat_id": GROUP_ID, "member_limit": 1}
    )
    link = body["result"]["invite_link"]
    world.set_member(GROUP_ID, LUPITA, "left")
    update = world.join_with_link(GROUP_ID, LUPITA, link)
    change = update["chat_member"]
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == (
        "left",
        "member",
    )
    assert change["invite_link"]["invite_link"] == link
    assert change["invite_link"]["member_limit"] == 1
    with pytest.raises(ValueError, match="already used"):
        world.join_with_link(GROUP_ID, BETO, link)
    with pytest.raises(ValueError, match="does not let anyone"):
        world.join_with_link(GROUP_ID, BETO, "https://t.me/+otro")


async def test_approving_a_join_request_lets_the_person_in_and_tells_the_bot(
    world: FakeBotAPI,
) -> None:
    world.set_member(GROUP_ID, BETO, "left")
    status, body = await call(
        world, "approveChatJoinRequest", json={"chat_id": GROUP_ID, "user_id": BETO}
    )
    assert (status, body["description"]) == (400, "Bad Request: HIDE_REQUESTER_MISSING")
    world.join_request_update(GROUP_ID, BETO)
    # While the request waits, the bot may write to Beto although he never started it.
    status, _ = await call(world, "sendMessage", json={"chat_id": BETO, "text": "Hola"})
    assert status == 200
    status, _ = await call(
        world, "approveChatJoinRequest", json={"chat_id": GROUP_ID, "user_id": BETO}
    )
    assert status == 200
    assert world.status_of(GROUP_ID, BETO) == "member"
    [joined] = world.follow_ups
    assert joined["chat_member"]["via_join_request"] is True
    assert joined["chat_member"]["from"]["id"] == world.bot_id
    status, _ = await call(world, "sendMessage", json={"chat_id": BETO, "text": "¿Sigues?"})
    assert status == 403  # the request is answered: no more messages
