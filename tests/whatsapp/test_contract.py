"""The adapter and the fake against WAHA's published OpenAPI contract.

Every REST call the adapter makes must exist in the spec with a request body that validates;
every answer the fake gives and every webhook it sends must validate too (leniently where the
spec itself is wrong, see contract.py). The team's shared spec is used when it sits beside the
repository; otherwise the copy vendored in tests/contracts (so the test always runs).
"""

from __future__ import annotations

import pytest

from adapters.whatsapp.adapter import WhatsAppAdapter
from cassbot.actions import (
    AddMember,
    CreateInviteLink,
    DeleteMessage,
    RemoveMember,
    SendMessage,
    SetAdmin,
)
from cassbot.events import ChatRef, MessageRef, UserRef
from cassbot.settings import WhatsAppAdapterSettings
from tests.whatsapp.conftest import ANA, BETO, CARLA, GROUP
from tests.whatsapp.contract import Contract, load_spec
from tests.whatsapp.fake_waha import FakeWaha, Participant
from tests.whatsapp.test_adapter import Sink

CHAT = ChatRef(channel="whatsapp", chat_id=GROUP)


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract(load_spec())


async def exercise(fake: FakeWaha) -> None:
    """Every kind of call the adapter makes, against the fake."""
    settings = WhatsAppAdapterSettings(
        enabled=True,
        base_url=fake.url,
        api_key="test-waha-key",
        webhook_hmac_key="k",
        send_chat_interval_s=0,
        send_per_minute=60000,
        moderation_chat_interval_s=0,
        moderation_per_minute=60000,
        jitter_s=0,
    )
    adapter = WhatsAppAdapter(settings)
    await adapter.start(Sink())
    try:
        quoted = fake.message_payload(GROUP, ANA, "hola")["id"]
        ref = MessageRef(chat=CHAT, message_id=quoted)
        mention = UserRef(channel="whatsapp", user_id=BETO.id)
        assert (
            await adapter.execute(
                SendMessage(chat=CHAT, text="aviso", reply_to=ref, mentions=(mention,))
            )
        ).ok
        assert (await adapter.execute(DeleteMessage(message=ref))).ok
        for action in (
            RemoveMember(chat=CHAT, user=UserRef(channel="whatsapp", user_id=CARLA.id)),
            AddMember(chat=CHAT, user=UserRef(channel="whatsapp", user_id=CARLA.id)),
            SetAdmin(chat=CHAT, user=mention),
            SetAdmin(chat=CHAT, user=mention, admin=False),
            CreateInviteLink(chat=CHAT),
        ):
            assert (await adapter.execute(action)).ok, action
        fake.set_bot_role(GROUP, "participant")
        await adapter.list_members(CHAT)  # lid lookups: numbers are hidden from non-admins
        await adapter.resolve_phone("999999999999999@lid")
    finally:
        await adapter.stop()


async def test_the_adapters_requests_and_the_fakes_answers_follow_the_spec(
    fake: FakeWaha, contract: Contract
) -> None:
    await exercise(fake)
    checked = set()
    for call in fake.calls:
        if call.path.startswith("/api/files/"):
            continue  # media URLs are opaque to the contract (they may point at S3)
        found = contract.operation(call.method, call.raw_path)
        assert found is not None, f"{call.method} {call.raw_path} is not in the WAHA spec"
        template, operation = found
        checked.add(f"{call.method} {template}")
        assert contract.request_errors(operation, call.body) == [], (call.path, call.body)
        if call.status < 300:
            errors = contract.response_errors(operation, call.status, call.response)
            assert errors == [], (call.path, call.response)
    assert checked >= {
        "GET /api/sessions/{session}",
        "POST /api/sendText",
        "DELETE /api/{session}/chats/{chatId}/messages/{messageId}",
        "POST /api/{session}/groups/{id}/participants/remove",
        "POST /api/{session}/groups/{id}/participants/add",
        "POST /api/{session}/groups/{id}/admin/promote",
        "POST /api/{session}/groups/{id}/admin/demote",
        "GET /api/{session}/groups/{id}/participants/v2",
        "GET /api/{session}/groups/{id}/invite-code",
        "GET /api/{session}/lids/{lid}",
    }


async def test_the_fakes_webhooks_follow_the_spec(fake: FakeWaha, contract: Contract) -> None:
    envelopes = [
        fake.envelope(
            "message",
            fake.message_payload(GROUP, ANA, "hola", engine=engine, kind=kind, forwarding_score=6),
        )
        for engine in ("GOWS", "NOWEB", "WEBJS")
        for kind in ("text", "voice", "image", "document", "location")
    ]
    quoted = fake.messages[envelopes[0]["payload"]["id"]]
    envelopes += [
        fake.envelope("message", fake.message_payload(GROUP, BETO, "sí", reply_to=quoted)),
        fake.envelope(
            "message", fake.message_payload(GROUP, BETO, "", kind="image", media="error")
        ),
        fake.envelope(
            "message.edited",
            {
                "id": f"false_{GROUP}_3EB0ED_{ANA.id}",
                "editedMessageId": quoted.wa_id,
                "timestamp": 1767225700,
                "from": GROUP,
                "fromMe": False,
                "participant": ANA.id,
                "body": "corregido",
                "hasMedia": False,
                "_data": {},
            },
        ),
        fake.envelope("session.status", fake.session_status_payload("SCAN_QR_CODE")),
        fake.envelope("group.v2.leave", {"group": {"id": GROUP}, "timestamp": 1, "_data": {}}),
        fake.envelope(
            "group.v2.join",
            {
                "group": {
                    "id": GROUP,
                    "subject": "CASS",
                    "description": "",
                    "invite": "https://chat.whatsapp.com/x",
                    "membersCanAddNewMember": False,
                    "membersCanSendMessages": True,
                    "newMembersApprovalRequired": True,
                    "participants": [{"id": fake.me["lid"], "role": "admin"}],
                },
                "timestamp": 1,
                "_data": {},
            },
        ),
    ]
    for kind in ("join", "leave", "promote", "demote"):
        people = [ANA, Participant("5217619999999@c.us")]
        envelopes.append(
            fake.envelope("group.v2.participants", fake.participants_payload(GROUP, kind, people))
        )
    # And the ones the fake emits on its own after a delete.
    fake.webhook_url = fake.url + "/nowhere"  # answered 404: only the bodies matter here
    await fake._revoked(quoted)
    envelopes += [d.envelope for d in fake.deliveries]
    assert {e["event"] for e in envelopes} >= {
        "message",
        "message.edited",
        "message.revoked",
        "session.status",
        "group.v2.join",
        "group.v2.leave",
        "group.v2.participants",
    }
    for envelope in envelopes:
        assert contract.webhook_errors(envelope) == [], envelope["event"]


def test_the_checks_are_not_vacuous(fake: FakeWaha, contract: Contract) -> None:
    found = contract.operation("POST", "/api/sendText")
    assert found is not None
    assert contract.request_errors(found[1], {"text": "sin chat", "session": "default"})
    assert contract.response_errors(found[1], 201, {"id": 5, "fromMe": "yes"})
    assert contract.response_errors(found[1], 418, {})
    assert contract.operation("POST", "/api/default/groups/x%40g.us/kick") is None
    broken = fake.envelope("message", fake.message_payload(GROUP, ANA, "hola"))
    broken["payload"]["fromMe"] = "no"
    assert contract.webhook_errors(broken)
    del broken["environment"]
    assert any("environment" in e for e in contract.webhook_errors(broken))
