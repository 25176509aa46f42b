"""The officials' panel: no page without login, no page outside the role, CSRF on every form,
sessions that expire, login throttling, and personal data only for the roles that may see it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from adapters.local import LocalAdapter
from cassbot import texts
from cassbot.clock import ManualClock
from cassbot.events import ChatRef, MemberJoined, UserRef
from cassbot.panel.roles import ROLE_PERMISSIONS, allowed
from cassbot.registration.appeals import file_appeal
from cassbot.registration.feedback import file_feedback
from cassbot.registration.requests import NewRequest, submit_request
from cassbot.storage.models import CommunityBan, Membership, ModerationCase, PanelSession, Person
from tests.helpers import settle
from tests.registration.conftest import PASSWORD, add_panel_user, csrf_of

ROLES = {
    "admin": ("administrador", None),
    "gd": ("gobierno_digital", "Gobierno Digital"),
    "seguridad": ("departamento", "Enlace de Seguridad en Coscomate"),
}


async def seeded_bot(reg_settings, make_bot, **kwargs):  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings(**kwargs.pop("settings", {})), **kwargs)
    for username, (role, official) in ROLES.items():
        await add_panel_user(bot, username, role, official)
    async with bot.db.transaction() as session:
        request = await submit_request(
            bot,
            session,
            NewRequest(
                full_name="Ana Pérez López", phone="+527611234567", community_id="coscomate"
            ),
            bot.clock.now(),
        )
        person = Person(display_name="Beto", phone="+527615550102")
        session.add(person)
        await session.flush()
        ban = CommunityBan(
            community_id="coscomate",
            person_id=person.id,
            reason="amenazas",
            banned_by="Directora de ODAPAS",
        )
        session.add(ban)
        await session.flush()
        complaint = await file_feedback(
            bot,
            session,
            kind="queja",
            text="Sin respuesta",
            source="web",
            now=bot.clock.now(),
            name="Ana",
            phone="+527611234567",
        )
        appeal = await file_appeal(
            bot, session, ban=ban, text="Fue un malentendido", source="web", now=bot.clock.now()
        )
    chat = ChatRef(channel="local", chat_id="coscomate")
    karla = UserRef(channel="local", user_id="vecina-karla", display_name="Karla Ramírez")
    await bot.ingress.submit(
        MemberJoined(
            dedupe_key="local:t:join:karla",
            chat=chat,
            actor=karla,
            member=karla,
            occurred_at=bot.clock.now(),
        )
    )
    await settle(bot)
    async with bot.db.read() as session:
        membership = (await session.execute(select(Membership))).scalars().first()
    assert membership is not None
    # A message in review in Coscomate (the departamento account's community).
    local = bot.adapters.get("local")
    assert isinstance(local, LocalAdapter)
    await local.post("coscomate", "vecino-beto", "el pendejo del vecino dejó la basura")
    await settle(bot)
    async with bot.db.read() as session:
        case = (await session.execute(select(ModerationCase))).scalar_one()
    assert case.status == "review" and case.community_id == "coscomate"
    return bot, {
        "folio": request.folio,
        "ban_id": str(ban.id),
        "membership_id": str(membership.id),
        "queja": complaint.folio,
        "apelacion": appeal.folio,
        "case": str(case.id),
    }


def concrete(pattern: str, ids: dict[str, str]) -> str:
    folio = (
        ids["queja"]
        if "/quejas/" in pattern
        else (ids["apelacion"] if "/apelaciones/" in pattern else ids["folio"])
    )
    return pattern.format(**{**ids, "folio": folio})


def panel_routes(bot):  # type: ignore[no-untyped-def]
    """Every /panel route with the permission it declares (and none without one)."""
    found = []
    for route in bot.web.router.routes():
        path = route.resource.canonical if route.resource else ""
        if not path.startswith("/panel") or route.method == "HEAD":
            continue
        page = getattr(route.handler, "panel_page", None)
        if path in ("/panel/entrar", "/panel/salir"):
            assert page is None
            continue
        assert page is not None, f"{route.method} {path} is not guarded"
        found.append((route.method, path, page.permission))
    return found


async def test_every_panel_route_needs_login_and_the_right_role(
    reg_settings, make_bot, client
) -> None:  # type: ignore[no-untyped-def]
    bot, ids = await seeded_bot(reg_settings, make_bot)
    routes = panel_routes(bot)
    assert len(routes) >= 20
    assert {permission for _, _, permission in routes} <= set(ROLE_PERMISSIONS["administrador"])
    anonymous = client(bot)
    people = {}
    for username in ROLES:
        people[username] = client(bot)
        await people[username].login(username)
    for method, pattern, permission in routes:
        path = concrete(pattern, ids)
        send = anonymous.get if method == "GET" else (lambda p, s=anonymous: s.post(p, {}))
        status, _, response = await send(path)
        assert status == 303, (method, path)
        assert response.headers["Location"].startswith("/panel/entrar"), (method, path)
        for username, (role, _) in ROLES.items():
            person = people[username]
            if method == "GET":
                status, body, _ = await person.get(path)
            else:  # no CSRF token: refused even when the role may do it
                status, body, _ = await person.post(path, {"motivo": "x", "rol": "vecino"})
            if not allowed(role, permission):
                assert status == 403, (username, method, path, status)
                assert texts.PANEL_FORBIDDEN in body, (username, method, path)
            elif method == "GET":
                assert status == 200, (username, method, path, status)
            else:
                assert status == 403, (username, method, path, status)
                assert texts.PANEL_CSRF in body, (username, method, path)
    # Nothing any refused POST could have done happened.
    async with bot.db.read() as session:
        ban = await session.get(CommunityBan, int(ids["ban_id"]))
        case = await session.get(ModerationCase, int(ids["case"]))
    assert ban is not None
    assert ban.lifted_at is None
    assert case is not None and case.status == "review"
    assert {"moderacion"} <= {permission for _, _, permission in routes}


async def test_departments_see_their_communities_without_phone_numbers(
    reg_settings, make_bot, client
) -> None:  # type: ignore[no-untyped-def]
    bot, _ids = await seeded_bot(reg_settings, make_bot)
    async with bot.db.transaction() as session:
        person = (
            await session.execute(select(Person).where(Person.display_name == "Karla Ramírez"))
        ).scalar_one()
        person.phone = "+527615550103"
    seguridad, gd = client(bot), client(bot)
    await seguridad.login("seguridad")
    await gd.login("gd")
    status, body, _ = await seguridad.get("/panel/padron?comunidad=coscomate")
    assert status == 200
    assert "Karla Ramírez" in body
    assert "+527615550103" not in body
    status, csv_text, _ = await seguridad.get("/panel/padron.csv?comunidad=coscomate")
    assert status == 200
    assert "Karla Ramírez" in csv_text
    assert "celular" not in csv_text
    status, _, _ = await seguridad.get("/panel/padron?comunidad=canalejas")
    assert status == 403  # not a community their official covers
    status, body, _ = await gd.get("/panel/padron?comunidad=coscomate")
    assert status == 200
    assert "+527615550103" in body
    status, csv_text, response = await gd.get("/panel/padron.csv?comunidad=coscomate")
    assert "+527615550103" in csv_text
    assert csv_text.startswith("\ufeffgrupo,canal,nombre,celular")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="padron-')


async def test_login_cookie_and_logout(reg_settings, make_bot, client) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings(server={"public_url": "https://cass.jilotepec.example"}))
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    person = client(bot)
    _, html, page = await person.get("/panel/entrar")
    form_cookie = page.cookies["cass_form"]
    assert form_cookie["secure"]
    assert form_cookie["httponly"]
    # The test talks plain HTTP, so the Secure cookie is handed back explicitly.
    status, _, response = await person.post(
        "/panel/entrar",
        {"csrf": csrf_of(html), "usuario": "GD", "contrasena": PASSWORD},
        headers={"Cookie": f"cass_form={form_cookie.value}"},
    )
    assert status == 303
    cookie = response.cookies["cass_panel"]
    assert cookie["httponly"]
    assert cookie["secure"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/panel"
    async with bot.db.read() as session:
        stored = (await session.execute(select(PanelSession))).scalar_one()
    assert stored.id != cookie.value
    assert len(stored.id) == 64


async def test_sessions_expire_when_idle_and_in_any_case(reg_settings, make_bot, client) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    bot = await make_bot(
        reg_settings(panel={"session_idle_minutes": 30, "session_absolute_hours": 2}), clock=clock
    )
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    person = client(bot)
    await person.login("gd")
    for _ in range(5):  # active use keeps it alive…
        clock.advance(timedelta(minutes=20))
        assert (await person.get("/panel"))[0] == 200
    clock.advance(timedelta(minutes=25))  # …until the absolute limit (2 h)
    status, _, response = await person.get("/panel")
    assert status == 303
    assert "caducada=1" in response.headers["Location"]
    await person.login("gd")
    clock.advance(timedelta(minutes=31))  # idle for longer than 30 minutes
    assert (await person.get("/panel"))[0] == 303
    await person.login("gd")
    status, body, _ = await person.get("/panel")
    csrf = body.split('name="csrf" value="')[1].split('"')[0]
    status, _, response = await person.post("/panel/salir", {"csrf": csrf})
    assert status == 303
    assert response.headers["Location"] == "/panel/entrar"
    assert (await person.get("/panel"))[0] == 303
    async with bot.db.read() as session:
        assert (await session.execute(select(PanelSession))).first() is None


async def test_failed_logins_are_throttled(reg_settings, make_bot, client) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    bot = await make_bot(
        reg_settings(panel={"login_attempts": 3, "login_window_minutes": 15}), clock=clock
    )
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    person = client(bot)
    for _ in range(3):
        token = await person.token("/panel/entrar")
        status, body, _ = await person.post(
            "/panel/entrar", {"csrf": token, "usuario": "gd", "contrasena": "mala"}
        )
        assert status == 401
        assert texts.PANEL_LOGIN_FAILED in body
    token = await person.token("/panel/entrar")
    status, body, _ = await person.post(
        "/panel/entrar", {"csrf": token, "usuario": "gd", "contrasena": PASSWORD}
    )
    assert status == 429
    assert "Demasiados intentos fallidos" in body
    clock.advance(timedelta(minutes=16))
    await person.login("gd")  # the window passed: the right password works again
    stranger = client(bot)
    await stranger.token("/panel/entrar")
    status, body, _ = await stranger.post(
        "/panel/entrar", {"usuario": "gd", "contrasena": PASSWORD}
    )
    assert status == 403
    assert texts.PANEL_CSRF in body


async def test_changing_the_password_ends_every_session(reg_settings, make_bot, client) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    bot = await make_bot(reg_settings(), clock=clock)
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    laptop, phone = client(bot), client(bot)
    await laptop.login("gd")
    await phone.login("gd")
    _, body, _ = await laptop.get("/panel/cuenta")
    csrf = body.split('name="csrf" value="')[1].split('"')[0]
    status, body, _ = await laptop.post(
        "/panel/cuenta/contrasena",
        {"csrf": csrf, "actual": PASSWORD, "nueva": "corta", "repetida": "corta"},
    )
    assert status == 400
    assert "al menos 12" in body
    clock.advance(1)
    status, _, _response = await laptop.post(
        "/panel/cuenta/contrasena",
        {
            "csrf": csrf,
            "actual": PASSWORD,
            "nueva": "una-nueva-contraseña",
            "repetida": "una-nueva-contraseña",
        },
    )
    assert status == 303
    assert (await phone.get("/panel"))[0] == 303
    assert (await laptop.get("/panel"))[0] == 303
    await laptop.login("gd", "una-nueva-contraseña")


async def test_departments_moderate_only_their_communities(reg_settings, make_bot, client) -> None:  # type: ignore[no-untyped-def]
    bot, ids = await seeded_bot(reg_settings, make_bot)
    local = bot.adapters.get("local")
    assert isinstance(local, LocalAdapter)
    await local.post("canalejas", "vecina-karla", "idiota")  # in review, not their community
    await settle(bot)
    async with bot.db.read() as session:
        other = (
            await session.execute(
                select(ModerationCase).where(ModerationCase.community_id == "canalejas")
            )
        ).scalar_one()
    own = ids["case"]
    seguridad, gd = client(bot), client(bot)
    await seguridad.login("seguridad")
    await gd.login("gd")
    status, body, _ = await seguridad.get("/panel/moderacion")
    assert status == 200
    assert f'data-case="{own}"' in body and f'data-case="{other.id}"' not in body
    assert "Villa de Canalejas" not in body  # not even in the community filter
    status, body, _ = await seguridad.get(f"/panel/moderacion/{other.id}")
    assert status == 404 and texts.MODPANEL_NOT_FOUND in body
    assert (await seguridad.get("/panel/moderacion?comunidad=canalejas"))[0] == 403
    token = await seguridad.token("/panel/moderacion")
    for verb in ("confirmar", "descartar", "deshacer"):
        status, body, _ = await seguridad.post(
            f"/panel/moderacion/{other.id}/{verb}", {"csrf": token}
        )
        assert status == 404 and texts.MODPANEL_NOT_FOUND in body, verb
    status, body, _ = await gd.get("/panel")  # Gobierno Digital sees both in its count
    assert 'data-testid="por-revisar">2<' in body
    status, body, _ = await seguridad.get("/panel")
    assert 'data-testid="por-revisar">1<' in body
    # Their own community's case they may decide, signed with their official's name.
    status, _, _ = await seguridad.post(f"/panel/moderacion/{own}/descartar", {"csrf": token})
    assert status == 303
    async with bot.db.read() as session:
        mine = await session.get(ModerationCase, int(own))
        theirs = await session.get(ModerationCase, other.id)
    assert mine is not None and mine.status == "dismissed"
    assert mine.reviewed_by == "Enlace de Seguridad en Coscomate"
    assert theirs is not None and theirs.status == "review"
