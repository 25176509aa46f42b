"""Polling mode: a getUpdates long-poll loop, for a machine Telegram cannot reach by webhook.

The offset (the next update_id wanted) is kept in `adapter_state` and saved after each batch is
stored, so a restart resumes where the last run stopped: nothing is lost, and an update stored
but not yet confirmed is delivered again and dropped by its dedupe key.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError
from telegram.ext import ExtBot
from telegram.warnings import PTBUserWarning

from adapters.telegram.errors import retry_after_seconds
from adapters.telegram.normalise import ALLOWED_UPDATES, UnreadableUpdate
from cassbot.clock import Clock
from cassbot.storage.db import Database
from cassbot.storage.models import AdapterState

logger = logging.getLogger(__name__)

_CHANNEL = "telegram"
_MAX_BACKOFF_S = 60.0

Ingest = Callable[[dict[str, Any]], Awaitable[object]]


class Poller:
    def __init__(
        self,
        bot: ExtBot[None],
        db: Database,
        clock: Clock,
        ingest: Ingest,
        *,
        bot_id: str,
        timeout_s: int,
        request_timeout_s: float,
    ) -> None:
        self._bot = bot
        self._db = db
        self._clock = clock
        self._ingest = ingest
        self._state_key = f"polling_offset:{bot_id}"
        self._timeout_s = timeout_s
        self._request_timeout_s = request_timeout_s
        self._task: asyncio.Task[None] | None = None
        self.problem: str | None = None  # why polling is not working, for /readyz

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="cassbot-telegram-polling")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def _run(self) -> None:
        failures = 0
        webhook_removed = False
        offset = await self.load_offset()
        logger.info("Telegram polling started", extra={"offset": offset})
        while True:
            try:
                if not webhook_removed:
                    # getUpdates refuses to work while a webhook is set.
                    await self._bot.delete_webhook(drop_pending_updates=False)
                    webhook_removed = True
                batch = await self._fetch(offset)
            except InvalidToken as exc:
                self.problem = f"Telegram rejected the bot token: {exc.message}"
                logger.error("Telegram polling stopped: the bot token was rejected")
                return
            except RetryAfter as exc:
                await asyncio.sleep(retry_after_seconds(exc))
                continue
            except TelegramError as exc:
                failures += 1
                if isinstance(exc, Conflict):
                    webhook_removed = False  # someone set a webhook, or another poller runs
                self.problem = f"{type(exc).__name__}: {exc.message}"
                logger.warning(
                    "Telegram polling failed; retrying",
                    extra={"error": self.problem, "attempt": failures},
                )
                await asyncio.sleep(min(_MAX_BACKOFF_S, 2.0 ** min(failures - 1, 6)))
                continue
            failures = 0
            self.problem = None
            if not batch:
                continue
            try:
                offset = await self._store(batch) or offset
            except Exception:
                # The database failed: keep the saved offset, ask Telegram again later.
                logger.exception("storing Telegram updates failed; they will be fetched again")
                offset = await self._load_offset_or(offset)
                await asyncio.sleep(2.0)

    async def _fetch(self, offset: int | None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"timeout": self._timeout_s, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            params["offset"] = offset
        # The raw call keeps the updates as JSON: the webhook and polling share one normaliser,
        # and one update PTB cannot read does not take its whole batch down with it.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Please use 'Bot.getUpdates'", PTBUserWarning)
            result = await self._bot.do_api_request(
                "getUpdates",
                api_kwargs=params,
                read_timeout=self._timeout_s + self._request_timeout_s,
            )
        return [u for u in result if isinstance(u, dict)] if isinstance(result, list) else []

    async def _store(self, batch: list[dict[str, Any]]) -> int | None:
        """Store a batch's events in order; returns (and saves) the next offset."""
        offset: int | None = None
        for raw in batch:
            update_id = raw.get("update_id")
            try:
                await self._ingest(raw)
            except UnreadableUpdate as exc:
                logger.error(
                    "Telegram update could not be read; skipped",
                    extra={
                        "error": str(exc),
                        "update_id": update_id,
                        "kind": exc.kind,
                        "fields": ",".join(exc.fields),
                    },
                )
            if isinstance(update_id, int):
                offset = max(offset or 0, update_id + 1)
        if offset is not None:
            await self.save_offset(offset)
        return offset

    async def load_offset(self) -> int | None:
        async with self._db.read() as session:
            row = await session.get(AdapterState, (_CHANNEL, self._state_key))
        if row is None or not isinstance(row.value, dict):
            return None
        value = row.value.get("offset")
        return value if isinstance(value, int) else None

    async def _load_offset_or(self, fallback: int | None) -> int | None:
        try:
            return await self.load_offset()
        except Exception:
            return fallback

    async def save_offset(self, offset: int) -> None:
        now = self._clock.now()
        async with self._db.transaction() as session:
            row = await session.get(AdapterState, (_CHANNEL, self._state_key))
            if row is None:
                session.add(
                    AdapterState(
                        channel=_CHANNEL,
                        key=self._state_key,
                        value={"offset": offset},
                        updated_at=now,
                    )
                )
            else:
                row.value = {"offset": offset}
                row.updated_at = now
