"""Fixtures for moderation in the running bot (through the playground channel)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from adapters.local import LocalAdapter
from cassbot.app import CassBot
from cassbot.settings import Settings
from cassbot.storage.models import AuditEntry, PlaygroundEntry
from tests.registration.conftest import Browserless

OFFICIALS: list[dict[str, Any]] = [
    {"name": "Directora de ODAPAS", "department": "agua", "role": "director",
     "local": "oficial-odapas"},
    {"name": "Gobierno Digital", "department": "gobierno_digital", "role": "administrador",
     "local": "oficial-gd"},
    {"name": "Seguridad Ciudadana", "department": "seguridad", "role": "director",
     "local": "oficial-seguridad"},
]  # fmt: skip


@pytest.fixture
def mod_settings(make_settings: Callable[..., Settings]) -> Callable[..., Settings]:
    def factory(**sections: Any) -> Settings:
        return make_settings({"officials": OFFICIALS}, **sections)

    return factory


def playground(bot: CassBot) -> LocalAdapter:
    adapter = bot.adapters.get("local")
    assert isinstance(adapter, LocalAdapter)
    return adapter


async def said(bot: CassBot, chat: str, *, author: str = "cassbot") -> list[str]:
    async with bot.db.read() as session:
        return list(
            (
                await session.execute(
                    select(PlaygroundEntry.text)
                    .where(
                        PlaygroundEntry.chat_id == chat,
                        PlaygroundEntry.kind == "message",
                        PlaygroundEntry.author_id == author,
                    )
                    .order_by(PlaygroundEntry.seq)
                )
            ).scalars()
        )


async def entries(bot: CassBot, chat: str) -> list[PlaygroundEntry]:
    async with bot.db.read() as session:
        return list(
            (
                await session.execute(
                    select(PlaygroundEntry)
                    .where(PlaygroundEntry.chat_id == chat)
                    .order_by(PlaygroundEntry.seq)
                )
            ).scalars()
        )


async def audit_actions(bot: CassBot, prefix: str = "moderation.") -> list[AuditEntry]:
    async with bot.db.read() as session:
        return list(
            (
                await session.execute(
                    select(AuditEntry)
                    .where(AuditEntry.action.startswith(prefix))
                    .order_by(AuditEntry.id)
                )
            ).scalars()
        )


@pytest.fixture
async def panel_client() -> AsyncIterator[Callable[[CassBot], Browserless]]:
    """An officials' panel visitor over real HTTP on 127.0.0.1 (cookies kept per visitor)."""
    sessions: list[aiohttp.ClientSession] = []

    def factory(bot: CassBot) -> Browserless:
        session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        sessions.append(session)
        return Browserless(f"http://127.0.0.1:{bot.port}", session)

    yield factory
    for session in sessions:
        await session.close()
