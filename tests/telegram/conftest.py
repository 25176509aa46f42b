"""Fixtures for the Telegram tests: the fake Bot API, a started adapter, a world of people."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from adapters.telegram import TelegramAdapter
from cassbot.app import CassBot
from cassbot.clock import ManualClock
from cassbot.events import Event
from cassbot.settings import Settings, TelegramAdapterSettings
from cassbot.storage.db import Database
from cassbot.storage.migrate import upgrade
from tests.telegram.fake_bot_api import FakeBotAPI

GROUP_ID = -1001234567890  # CASS Canalejas on Telegram
OTHER_GROUP_ID = -1009876543210  # CASS Coscomate on Telegram
SECRET = "s3cret-token_for-the-webhook-0123456789"

# People in the groups (Telegram user ids).
LUPITA = 1001  # a neighbour who started the bot
BETO = 1002  # a neighbour who never started the bot
KARLA = 1003  # a group admin on Telegram (not a configured official)
ODAPAS = 7001  # the configured director of ODAPAS (tests/conftest.py BASE_CONFIG)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    api = await FakeBotAPI().start()
    yield api
    await api.close()


def populate(fake: FakeBotAPI, *, bot_rights: dict[str, bool] | None = None) -> None:
    """Two groups: neighbours, an admin, the ODAPAS director; the bot as an admin."""
    fake.add_user(LUPITA, "Lupita", "Martínez", started=True)
    fake.add_user(BETO, "Beto", "Hernández")
    fake.add_user(KARLA, "Karla", "Ramírez", started=True)
    fake.add_user(ODAPAS, "Directora", "ODAPAS", started=True)
    for chat_id, title in ((GROUP_ID, "CASS Canalejas"), (OTHER_GROUP_ID, "CASS Coscomate")):
        fake.add_group(chat_id, title, bot_rights=bot_rights)
        fake.set_member(chat_id, LUPITA)
        fake.set_member(chat_id, BETO)
        fake.set_member(chat_id, KARLA, "administrator", can_delete_messages=True)
        fake.set_member(chat_id, ODAPAS)


@pytest.fixture
def world(fake: FakeBotAPI) -> FakeBotAPI:
    populate(fake)
    return fake


def telegram_config(fake: FakeBotAPI, **overrides: Any) -> dict[str, Any]:
    """Settings sections for a bot whose Telegram groups live in the fake."""
    adapter = {
        "enabled": True,
        "token": fake.token,
        "base_url": fake.base_url,
        "webhook_secret": SECRET,
        "mode": "webhook",
        "polling_timeout_s": 1,
        "request_timeout_s": 5,
        **overrides,
    }
    return {
        "adapters": {"telegram": adapter},
        "communities": [
            {
                "id": "canalejas",
                "name": "Villa de Canalejas",
                "groups": [
                    {"channel": "local", "chat_id": "canalejas", "name": "CASS Canalejas"},
                    {"channel": "telegram", "chat_id": str(GROUP_ID), "name": "CASS Canalejas"},
                ],
            },
            {
                "id": "coscomate",
                "name": "Coscomate del Progreso",
                "groups": [
                    {
                        "channel": "telegram",
                        "chat_id": str(OTHER_GROUP_ID),
                        "name": "CASS Coscomate",
                    }
                ],
            },
        ],
    }


class RecordingSink:
    """An EventSink that keeps what it is given, deduplicating like the ingress does."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._keys: set[str] = set()

    async def submit(self, event: Event) -> bool:
        return await self.submit_many([event]) == 1

    async def submit_many(self, events: Sequence[Event]) -> int:
        fresh = [e for e in events if e.dedupe_key not in self._keys]
        self._keys.update(e.dedupe_key for e in fresh)
        self.events.extend(fresh)
        return len(fresh)


MakeAdapter = Callable[..., Awaitable[tuple[TelegramAdapter, RecordingSink, ManualClock]]]


@pytest.fixture
async def make_adapter(db_url: str, fake: FakeBotAPI) -> AsyncIterator[MakeAdapter]:
    """Start a TelegramAdapter on the fake with a real database (SQLite, then PostgreSQL)."""
    started: list[TelegramAdapter] = []
    databases: list[Database] = []

    async def factory(**overrides: Any) -> tuple[TelegramAdapter, RecordingSink, ManualClock]:
        section = telegram_config(fake, **overrides)["adapters"]["telegram"]
        settings = TelegramAdapterSettings(**section)
        db = Database(db_url)
        databases.append(db)
        await upgrade(db)
        clock = ManualClock()
        adapter = TelegramAdapter(settings, db, clock)
        sink = RecordingSink()
        await adapter.start(sink)
        started.append(adapter)
        return adapter, sink, clock

    yield factory
    for adapter in started:
        await adapter.stop()
    for db in databases:
        await db.close()


def bot_settings(
    make_settings: Callable[..., Settings],
    fake: FakeBotAPI,
    database: dict[str, Any] | None = None,
    **telegram: Any,
) -> Settings:
    config = telegram_config(fake, **telegram)
    if database:
        config["database"] = database
    return make_settings(config)


StartBot = Callable[..., Awaitable[CassBot]]


@pytest.fixture
def start_bot(
    make_settings: Callable[..., Settings],
    make_bot: Callable[..., Awaitable[CassBot]],
    fake: FakeBotAPI,
    db_url: str,
) -> StartBot:
    """Start cassbot (web on a random port) with its Telegram groups in the fake.

    The bot has its default features (moderation, tickets, registration) unless a test passes
    `features=[...]`. Runs on SQLite and, when CASSBOT_TEST_PG_URL is set, on PostgreSQL.
    """

    async def factory(
        *,
        clock: ManualClock | None = None,
        features: Sequence[Any] | None = None,
        database_url: str | None = None,
        **telegram: Any,
    ) -> CassBot:
        database = {"url": database_url or db_url}
        settings = bot_settings(make_settings, fake, database=database, **telegram)
        chosen = None if features is None else list(features)  # None: the default features
        return await make_bot(settings, clock=clock or ManualClock(), features=chosen)

    return factory


def webhook_url(bot: CassBot) -> str:
    return f"http://127.0.0.1:{bot.port}/webhooks/telegram"


async def deliver(
    fake: FakeBotAPI, bot: CassBot, update: dict[str, Any], *, secret: str | None = SECRET
) -> tuple[int, dict[str, Any]]:
    return await fake.deliver(webhook_url(bot), update, secret=secret)


_PTB_RETRY_AFTER_WARNING = (
    "ignore:.*`retry_after` will be of type:telegram.warnings.PTBDeprecationWarning"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # PTB 22 warns about its own `RetryAfter.retry_after` type each time it raises one (a
    # deprecation inside the library, not in cassbot's use of it): keep the report readable.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.filterwarnings(_PTB_RETRY_AFTER_WARNING))
