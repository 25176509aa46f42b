"""Moderation in the officials' panel, through the real HTTP app: the review queue, Confirmar,
Descartar and Deshacer doing what /confirmar, /descartar and /deshacer do, once each, signed by
the panel user's official, with CSRF; and one click in headless Chromium."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from cassbot import texts
from cassbot.app import CassBot
from cassbot.storage.models import (
    AuditEntry,
    CommunityBan,
    ModerationCase,
    OutboxAction,
    PlaygroundMember,
    PointsRecord,
)
from tests.enforcement.conftest import audit_actions, entries, playground, said
from tests.helpers import settle
from tests.registration.conftest import PASSWORD, Browserless, add_panel_user

FLAGGED = "el pendejo del vecino dejó la basura"  # unsure: goes to review, nobody is sanctioned


async def cases(bot: CassBot) -> list[ModerationCase]:
    async with bot.db.read() as session:
        return list(
            (await session.execute(select(ModerationCase).order_by(ModerationCase.id))).scalars()
        )


async def outbox_count(bot: CassBot) -> int:
    async with bot.db.read() as session:
        return int((await session.execute(select(func.count(OutboxAction.id)))).scalar_one())


async def flagged_case(bot: CassBot, chat: str = "canalejas", who: str = "vecino-beto") -> int:
    await playground(bot).post(chat, who, FLAGGED)
    await settle(bot)
    review = [c for c in await cases(bot) if c.status == "review"]
    assert review, "the message should have gone to review"
    return review[-1].id


async def logged_in(bot: CassBot, panel_client, username: str = "gd") -> Browserless:  # type: ignore[no-untyped-def]
    visitor = panel_client(bot)
    await visitor.login(username)
    return visitor


async def decide(
    visitor: Browserless, case_id: int, verb: str, *, back: str = "/panel/moderacion"
) -> tuple[int, str, str]:
    token = await visitor.token("/panel/moderacion")
    status, body, response = await visitor.post(
        f"/panel/moderacion/{case_id}/{verb}", {"csrf": token, "volver": back}
    )
    return status, body, response.headers.get("Location", "")


async def test_the_queue_shows_a_flagged_message_and_confirmar_sanctions_its_author(
    mod_settings, make_bot, panel_client, db_url
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(database={"url": db_url}))  # SQLite and PostgreSQL
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    case_id = await flagged_case(bot)
    message_id = next(e.message_id for e in await entries(bot, "canalejas") if e.kind == "message")
    notice = (await said(bot, "dm-oficial-gd"))[-1]
    assert f"/confirmar {case_id}" in notice  # the commands are still offered…
    assert f"{bot.base_url}/panel/moderacion/{case_id}" in notice  # …and the panel page

    gd = await logged_in(bot, panel_client)
    status, page, _ = await gd.get("/panel/moderacion")
    assert status == 200
    queue = page.split('id="por-revisar"')[1].split('id="sanciones"')[0]
    assert f'data-case="{case_id}"' in queue
    assert "Villa de Canalejas" in queue and "Beto Hernández" in queue
    assert f"«{FLAGGED}»" in queue
    assert texts.MOD_REASONS["insult"] in queue or texts.MOD_REASONS["casual"] in queue
    assert f'action="/panel/moderacion/{case_id}/confirmar"' in queue

    status, _, location = await decide(gd, case_id, "confirmar")
    assert status == 303
    await settle(bot)
    review, applied = await cases(bot)
    assert review.id == case_id and review.status == "confirmed"
    assert review.reviewed_by == "Gobierno Digital"
    assert applied.status == "applied" and applied.source == "manual"
    assert applied.actor_name == "Gobierno Digital" and applied.points == 1
    query = parse_qs(urlsplit(location).query)
    assert query == {"hecho": ["confirmed"], "caso": [str(case_id)], "aplicado": [str(applied.id)]}
    # What /confirmar does: the message is deleted in the group and its author warned.
    group = await entries(bot, "canalejas")
    assert message_id in {e.message_id for e in group if e.kind == "deleted"}
    assert "1 de 3 advertencias" in (await said(bot, "canalejas"))[-1]
    confirmed = next(a for a in await audit_actions(bot) if a.action == "moderation.confirmed")
    assert confirmed.actor_kind == "official" and confirmed.actor_name == "Gobierno Digital"
    assert confirmed.detail["via"] == "panel" and confirmed.detail["panel_user"] == "gd"
    assert confirmed.detail["applied_case_id"] == applied.id
    sanction = next(a for a in await audit_actions(bot) if a.id == applied.audit_id)
    assert sanction.actor_name == "Gobierno Digital" and sanction.detail["via"] == "panel"

    status, page, _ = await gd.get(location)
    assert f"Caso #{case_id} confirmado" in page
    assert f"(caso #{applied.id})" in page

    # A second click (or another official's) is refused in Spanish, and nothing more happens.
    before = await outbox_count(bot)
    for verb in ("confirmar", "descartar"):
        status, body, _ = await decide(gd, case_id, verb)
        assert status == 409
        assert (
            f"El caso #{case_id} ya no está en revisión: confirmado por Gobierno Digital" in body
        )
    await settle(bot)
    assert len(await cases(bot)) == 2
    assert await outbox_count(bot) == before
    async with bot.db.read() as session:
        points = (await session.execute(select(PointsRecord))).scalars().all()
    assert [p.case_id for p in points] == [applied.id]


async def test_descartar_dismisses_without_sanctioning(
    mod_settings, make_bot, panel_client
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings())
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    case_id = await flagged_case(bot)
    gd = await logged_in(bot, panel_client)
    status, _, location = await decide(
        gd, case_id, "descartar", back=f"/panel/moderacion/{case_id}"
    )
    assert status == 303
    assert location.startswith(f"/panel/moderacion/{case_id}?hecho=dismissed")
    await settle(bot)
    (case,) = await cases(bot)
    assert case.status == "dismissed" and case.reviewed_by == "Gobierno Digital"
    assert not [e for e in await entries(bot, "canalejas") if e.kind == "deleted"]
    dismissed = next(a for a in await audit_actions(bot) if a.action == "moderation.dismissed")
    assert dismissed.detail == {
        "summary": f"Caso #{case_id} descartado",
        "case_id": case_id,
        "via": "panel",
        "panel_user": "gd",
    }
    assert dismissed.community_id == "canalejas"
    status, page, _ = await gd.get(location)
    assert f"Caso #{case_id} descartado" in page
    assert 'data-testid="estado">Descartado' in page
    status, body, _ = await decide(gd, case_id, "descartar")
    assert status == 409 and "ya no está en revisión: descartado" in body
    status, body, _ = await decide(gd, case_id, "deshacer")  # nobody was sanctioned
    assert status == 409 and "no es una sanción" in body
    assert (await cases(bot))[0].status == "dismissed"


async def test_deshacer_lifts_an_expulsion_and_readmits_in_one_step(
    mod_settings, make_bot, panel_client, db_url
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(database={"url": db_url}))  # SQLite and PostgreSQL
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    local = playground(bot)
    for text in ("eres un pendejo", "cállate, pinche rata", "eres un idiota y un pendejo"):
        await local.post("canalejas", "vecino-juan", text)
        await settle(bot)
    expulsion = (await cases(bot))[-1]
    assert "expel" in expulsion.effects and expulsion.status == "applied"
    async with bot.db.read() as session:
        member = await session.get(PlaygroundMember, ("canalejas", "vecino-juan"))
    assert member is not None and member.status == "removed"

    gd = await logged_in(bot, panel_client)
    status, page, _ = await gd.get("/panel/moderacion?comunidad=canalejas")
    assert status == 200
    recent = page.split('id="sanciones"')[1]
    assert recent.index(f'data-case="{expulsion.id}"') < recent.index('data-case="1"')  # newest
    assert "baja del grupo" in recent and "Automático (cassbot)" in recent
    assert f'action="/panel/moderacion/{expulsion.id}/deshacer"' in recent
    status, detail, _ = await gd.get(f"/panel/moderacion/{expulsion.id}")
    assert "eres un <mark>idiota</mark> y un pendejo" in detail  # the match, highlighted

    status, _, location = await decide(gd, expulsion.id, "deshacer")
    assert status == 303
    await settle(bot)
    async with bot.db.read() as session:
        case = await session.get(ModerationCase, expulsion.id)
        ban = (await session.execute(select(CommunityBan))).scalar_one()
        member = await session.get(PlaygroundMember, ("canalejas", "vecino-juan"))
        original = await session.get(AuditEntry, expulsion.audit_id)
        undo = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == "moderation.undo"))
        ).scalar_one()
        active = (
            (await session.execute(select(PointsRecord).where(PointsRecord.cleared_at.is_(None))))
            .scalars()
            .all()
        )
    assert case is not None and case.status == "undone" and case.reviewed_by == "Gobierno Digital"
    assert ban.lifted_at is not None and ban.lifted_by == "Gobierno Digital"
    assert member is not None and member.status == "active"  # readmitted in the playground
    assert original is not None and original.undone_by == "Gobierno Digital"
    assert undo.undo_of_id == original.id and undo.detail["via"] == "panel"
    assert len(active) == 2  # only the expelling case's point is cleared
    assert "lo deshizo" in (await said(bot, "dm-vecino-juan"))[-1]
    status, page, _ = await gd.get(location)
    assert "se retiró la advertencia, se levantó la baja" in page
    assert f'action="/panel/moderacion/{expulsion.id}/deshacer"' not in page

    before = await outbox_count(bot)
    status, body, _ = await decide(gd, expulsion.id, "deshacer")
    assert status == 409
    assert f"El caso #{expulsion.id} ya estaba deshecho (Gobierno Digital" in body
    await settle(bot)
    assert await outbox_count(bot) == before
    status, detail, _ = await gd.get(f"/panel/moderacion/{expulsion.id}")
    trail = detail.split('data-testid="historial"')[1]
    assert trail.index('data-action="moderation.sanction"') < trail.index(
        'data-action="moderation.undo"'
    )
    assert "Deshecho por Gobierno Digital" in trail and "(panel)" in trail


async def test_each_panel_decision_sends_its_own_actions(
    mod_settings, make_bot, panel_client
) -> None:  # type: ignore[no-untyped-def]
    """Decisions outside a chat event have no event id: their outbox keys must still differ
    (two confirmations about the same person each delete their message and warn)."""
    bot = await make_bot(mod_settings())
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    first = await flagged_case(bot)
    second = await flagged_case(bot)
    messages = [e.message_id for e in await entries(bot, "canalejas") if e.kind == "message"]
    gd = await logged_in(bot, panel_client)
    for case_id in (first, second):
        assert (await decide(gd, case_id, "confirmar"))[0] == 303
    await settle(bot)
    deleted = {e.message_id for e in await entries(bot, "canalejas") if e.kind == "deleted"}
    assert set(messages) <= deleted
    warnings = await said(bot, "canalejas")
    assert len(warnings) == 2
    assert "1 de 3 advertencias" in warnings[0] and "2 de 3 advertencias" in warnings[1]
    async with bot.db.read() as session:
        keys = list((await session.execute(select(OutboxAction.idempotency_key))).scalars())
    assert len(keys) == len(set(keys))
    assert sum(k.startswith(f"panel:case{first}:confirmar:") for k in keys) >= 2


async def test_two_officials_clicking_at_the_same_moment_decide_once(
    mod_settings, make_bot, panel_client, db_url
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings(database={"url": db_url}))
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    await add_panel_user(bot, "admin", "administrador", "Directora de ODAPAS")
    case_id = await flagged_case(bot)
    first, second = await logged_in(bot, panel_client), await logged_in(bot, panel_client, "admin")
    tokens = [await v.token("/panel/moderacion") for v in (first, second)]
    results = await asyncio.gather(
        first.post(f"/panel/moderacion/{case_id}/confirmar", {"csrf": tokens[0]}),
        second.post(f"/panel/moderacion/{case_id}/descartar", {"csrf": tokens[1]}),
    )
    assert sorted(status for status, _, _ in results) == [303, 409]
    await settle(bot)
    review = (await cases(bot))[0]
    assert review.status in ("confirmed", "dismissed")
    decisions = [
        a
        for a in await audit_actions(bot)
        if a.action in ("moderation.confirmed", "moderation.dismissed")
    ]
    assert len(decisions) == 1 and decisions[0].actor_name == review.reviewed_by
    assert len(await cases(bot)) == (2 if review.status == "confirmed" else 1)


async def test_a_post_without_the_csrf_token_changes_nothing(
    mod_settings, make_bot, panel_client
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings())
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    case_id = await flagged_case(bot)
    gd = await logged_in(bot, panel_client)
    before = await outbox_count(bot)
    for verb in ("confirmar", "descartar", "deshacer"):
        status, body, _ = await gd.post(f"/panel/moderacion/{case_id}/{verb}", {"volver": ""})
        assert status == 403 and texts.PANEL_CSRF in body
        status, body, _ = await gd.post(
            f"/panel/moderacion/{case_id}/{verb}", {"csrf": "forjado", "volver": ""}
        )
        assert status == 403 and texts.PANEL_CSRF in body
    await settle(bot)
    (case,) = await cases(bot)
    assert case.status == "review" and case.reviewed_by is None
    assert await outbox_count(bot) == before
    assert not [a for a in await audit_actions(bot) if a.actor_kind == "official"]


async def test_unknown_cases_and_bad_redirects(mod_settings, make_bot, panel_client) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings())
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    case_id = await flagged_case(bot)
    gd = await logged_in(bot, panel_client)
    for path in ("/panel/moderacion/999", "/panel/moderacion/abc", "/panel/moderacion/-1"):
        status, body, _ = await gd.get(path)
        assert status == 404 and texts.MODPANEL_NOT_FOUND in body, path
    status, body, _ = await decide(gd, 999, "confirmar")
    assert status == 404 and texts.MODPANEL_NOT_FOUND in body
    status, _, _ = await gd.get("/panel/moderacion?pagina=x")  # a bad page number: the first
    assert status == 200
    # A forged "volver" never leaves the moderation pages.
    status, _, location = await decide(gd, case_id, "descartar", back="https://example.com/x")
    assert status == 303 and location.startswith(f"/panel/moderacion/{case_id}?")


@pytest.mark.browser
@pytest.mark.timeout(120)
async def test_confirmar_by_clicking_in_the_page(mod_settings, make_bot, browser) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(mod_settings())
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    case_id = await flagged_case(bot)
    message_id = next(e.message_id for e in await entries(bot, "canalejas") if e.kind == "message")
    base = f"http://127.0.0.1:{bot.port}"
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{base}/panel/moderacion")
    assert "/panel/entrar" in page.url  # no panel without login
    await page.fill("#usuario", "gd")
    await page.fill("#contrasena", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/panel/moderacion")
    await page.click(f"[data-testid=confirmar-{case_id}]")
    await (
        page.get_by_role("status")
        .filter(has_text=f"Caso #{case_id} confirmado")
        .wait_for(timeout=10000)
    )
    assert await page.get_by_test_id("cola-vacia").is_visible()
    await settle(bot)
    review, applied = await cases(bot)
    assert review.status == "confirmed" and applied.status == "applied"
    group = await entries(bot, "canalejas")
    assert message_id in {e.message_id for e in group if e.kind == "deleted"}
