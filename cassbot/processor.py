"""Event processing: in order within a chat, in parallel across chats, one transaction each.

Each chat has a lane (a queue and a task that exists while there is work). An event's pipeline
run, its decisions and its outbox rows commit together, with the event marked processed; a
failure rolls all of it back and the event is retried, then parked as `failed` (never lost).
Events still pending at start-up (a crash, a shutdown timeout) are queued again in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy import select

from cassbot.events import EVENT_ADAPTER
from cassbot.pipeline import Context, Pipeline
from cassbot.safe_errors import describe, where
from cassbot.settings import ProcessingSettings
from cassbot.storage.db import Database
from cassbot.storage.models import InboundEvent

if TYPE_CHECKING:
    from cassbot.app import CassBot

logger = logging.getLogger(__name__)

AfterCommit = Callable[[Context], Awaitable[None]]


class EventProcessor:
    def __init__(
        self,
        app: CassBot,
        db: Database,
        pipeline: Pipeline,
        settings: ProcessingSettings,
    ) -> None:
        self._app = app
        self._db = db
        self._pipeline = pipeline
        self._settings = settings
        self._lanes: dict[str, deque[int]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(settings.max_parallel_groups)
        self._idle = asyncio.Event()
        self._idle.set()
        self._accepting = True

    def enqueue(self, event_id: int, chat_key: str) -> None:
        if not self._accepting:
            return  # left pending in the database; picked up at the next start
        self._lanes.setdefault(chat_key, deque()).append(event_id)
        if chat_key not in self._tasks:
            self._idle.clear()
            self._tasks[chat_key] = asyncio.create_task(
                self._run_lane(chat_key), name=f"cassbot-lane-{chat_key}"
            )

    async def recover(self) -> int:
        """Queue events left pending by a previous run, in their original order."""
        async with self._db.read() as session:
            rows = (
                await session.execute(
                    select(InboundEvent.id, InboundEvent.chat_key)
                    .where(InboundEvent.status == "pending")
                    .order_by(InboundEvent.id)
                )
            ).all()
        for event_id, chat_key in rows:
            self.enqueue(event_id, chat_key)
        if rows:
            logger.info("re-queued pending events", extra={"count": len(rows)})
        return len(rows)

    async def join(self, timeout: float | None = None) -> bool:
        """Wait until every queued event is handled; False on timeout."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
            return True
        except TimeoutError:
            return False

    async def drain(self) -> None:
        """Stop accepting work and let in-flight events finish (graceful shutdown)."""
        self._accepting = False
        finished = await self.join(self._settings.drain_timeout_s)
        if not finished:
            logger.warning("shutdown timeout: unfinished events stay pending for the next start")
            for task in list(self._tasks.values()):
                task.cancel()
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def _run_lane(self, chat_key: str) -> None:
        lane = self._lanes[chat_key]
        try:
            while lane:
                event_id = lane[0]
                async with self._slots:
                    retry = await self._process(event_id)
                if retry:
                    await asyncio.sleep(min(5.0, 0.2 * retry))
                    continue
                lane.popleft()
        finally:
            self._tasks.pop(chat_key, None)
            if not lane:
                self._lanes.pop(chat_key, None)
            if not self._tasks:
                self._idle.set()

    async def _process(self, event_id: int) -> int:
        """Process one event; returns 0 when done with it, else the attempt number to retry."""
        ctx: Context | None = None
        try:
            async with self._db.transaction() as session:
                row = await session.get(InboundEvent, event_id)
                if row is None or row.status != "pending":
                    return 0
                event = EVENT_ADAPTER.validate_python(row.payload)
                ctx = Context(
                    app=self._app,
                    event=event,
                    event_id=row.id,
                    session=session,
                    now=self._app.clock.now(),
                )
                await self._pipeline.run(ctx)
                await self._app.persist_planned(ctx)
                row.status = "processed"
                row.attempts += 1
                row.processed_at = ctx.now
                row.error = None
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return await self._record_failure(event_id, exc)
        self._app.metrics.events_processed.labels("processed").inc()
        if ctx is not None and ctx.planned:
            self._app.outbox.wake()
        return 0

    async def _record_failure(self, event_id: int, exc: Exception) -> int:
        async with self._db.transaction() as session:
            row = await session.get(InboundEvent, event_id)
            if row is None:
                return 0
            row.attempts += 1
            # Never str(exc): SQL parameters and validation inputs carry people's messages.
            row.error = describe(exc)[:4000]
            parked = row.attempts >= self._settings.max_attempts
            if parked:
                row.status = "failed"
            attempts = row.attempts
        logger.error(
            "event processing failed%s",
            "; parked as failed" if parked else "; will retry",
            extra={
                "event_id": event_id,
                "attempt": attempts,
                "error": describe(exc),
                "where": where(exc, frames=6),
            },
        )
        self._app.metrics.events_processed.labels("failed" if parked else "retried").inc()
        if parked:
            return 0
        return attempts
