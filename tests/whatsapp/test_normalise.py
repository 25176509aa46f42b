"""WAHA payloads → cassbot events, across engines (payloads written from the published schema)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.whatsapp.ids import MessageId, clean_user_id, phone_of
from adapters.whatsapp.normalise import (
    Envelope,
    Identities,
    PayloadError,
    normalise,
    parse_envelope,
)
from cassbot.events import (
    ChannelStatus,
    MemberJoined,
    MemberLeft,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    RoleChanged,
)
from tests.whatsapp.fake_waha import FakeWaha, Participant

GROUP = "120363012345678901@g.us"
ANA = Participant("222222222222222@lid", pn="5217611111111@c.us", name="Ana")
BETO = Participant("5217612222222@c.us", name="Beto")
ME = {"id": "5217610000001@c.us", "lid": "100000000000001@lid", "pushName": "Asistente"}


def envelope(event: str, payload: dict[str, Any], **extra: Any) -> Envelope:
    body = {
        "id": "evt_01k0000000000000000000000a",
        "timestamp": 1767225600123,
        "event": event,
        "session": "default",
        "me": ME,
        "payload": payload,
        "engine": "GOWS",
        "environment": {"version": "2026.7.1", "engine": "GOWS", "tier": "CORE"},
        **extra,
    }
    return parse_envelope(json.dumps(body).encode())


def one(event: str, payload: dict[str, Any], known: Identities | None = None) -> Any:
    events = normalise(envelope(event, payload), known)
    assert events is not None
    assert len(events) == 1
    return events[0]


@pytest.fixture
def fake() -> FakeWaha:
    return FakeWaha()  # used only as a payload builder here (never started)


@pytest.mark.parametrize("engine", ["GOWS", "NOWEB", "WEBJS"])
def test_a_text_message_in_a_group(fake: FakeWaha, engine: str) -> None:
    payload = fake.message_payload(GROUP, ANA, "Mañana cortan el agua", engine=engine)
    event = one("message", payload, Identities(phones={ANA.id: "+527611111111"}))
    assert isinstance(event, MessagePosted)
    assert event.chat.chat_id == GROUP
    assert not event.chat.private
    assert event.message.message_id == payload["id"]
    assert event.message.message_id.endswith("_" + ANA.id)  # what deleting it needs
    assert event.actor is not None
    assert event.actor.user_id == ANA.id
    assert event.actor.phone == "+527611111111"  # the @lid mapped through what the adapter knows
    assert event.actor.display_name == "Ana"
    assert not event.actor.is_bot
    assert event.text == "Mañana cortan el agua"
    assert event.facts.attachments == ()
    assert not event.facts.forwarded
    wa_id = MessageId.parse(payload["id"]).wa_id  # type: ignore[union-attr]
    assert event.dedupe_key == f"whatsapp:default:msg:{GROUP}:{wa_id}"


@pytest.mark.parametrize("engine", ["GOWS", "NOWEB", "WEBJS"])
def test_a_voice_note(fake: FakeWaha, engine: str) -> None:
    payload = fake.message_payload(GROUP, BETO, "", kind="voice", seconds=9, engine=engine)
    event = one("message", payload)
    (voice,) = event.facts.attachments
    assert event.facts.is_voice_note
    assert (voice.kind, voice.duration_s, voice.mime_type) == (
        "voice",
        9,
        "audio/ogg; codecs=opus",
    )
    assert voice.url is not None
    assert voice.url.endswith(".oga")
    assert voice.error is None
    assert event.actor.phone == "+527612222222"  # a @c.us id carries its number


@pytest.mark.parametrize("engine", ["GOWS", "NOWEB", "WEBJS"])
def test_an_audio_file_is_not_a_voice_note(fake: FakeWaha, engine: str) -> None:
    event = one("message", fake.message_payload(GROUP, BETO, "", kind="audio", engine=engine))
    assert [a.kind for a in event.facts.attachments] == ["audio"]


@pytest.mark.parametrize("engine", ["GOWS", "NOWEB", "WEBJS"])
def test_an_image_with_caption_a_document_and_a_place(fake: FakeWaha, engine: str) -> None:
    image = one(
        "message", fake.message_payload(GROUP, BETO, "La fuga", kind="image", engine=engine)
    )
    assert image.text == "La fuga"
    assert [a.kind for a in image.facts.attachments] == ["image"]
    document = one(
        "message",
        fake.message_payload(
            GROUP, BETO, "", kind="document", file_name="recibo.pdf", engine=engine
        ),
    )
    (doc,) = document.facts.attachments
    assert (doc.kind, doc.file_name, doc.mime_type) == (
        "document",
        "recibo.pdf",
        "application/pdf",
    )
    place = one("message", fake.message_payload(GROUP, BETO, "", kind="location", engine=engine))
    (where,) = place.facts.attachments
    assert (where.kind, where.latitude, where.longitude) == ("location", 19.9537, -99.5329)
    assert where.place == "Plaza de Canalejas"


def test_the_mimetype_decides_when_the_engine_says_nothing(fake: FakeWaha) -> None:
    payload = fake.message_payload(GROUP, BETO, "", kind="voice")
    payload["_data"] = {}
    assert [a.kind for a in one("message", payload).facts.attachments] == ["voice"]
    payload["media"]["mimetype"] = "image/png"
    assert [a.kind for a in one("message", payload).facts.attachments] == ["image"]


@pytest.mark.parametrize("media", ["not_downloaded", "error"])
def test_media_the_gateway_could_not_provide_is_flagged(fake: FakeWaha, media: str) -> None:
    event = one("message", fake.message_payload(GROUP, BETO, "", kind="image", media=media))
    (image,) = event.facts.attachments
    assert image.kind == "image"
    assert image.url is None
    assert image.error


@pytest.mark.parametrize("engine", ["GOWS", "NOWEB", "WEBJS"])
@pytest.mark.parametrize(
    ("score", "forwarded", "many"),
    [(0, False, False), (1, True, False), (5, True, True), (12, True, True)],
)
def test_forwarded_and_forwarded_many_times(
    fake: FakeWaha, engine: str, score: int, forwarded: bool, many: bool
) -> None:
    event = one(
        "message",
        fake.message_payload(GROUP, BETO, "Cadena", engine=engine, forwarding_score=score),
    )
    assert (event.facts.forwarded, event.facts.forwarded_many) == (forwarded, many)


@pytest.mark.parametrize("engine", ["GOWS", "NOWEB", "WEBJS"])
def test_links_and_mentions(fake: FakeWaha, engine: str) -> None:
    payload = fake.message_payload(
        GROUP,
        BETO,
        "Únanse: chat.whatsapp.com/AbCdEf y https://example.org/x @5217611111111",
        engine=engine,
        mentions=("5217611111111@c.us",),
    )
    event = one("message", payload)
    assert set(event.facts.links) == {"https://example.org/x", "chat.whatsapp.com/AbCdEf"}
    assert event.facts.mentions == ("5217611111111@c.us",)


def test_a_reply_points_at_the_full_id_of_the_quoted_message(fake: FakeWaha) -> None:
    original = fake.message_payload(GROUP, ANA, "¿Ya llegó la pipa?")
    quoted = fake.messages[original["id"]]
    event = one("message", fake.message_payload(GROUP, BETO, "Todavía no", reply_to=quoted))
    assert event.reply_to is not None
    assert event.reply_to.message_id == original["id"]
    assert event.reply_to_author.user_id == ANA.id


def test_a_private_message(fake: FakeWaha) -> None:
    event = one("message", fake.message_payload(BETO.id, BETO, "/ayuda"))
    assert event.chat.private
    assert event.chat.chat_id == BETO.id
    assert event.actor.user_id == BETO.id
    assert event.message.message_id.count("_") == 2  # no participant suffix outside groups


def test_the_bots_own_message_is_marked_as_the_bot() -> None:
    payload = {
        "id": f"true_{GROUP}_3EB0AA",
        "timestamp": 1767225600,
        "from": ME["id"],
        "to": GROUP,
        "fromMe": True,
        "source": "api",
        "body": "Aviso",
        "hasMedia": False,
    }
    event = one("message.any", payload)
    assert event.chat.chat_id == GROUP
    assert event.actor.is_bot


def test_duplicates_share_a_key_whatever_their_envelope_or_participant_form(
    fake: FakeWaha,
) -> None:
    payload = fake.message_payload(GROUP, ANA, "hola")
    first = normalise(envelope("message", payload))
    again = normalise(envelope("message", payload, id="evt_01other"))
    as_any = normalise(envelope("message.any", payload))
    other_form = dict(payload, id=payload["id"].replace(ANA.id, "5217611111111@c.us"))
    by_phone = normalise(envelope("message", other_form))
    keys = {e[0].dedupe_key for e in (first, again, as_any, by_phone)}  # type: ignore[index]
    assert len(keys) == 1


def test_edits_and_revokes() -> None:
    edited = one(
        "message.edited",
        {
            "id": f"false_{GROUP}_3EB0EDIT_{ANA.id}",
            "editedMessageId": "3EB0ORIG",
            "timestamp": 1767225700,
            "from": GROUP,
            "fromMe": False,
            "participant": ANA.id,
            "body": "texto corregido",
            "hasMedia": False,
            "_data": {},
        },
    )
    assert isinstance(edited, MessageEdited)
    assert edited.message.message_id == f"false_{GROUP}_3EB0ORIG_{ANA.id}"
    assert edited.text == "texto corregido"
    revoked = one(
        "message.revoked",
        {
            "revokedMessageId": "3EB0ORIG",
            "after": {
                "id": f"false_{GROUP}_3EB0REV_{ANA.id}",
                "timestamp": 1767225800,
                "from": GROUP,
                "fromMe": False,
                "participant": ANA.id,
                "body": "",
            },
            "before": None,
            "_data": {},
        },
    )
    assert isinstance(revoked, MessageDeleted)
    assert revoked.chat.chat_id == GROUP
    assert revoked.message.message_id == "3EB0ORIG"
    assert revoked.dedupe_key == f"whatsapp:default:revoke:{GROUP}:3EB0ORIG"


@pytest.mark.parametrize(
    ("kind", "cls"),
    [
        ("join", MemberJoined),
        ("leave", MemberLeft),
        ("promote", RoleChanged),
        ("demote", RoleChanged),
    ],
)
def test_participant_changes(kind: str, cls: type) -> None:
    payload = FakeWaha.participants_payload(GROUP, kind, [ANA, BETO], timestamp=1767225800)
    events = normalise(envelope("group.v2.participants", payload))
    assert events is not None
    assert [type(e) for e in events] == [cls, cls]
    assert [e.member.user_id for e in events] == [ANA.id, BETO.id]
    assert events[0].member.phone == "+527611111111"  # from `pn`
    assert len({e.dedupe_key for e in events}) == 2
    if cls is RoleChanged:
        assert events[0].admin is (kind == "promote")


def test_the_bot_in_participant_changes_is_marked_as_the_bot() -> None:
    me = Participant(ME["lid"], pn=ME["id"], role="admin")
    (event,) = normalise(
        envelope(  # type: ignore[misc]
            "group.v2.participants", FakeWaha.participants_payload(GROUP, "promote", [me])
        )
    )
    assert isinstance(event, RoleChanged)
    assert event.member.is_bot
    assert event.admin


def test_the_bot_joins_and_leaves_a_group() -> None:
    joined = normalise(
        envelope(
            "group.v2.join",
            {
                "group": {
                    "id": GROUP,
                    "subject": "Vecinos",
                    "description": "",
                    "membersCanAddNewMember": False,
                    "membersCanSendMessages": True,
                    "newMembersApprovalRequired": True,
                    "participants": [{"id": ME["lid"], "role": "admin"}],
                },
                "timestamp": 1767225900,
                "_data": {},
            },
        )
    )
    assert joined is not None
    assert [type(e) for e in joined] == [MemberJoined, RoleChanged]
    assert all(e.member.is_bot for e in joined)  # type: ignore[attr-defined]
    assert joined[1].admin  # type: ignore[union-attr]
    left = one("group.v2.leave", {"group": {"id": GROUP}, "timestamp": 1767226000, "_data": {}})
    assert isinstance(left, MemberLeft)
    assert left.member.is_bot


def test_session_status() -> None:
    event = one(
        "session.status",
        {
            "name": "default",
            "status": "SCAN_QR_CODE",
            "statuses": [{"status": "SCAN_QR_CODE", "timestamp": 17}],
        },
    )
    assert isinstance(event, ChannelStatus)
    assert event.status == "SCAN_QR_CODE"


def test_unknown_events_are_not_handled() -> None:
    assert normalise(envelope("presence.update", {"id": GROUP})) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"session": "default", "payload": {}}', "'event'"),
        (b'{"event": "message", "payload": {}}', "'session'"),
        (b'{"event": "message", "session": "default", "payload": 3}', "'payload'"),
    ],
)
def test_malformed_envelopes(raw: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        parse_envelope(raw)


@pytest.mark.parametrize(
    ("event", "payload", "message"),
    [
        ("message", {"from": GROUP, "timestamp": 1}, "'id'"),
        ("message", {"id": "x", "timestamp": 1}, "'from'"),
        ("message", {"id": "x", "from": GROUP, "timestamp": 1}, "participant"),
        ("group.v2.participants", {"type": "kick", "group": {"id": GROUP}}, "'type'"),
        ("group.v2.participants", {"type": "join", "participants": []}, "group.id"),
        (
            "group.v2.participants",
            {"type": "join", "group": {"id": GROUP}, "participants": [{"role": "admin"}]},
            "'id'",
        ),
        ("message.revoked", {"revokedMessageId": "X"}, "'after' or 'before'"),
        ("session.status", {"name": "default"}, "'status'"),
    ],
)
def test_malformed_payloads(event: str, payload: dict[str, Any], message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        normalise(envelope(event, payload))


def test_ids() -> None:
    assert clean_user_id("5217611111111:12@s.whatsapp.net") == "5217611111111@c.us"
    assert clean_user_id("222222222222222:3@lid") == "222222222222222@lid"
    assert phone_of("5217611111111@c.us") == "+527611111111"
    assert phone_of("222222222222222@lid") is None
    assert phone_of(GROUP) is None
    parsed = MessageId.parse(f"false_{GROUP}_3EB0A1_{ANA.id}")
    assert parsed == MessageId(False, GROUP, "3EB0A1", ANA.id)
    assert str(parsed) == f"false_{GROUP}_3EB0A1_{ANA.id}"
    assert MessageId.parse("3EB0A1") is None
