"""Fixtures for the registration feature: settings with three officials, panel accounts,
an HTTP client that keeps cookies on 127.0.0.1, and playground variants for capabilities."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from adapters.local import LocalAdapter
from cassbot.actions import Action, ActionResult, AddMember
from cassbot.adapter import Capability
from cassbot.app import AdapterFactory, CassBot
from cassbot.panel.passwords import hash_password
from cassbot.settings import Settings
from cassbot.storage.models import PanelUser

PASSWORD = "contraseña-de-prueba-1"

OFFICIALS: list[dict[str, Any]] = [
    {
        "name": "Directora de ODAPAS",
        "department": "agua",
        "role": "director",
        "communities": ["*"],
        "local": "oficial-odapas",
    },
    {
        "name": "Gobierno Digital",
        "department": "gobierno_digital",
        "role": "administrador",
        "communities": ["*"],
        "local": "oficial-gd",
        "email": "gd@jilotepec.example",
    },
    {
        "name": "Analista de Gobierno Digital",
        "department": "gobierno_digital",
        "role": "enlace",
        "communities": ["*"],
        "local": "oficial-analista",
    },
    {
        "name": "Enlace de Seguridad en Coscomate",
        "department": "seguridad",
        "role": "enlace",
        "communities": ["coscomate"],
        "local": "oficial-seguridad",
    },
]


def email_config(smtp_server: Any) -> dict[str, Any]:
    return {
        "enabled": True,
        "host": "127.0.0.1",
        "port": smtp_server.port,
        "security": "none",
        "from_address": "cass@jilotepec.example",
    }


@pytest.fixture
def reg_settings(make_settings: Callable[..., Settings]) -> Callable[..., Settings]:
    def factory(**sections: Any) -> Settings:
        base: dict[str, Any] = {"officials": OFFICIALS}
        for key, value in sections.items():
            base[key] = value
        return make_settings(**base)

    return factory


class NoAddLocal(LocalAdapter):
    """The playground as a channel that cannot add people (like Telegram): invite links only."""

    capabilities = LocalAdapter.capabilities - {Capability.ADD_MEMBER}


class RefusingAddLocal(LocalAdapter):
    """The playground where adding fails (like a WhatsApp user whose privacy forbids it)."""

    async def execute(self, action: Action) -> ActionResult:
        if isinstance(action, AddMember):
            return ActionResult(status="forbidden", detail="privacy settings forbid adding")
        return await super().execute(action)


def factories(settings: Settings, local_cls: type[LocalAdapter]) -> list[AdapterFactory]:
    def local(app: CassBot) -> LocalAdapter:
        return local_cls(app.db, app.clock, app.directory, settings.adapters.local)

    result: list[AdapterFactory] = [local]
    if settings.adapters.email.enabled:
        from adapters.email import EmailAdapter

        result.append(lambda app: EmailAdapter(settings.adapters.email))
    return result


async def add_panel_user(
    bot: CassBot,
    username: str,
    role: str,
    official: str | None = None,
    password: str = PASSWORD,
) -> None:
    async with bot.db.transaction() as session:
        now = bot.clock.now()
        session.add(
            PanelUser(
                username=username,
                display_name=official or username,
                password_hash=hash_password(password),
                role=role,
                official_name=official,
                active=True,
                created_at=now,
                password_changed_at=now,
            )
        )


CSRF = re.compile(r'name="csrf" value="([^"]+)"')
ACCESS_CODE = re.compile(r'data-testid="clave">([A-Z0-9]{4}-[A-Z0-9]{4})<')


def code_of(html: str) -> str:
    """The access code a confirmation page shows (as people read it: K7QM-4XPD)."""
    match = ACCESS_CODE.search(html)
    assert match is not None, "no access code on the page"
    return match.group(1)


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match is not None, "no CSRF token on the page"
    return match.group(1)


class Browserless:
    """An HTTP client for one person: keeps cookies, reads form tokens from pages."""

    def __init__(self, base: str, session: aiohttp.ClientSession) -> None:
        self.base = base
        self.http = session

    async def get(self, path: str, **kwargs: Any) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.http.get(self.base + path, allow_redirects=False, **kwargs) as r:
            return r.status, await r.text(), r

    async def post(
        self, path: str, data: dict[str, str], **kwargs: Any
    ) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.http.post(
            self.base + path, data=data, allow_redirects=False, **kwargs
        ) as r:
            return r.status, await r.text(), r

    async def token(self, path: str) -> str:
        status, html, _ = await self.get(path)
        assert status == 200, (path, status)
        return csrf_of(html)

    async def login(self, username: str, password: str = PASSWORD) -> None:
        token = await self.token("/panel/entrar")
        status, body, response = await self.post(
            "/panel/entrar", {"csrf": token, "usuario": username, "contrasena": password}
        )
        assert status == 303, body
        assert response.headers["Location"] == "/panel"


@pytest.fixture
async def client() -> AsyncIterator[Callable[[CassBot], Browserless]]:
    sessions: list[aiohttp.ClientSession] = []

    def factory(bot: CassBot) -> Browserless:
        session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        sessions.append(session)
        return Browserless(f"http://127.0.0.1:{bot.port}", session)

    yield factory
    for session in sessions:
        await session.close()
