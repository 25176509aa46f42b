"""Actions through PTB's real HTTP stack against the fake Bot API, and their typed results."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.telegram import TelegramAdapter, TelegramStartupError
from cassbot.actions import (
    AddMember,
    ApproveJoin,
    BanMember,
    CreateInviteLink,
    DeleteMessage,
    RemoveMember,
    RestrictMember,
    SendMessage,
    SetAdmin,
    UnbanMember,
)
from cassbot.events import ChatRef, MessageRef, UserRef
from tests.helpers import eventually
from tests.telegram.conftest import BETO, GROUP_ID, KARLA, LUPITA, MakeAdapter
from tests.telegram.fake_bot_api import FakeBotAPI

GROUP = ChatRef(channel="telegram", chat_id=str(GROUP_ID))


def person(user_id: int, name: str = "Vecino") -> UserRef:
    return UserRef(channel="telegram", user_id=str(user_id), display_name=name)


async def test_start_reads_the_bot_username_and_the_private_chat_is_the_user_id(
    world: FakeBotAPI, make_adapter: MakeAdapter
) -> None:
    adapter, _, _ = await make_adapter()
    assert adapter.bot_username == "cass_jilotepec_bot"
    assert adapter.health().ready
    assert [c.method for c in world.calls] == ["getMe"]
    chat = adapter.private_chat(person(LUPITA))
    assert chat == ChatRef(channel="telegram", chat_id=str(LUPITA), private=True)


async def test_send_and_reply_as_html_with_escaping_and_mentions(
    world: FakeBotAPI, make_adapter: MakeAdapter
) -> None:
    adapter, _, _ = await make_adapter()
    update = world.message_update(GROUP_ID, LUPITA, "hay fuga de agua")
    asked = MessageRef(chat=GROUP, message_id=str(update["message"]["message_id"]))
    result = await adapter.execute(
        SendMessage(
            chat=GROUP,
            text="*Aviso* para Lupita Martínez: <script> & compañía",
            reply_to=asked,
            mentions=(person(LUPITA, "Lupita Martínez"),),
            idempotency_key="k1",
        )
    )
    assert result.ok
    [sent] = world.sent(GROUP_ID)
    assert result.platform_ref == str(sent["message_id"])
    assert sent["text"] == "Aviso para Lupita Martínez: <script> & compañía"
    assert sent["html"] == (
        f'<b>Aviso</b> para <a href="tg://user?id={LUPITA}">Lupita Martínez</a>: '
        "&lt;script&gt; &amp; compañía"
    )
    assert sent["reply_to_message"]["message_id"] == update["message"]["message_id"]
    [call] = world.calls_to("sendMessage")
    assert call.params["chat_id"] == GROUP_ID
    assert call.params["link_preview_options"] == {"is_disabled": True}


async def test_a_reply_to_a_deleted_message_is_still_sent(
    world: FakeBotAPI, make_adapter: MakeAdapter
) -> None:
    adapter, _, _ = await make_adapter()
    gone = MessageRef(chat=GROUP, message_id="999")
    result = await adapter.execute(SendMessage(chat=GROUP, text="Aviso", reply_to=gone))
    assert result.ok
    assert "reply_to_message" not in world.sent(GROUP_ID)[0]


async def test_a_repeated_send_after_success_is_suppressed(
    world: FakeBotAPI, make_adapter: MakeAdapter
) -> None:
    adapter, _, _ = await make_adapter()
    action = SendMessage(chat=GROUP, text="Una vez", idempotency_key="ev1:warn")
    first = await adapter.execute(action)
    again = await adapter.execute(action)
    assert first.ok
    assert again.ok
    assert again.platform_ref == first.platform_ref
    assert len(world.calls_to("sendMessage")) == 1


async def test_long_texts_are_split(world: FakeBotAPI, make_adapter: MakeAdapter) -> None:
    adapter, _, _ = await make_adapter()
    text = "\n".join(f"Línea {n}: " + "x" * 80 for n in range(120))
    result = await adapter.execute(SendMessage(chat=GROUP, text=text))
    assert result.ok
    pieces = world.sent(GROUP_ID)
    assert len(pieces) >= 3
    assert all(len(p["text"]) <= 4096 for p in pieces)
    assert "\n".join(p["text"] for p in pieces) == text


async def test_delete_and_its_errors(world: FakeBotAPI, make_adapter: MakeAdapter) -> None:
    adapter, _, _ = await make_adapter()
    update = world.message_update(GROUP_ID, LUPITA, "algo")
    ref = MessageRef(chat=GROUP, message_id=str(update["message"]["message_id"]))
    assert (await adapter.execute(DeleteMessage(message=ref))).ok
    assert update["message"]["message_id"] not in world.chats[GROUP_ID].messages
    again = await adapter.execute(DeleteMessage(message=ref))
    assert again.status == "not_found"
    assert "not found" in again.detail


async def test_remove_is_ban_then_unban_so_they_can_come_back(
    world: FakeBotAPI, make_adapter: MakeAdapter
) -> None:
    adapter, _, _ = await make_adapter()
    result = await adapter.execute(RemoveMember(chat=GROUP, user=person(BETO)))
    assert result.ok
    assert [c.method for c in world.calls[1:]] == ["banChatMember", "unbanChatMember"]
    assert world.calls[-1].params["only_if_banned"] is True
    assert world.status_of(GROUP_ID, BETO) == "left"  # out, and not banned


async def test_ban_unban_restrict_promote(world: FakeBotAPI, make_adapter: MakeAdapter) -> None:
    world.set_member(GROUP_ID, world.bot_id, "administrator", can_restrict_members=True,
                     can_promote_members=True, can_delete_messages=True)  # fmt: skip
    adapter, _, clock = await make_adapter()
    assert (await adapter.execute(BanMember(chat=GROUP, user=person(BETO)))).ok
    assert world.status_of(GROUP_ID, BETO) == "kicked"
    assert (await adapter.execute(UnbanMember(chat=GROUP, user=person(BETO)))).ok
    assert world.status_of(GROUP_ID, BETO) == "left"

    until = clock.now() + timedelta(hours=2)
    mute = RestrictMember(chat=GROUP, user=person(LUPITA), until=until)
    assert (await adapter.execute(mute)).ok
    member = world.chats[GROUP_ID].members[LUPITA]
    assert member["status"] == "restricted"
    assert member["is_member"] is True
    assert member["can_send_messages"] is False
    assert member["until_date"] == int(until.timestamp())
    stale = RestrictMember(chat=GROUP, user=person(LUPITA), until=clock.now())
    assert (await adapter.execute(stale)).detail.startswith("restriction already over")

    assert (await adapter.execute(SetAdmin(chat=GROUP, user=person(LUPITA)))).ok
    promoted = world.chats[GROUP_ID].members[LUPITA]
    assert promoted["status"] == "administrator"
    assert promoted["can_delete_messages"] is True
    assert (await adapter.execute(SetAdmin(chat=GROUP, user=person(LUPITA), admin=False))).ok
    assert world.status_of(GROUP_ID, LUPITA) == "member"


async def test_admission_by_invite_link_or_join_request(
    world: FakeBotAPI, make_adapter: MakeAdapter
) -> None:
    adapter, _, clock = await make_adapter()
    add = await adapter.execute(AddMember(chat=GROUP, user=person(BETO)))
    assert add.status == "unsupported"
    assert not TelegramAdapter.capabilities & {"add_member", "list_members"}

    link = await adapter.execute(
        CreateInviteLink(chat=GROUP, user=person(BETO, "Beto Hernández"), expire_hours=24)
    )
    assert link.ok
    assert (link.platform_ref or "").startswith("https://t.me/+")
    [call] = world.calls_to("createChatInviteLink")
    assert call.params["member_limit"] == 1
    assert call.params["name"] == "Beto Hernández"
    assert call.params["expire_date"] == int((clock.now() + timedelta(hours=24)).timestamp())

    world.set_member(GROUP_ID, BETO, "left")
    world.join_request_update(GROUP_ID, BETO)
    assert (await adapter.execute(ApproveJoin(chat=GROUP, user=person(BETO)))).ok
    assert world.status_of(GROUP_ID, BETO) == "member"
    again = await adapter.execute(ApproveJoin(chat=GROUP, user=person(BETO)))
    assert again.ok  # already in: nothing left to do


async def test_platform_errors_become_typed_results(
    world: FakeBotAPI, make_adapter: MakeAdapter
) -> None:
    adapter, _, _ = await make_adapter()
    # Someone who never started the bot cannot be written to privately.
    dm = await adapter.execute(SendMessage(chat=adapter.private_chat(person(BETO)), text="hola"))
    assert dm.status == "forbidden"
    unknown = await adapter.execute(SendMessage(chat=adapter.private_chat(person(4242)), text="x"))
    assert unknown.status == "not_found"
    # Admins cannot be removed; a bot without rights cannot ban.
    admin = await adapter.execute(RemoveMember(chat=GROUP, user=person(KARLA)))
    assert admin.status == "forbidden"
    world.set_member(GROUP_ID, world.bot_id, "member")
    no_rights = await adapter.execute(BanMember(chat=GROUP, user=person(BETO)))
    assert no_rights.status == "forbidden"
    # Flood control, server trouble, other bad requests.
    world.fail("sendMessage", status=429, retry_after=7)
    limited = await adapter.execute(SendMessage(chat=GROUP, text="x"))
    assert limited.status == "rate_limited"
    assert limited.retry_after == 7
    world.fail("deleteMessage", status=502, description="Bad Gateway")
    down = await adapter.execute(DeleteMessage(message=MessageRef(chat=GROUP, message_id="1")))
    assert down.status == "transient_error"
    world.fail("sendMessage", status=400, description="Bad Request: message text is empty")
    bad = await adapter.execute(
        SendMessage(chat=ChatRef(channel="telegram", chat_id="-5"), text="")
    )
    assert bad.status == "permanent_error"
    kicked = await adapter.execute(
        SendMessage(chat=ChatRef(channel="telegram", chat_id="-7"), text="x")
    )
    assert kicked.status == "not_found"  # "chat not found"


async def test_a_429_holds_the_chat_until_retry_after_has_passed(
    world: FakeBotAPI, make_adapter: MakeAdapter
) -> None:
    adapter, _, clock = await make_adapter()
    world.fail("sendMessage", status=429, retry_after=5)
    first = await adapter.execute(SendMessage(chat=GROUP, text="uno"))
    assert first.status == "rate_limited"
    calls = len(world.calls_to("sendMessage"))
    held = await adapter.execute(SendMessage(chat=GROUP, text="dos"))
    assert held.status == "rate_limited"
    assert 0 < (held.retry_after or 0) <= 5
    assert len(world.calls_to("sendMessage")) == calls  # Telegram was not bothered
    clock.advance(5)
    assert (await adapter.execute(SendMessage(chat=GROUP, text="dos"))).ok


async def test_telegram_unreachable_at_start_is_retried_and_reported(
    world: FakeBotAPI, make_adapter: MakeAdapter
) -> None:
    world.fail("getMe", status=502, description="Bad Gateway")
    adapter, _, _ = await make_adapter()
    health = adapter.health()
    assert not health.ready
    assert "unreachable" in health.detail

    async def connected() -> bool:
        return adapter.bot_username == "cass_jilotepec_bot"

    await eventually(connected)
    assert adapter.health().ready


async def test_a_rejected_token_stops_start_up_with_a_clear_error(
    fake: FakeBotAPI, make_adapter: MakeAdapter
) -> None:
    with pytest.raises(TelegramStartupError, match="Telegram rejected the bot token"):
        await make_adapter(token="7000000001:revoked-token")
