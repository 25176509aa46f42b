"""Registration on WhatsApp end to end: a neighbour registers on /registro, Gobierno Digital
approves in the panel, and the fake WAHA records the person being added to the community's
group (or, when WhatsApp refuses the add, the group's invite link sent to them privately) and
the officials being told in their private chats; officials in a group they cover are made
admins when the roster finds them without admin rights."""

from __future__ import annotations

import aiohttp
from sqlalchemy import select

from cassbot.app import CassBot
from cassbot.storage.models import (
    Admission,
    AuditEntry,
    Identity,
    InboundEvent,
    Membership,
    OutboxAction,
    Person,
    RegistrationRequest,
)
from tests.conftest import BASE_CONFIG
from tests.registration.conftest import Browserless, add_panel_user, csrf_of
from tests.whatsapp.conftest import (
    ANA,
    DIRECTORA,
    GROUP,
    OTHER_GROUP,
    rows,
    settled,
    wait_ready,
    whatsapp_config,
)
from tests.whatsapp.fake_waha import FakeWaha, Participant

LUPITA = Participant("5217615550101@c.us", name="Lupita")  # as WhatsApp shows her on joining
LUPITA_WA = "527615550101@c.us"  # the id cassbot derives from the number she registered
ODAPAS_DM = "527610000003@c.us"  # the ODAPAS director's private chat (BASE_CONFIG officials)


async def register_and_approve(bot: CassBot) -> str:
    """Lupita fills /registro; Gobierno Digital approves her request in the panel."""
    base = f"http://127.0.0.1:{bot.port}"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        neighbour = Browserless(base, http)
        token = await neighbour.token("/registro")
        status, html, _ = await neighbour.post(
            "/registro",
            {
                "csrf": token,
                "nombre": "Lupita Martínez",
                "telefono": "761 555 0101",
                "comunidad": "canalejas",
                "mensaje": "Vivo en la calle Hidalgo, junto a la tienda",
                "acepto": "si",
            },
        )
        assert status == 200, html
    async with bot.db.read() as session:
        folio = (await session.execute(select(RegistrationRequest.folio))).scalar_one()
    assert folio in html
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        official = Browserless(base, http)
        await official.login("gd")
        status, html, _ = await official.get(f"/panel/registros/{folio}")
        assert status == 200
        assert "+527615550101" in html
        status, _, response = await official.post(
            f"/panel/registros/{folio}/aprobar", {"csrf": csrf_of(html)}
        )
        assert status == 303
        assert response.headers["Location"].endswith("hecho=approved")
    return folio


async def whatsapp_admission(bot: CassBot) -> Admission:
    (admission,) = [a for a in await rows(bot, Admission) if a.channel == "whatsapp"]
    return admission


def officials_told(fake: FakeWaha, folio: str) -> list[str]:
    return [b["text"] for b in fake.sent if b["chatId"] == ODAPAS_DM and folio in b["text"]]


async def test_an_approved_neighbour_is_added_and_the_officials_told(
    db_url, wa_settings, start_bot, fake
) -> None:  # type: ignore[no-untyped-def]
    bot = await start_bot(wa_settings(db_url))
    await wait_ready(bot)
    folio = await register_and_approve(bot)
    await settled(bot, fake)
    # The gateway was asked to add her @c.us id to the community's WhatsApp group (only).
    adds = fake.calls_to("POST", "/participants/add")
    assert [(c.path, c.body) for c in adds] == [
        (
            f"/api/{fake.session}/groups/{GROUP}/participants/add",
            {"participants": [{"id": LUPITA_WA}]},
        )
    ]
    assert LUPITA_WA in fake.groups[GROUP].participants
    # The officials heard of it privately: the ODAPAS director on WhatsApp, Gobierno Digital
    # where it is reached (the playground).
    (notice,) = officials_told(fake, folio)
    assert notice.startswith("✅ Gobierno Digital aprobó el registro")
    assert "Lupita Martínez" in notice
    assert "CASS Canalejas WA (WhatsApp): el bot lo agrega al grupo" in notice
    told = [a for a in await rows(bot, OutboxAction) if a.purpose == "registration_approved"]
    assert sorted(a.lane for a in told) == [
        "local:dm-oficial-gd",
        "local:dm-oficial-odapas",
        f"whatsapp:{ODAPAS_DM}",
    ]
    assert all(a.status == "done" for a in told)
    # She was welcomed privately; the join the fake reported back closed her admission.
    (welcome,) = [b for b in fake.sent if b["chatId"] == LUPITA_WA]
    assert welcome["text"].startswith("¡Bienvenido(a) a CASS Canalejas WA!")
    assert folio in welcome["text"]
    admission = await whatsapp_admission(bot)
    assert (admission.method, admission.status, admission.user_id) == ("add", "joined", LUPITA_WA)
    identity = next(i for i in await rows(bot, Identity) if i.user_id == LUPITA_WA)
    person = next(p for p in await rows(bot, Person) if p.id == identity.person_id)
    assert person.phone == "+527615550101"
    (membership,) = [m for m in await rows(bot, Membership) if m.identity_id == identity.id]
    assert membership.status == "active"
    # The join webhook raced the add's result without an error or a retry.
    events = await rows(bot, InboundEvent)
    assert "member.joined" in {e.kind for e in events}
    assert {(e.status, e.attempts, e.error) for e in events} == {("processed", 1, None)}
    # An approved newcomer is not reported as someone who joined without registering.
    assert [a for a in await rows(bot, OutboxAction) if a.purpose == "member_unapproved"] == []
    request = (await rows(bot, RegistrationRequest))[0]
    assert (request.status, request.decided_by) == ("approved", "Gobierno Digital")


async def test_when_whatsapp_refuses_the_add_the_neighbour_gets_the_invite_link(
    wa_settings, start_bot, fake
) -> None:  # type: ignore[no-untyped-def]
    fake.groups[GROUP].refuse_add.add(LUPITA_WA)  # her privacy settings: contacts only
    bot = await start_bot(wa_settings())
    await wait_ready(bot)
    folio = await register_and_approve(bot)
    await settled(bot, fake)
    assert len(fake.calls_to("POST", f"/groups/{GROUP}/participants/add")) == 1
    assert LUPITA_WA not in fake.groups[GROUP].participants
    assert len(officials_told(fake, folio)) == 1
    # One private message with the group's invite link, saying why she was not added.
    link = f"https://chat.whatsapp.com/{fake.groups[GROUP].invite_code}"
    (invite,) = [b for b in fake.sent if b["chatId"] == LUPITA_WA]
    assert link in invite["text"]
    assert folio in invite["text"]
    assert "CASS Canalejas WA" in invite["text"]
    assert "privacidad" in invite["text"]
    assert "un solo uso" not in invite["text"]  # a WhatsApp group link is not personal
    admission = await whatsapp_admission(bot)
    assert (admission.method, admission.status, admission.invite_link) == (
        "invite",
        "invite_sent",
        link,
    )
    assert "forbidden" in admission.detail
    audit = {a.action for a in await rows(bot, AuditEntry)}
    assert {"admission_add_failed", "invite_link_created"} <= audit

    # She joins through the link (WhatsApp shows her by her 521… id): the admission closes
    # and nobody is told of an unregistered member.
    await fake.join(GROUP, LUPITA)
    await settled(bot, fake)
    assert (await whatsapp_admission(bot)).status == "joined"
    assert [a for a in await rows(bot, OutboxAction) if a.purpose == "member_unapproved"] == []


async def test_an_official_without_admin_rights_is_promoted_when_the_roster_sees_her(
    make_settings, start_bot, fake
) -> None:  # type: ignore[no-untyped-def]
    # The ODAPAS director (all communities) is a plain member behind a privacy id; an
    # official of Coscomate only is in Canalejas' group too, as a neighbour would be.
    fake.groups[GROUP].participants[DIRECTORA.id].role = "participant"
    enlace = Participant("666666666666666@lid", pn="5217616666666@c.us", name="Enlace")
    fake.add_participant(GROUP, enlace)
    config = whatsapp_config(fake)
    config["officials"] = [
        *BASE_CONFIG["officials"],
        {
            "name": "Enlace de Seguridad en Coscomate",
            "department": "seguridad",
            "role": "enlace",
            "communities": ["coscomate"],
            "whatsapp": "+527616666666",
        },
    ]
    bot = await start_bot(make_settings(config))
    await wait_ready(bot)
    await bot.scheduler.run_due()  # waits for the start-up pass (reconcile, roster check)
    await settled(bot, fake)
    promotions = fake.calls_to("POST", "/admin/promote")
    assert [(c.path, c.body) for c in promotions] == [
        (
            f"/api/{fake.session}/groups/{GROUP}/admin/promote",
            {"participants": [{"id": DIRECTORA.id}]},
        )
    ]
    assert fake.groups[GROUP].participants[DIRECTORA.id].role == "admin"
    assert fake.groups[GROUP].participants[enlace.id].role == "participant"
    assert fake.groups[GROUP].participants[ANA.id].role == "participant"
    assert fake.groups[OTHER_GROUP].participants.keys() == {fake.me["lid"]}
    director = next(i for i in await rows(bot, Identity) if i.user_id == DIRECTORA.id)
    (membership,) = [m for m in await rows(bot, Membership) if m.identity_id == director.id]
    assert membership.platform_admin is True
    assert "official_admin_planned" in {a.action for a in await rows(bot, AuditEntry)}
    # Once an admin, she is not promoted again.
    await fake.post(GROUP, DIRECTORA, "Mañana a las 9 pasa la pipa por la calle Hidalgo")
    await settled(bot, fake)
    assert len(fake.calls_to("POST", "/admin/promote")) == 1
