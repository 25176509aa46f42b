"""Shared test harness: settings and bots built per test, real databases, no real network.

- `make_settings(...)` builds validated Settings for a test (SQLite in tmp_path, port 0).
- `db_url` is parametrised over SQLite and PostgreSQL (a fresh database per test); PostgreSQL
  runs when CASSBOT_TEST_PG_URL is set (CI always sets it) and fails loudly when
  CASSBOT_REQUIRE_PG=1 but it is unreachable.
- `make_bot(...)` starts a real CassBot (web server on 127.0.0.1, random port) and stops it.
- Any connection to a non-loopback address fails the test.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cassbot.app import CassBot
from cassbot.settings import Settings, deep_merge

PG_ENV = "CASSBOT_TEST_PG_URL"

# --- No real network -------------------------------------------------------------------------

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _allowed(address: Any) -> bool:
    if isinstance(address, str):  # unix socket
        return True
    host = address[0] if isinstance(address, tuple) else str(address)
    return host in ("127.0.0.1", "::1", "localhost") or host.startswith("127.")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if not _allowed(address):
        raise OSError(f"tests may not reach the network (tried {address!r})")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if not _allowed(address):
        raise OSError(f"tests may not reach the network (tried {address!r})")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's CASSBOT__ variables must not leak into tests."""
    for name in list(os.environ):
        if name.upper().startswith("CASSBOT__") or name == "CASSBOT_CONFIG":
            monkeypatch.delenv(name)


# --- Settings ----------------------------------------------------------------------------------

BASE_CONFIG: dict[str, Any] = {
    "server": {"host": "127.0.0.1", "port": 0},
    "outbox": {"poll_interval_s": 0.05, "backoff_base_s": 0.05, "backoff_max_s": 0.5},
    "scheduler": {"poll_interval_s": 0.05},
    "processing": {"drain_timeout_s": 5},
    "logging": {"level": "INFO"},
    "adapters": {"local": {"enabled": True}},
    "communities": [
        {
            "id": "canalejas",
            "name": "Villa de Canalejas",
            "groups": [{"channel": "local", "chat_id": "canalejas", "name": "CASS Canalejas"}],
        },
        {
            "id": "coscomate",
            "name": "Coscomate del Progreso",
            "groups": [{"channel": "local", "chat_id": "coscomate", "name": "CASS Coscomate"}],
        },
    ],
    "officials": [
        {
            "name": "Directora de ODAPAS",
            "department": "agua",
            "role": "director",
            "communities": ["*"],
            "whatsapp": "+527610000003",
            "telegram": "7001",
            "local": "oficial-odapas",
        },
        {
            "name": "Gobierno Digital",
            "department": "gobierno_digital",
            "role": "administrador",
            "communities": ["*"],
            "local": "oficial-gd",
        },
    ],
}


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def factory(overrides: dict[str, Any] | None = None, **sections: Any) -> Settings:
        data = deep_merge(BASE_CONFIG, {"paths": {"data_dir": str(tmp_path / "var")}})
        data = deep_merge(data, sections)
        if overrides:
            data = deep_merge(data, overrides)
        return Settings(**data)

    return factory


# --- Databases ---------------------------------------------------------------------------------


def _pg_base_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url and os.environ.get("CASSBOT_REQUIRE_PG") == "1":
        pytest.fail(f"CASSBOT_REQUIRE_PG=1 but {PG_ENV} is not set")
    return url


async def _pg_admin(url: str, statement: str) -> None:
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database URL: SQLite in tmp_path, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    base = _pg_base_url()
    if not base:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (CI sets it)")
    name = f"cassbot_t_{uuid.uuid4().hex[:12]}"
    try:
        await _pg_admin(base, f'CREATE DATABASE "{name}"')
    except OSError as exc:
        pytest.fail(f"PostgreSQL at {PG_ENV} is unreachable: {exc}")
    head, _, _ = base.rpartition("/")
    try:
        yield f"{head}/{name}"
    finally:
        await _pg_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Bots ----------------------------------------------------------------------------------------


@pytest.fixture
async def make_bot() -> AsyncIterator[Callable[..., Awaitable[CassBot]]]:
    bots: list[CassBot] = []

    async def factory(settings: Settings, *, serve_http: bool = True, **kwargs: Any) -> CassBot:
        bot = CassBot(settings, **kwargs)
        bots.append(bot)
        await bot.start(serve_http=serve_http)
        return bot

    yield factory
    for bot in reversed(bots):
        await bot.stop()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


# --- A real SMTP server on loopback ------------------------------------------------------------


class SmtpSink:
    """Messages received by the loopback SMTP server, parsed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[SmtpSink]:
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = SmtpSink(port)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


# --- Headless Chromium ---------------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    import shutil

    candidate = (
        os.environ.get("CASSBOT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    )
    return candidate if Path(candidate).exists() else None


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CASSBOT_REQUIRE_BROWSER") == "1":
            pytest.fail("CASSBOT_REQUIRE_BROWSER=1 but Chromium is not installed")
        pytest.skip("browser tests need Debian's chromium (apt-get install chromium); CI has it")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield instance
        finally:
            await instance.close()
