"""Complaints, suggestions and appeals: by private chat and on the web, with folios and the
24-hour clock; an appeal is decided by another official than the one who expelled (panel and
CLI), and an upheld appeal lifts the ban and readmits the person."""

from __future__ import annotations

from sqlalchemy import select

from cassbot import texts
from cassbot.events import ChatRef, MessagePosted, MessageRef, UserRef
from cassbot.registration.access import shown
from cassbot.storage.models import (
    Appeal,
    AuditEntry,
    CommunityBan,
    FeedbackItem,
    OutboxAction,
    Person,
    PlaygroundEntry,
)
from tests.helpers import settle
from tests.registration.conftest import add_panel_user, code_of, csrf_of

LUPITA = UserRef(channel="local", user_id="vecina-lupita", display_name="Lupita Martínez")
_n = iter(range(1, 10_000))


def private(user: UserRef, text: str) -> MessagePosted:
    from datetime import UTC, datetime

    chat = ChatRef(channel="local", chat_id=f"dm-{user.user_id}", private=True)
    n = next(_n)
    return MessagePosted(
        dedupe_key=f"local:t:dm:{n}",
        chat=chat,
        actor=user,
        occurred_at=datetime(2026, 12, 4, 12, 0, tzinfo=UTC),
        message=MessageRef(chat=chat, message_id=f"d{n}"),
        text=text,
    )


async def said(bot, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    await bot.ingress.submit(private(LUPITA, text))
    await settle(bot)
    async with bot.db.read() as session:
        rows = (
            (
                await session.execute(
                    select(PlaygroundEntry)
                    .where(
                        PlaygroundEntry.chat_id == "dm-vecina-lupita",
                        PlaygroundEntry.author_id == "cassbot",
                    )
                    .order_by(PlaygroundEntry.seq)
                )
            )
            .scalars()
            .all()
        )
    return [r.text for r in rows]


async def ban_lupita(bot, banned_by: str = "Gobierno Digital") -> int:  # type: ignore[no-untyped-def]
    async with bot.db.transaction() as session:
        person = (
            await session.execute(select(Person).where(Person.phone == "+527615550101"))
        ).scalar_one_or_none()
        if person is None:
            person = Person(display_name="Lupita Martínez", phone="+527615550101")
            session.add(person)
            await session.flush()
        ban = CommunityBan(
            community_id="canalejas",
            person_id=person.id,
            reason="insultos (regla 2), tercera advertencia",
            banned_by=banned_by,
        )
        session.add(ban)
        await session.flush()
        return ban.id


async def test_complaints_by_private_chat_get_a_folio_and_an_answer(
    reg_settings, make_bot, client
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings())
    replies = await said(bot, "/queja")
    assert "/queja seguido de tu mensaje" in replies[-1]
    replies = await said(bot, "/queja Nadie atendió mi reporte de la fuga")
    item = (await _all(bot, FeedbackItem))[0]
    assert item.folio.startswith("QUE-")
    assert item.folio in replies[-1]
    assert shown(item.access_code) in replies[-1]  # for the status page, in her private chat
    assert (item.kind, item.source, item.channel, item.user_id) == (
        "queja",
        "chat",
        "local",
        "vecina-lupita",
    )
    await said(bot, "/sugerencia Publiquen los horarios de la pipa")
    assert {i.kind for i in await _all(bot, FeedbackItem)} == {"queja", "sugerencia"}
    # Gobierno Digital answers in the panel; the answer goes back to the private chat.
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    gd = client(bot)
    await gd.login("gd")
    status, html, _ = await gd.get(f"/panel/quejas/{item.folio}")
    assert status == 200
    assert "Nadie atendió mi reporte" in html
    status, _, _ = await gd.post(
        f"/panel/quejas/{item.folio}/responder",
        {"csrf": csrf_of(html), "respuesta": "Ya va la cuadrilla."},
    )
    assert status == 303
    await settle(bot)
    replies = await said(bot, "/ayuda")
    assert any("Ya va la cuadrilla." in r and item.folio in r for r in replies)


async def test_the_contact_form_and_its_status_page(reg_settings, make_bot, client) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings())
    person = client(bot)
    token = await person.token("/contacto")
    status, html, _ = await person.post(
        "/contacto",
        {
            "csrf": token,
            "tipo": "sugerencia",
            "nombre": "Ana Pérez López",
            "telefono": "761 123 4567",
            "comunidad": "",
            "mensaje": "Más luminarias",
            "acepto": "si",
        },
    )
    assert status == 200
    item = (await _all(bot, FeedbackItem))[0]
    folio = item.folio
    assert folio.startswith("SUG-")
    assert folio in html
    code = code_of(html)
    assert code.replace("-", "") == item.access_code
    status, html, _ = await person.post(
        "/registro/estado", {"csrf": token, "folio": folio, "clave": code.lower()}
    )
    assert status == 200
    assert texts.REG_STATUS["open"] in html
    # The phone number, visible to everyone in a group, opens nothing any more.
    status, html, _ = await person.post(
        "/registro/estado", {"csrf": token, "folio": folio, "telefono": "7611234567"}
    )
    assert status == 400
    assert texts.REG_ERR_CODE_MISSING in html
    wrong = "ABCD-EFGH" if code != "ABCD-EFGH" else "HGFE-DCBA"
    status, html, _ = await person.post(
        "/registro/estado", {"csrf": token, "folio": folio, "clave": wrong}
    )
    assert status == 404  # the folio alone reveals nothing
    assert texts.STATUS_NOT_FOUND in html
    assert "Más luminarias" not in html
    assert wrong not in html  # a wrong code is not shown back


async def test_an_appeal_is_decided_by_another_official_and_readmits(
    reg_settings, make_bot, client
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings())
    replies = await said(bot, "/apelar Perdón, no volverá a pasar")
    assert replies[-1] == texts.APPEAL_NO_BAN
    ban_id = await ban_lupita(bot, banned_by="Gobierno Digital")
    # Lupita's chat identity gets her phone: the same person as the banned one.
    async with bot.db.transaction() as session:
        from cassbot.people import identity_for

        await identity_for(session, LUPITA.model_copy(update={"phone": "+527615550101"}))
    replies = await said(bot, "/apelar Perdón, no volverá a pasar")
    appeal = (await _all(bot, Appeal))[0]
    assert appeal.folio in replies[-1]
    assert shown(appeal.access_code) in replies[-1]  # the private reply carries the code
    assert appeal.ban_id == ban_id
    again = await said(bot, "/apelar otra vez")
    assert texts.APPEAL_DUPLICATE.format(folio=appeal.folio) in again[-1]
    # Routed to Gobierno Digital's other official, not to the one who expelled her.
    routed = await _all(bot, OutboxAction, OutboxAction.purpose == "appeal_new")
    assert [r.lane for r in routed] == ["local:dm-oficial-analista"]
    # In the panel, the expelling official cannot decide it…
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    await add_panel_user(bot, "analista", "gobierno_digital", "Analista de Gobierno Digital")
    same = client(bot)
    await same.login("gd")
    status, html, _ = await same.get(f"/panel/apelaciones/{appeal.folio}")
    assert 'data-testid="propia"' in html
    assert "/resolver" not in html
    status, html, _ = await same.post(
        f"/panel/apelaciones/{appeal.folio}/resolver",
        {"csrf": csrf_of(html), "decision": "procede", "motivo": ""},
    )
    assert status == 409
    assert "otro funcionario" in html
    assert (await _all(bot, Appeal))[0].status == "pending"
    # …another one can: the ban is lifted and Lupita is added back to the group.
    other = client(bot)
    await other.login("analista")
    _, html, _ = await other.get(f"/panel/apelaciones/{appeal.folio}")
    status, _, _response = await other.post(
        f"/panel/apelaciones/{appeal.folio}/resolver",
        {"csrf": csrf_of(html), "decision": "procede", "motivo": ""},
    )
    assert status == 303
    await settle(bot)
    decided = (await _all(bot, Appeal))[0]
    assert (decided.status, decided.decided_by) == ("upheld", "Analista de Gobierno Digital")
    ban = (await _all(bot, CommunityBan))[0]
    assert ban.lifted_by == "Analista de Gobierno Digital"
    added = await _all(bot, PlaygroundEntry, PlaygroundEntry.kind == "added")
    assert [(a.chat_id, a.author_id) for a in added] == [("canalejas", "vecina-lupita")]
    replies = await said(bot, "/ayuda")
    assert any(appeal.folio in r and "procede" in r for r in replies)
    actions = [a.action for a in await _all(bot, AuditEntry)]
    assert "appeal_upheld" in actions
    assert "ban_lifted" in actions


async def _all(bot, model, *where):  # type: ignore[no-untyped-def]
    async with bot.db.read() as session:
        return list((await session.execute(select(model).where(*where))).scalars())
