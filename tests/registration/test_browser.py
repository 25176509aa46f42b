"""End to end in headless Chromium: a neighbour registers, Gobierno Digital approves in the
panel, the person is added (or gets an invite link where the channel cannot add), the admins
and the mailbox are told; bad input, a missing form token and a burst store nothing; the
reminder goes out; an appeal is decided by an official other than the one who expelled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cassbot import texts
from cassbot.clock import ManualClock
from cassbot.registration.access import shown
from cassbot.registration.common import Actor
from cassbot.registration.requests import NewRequest, approve, submit_request
from cassbot.storage.models import (
    Appeal,
    CommunityBan,
    OutboxAction,
    Person,
    PlaygroundEntry,
    PlaygroundMember,
    RegistrationRequest,
)
from tests.helpers import eventually, settle
from tests.registration.conftest import (
    PASSWORD,
    NoAddLocal,
    add_panel_user,
    email_config,
    factories,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


async def count(bot, model) -> int:  # type: ignore[no-untyped-def]
    async with bot.db.read() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def fill_registration(
    page, *, name="Lupita Martínez", phone="761 555 0101", community="canalejas"
) -> None:  # type: ignore[no-untyped-def]
    await page.fill("#nombre", name)
    await page.fill("#telefono", phone)
    await page.select_option("#comunidad", community)
    await page.check("#acepto")


async def panel_login(browser, bot, username: str):  # type: ignore[no-untyped-def]
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"http://127.0.0.1:{bot.port}/panel")
    assert "/panel/entrar" in page.url  # no panel without login
    await page.fill("#usuario", username)
    await page.fill("#contrasena", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"http://127.0.0.1:{bot.port}/panel")
    return page


async def test_register_approve_in_the_panel_and_the_person_is_added(
    reg_settings, make_bot, browser, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    settings = reg_settings(
        adapters={"email": email_config(smtp_server)},
        registration={"mailbox": "registro@jilotepec.example"},
    )
    bot = await make_bot(settings)
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    base = f"http://127.0.0.1:{bot.port}"
    neighbour = await (await browser.new_context()).new_page()
    await neighbour.goto(f"{base}/registro")
    await fill_registration(neighbour)
    await neighbour.fill("#mensaje", "Vivo en la calle Hidalgo")
    await neighbour.click("button[type=submit]")
    folio = await neighbour.get_by_test_id("folio").inner_text()
    assert folio.startswith("REG-")
    code = await neighbour.get_by_test_id("clave").inner_text()

    async def mailbox_has(subject: str) -> bool:
        return any(str(m["Subject"]).startswith(subject) for m in smtp_server.messages)

    await eventually(lambda: mailbox_has(f"Nueva solicitud de registro {folio}"))
    # Gobierno Digital reviews it in the panel.
    official = await panel_login(browser, bot, "gd")
    assert await official.get_by_test_id("pendientes").inner_text() == "1"
    await official.click("nav >> text=Registros")
    await official.click(f"text={folio}")
    assert "Lupita Martínez" in await official.inner_text("main")
    assert "+527615550101" in await official.inner_text("main")
    await official.click("button:has-text('Aprobar')")
    await official.wait_for_selector(".notice[role=status]")
    assert "aprobada" in await official.inner_text(".notice[role=status]")
    await settle(bot)
    # The playground recorded the add; the admins were told; the mail went out.
    async with bot.db.read() as session:
        member = await session.get(PlaygroundMember, ("canalejas", "vecina-lupita"))
        told = (
            (
                await session.execute(
                    select(OutboxAction.lane).where(
                        OutboxAction.purpose == "registration_approved"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert member is not None
    assert member.status == "active"
    assert {"local:dm-oficial-odapas", "local:dm-oficial-gd", "email:gd@jilotepec.example"} <= set(
        told
    )
    await eventually(lambda: mailbox_has("Alta aprobada en Villa de Canalejas"))
    # The neighbour sees it on the status page.
    await neighbour.goto(f"{base}/registro/estado?folio={folio}")
    await neighbour.fill("#clave", code)
    await neighbour.click("button[type=submit]")
    assert await neighbour.get_by_test_id("estado").inner_text() == "Aprobada"
    assert "ya estás en el grupo" in await neighbour.get_by_test_id("admision").inner_text()


async def test_where_the_channel_cannot_add_the_status_page_shows_the_invite_link(
    reg_settings, make_bot, browser
) -> None:  # type: ignore[no-untyped-def]
    settings = reg_settings()
    bot = await make_bot(settings, adapter_factories=factories(settings, NoAddLocal))
    base = f"http://127.0.0.1:{bot.port}"
    page = await browser.new_page()
    await page.goto(f"{base}/registro")
    await fill_registration(page, name="Karla Ramírez", phone="761 555 0103")
    await page.click("button[type=submit]")
    folio = await page.get_by_test_id("folio").inner_text()
    code = await page.get_by_test_id("clave").inner_text()
    async with bot.db.transaction() as session:
        row = (await session.execute(select(RegistrationRequest))).scalar_one()
        await approve(bot, session, row, Actor("Gobierno Digital"), bot.clock.now())
    await settle(bot)
    await page.goto(f"{base}/registro/estado?folio={folio}")
    await page.fill("#clave", code)
    await page.click("button[type=submit]")
    link = await page.get_by_test_id("enlace").get_attribute("href")
    assert link is not None
    assert "invitacion=" in link
    async with bot.db.read() as session:
        added = (
            (await session.execute(select(PlaygroundEntry).where(PlaygroundEntry.kind == "added")))
            .scalars()
            .all()
        )
        dm = (
            (
                await session.execute(
                    select(OutboxAction).where(OutboxAction.purpose == "admission_invite_dm")
                )
            )
            .scalars()
            .all()
        )
    assert added == []  # nobody was added directly…
    assert [d.lane for d in dm] == ["local:dm-vecina-karla"]  # …the link went privately
    assert link in dm[0].payload["text"]


async def test_bad_phone_missing_token_and_a_burst_store_nothing(
    reg_settings, make_bot, browser
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings(registration={"submissions_per_ip": 3}))
    base = f"http://127.0.0.1:{bot.port}"
    page = await browser.new_page()
    await page.goto(f"{base}/registro")
    await fill_registration(page, phone="12345")
    await page.click("button[type=submit]")
    summary = page.locator("#resumen-errores")
    await summary.wait_for()
    assert texts.REG_ERR_PHONE in await summary.inner_text()
    assert await page.evaluate("document.activeElement.id") == "resumen-errores"
    assert await page.get_attribute("#telefono", "aria-invalid") == "true"
    assert "telefono-error" in (await page.get_attribute("#telefono", "aria-describedby") or "")
    assert await page.input_value("#telefono") == "12345"  # what was typed is kept
    assert (await page.title()).startswith("Error:")
    await summary.locator("a[href='#telefono']").click()
    assert await page.evaluate("document.activeElement.id") == "telefono"
    # A form that arrives without its token: a clear answer, nothing stored.
    await page.fill("#telefono", "761 123 4567")
    await page.evaluate("document.querySelector('input[name=csrf]').remove()")
    await page.click("button[type=submit]")
    assert texts.FORM_EXPIRED in await page.inner_text("#resumen-errores")
    assert await page.input_value("#nombre") == "Lupita Martínez"
    # The third attempt from this address is still answered; the fourth is refused.
    await page.click("button[type=submit]")
    assert await page.get_by_test_id("folio").count() == 1
    await page.goto(f"{base}/registro")
    await fill_registration(page, name="Beto Hernández", phone="761 555 0102")
    await page.click("button[type=submit]")
    message = await page.inner_text("#resumen-errores")
    assert "demasiadas solicitudes" in message
    assert await count(bot, RegistrationRequest) == 1  # only the one inside the limit


async def test_the_form_works_with_the_keyboard_alone(reg_settings, make_bot, browser) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings())
    page = await browser.new_page()
    await page.goto(f"http://127.0.0.1:{bot.port}/registro")
    visited: list[str] = []
    for _ in range(25):
        await page.keyboard.press("Tab")
        current = await page.evaluate(
            "document.activeElement.id || document.activeElement.tagName"
        )
        visited.append(current)
        if current == "nombre":
            await page.keyboard.type("Juan Pérez Soto")
        elif current == "telefono":
            await page.keyboard.type("761 555 0104")
        elif current == "comunidad":
            await page.keyboard.type("Villa")
        elif current == "acepto":
            await page.keyboard.press("Space")
        elif current == "BUTTON":
            await page.keyboard.press("Enter")
            break
    order = [v for v in visited if v in ("nombre", "telefono", "comunidad", "mensaje", "acepto")]
    assert order == ["nombre", "telefono", "comunidad", "mensaje", "acepto"]
    assert "sitio_web" not in visited  # the honeypot is out of the keyboard's way
    folio = await page.get_by_test_id("folio").inner_text()
    async with bot.db.read() as session:
        row = (await session.execute(select(RegistrationRequest))).scalar_one()
    assert (row.folio, row.community_id, row.phone) == (folio, "canalejas", "+527615550104")


async def test_a_request_left_pending_produces_the_reminder(
    reg_settings, make_bot, browser, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    settings = reg_settings(
        adapters={"email": email_config(smtp_server)},
        registration={"mailbox": "registro@jilotepec.example"},
    )
    bot = await make_bot(settings, clock=clock)
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    page = await browser.new_page()
    await page.goto(f"http://127.0.0.1:{bot.port}/registro")
    await fill_registration(page)
    await page.click("button[type=submit]")
    folio = await page.get_by_test_id("folio").inner_text()
    clock.advance(timedelta(hours=21))
    await bot.scheduler.run_due()
    await settle(bot)

    async def reminded() -> bool:
        return any(
            str(m["Subject"]).startswith(f"Recordatorio: {folio}")
            and m["To"] == "registro@jilotepec.example"
            for m in smtp_server.messages
        )

    await eventually(reminded)
    clock.advance(timedelta(hours=4))  # past the 24 hours: flagged in the panel
    official = await panel_login(browser, bot, "gd")
    await official.goto(f"http://127.0.0.1:{bot.port}/panel/registros")
    row = official.locator(f"tr[data-folio='{folio}']")
    assert await row.get_by_test_id("vencida").count() == 1


async def test_an_appeal_on_the_web_is_decided_by_another_official(
    reg_settings, make_bot, browser
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings())
    await add_panel_user(bot, "odapas", "gobierno_digital", "Directora de ODAPAS")
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    gd = Actor("Gobierno Digital")
    async with bot.db.transaction() as session:
        request = await submit_request(
            bot,
            session,
            NewRequest(
                full_name="Lupita Martínez", phone="+527615550101", community_id="canalejas"
            ),
            bot.clock.now(),
        )
        await approve(bot, session, request, gd, bot.clock.now())
        person = (await session.execute(select(Person))).scalar_one()
        session.add(
            CommunityBan(
                community_id="canalejas",
                person_id=person.id,
                reason="insultos (regla 2)",
                banned_by="Directora de ODAPAS",
            )
        )
        folio, code = request.folio, shown(request.access_code)
    await settle(bot)
    base = f"http://127.0.0.1:{bot.port}"
    page = await browser.new_page()
    await page.goto(f"{base}/apelacion")
    await page.fill("#folio", folio)
    await page.fill("#clave", code)
    await page.fill("#mensaje", "Me disculpo; no volverá a pasar.")
    await page.check("#acepto")
    await page.click("button[type=submit]")
    appeal_folio = await page.get_by_test_id("folio").inner_text()
    assert appeal_folio.startswith("APE-")
    appeal_code = await page.get_by_test_id("clave").inner_text()
    expeller = await panel_login(browser, bot, "odapas")
    await expeller.goto(f"{base}/panel/apelaciones/{appeal_folio}")
    assert await expeller.get_by_test_id("propia").count() == 1
    assert await expeller.locator("form[action$='/resolver']").count() == 0
    other = await panel_login(browser, bot, "gd")
    await other.goto(f"{base}/panel/apelaciones/{appeal_folio}")
    await other.check("#decision")
    await other.click("button:has-text('Resolver')")
    await other.wait_for_selector(".notice[role=status]")
    await settle(bot)
    async with bot.db.read() as session:
        appeal = (await session.execute(select(Appeal))).scalar_one()
        ban = (await session.execute(select(CommunityBan))).scalar_one()
        adds = (
            (await session.execute(select(OutboxAction).where(OutboxAction.kind == "add")))
            .scalars()
            .all()
        )
    assert (appeal.status, appeal.decided_by) == ("upheld", "Gobierno Digital")
    assert ban.lifted_by == "Gobierno Digital"
    assert len(adds) == 2  # the first admission and the readmission
    await page.goto(f"{base}/registro/estado?folio={appeal_folio}")
    await page.fill("#clave", appeal_code)
    await page.click("button[type=submit]")
    assert "Procede" in await page.get_by_test_id("estado").inner_text()
