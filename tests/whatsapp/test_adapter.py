"""The adapter against the fake WAHA: calls, WAHA errors mapped to results, rosters, media."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.whatsapp.adapter import NOT_ADMIN_DETAIL, WhatsAppAdapter
from cassbot.actions import (
    AddMember,
    BanMember,
    CreateInviteLink,
    DeleteMessage,
    RemoveMember,
    SendMessage,
    SetAdmin,
)
from cassbot.adapter import Capability
from cassbot.events import ChatRef, Event, MessageRef, UserRef
from cassbot.settings import WhatsAppAdapterSettings
from tests.whatsapp.conftest import ANA, BETO, CARLA, GROUP
from tests.whatsapp.fake_waha import FakeWaha

CHAT = ChatRef(channel="whatsapp", chat_id=GROUP)


class Sink:
    def __init__(self) -> None:
        self.events: list[Event] = []

    async def submit(self, event: Event) -> bool:
        self.events.append(event)
        return True

    async def submit_many(self, events: Any) -> int:
        self.events.extend(events)
        return len(events)


def user(participant: Any) -> UserRef:
    return UserRef(channel="whatsapp", user_id=participant.id)


@pytest.fixture
async def adapter(fake: FakeWaha) -> AsyncIterator[WhatsAppAdapter]:
    settings = WhatsAppAdapterSettings(
        enabled=True,
        base_url=fake.url,
        api_key="test-waha-key",
        webhook_hmac_key="k",
        wait_retry_s=7,
        status_poll_s=60,
        send_chat_interval_s=0,
        send_per_minute=60000,
        moderation_chat_interval_s=0,
        moderation_per_minute=60000,
        jitter_s=0,
    )
    whatsapp = WhatsAppAdapter(settings)
    await whatsapp.start(Sink())
    yield whatsapp
    await whatsapp.stop()


def delete_of(fake: FakeWaha, sender: Any = ANA) -> DeleteMessage:
    payload = fake.message_payload(GROUP, sender, "texto")
    return DeleteMessage(message=MessageRef(chat=CHAT, message_id=payload["id"]))


async def test_start_reads_the_session_and_who_the_bot_is(adapter, fake) -> None:  # type: ignore[no-untyped-def]
    assert adapter.health().ready
    assert adapter.health().status == "working"
    assert adapter.me_ids == {"5217610000001@c.us", "100000000000001@lid"}
    assert adapter.bot_phone == "+527610000001"
    assert [c.api_key for c in fake.calls] == ["test-waha-key"] * len(fake.calls)


async def test_send_and_reply(adapter, fake) -> None:  # type: ignore[no-untyped-def]
    quoted = fake.message_payload(GROUP, ANA, "hola")["id"]
    result = await adapter.execute(
        SendMessage(
            chat=CHAT, text="Buenas tardes", reply_to=MessageRef(chat=CHAT, message_id=quoted)
        )
    )
    assert result.ok
    assert result.platform_ref.startswith(f"true_{GROUP}_")
    assert fake.sent == [
        {
            "session": "default",
            "chatId": GROUP,
            "text": "Buenas tardes",
            "linkPreview": False,
            "reply_to": quoted,
        }
    ]
    dm = adapter.private_chat(
        UserRef(channel="whatsapp", user_id="5217612222222:3@s.whatsapp.net")
    )
    assert (await adapter.execute(SendMessage(chat=dm, text="Hola"))).ok
    assert fake.sent[-1]["chatId"] == "5217612222222@c.us"


async def test_delete_uses_the_full_id_url_encoded(adapter, fake) -> None:  # type: ignore[no-untyped-def]
    action = delete_of(fake)
    assert (await adapter.execute(action)).ok
    (call,) = fake.calls_to("DELETE", "/messages/")
    assert "%40g.us" in call.raw_path
    assert "%40lid" in call.raw_path
    assert fake.messages[action.message.message_id].revoked
    unknown = DeleteMessage(
        message=MessageRef(chat=CHAT, message_id=f"false_{GROUP}_NOPE_{ANA.id}")
    )
    assert (await adapter.execute(unknown)).status == "not_found"
    junk = DeleteMessage(message=MessageRef(chat=CHAT, message_id="NOPE"))
    assert (await adapter.execute(junk)).status == "permanent_error"


async def test_member_changes(adapter, fake) -> None:  # type: ignore[no-untyped-def]
    assert (await adapter.execute(RemoveMember(chat=CHAT, user=user(BETO)))).ok
    assert BETO.id not in fake.groups[GROUP].participants
    assert (await adapter.execute(RemoveMember(chat=CHAT, user=user(BETO)))).status == "not_found"
    assert (await adapter.execute(AddMember(chat=CHAT, user=user(BETO)))).ok
    assert BETO.id in fake.groups[GROUP].participants
    assert (await adapter.execute(SetAdmin(chat=CHAT, user=user(CARLA)))).ok
    assert fake.groups[GROUP].participants[CARLA.id].role == "admin"
    assert (await adapter.execute(SetAdmin(chat=CHAT, user=user(CARLA), admin=False))).ok
    assert fake.groups[GROUP].participants[CARLA.id].role == "participant"
    # `@s.whatsapp.net` ids (refused by WAHA's NOWEB engine) are sent as `@c.us`.
    odd = UserRef(channel="whatsapp", user_id="5217612222222:4@s.whatsapp.net")
    assert (await adapter.execute(RemoveMember(chat=CHAT, user=odd))).ok
    assert fake.calls_to("POST", "/remove")[-1].body == {"participants": [{"id": BETO.id}]}


async def test_an_add_refused_by_privacy_and_the_invite_link(adapter, fake) -> None:  # type: ignore[no-untyped-def]
    newcomer = UserRef(channel="whatsapp", user_id="5217619999999@c.us")
    fake.groups[GROUP].refuse_add.add(newcomer.user_id)
    refused = await adapter.execute(AddMember(chat=CHAT, user=newcomer))
    assert refused.status == "forbidden"
    assert "privacy" in refused.detail
    link = await adapter.execute(CreateInviteLink(chat=CHAT, user=newcomer))
    assert link.ok
    assert link.platform_ref == f"https://chat.whatsapp.com/{fake.groups[GROUP].invite_code}"


async def test_no_native_ban(adapter) -> None:  # type: ignore[no-untyped-def]
    assert not adapter.supports(Capability.BAN_MEMBER)
    result = await adapter.execute(BanMember(chat=CHAT, user=user(ANA)))
    assert result.status == "unsupported"


async def test_without_admin_rights_admin_actions_are_forbidden_without_calling(
    adapter, fake
) -> None:  # type: ignore[no-untyped-def]
    fake.set_bot_role(GROUP, "participant")
    action = delete_of(fake)
    result = await adapter.execute(action)
    assert (result.status, result.detail) == ("forbidden", NOT_ADMIN_DETAIL)
    assert fake.calls_to("DELETE", "/messages/") == []
    for other in (RemoveMember(chat=CHAT, user=user(ANA)), CreateInviteLink(chat=CHAT)):
        assert (await adapter.execute(other)).status == "forbidden"
    # Its own messages it may always delete.
    own = (await adapter.execute(SendMessage(chat=CHAT, text="aviso"))).platform_ref
    assert (await adapter.execute(DeleteMessage(message=MessageRef(chat=CHAT, message_id=own)))).ok


async def test_rights_lost_since_last_look_are_found_on_the_engine_error(adapter, fake) -> None:  # type: ignore[no-untyped-def]
    assert await adapter.bot_is_admin(GROUP) is True  # cached now
    fake.set_bot_role(GROUP, "participant")
    result = await adapter.execute(delete_of(fake))  # WAHA answers 500 not-authorized
    assert (result.status, result.detail) == ("forbidden", NOT_ADMIN_DETAIL)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (401, None, "permanent_error"),
        (403, {"message": "Forbidden", "statusCode": 403}, "forbidden"),
        (404, None, "not_found"),
        (400, None, "permanent_error"),
        (500, None, "transient_error"),
        (503, None, "transient_error"),
    ],
)
async def test_waha_errors_become_results(adapter, fake, status, body, expected) -> None:  # type: ignore[no-untyped-def]
    fake.fail("/api/sendText", status, body=body)
    result = await adapter.execute(SendMessage(chat=CHAT, text="hola"))
    assert result.status == expected
    assert str(status) in result.detail


async def test_429_is_rate_limited_with_the_gateways_delay(adapter, fake) -> None:  # type: ignore[no-untyped-def]
    fake.fail("/api/sendText", 429, retry_after=12)
    result = await adapter.execute(SendMessage(chat=CHAT, text="hola"))
    assert (result.status, result.retry_after) == ("rate_limited", 12)
    fake.fail("/api/sendText", 429)
    result = await adapter.execute(SendMessage(chat=CHAT, text="hola"))
    assert (result.status, result.retry_after) == ("rate_limited", 7)  # wait_retry_s


async def test_a_session_that_is_not_working_makes_actions_wait(adapter, fake) -> None:  # type: ignore[no-untyped-def]
    fake.sessions["default"] = "SCAN_QR_CODE"
    result = await adapter.execute(SendMessage(chat=CHAT, text="hola"))  # WAHA answers 422
    assert (result.status, result.retry_after) == ("rate_limited", 7)
    assert adapter.status == "SCAN_QR_CODE"
    assert not adapter.health().ready
    calls = len(fake.calls)
    result = await adapter.execute(SendMessage(chat=CHAT, text="hola"))
    assert result.status == "rate_limited"
    assert len(fake.calls) == calls  # known not WORKING: WAHA is not bothered again so soon
    fake.sessions["default"] = "WORKING"
    assert await adapter.refresh_status() == "WORKING"
    assert (await adapter.execute(SendMessage(chat=CHAT, text="hola"))).ok


async def test_an_unknown_session_waits_rather_than_losing_deletes(adapter, fake) -> None:  # type: ignore[no-untyped-def]
    fake.sessions = {"another": "WORKING"}
    result = await adapter.execute(delete_of(fake))
    assert result.status == "rate_limited"
    assert adapter.status == "NO_SESSION"


async def test_an_unreachable_gateway_makes_actions_wait(adapter, fake) -> None:  # type: ignore[no-untyped-def]
    await fake.go_down()
    result = await adapter.execute(SendMessage(chat=CHAT, text="hola"))
    assert (result.status, result.retry_after) == ("rate_limited", 7)
    assert adapter.health().status == "unreachable"
    await fake.come_back()
    assert await adapter.refresh_status() == "WORKING"


async def test_a_wrong_api_key(fake) -> None:  # type: ignore[no-untyped-def]
    settings = WhatsAppAdapterSettings(
        enabled=True, base_url=fake.url, api_key="wrong", webhook_hmac_key="k"
    )
    whatsapp = WhatsAppAdapter(settings)
    await whatsapp.start(Sink())
    try:
        assert whatsapp.health().status == "unauthorized"
        result = await whatsapp.execute(SendMessage(chat=CHAT, text="hola"))
        assert result.status == "permanent_error"
    finally:
        await whatsapp.stop()


async def test_roster_with_lids_phones_and_the_bot(adapter, fake) -> None:  # type: ignore[no-untyped-def]
    members = {m.user.user_id: m for m in await adapter.list_members(CHAT)}
    assert members[ANA.id].user.phone == "+527611111111"
    assert members[BETO.id].user.phone == "+527612222222"
    bot = members[fake.me["lid"]]
    assert bot.user.is_bot
    assert bot.admin
    assert not members[ANA.id].admin
    # When the bot is no admin WAHA hides the numbers; the lids table still knows some.
    fake.set_bot_role(GROUP, "participant")
    fresh = WhatsAppAdapter(adapter.settings)
    await fresh.start(Sink())
    try:
        members = {m.user.user_id: m for m in await fresh.list_members(CHAT)}
        assert members[ANA.id].user.phone == "+527611111111"  # through GET /lids/{lid}
        assert fake.calls_to("GET", "/lids/")
    finally:
        await fresh.stop()
    assert await adapter.resolve_phone("999999999999999@lid") is None


async def test_media_download(adapter, fake) -> None:  # type: ignore[no-untyped-def]
    from adapters.whatsapp.facts import message_facts

    payload = fake.message_payload(GROUP, ANA, "", kind="image")
    (image,) = message_facts(payload).attachments
    assert await adapter.download_media(image) == b"fake-image"
    fake.expire_media()
    assert await adapter.download_media(image) is None
