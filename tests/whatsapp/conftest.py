"""WhatsApp test harness: a fake WAHA on loopback, cassbot pointed at it, and helpers to wait
for both and read the database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from cassbot.app import CassBot
from cassbot.settings import Settings, deep_merge
from cassbot.storage.models import Group
from tests.helpers import eventually, settle
from tests.whatsapp.fake_waha import API_KEY, HMAC_KEY, FakeWaha, Participant

GROUP = "120363000000000001@g.us"
OTHER_GROUP = "120363000000000002@g.us"
# Neighbours: one known by a privacy id (@lid) with its phone, one by phone id, one lid-only.
ANA = Participant("222222222222222@lid", pn="5217611111111@c.us", name="Ana")
BETO = Participant("5217612222222@c.us", pn=None, name="Beto")
CARLA = Participant("333333333333333@lid", pn="5217613333333@c.us", name="Carla")
# The ODAPAS director of the shared test config (+527610000003), a group admin.
DIRECTORA = Participant("444444444444444@lid", pn="527610000003@c.us", role="admin", name="Dir")


def whatsapp_config(fake: FakeWaha, **adapter: Any) -> dict[str, Any]:
    """Settings overrides: WhatsApp on, fast pacing and retries so tests run quickly."""
    whatsapp = {
        "enabled": True,
        "base_url": fake.url,
        "api_key": API_KEY,
        "webhook_hmac_key": HMAC_KEY,
        "session": fake.session,
        "request_timeout_s": 5,
        "status_poll_s": 0.2,
        "wait_retry_s": 0.1,
        "send_chat_interval_s": 0,
        "send_per_minute": 60000,
        "moderation_chat_interval_s": 0,
        "moderation_per_minute": 60000,
        "jitter_s": 0,
    }
    return {
        "adapters": {"whatsapp": deep_merge(whatsapp, adapter)},
        "communities": [
            {
                "id": "canalejas",
                "name": "Villa de Canalejas",
                "groups": [
                    {"channel": "local", "chat_id": "canalejas", "name": "CASS Canalejas"},
                    {"channel": "whatsapp", "chat_id": GROUP, "name": "CASS Canalejas WA"},
                ],
            },
            {
                "id": "coscomate",
                "name": "Coscomate del Progreso",
                "groups": [{"channel": "whatsapp", "chat_id": OTHER_GROUP, "name": "CASS Cosco"}],
            },
        ],
    }


@pytest.fixture
async def fake() -> AsyncIterator[FakeWaha]:
    waha = FakeWaha()
    await waha.start()
    waha.add_group(GROUP, "CASS Canalejas WA", [ANA, BETO, CARLA, DIRECTORA])
    waha.add_group(OTHER_GROUP, "CASS Cosco", [])
    yield waha
    await waha.stop()


@pytest.fixture
def wa_settings(make_settings: Callable[..., Settings], fake: FakeWaha) -> Callable[..., Settings]:
    def factory(db_url: str | None = None, **adapter: Any) -> Settings:
        config = whatsapp_config(fake, **adapter)
        if db_url:
            config["database"] = {"url": db_url}
        return make_settings(config)

    return factory


@pytest.fixture
def start_bot(
    make_bot: Callable[..., Awaitable[CassBot]], fake: FakeWaha
) -> Callable[..., Awaitable[CassBot]]:
    """Start cassbot (HTTP on a random port) and point the fake's webhooks at it."""

    async def factory(settings: Settings, **kwargs: Any) -> CassBot:
        bot = await make_bot(settings, **kwargs)
        fake.webhook_url = f"http://127.0.0.1:{bot.port}/webhooks/whatsapp"
        return bot

    return factory


# --- Helpers for end-to-end tests -------------------------------------------------------------


async def rows(bot: CassBot, model: Any) -> list[Any]:
    async with bot.db.read() as session:
        return list((await session.execute(select(model).order_by(model.id))).scalars())


async def settled(bot: CassBot, fake: FakeWaha) -> None:
    """Until cassbot and the fake have nothing left to do (webhooks the fake sends included)."""
    for _ in range(3):
        await settle(bot)
        await fake.settle()
    await settle(bot)


async def readyz(bot: CassBot) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http:  # noqa: SIM117
        async with http.get(f"http://127.0.0.1:{bot.port}/readyz") as response:
            return response.status, await response.json()


async def wait_ready(bot: CassBot, chat_id: str = GROUP) -> None:
    """Until the start-up roster check has read the group (and so knows the bot's rights)."""

    async def reconciled() -> bool:
        async with bot.db.read() as session:
            group = (await session.execute(select(Group).where(Group.chat_id == chat_id))).scalar()
            return group is not None and group.bot_is_admin is not None

    await eventually(reconciled)
