"""Fixtures for the tickets tests: a municipality with officials for each step of the chain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from cassbot.app import CassBot
from cassbot.settings import Settings
from cassbot.storage.models import PlaygroundEntry

OFFICIALS: list[dict[str, Any]] = [
    {
        "name": "Enlace ODAPAS Canalejas",
        "department": "agua",
        "role": "enlace",
        "communities": ["canalejas"],
        "local": "enlace-odapas",
    },
    {
        "name": "Directora de ODAPAS",
        "department": "agua",
        "role": "director",
        "communities": ["*"],
        "local": "oficial-odapas",
    },
    {
        "name": "Servicios Públicos",
        "department": "servicios",
        "role": "director",
        "communities": ["*"],
        "local": "oficial-servicios",
    },
    {
        "name": "Protección Civil",
        "department": "proteccion_civil",
        "role": "director",
        "communities": ["*"],
        "local": "oficial-pc",
    },
    {
        "name": "Secretaría Particular",
        "department": "presidencia",
        "role": "presidencia",
        "communities": ["*"],
        "local": "oficial-presidencia",
    },
    {
        "name": "Gobierno Digital",
        "department": "gobierno_digital",
        "role": "administrador",
        "communities": ["*"],
        "local": "oficial-gd",
    },
]

FAST_CLOCKS: dict[str, Any] = {
    "ack_deadline": 100,
    "escalation": [
        {"after": 10, "to": "enlace"},
        {"after": 30, "to": "director"},
        {"after": 60, "to": "presidencia"},
    ],
    "breach_repeat": 50,
    "resolution_targets": {"fuga": 500, "sin_agua": 500},
    "duplicate_window": "1h",
    "confirm_window": 1000,
}


@pytest.fixture
def ticket_settings(make_settings: Callable[..., Settings]) -> Callable[..., Settings]:
    def factory(**sections: Any) -> Settings:
        tickets = {**FAST_CLOCKS, **sections.pop("tickets", {})}
        officials = sections.pop("officials", OFFICIALS)
        return make_settings(officials=officials, tickets=tickets, **sections)

    return factory


async def chat_texts(bot: CassBot, chat_id: str, *, bot_only: bool = True) -> list[str]:
    async with bot.db.read() as session:
        rows = (
            await session.execute(
                select(PlaygroundEntry)
                .where(PlaygroundEntry.chat_id == chat_id, PlaygroundEntry.kind == "message")
                .order_by(PlaygroundEntry.seq)
            )
        ).scalars()
        return [r.text for r in rows if not bot_only or r.author_id == "cassbot"]


async def bot_message_id(bot: CassBot, chat_id: str, contains: str) -> str:
    async with bot.db.read() as session:
        rows = (
            await session.execute(
                select(PlaygroundEntry)
                .where(PlaygroundEntry.chat_id == chat_id, PlaygroundEntry.author_id == "cassbot")
                .order_by(PlaygroundEntry.seq.desc())
            )
        ).scalars()
        for row in rows:
            if contains in row.text:
                assert row.message_id is not None
                return row.message_id
    raise AssertionError(f"no bot message containing {contains!r} in {chat_id}")
