"""cassbot with its WhatsApp adapter against the fake WAHA, end to end over real HTTP.

Each test starts cassbot with its default features (the Spanish screening engine and the
warn-then-expel policy, tickets, registration; web server on a random port), drives it through
the fake's signed webhooks and asserts on the calls the fake recorded and on the database.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from sqlalchemy import select

from cassbot.actions import AddMember
from cassbot.events import ChatRef, UserRef
from cassbot.reconcile import Reconciler
from cassbot.storage.models import (
    AuditEntry,
    CommunityBan,
    Group,
    Identity,
    InboundEvent,
    Membership,
    ModerationCase,
    OutboxAction,
    Person,
    PointsRecord,
    Ticket,
)
from tests.helpers import eventually
from tests.whatsapp.conftest import (
    ANA,
    BETO,
    CARLA,
    DIRECTORA,
    GROUP,
    OTHER_GROUP,
    readyz,
    rows,
    settled,
    wait_ready,
    whatsapp_config,
)
from tests.whatsapp.fake_waha import FakeWaha, Participant

ODAPAS_DM = "527610000003@c.us"
# A second WhatsApp group of Villa de Canalejas (announcements), where Ana is too.
AVISOS = "120363000000000003@g.us"
INSULTS = ("eres un pendejo", "ya cállate, pinche rata", "eres un idiota, nadie te pregunta")


def removed_from(fake: FakeWaha) -> list[tuple[str, str]]:
    """(group, participant) of every successful removal, in order."""
    calls = fake.calls_to("POST", "/participants/remove")
    return [
        (c.path.split("/groups/")[1].split("/")[0], c.body["participants"][0]["id"]) for c in calls
    ]


def deleted_ids(fake: FakeWaha) -> list[str]:
    return [c.path.rsplit("/", 1)[1] for c in fake.calls_to("DELETE", "/messages/")]


def sent_to(fake: FakeWaha, chat_id: str) -> list[dict[str, Any]]:
    return [b for b in fake.sent if b["chatId"] == chat_id]


async def test_an_ordinary_message_produces_no_action(wa_settings, start_bot, fake) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot(wa_settings())
    await wait_ready(bot)
    calls_before = len(fake.calls)
    await fake.post(GROUP, ANA, "Buenas tardes, ¿a qué hora pasa la pipa del agua?")
    await fake.post(GROUP, BETO, "Está cabrón el calor hoy, ¿ya vieron el partido?")
    await settled(bot, fake)
    events = await rows(bot, InboundEvent)
    assert [(e.kind, e.status) for e in events] == [("message.posted", "processed")] * 2
    assert events[0].payload["text"].startswith("Buenas tardes")
    assert await rows(bot, OutboxAction) == []
    assert await rows(bot, ModerationCase) == []  # casual swearing is not an offence
    later = [c for c in fake.calls[calls_before:] if c.method != "GET"]
    assert later == []


async def test_a_service_request_opens_a_ticket_and_is_not_moderated(
    wa_settings, start_bot, fake
) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot(wa_settings())
    await wait_ready(bot)
    message_id = await fake.post(
        GROUP, BETO, "Ya van tres días sin agua en la calle Hidalgo, ¿quién nos ayuda?"
    )
    await settled(bot, fake)
    (ticket,) = await rows(bot, Ticket)
    assert (ticket.department, ticket.channel, ticket.source_message_id) == (
        "agua",
        "whatsapp",
        message_id,
    )
    # Acknowledged in the group (as a reply to the request); ODAPAS told on WhatsApp.
    (ack,) = sent_to(fake, GROUP)
    assert ticket.folio in ack["text"]
    assert ack["reply_to"] == message_id
    (notice,) = sent_to(fake, ODAPAS_DM)
    assert ticket.folio in notice["text"]
    assert "calle Hidalgo" in notice["text"]
    assert deleted_ids(fake) == []
    assert await rows(bot, ModerationCase) == []


async def test_offences_are_deleted_warned_and_the_third_expels_from_every_group(
    db_url, make_settings, start_bot, fake
) -> None:  # type: ignore[no-untyped-def]
    config = whatsapp_config(fake)
    canalejas = config["communities"][0]
    canalejas["groups"].append({"channel": "whatsapp", "chat_id": AVISOS, "name": "Avisos WA"})
    config["database"] = {"url": db_url}
    fake.add_group(AVISOS, "Avisos WA", [ANA, CARLA])
    fake.add_participant(OTHER_GROUP, ANA)  # another community's group: not touched
    bot = await start_bot(make_settings(config))
    await wait_ready(bot)
    await wait_ready(bot, AVISOS)
    ids = []
    for n, insult in enumerate(INSULTS, start=1):
        ids.append(await fake.post(GROUP, ANA, insult))
        await settled(bot, fake)
        # Deleted with the full id (the participant suffix WhatsApp needs in groups).
        assert deleted_ids(fake) == ids
        assert ids[-1].endswith("_" + ANA.id)
        assert fake.messages[ids[-1]].revoked
        warnings = sent_to(fake, GROUP)
        assert len(warnings) == n
        assert warnings[-1]["text"].startswith("⚠️ Ana:" if n < 3 else "🚫 Dimos de baja")
        assert warnings[-1]["mentions"] == [ANA.id]
        # Privately on WhatsApp, to Ana's own chat (her privacy id).
        private = sent_to(fake, ANA.id)
        assert len(private) == n
        assert private[-1]["text"].startswith("Hola, Ana.")
        assert "Regla 2" in private[-1]["text"]
    assert "Llevas 1 de 3 advertencias" in sent_to(fake, GROUP)[0]["text"]
    assert "con una advertencia más" in sent_to(fake, GROUP)[1]["text"]
    assert "Te dimos de baja del grupo" in sent_to(fake, ANA.id)[2]["text"]
    # Removed from every WhatsApp group of the community, and from no other.
    assert sorted(removed_from(fake)) == [(GROUP, ANA.id), (AVISOS, ANA.id)]
    assert ANA.id not in fake.groups[GROUP].participants
    assert ANA.id not in fake.groups[AVISOS].participants
    assert ANA.id in fake.groups[OTHER_GROUP].participants
    cases = await rows(bot, ModerationCase)
    assert [(c.category, c.status, c.points, c.message_id) for c in cases] == [
        ("insult", "applied", 1, message_id) for message_id in ids
    ]
    assert "expel" in cases[2].effects
    assert "expel" not in cases[0].effects
    assert len(await rows(bot, PointsRecord)) == 3
    bans = await rows(bot, CommunityBan)
    persons = {p.id: p for p in await rows(bot, Person)}
    assert [(b.community_id, persons[b.person_id].phone, b.case_id) for b in bans] == [
        ("canalejas", "+527611111111", cases[2].id)
    ]
    # The fake's follow-up webhooks (revoked, participants left) were understood too.
    kinds = [e.kind for e in await rows(bot, InboundEvent)]
    assert kinds.count("message.deleted") == 3
    assert kinds.count("member.left") == 2
    assert all(e.status == "processed" for e in await rows(bot, InboundEvent))

    # A banned member who comes back is taken out again by the membership stage.
    await fake.join(GROUP, ANA)
    await settled(bot, fake)
    assert removed_from(fake)[2:] == [(GROUP, ANA.id)]
    assert ANA.id not in fake.groups[GROUP].participants
    enforced = [a for a in await rows(bot, AuditEntry) if a.action == "ban_enforced"]
    assert len(enforced) == 1
    # Her return is no new offence and no "unregistered member" notice.
    assert len(await rows(bot, ModerationCase)) == 3
    assert [a for a in await rows(bot, OutboxAction) if a.purpose == "member_unapproved"] == []


async def test_a_duplicated_webhook_produces_one_action(wa_settings, start_bot, fake) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot(wa_settings())
    await wait_ready(bot)
    # Twice with the same envelope, then again under a new envelope id (as engines do).
    payload = fake.message_payload(GROUP, BETO, "cállate, pendejo")
    envelope = fake.envelope("message", payload)
    assert await fake.deliver(envelope) == 200
    assert await fake.deliver(envelope) == 200
    assert await fake.deliver({**envelope, "id": "evt_01another0000000000000000"}) == 200
    await settled(bot, fake)
    assert deleted_ids(fake) == [payload["id"]]
    assert len(sent_to(fake, GROUP)) == 1
    assert len(sent_to(fake, BETO.id)) == 1  # his private warning, on his @c.us chat
    assert [e.kind for e in await rows(bot, InboundEvent)].count("message.posted") == 1
    assert len(await rows(bot, ModerationCase)) == 1
    assert len(await rows(bot, PointsRecord)) == 1


async def test_out_of_order_and_repeated_deliveries_are_each_processed_once(
    wa_settings, start_bot, fake
) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot(wa_settings())
    await wait_ready(bot)
    first = fake.envelope("message", fake.message_payload(GROUP, BETO, "primero"))
    second = fake.envelope("message", fake.message_payload(GROUP, CARLA, "segundo"))
    for envelope in (second, first, second, first):
        assert await fake.deliver(envelope) == 200
    await settled(bot, fake)
    texts = [e.payload["text"] for e in await rows(bot, InboundEvent)]
    assert sorted(texts) == ["primero", "segundo"]


async def test_a_bad_signature_gets_401_and_nothing_happens(wa_settings, start_bot, fake) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot(wa_settings())
    await wait_ready(bot)
    envelope = fake.envelope("message", fake.message_payload(GROUP, BETO, "eres un pendejo"))
    assert await fake.deliver(envelope, signature="bad") == 401
    assert await fake.deliver(envelope, signature="missing") == 401
    await settled(bot, fake)
    assert await rows(bot, InboundEvent) == []
    assert await rows(bot, OutboxAction) == []
    assert fake.calls_to("DELETE", "/messages/") == []


async def test_malformed_and_unknown_webhooks(wa_settings, start_bot, fake) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot(wa_settings())
    await wait_ready(bot)
    assert await fake.deliver({}, raw=b"{not json") == 400
    broken = fake.envelope("message", {"id": "x"})  # no chat, no timestamp
    assert await fake.deliver(broken) == 400
    assert await fake.deliver(fake.envelope("presence.update", {"id": GROUP})) == 200
    async with aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{bot.port}/webhooks/whatsapp"
        body = b'{"event": "message"}'
        from adapters.whatsapp.signature import sign

        headers = {"X-Webhook-Hmac": sign(body, fake.hmac_key)}
        async with http.post(url, data=body, headers=headers) as response:
            assert response.status == 400
            assert "session" in (await response.json())["error"]
    await settled(bot, fake)
    assert await rows(bot, InboundEvent) == []


async def test_a_gateway_outage_delays_actions_and_loses_none(
    wa_settings, start_bot, fake
) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot(wa_settings())
    await wait_ready(bot)
    await fake.go_down()
    message_id = await fake.post(GROUP, BETO, "eres un pendejo, por tu culpa no hay agua")

    async def waiting() -> list[tuple[str, str, str, str | None]]:
        actions = await rows(bot, OutboxAction)
        return [(a.lane, a.kind, a.status, a.result) for a in actions]

    async def all_waiting() -> bool:
        # The delete waits at the head of the group's lane, the warning behind it; the private
        # warning waits in Beto's own lane, with the note on how to report the water again.
        return await waiting() == [
            (f"whatsapp:{GROUP}", "delete", "pending", "rate_limited"),
            (f"whatsapp:{GROUP}", "send", "pending", None),
            (f"whatsapp:{BETO.id}", "send", "pending", "rate_limited"),
            (f"whatsapp:{BETO.id}", "send", "pending", None),
        ]

    await eventually(all_waiting)
    assert deleted_ids(fake) == []

    async def not_ready() -> bool:
        status, body = await readyz(bot)
        return status == 503 and body["adapters"]["whatsapp"]["status"] == "unreachable"

    await eventually(not_ready)
    await fake.come_back()

    async def delivered() -> bool:
        actions = await rows(bot, OutboxAction)
        return len(actions) == 4 and all(a.status == "done" for a in actions)

    await eventually(delivered)
    assert deleted_ids(fake) == [message_id]
    assert [w["text"][:8] for w in sent_to(fake, GROUP)] == ["⚠️ Beto:"]
    assert [w["text"][:11] for w in sent_to(fake, BETO.id)] == ["Hola, Beto.", "Tu mensaje "]
    (case,) = await rows(bot, ModerationCase)
    assert (case.status, case.message_id) == ("applied", message_id)

    async def recorded() -> bool:
        statuses = [
            a.detail["status"] for a in await rows(bot, AuditEntry) if a.action == "channel_status"
        ]
        return statuses[-2:] == ["UNREACHABLE", "WORKING"]

    await eventually(recorded)  # the outage is in the audit log


async def test_actions_wait_while_the_session_is_not_working(wa_settings, start_bot, fake) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot(wa_settings())
    await wait_ready(bot)
    await fake.set_status("SCAN_QR_CODE")
    await settled(bot, fake)
    assert bot.adapters.get("whatsapp").health().status == "scan_qr_code"
    await fake.post(GROUP, BETO, "eres una rata")

    async def in_group() -> list[OutboxAction]:  # (the administrators' alert goes elsewhere)
        return [a for a in await rows(bot, OutboxAction) if a.lane == f"whatsapp:{GROUP}"]

    async def retried() -> bool:  # several rounds while the session needs its QR code
        actions = await in_group()
        return [(a.kind, a.status, a.result) for a in actions] == [
            ("delete", "pending", "rate_limited"),
            ("send", "pending", None),
        ] and actions[0].attempts >= 3

    await eventually(retried)
    assert deleted_ids(fake) == []
    assert fake.sent == []
    assert (await readyz(bot))[0] == 503
    await fake.set_status("WORKING")

    async def delivered() -> bool:
        lanes = (f"whatsapp:{GROUP}", f"whatsapp:{BETO.id}")
        moderation = [a for a in await rows(bot, OutboxAction) if a.lane in lanes]
        return len(moderation) == 3 and all(a.status == "done" for a in moderation)

    await eventually(delivered)
    assert len(deleted_ids(fake)) == 1
    assert len(sent_to(fake, BETO.id)) == 1
    statuses = [
        a.detail["status"] for a in await rows(bot, AuditEntry) if a.action == "channel_status"
    ]
    assert statuses[-2:] == ["SCAN_QR_CODE", "WORKING"]


async def test_voice_notes_and_images_are_normalised_with_their_media(
    wa_settings, start_bot, fake
) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot(wa_settings())
    await wait_ready(bot)
    await fake.post(GROUP, CARLA, "", kind="voice", seconds=12)
    await fake.post(GROUP, BETO, "Así quedó la fuga", kind="image", forwarding_score=6)
    await fake.post(GROUP, BETO, "", kind="voice", media="expired", engine="NOWEB")
    await settled(bot, fake)
    posted = [e.payload for e in await rows(bot, InboundEvent) if e.kind == "message.posted"]
    voice, image, expired = (p["facts"] for p in posted)
    assert voice["attachments"][0]["kind"] == "voice"
    assert voice["attachments"][0]["duration_s"] == 12
    assert voice["attachments"][0]["mime_type"] == "audio/ogg; codecs=opus"
    assert posted[1]["text"] == "Así quedó la fuga"
    assert image["attachments"][0]["kind"] == "image"
    assert image["attachments"][0]["size"] == 48213
    assert (image["forwarded"], image["forwarded_many"]) == (True, True)
    # The adapter can fetch fresh media with the API key; an expired file is reported gone.
    adapter = bot.adapters.get("whatsapp")
    from cassbot.events import Attachment

    fresh = Attachment.model_validate(voice["attachments"][0])
    gone = Attachment.model_validate(expired["attachments"][0])
    assert await adapter.download_media(fresh) == b"fake-voice"
    assert await adapter.download_media(gone) is None
    # Carla's @lid was mapped to her phone (from the roster) and her identity carries it.
    identities = {i.user_id: i for i in await rows(bot, Identity)}
    assert identities[CARLA.id].phone == "+527613333333"


async def test_reconcile_finds_who_joined_while_down_and_removes_the_banned(
    db_url, wa_settings, start_bot, fake
) -> None:  # type: ignore[no-untyped-def]
    settings = wa_settings(db_url)
    first = await start_bot(settings)
    await wait_ready(first)
    async with first.db.transaction() as session:  # Beto was banned earlier
        beto = (
            await session.execute(select(Identity).where(Identity.user_id == BETO.id))
        ).scalar_one()
        session.add(CommunityBan(community_id="canalejas", person_id=beto.person_id, reason="x"))
    await first.stop()
    # While cassbot is down: Beto is removed and comes back, Dora joins, Carla leaves.
    dora = Participant("555555555555555@lid", pn="5217615555555@c.us", name="Dora")
    fake.add_participant(GROUP, dora)
    del fake.groups[GROUP].participants[CARLA.id]
    removals_before = len(fake.calls_to("POST", "/participants/remove"))

    second = await start_bot(settings)

    async def reconciled() -> bool:
        return len(fake.calls_to("POST", "/participants/remove")) > removals_before

    await eventually(reconciled)
    await settled(second, fake)
    removal = fake.calls_to("POST", "/participants/remove")[-1]
    assert removal.body == {"participants": [{"id": BETO.id}]}
    async with second.db.read() as session:
        found = (
            await session.execute(
                select(Identity.user_id, Membership.status, Membership.source)
                .join(Membership, Membership.identity_id == Identity.id)
                .join(Group, Group.id == Membership.group_id)
                .where(Group.chat_id == GROUP)
            )
        ).all()
        states = {user: (status, source) for user, status, source in found}
        dora_identity = (
            await session.execute(select(Identity).where(Identity.user_id == dora.id))
        ).scalar_one()
    assert states[dora.id] == ("active", "reconcile")
    assert dora_identity.phone == "+527615555555"
    assert states[CARLA.id][0] == "left"
    assert states[BETO.id][0] in ("left", "removed")  # the fake's leave webhook came back
    actions = [a.action for a in await rows(second, AuditEntry)]
    assert {"ban_enforced", "member_joined", "member_left"} <= set(actions)
    # A second pass finds nothing new to do.
    report = (await Reconciler(second).run(channel="whatsapp"))[0]
    assert (report.joined, report.left, report.bans_enforced) == (0, 0, 0)
    assert report.bot_is_admin is True


async def test_without_admin_rights_officials_are_told_once(
    db_url, wa_settings, start_bot, fake
) -> None:  # type: ignore[no-untyped-def]
    fake.set_bot_role(GROUP, "participant")
    bot = await start_bot(wa_settings(db_url))
    await wait_ready(bot)
    for insult in INSULTS[:2]:
        await fake.post(GROUP, BETO, insult)
        await settled(bot, fake)
    actions = await rows(bot, OutboxAction)
    deletes = [a for a in actions if a.kind == "delete"]
    assert [(a.status, a.result) for a in deletes] == [("failed", "forbidden")] * 2
    assert deleted_ids(fake) == []  # the adapter knew; WhatsApp not bothered
    notices = sent_to(fake, ODAPAS_DM)
    assert len(notices) == 1
    assert "no es administrador" in notices[0]["text"]
    assert "CASS Canalejas WA" in notices[0]["text"]
    assert "+527610000001" in notices[0]["text"]  # the bot's number, to make it admin
    # Warnings still reach the group and Beto: sending needs no admin rights.
    assert len(sent_to(fake, GROUP)) == 2
    assert len(sent_to(fake, BETO.id)) == 2
    assert all(e.status == "processed" for e in await rows(bot, InboundEvent))

    # Made admin (the promote webhook): Carla's insult is deleted now.
    fake.set_bot_role(GROUP, "admin")
    bot_user = Participant(fake.me["lid"], pn=fake.me["id"], role="admin")
    await fake.emit(
        "group.v2.participants", fake.participants_payload(GROUP, "promote", [bot_user])
    )
    await settled(bot, fake)
    carla_says = await fake.post(GROUP, CARLA, "eres un idiota")
    await settled(bot, fake)
    assert deleted_ids(fake) == [carla_says]
    # Beto's third offence removes him, now that the bot can.
    await fake.post(GROUP, BETO, INSULTS[2])
    await settled(bot, fake)
    assert removed_from(fake) == [(GROUP, BETO.id)]
    await Reconciler(bot).run(channel="whatsapp")  # sees the rights: the lapse is closed
    fake.set_bot_role(GROUP, "participant")  # demoted again: a new lapse, a new single notice
    await Reconciler(bot).run(channel="whatsapp")
    await settled(bot, fake)
    assert len(sent_to(fake, ODAPAS_DM)) == 2


async def test_someone_whatsapp_will_not_let_us_add_gets_the_invite_link(
    wa_settings, start_bot, fake
) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot(wa_settings())
    await wait_ready(bot)
    elena = UserRef(channel="whatsapp", user_id="5217619999999@c.us", display_name="Elena")
    fake.groups[GROUP].refuse_add.add(elena.user_id)
    async with bot.db.transaction() as session:
        await bot.outbox.enqueue(
            session,
            AddMember(chat=ChatRef(channel="whatsapp", chat_id=GROUP), user=elena),
            key="test:readmit-elena",
            purpose="readmit",
        )
    bot.outbox.wake()

    async def invited() -> bool:
        return any(b["chatId"] == elena.user_id for b in fake.sent)

    await eventually(invited)
    await settled(bot, fake)
    (message,) = [b for b in fake.sent if b["chatId"] == elena.user_id]
    assert message["text"].startswith("Hola, Elena.")
    assert f"https://chat.whatsapp.com/{fake.groups[GROUP].invite_code}" in message["text"]
    assert "CASS Canalejas WA" in message["text"]
    actions = [(a.kind, a.status, a.result) for a in await rows(bot, OutboxAction)]
    assert actions == [
        ("add", "failed", "forbidden"),
        ("invite_link", "done", "ok"),
        ("send", "done", "ok"),
    ]
    assert elena.user_id not in fake.groups[GROUP].participants


async def test_an_official_behind_a_privacy_id_is_recognised_by_phone(
    wa_settings, start_bot, fake
) -> None:  # type: ignore[no-untyped-def]
    # The ODAPAS director is in the group as a plain member known only by her @lid id;
    # the roster maps it to her configured number, so she is exempt as an official.
    fake.groups[GROUP].participants[DIRECTORA.id].role = "participant"
    bot = await start_bot(wa_settings())
    await wait_ready(bot)
    await fake.post(GROUP, DIRECTORA, "Al que tire basura en el río le digo: eres un pendejo")
    await fake.post(GROUP, BETO, "eres un pendejo")
    await settled(bot, fake)
    deletes = deleted_ids(fake)
    assert len(deletes) == 1
    assert deletes[0].endswith("_" + BETO.id)
    cases = await rows(bot, ModerationCase)
    identities = {i.id: i for i in await rows(bot, Identity)}
    assert [identities[c.subject_identity_id].user_id for c in cases] == [BETO.id]
    assert identities[cases[0].subject_identity_id].phone == "+527612222222"
    director = next(i for i in identities.values() if i.user_id == DIRECTORA.id)
    assert director.phone == "+527610000003"


async def test_administrators_hear_once_when_the_session_needs_a_person(
    wa_settings, start_bot, fake
) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot(wa_settings())
    await wait_ready(bot)

    async def alerts() -> list[OutboxAction]:
        return [a for a in await rows(bot, OutboxAction) if a.purpose == "whatsapp_session_alert"]

    await fake.set_status("SCAN_QR_CODE")
    await fake.set_status("SCAN_QR_CODE")  # said again: no second alert
    await settled(bot, fake)
    (alert,) = await alerts()
    # "Gobierno Digital" runs the bot; it is reached in the playground, not through WhatsApp.
    assert alert.channel == "local"
    assert alert.payload["chat"]["chat_id"] == "dm-oficial-gd"
    assert "SCAN_QR_CODE" in alert.payload["text"]
    assert "código QR" in alert.payload["text"]
    await fake.set_status("WORKING")
    await fake.set_status("FAILED")  # a new lapse
    await settled(bot, fake)
    assert len(await alerts()) == 2
    assert all(a.channel != "whatsapp" for a in await alerts())


async def test_a_session_already_broken_at_start_is_reported(wa_settings, start_bot, fake) -> None:  # type: ignore[no-untyped-def]
    fake.sessions[fake.session] = "SCAN_QR_CODE"
    bot = await start_bot(wa_settings())

    async def alerted() -> bool:
        return any(a.purpose == "whatsapp_session_alert" for a in await rows(bot, OutboxAction))

    await eventually(alerted)
    status, body = await readyz(bot)
    assert status == 503
    assert body["adapters"]["whatsapp"]["status"] == "scan_qr_code"
