"""A folio is guessable and a phone number is public in a group: neither opens anything.

Each request, complaint and appeal gets a random access code when filed; only folio + code
shows a status page, answers Gobierno Digital's question, or reveals an invite link. The form
never tells whoever types a number the folio of someone else's open request; the number's
owner is reminded privately instead.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, select, text

from cassbot import texts
from cassbot.clock import ManualClock
from cassbot.registration.access import ALPHABET, LENGTH, clean_code, code_matches, new_code, shown
from cassbot.registration.common import Actor
from cassbot.registration.requests import ask_info, by_folio
from cassbot.storage.db import Database
from cassbot.storage.migrate import head_revisions, upgrade
from cassbot.storage.models import OutboxAction, RegistrationRequest
from cassbot.storage.types import UTCDateTime
from tests.helpers import settle
from tests.registration.conftest import add_panel_user, code_of

FOLIO = re.compile(r"REG-\d{4}-\d{6}")
LUPITA = {
    "nombre": "Lupita Martínez",
    "telefono": "761 555 0101",  # the playground persona vecina-lupita has this number
    "comunidad": "canalejas",
    "mensaje": "Vivo en la calle Hidalgo",
    "acepto": "si",
}


def test_codes_are_random_unambiguous_and_compared_whole() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == LENGTH and set(c) <= set(ALPHABET) for c in codes)
    assert not set("0O1IL") & set(ALPHABET)  # nothing to misread
    code = next(iter(codes))
    assert clean_code(f" {shown(code).lower()} ") == code
    assert clean_code(code[:-1]) is None
    assert code_matches(code, code)
    assert not code_matches(code, code[:-1] + ("A" if code[-1] != "A" else "B"))
    assert not code_matches(None, code)  # a row without a code never opens


async def submit(person, form: dict[str, str]):  # type: ignore[no-untyped-def]
    token = await person.token("/registro")
    return await person.post("/registro", {"csrf": token, **form})


async def lookup(person, folio: str, **fields: str):  # type: ignore[no-untyped-def]
    token = await person.token("/registro/estado")
    return await person.post("/registro/estado", {"csrf": token, "folio": folio, **fields})


async def test_someone_elses_number_reveals_no_folio_and_opens_nothing(
    reg_settings, make_bot, client
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings())
    owner, stranger = client(bot), client(bot)
    status, html, _ = await submit(owner, LUPITA)
    assert status == 200
    [folio] = set(FOLIO.findall(html))
    code = code_of(html)
    async with bot.db.read() as session:
        stored = await by_folio(session, folio)
    assert stored is not None
    assert shown(stored.access_code) == code
    links = re.findall(r'href="([^"]*)"', html)
    assert not [link for link in links if code in link or code.replace("-", "") in link]

    # The stranger types Lupita's number (everyone in her group can see it).
    status, html, _ = await submit(stranger, {**LUPITA, "nombre": "Pedro Gómez López"})
    assert status == 409
    assert texts.REG_DUPLICATE in html
    assert FOLIO.findall(html) == []
    assert code not in html
    async with bot.db.read() as session:
        assert len((await session.execute(select(RegistrationRequest))).all()) == 1
    # Lupita herself is reminded, privately, of her folio and code.
    await settle(bot)
    async with bot.db.read() as session:
        reminders = (
            (
                await session.execute(
                    select(OutboxAction).where(OutboxAction.purpose == "registration_code")
                )
            )
            .scalars()
            .all()
        )
    assert [(r.lane, r.status) for r in reminders] == [("local:dm-vecina-lupita", "done")]
    assert folio in reminders[0].payload["text"]
    assert code in reminders[0].payload["text"]

    # A guessed folio with the number, or with a wrong code, shows nothing.
    status, html, _ = await lookup(stranger, folio, telefono="7615550101")
    assert status == 400
    assert texts.REG_ERR_CODE_MISSING in html
    wrong = "ABCD-EFGH" if code != "ABCD-EFGH" else "HGFE-DCBA"
    status, html, _ = await lookup(stranger, folio, clave=wrong)
    assert status == 404
    assert texts.STATUS_NOT_FOUND in html
    assert 'data-testid="estado"' not in html
    assert "Villa de Canalejas</dd>" not in html
    # …nor can it answer in her name.
    token = await stranger.token("/registro/estado")
    status, html, _ = await stranger.post(
        "/registro/estado/responder",
        {"csrf": token, "folio": folio, "clave": wrong, "respuesta": "Calle falsa 123"},
    )
    assert status == 404
    # The owner, with folio and code, sees her request.
    status, html, _ = await lookup(owner, folio, clave=code)
    assert status == 200
    assert texts.REG_STATUS["pending"] in html
    # Gobierno Digital sees the code in the panel, to give it to her by phone if she lost it.
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    official = client(bot)
    await official.login("gd")
    status, html, _ = await official.get(f"/panel/registros/{folio}")
    assert status == 200
    assert code_of(html) == code


async def test_the_question_and_the_answer_go_through_folio_and_code(
    reg_settings, make_bot, client
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings())
    owner, stranger = client(bot), client(bot)
    _, html, _ = await submit(owner, LUPITA)
    [folio] = set(FOLIO.findall(html))
    code = code_of(html)
    async with bot.db.transaction() as session:
        request = await by_folio(session, folio)
        assert request is not None
        await ask_info(
            bot, session, request, Actor("Gobierno Digital"), "¿Cuál es tu calle?", bot.clock.now()
        )
    await settle(bot)
    async with bot.db.read() as session:
        asked = (
            await session.execute(
                select(OutboxAction).where(OutboxAction.purpose == "registration_info")
            )
        ).scalar_one()
    assert folio in asked.payload["text"] and code in asked.payload["text"]
    assert asked.lane == "local:dm-vecina-lupita"
    # A stranger with the folio alone cannot answer; the owner can.
    token = await stranger.token("/registro/estado")
    status, _, _ = await stranger.post(
        "/registro/estado/responder",
        {"csrf": token, "folio": folio, "telefono": "7615550101", "respuesta": "Otra"},
    )
    assert status == 400
    status, html, _ = await lookup(owner, folio, clave=code)
    assert "¿Cuál es tu calle?" in html
    assert f'name="clave" value="{code}"' in html  # the answer form carries the code on
    token = await owner.token("/registro/estado")
    status, html, _ = await owner.post(
        "/registro/estado/responder",
        {"csrf": token, "folio": folio, "clave": code, "respuesta": "Hidalgo 12"},
    )
    assert status == 200
    async with bot.db.read() as session:
        row = await by_folio(session, folio)
    assert row is not None
    assert (row.status, row.info_answer) == ("pending", "Hidalgo 12")


async def test_lookups_stay_limited_per_address(reg_settings, make_bot, client) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    bot = await make_bot(reg_settings(registration={"status_lookups_per_ip": 3}), clock=clock)
    owner = client(bot)
    _, html, _ = await submit(owner, LUPITA)
    [folio] = set(FOLIO.findall(html))
    code = code_of(html)
    for guess in ("AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC"):
        status, _, _ = await lookup(owner, folio, clave=guess)
        assert status == 404
    status, html, _ = await lookup(owner, folio, clave=code)
    assert status == 429  # even the right code waits: guessing is capped per address
    assert texts.STATUS_RATE_LIMITED in html
    clock.advance(timedelta(hours=1, minutes=1))
    status, _, _ = await lookup(owner, folio, clave=code)
    assert status == 200


async def test_the_web_appeal_needs_the_registration_code(reg_settings, make_bot, client) -> None:  # type: ignore[no-untyped-def]
    from cassbot.registration.requests import approve
    from cassbot.storage.models import Appeal, CommunityBan, Person

    bot = await make_bot(reg_settings())
    owner, stranger = client(bot), client(bot)
    _, html, _ = await submit(owner, LUPITA)
    [folio] = set(FOLIO.findall(html))
    code = code_of(html)
    async with bot.db.transaction() as session:
        request = await by_folio(session, folio)
        assert request is not None
        await approve(bot, session, request, Actor("Gobierno Digital"), bot.clock.now())
        person = (await session.execute(select(Person))).scalar_one()
        session.add(
            CommunityBan(
                community_id="canalejas",
                person_id=person.id,
                reason="insultos (regla 2)",
                banned_by="Directora de ODAPAS",
            )
        )
    await settle(bot)
    appeal = {"mensaje": "Fue un error", "acepto": "si", "folio": folio}
    token = await stranger.token("/apelacion")
    status, html, _ = await stranger.post(
        "/apelacion", {"csrf": token, **appeal, "telefono": "7615550101"}
    )
    assert status == 400
    assert texts.REG_ERR_CODE_MISSING in html
    token = await stranger.token("/apelacion")
    status, html, _ = await stranger.post(
        "/apelacion", {"csrf": token, **appeal, "clave": "ABCD-EFGH"}
    )
    assert status == 404
    assert texts.APPEAL_NO_BAN_WEB in html
    token = await owner.token("/apelacion")
    status, html, _ = await owner.post("/apelacion", {"csrf": token, **appeal, "clave": code})
    assert status == 200
    async with bot.db.read() as session:
        [filed] = (await session.execute(select(Appeal))).scalars().all()
    assert filed.folio in html
    assert code_of(html) == shown(filed.access_code)
    assert code_of(html) != code  # the appeal has its own code
    status, html, _ = await lookup(owner, filed.folio, clave=code_of(html))
    assert status == 200


async def test_the_migration_gives_existing_rows_a_code(db_url: str) -> None:
    database = Database(db_url)
    try:
        await upgrade(database, "0002_registration")
        at = bindparam("at", datetime(2026, 1, 1, tzinfo=UTC), type_=UTCDateTime())
        async with database.transaction() as session:
            await session.execute(
                text(
                    "INSERT INTO communities (id, name, created_at) VALUES ('c', 'C', :at)"
                ).bindparams(at)
            )
            for n in (1, 2):
                await session.execute(
                    text(
                        "INSERT INTO registration_requests (folio, community_id, full_name, "
                        "phone, message, status, source, consent_at, terms_version, "
                        "created_at, due_at) VALUES (:folio, 'c', 'Ana', :phone, '', "
                        "'pending', 'web', :at, 'x', :at, :at)"
                    ).bindparams(at),
                    {"folio": f"REG-2026-00000{n}", "phone": f"+52761555010{n}"},
                )
        await upgrade(database)
        async with database.read() as session:
            codes = (
                (await session.execute(select(RegistrationRequest.access_code))).scalars().all()
            )
        assert len(codes) == 2
        assert all(c is not None and clean_code(c) == c for c in codes)
        assert codes[0] != codes[1]
        async with database.engine.connect() as connection:
            from alembic.runtime.migration import MigrationContext

            current = await connection.run_sync(
                lambda c: set(MigrationContext.configure(c).get_current_heads())
            )
        assert current == head_revisions()
    finally:
        await database.close()
