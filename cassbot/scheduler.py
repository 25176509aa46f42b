"""The scheduler: timers kept in the database (deadlines survive restarts) and periodic jobs.

Features register a handler per timer kind and schedule timers by a unique key inside their
own transactions. A due timer's handler runs in a transaction of its own; what it plans goes
through the outbox. Time comes from the injected clock, so tests move it instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.clock import Clock
from cassbot.safe_errors import describe
from cassbot.settings import SchedulerSettings
from cassbot.storage.db import Database
from cassbot.storage.models import Timer

logger = logging.getLogger(__name__)

TimerHandler = Callable[[AsyncSession, Timer, datetime], Awaitable[None]]
PeriodicJob = Callable[[datetime], Awaitable[None]]

_MAX_TIMER_ATTEMPTS = 5


@dataclass
class _Periodic:
    name: str
    interval: timedelta
    job: PeriodicJob
    next_run: datetime | None = None


class Scheduler:
    def __init__(self, db: Database, clock: Clock, settings: SchedulerSettings) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._handlers: dict[str, TimerHandler] = {}
        self._periodic: list[_Periodic] = []
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._after_run: list[Callable[[], None]] = []
        # One pass at a time: a caller (a test, a CLI) waits for the background pass to end
        # instead of seeing its half-done work.
        self._pass_lock = asyncio.Lock()

    def on(self, kind: str, handler: TimerHandler) -> None:
        if kind in self._handlers:
            raise ValueError(f"timer kind {kind!r} already has a handler")
        self._handlers[kind] = handler

    def every(self, name: str, interval_s: float, job: PeriodicJob) -> None:
        """Run `job` now and then every `interval_s` seconds (of the injected clock)."""
        self._periodic.append(_Periodic(name, timedelta(seconds=interval_s), job))

    def after_run(self, callback: Callable[[], None]) -> None:
        """Called after due timers ran (the app wakes the outbox with it)."""
        self._after_run.append(callback)

    @staticmethod
    async def schedule(
        session: AsyncSession,
        kind: str,
        key: str,
        due_at: datetime,
        payload: dict[str, Any] | None = None,
    ) -> Timer:
        """Create the timer `key`, or move it (and re-arm it) when it exists."""
        timer = (await session.execute(select(Timer).where(Timer.key == key))).scalar_one_or_none()
        if timer is None:
            timer = Timer(kind=kind, key=key, due_at=due_at, payload=payload or {})
            session.add(timer)
        else:
            timer.kind = kind
            timer.due_at = due_at
            timer.payload = payload or {}
            timer.status = "pending"
            timer.attempts = 0
            timer.last_error = None
        await session.flush()
        return timer

    @staticmethod
    async def cancel(session: AsyncSession, key: str, *, prefix: bool = False) -> int:
        condition = Timer.key.startswith(key, autoescape=True) if prefix else Timer.key == key
        result = await session.execute(
            update(Timer).where(condition, Timer.status == "pending").values(status="cancelled")
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def run_due(self, now: datetime | None = None) -> int:
        """Fire every timer due at `now` (default: the clock) and due periodic jobs."""
        async with self._pass_lock:
            return await self._run_due(now or self._clock.now())

    async def _run_due(self, now: datetime) -> int:
        fired = 0
        async with self._db.read() as session:
            due = (
                (
                    await session.execute(
                        select(Timer.id)
                        .where(Timer.status == "pending", Timer.due_at <= now)
                        .order_by(Timer.due_at, Timer.id)
                    )
                )
                .scalars()
                .all()
            )
        for timer_id in due:
            fired += await self._fire(timer_id, now)
        for periodic in self._periodic:
            if periodic.next_run is None or periodic.next_run <= now:
                periodic.next_run = now + periodic.interval
                try:
                    await periodic.job(now)
                except Exception:
                    logger.exception("periodic job failed", extra={"job": periodic.name})
        if fired:
            for callback in self._after_run:
                callback()
        return fired

    async def _fire(self, timer_id: int, now: datetime) -> int:
        try:
            async with self._db.transaction() as session:
                # Row lock: a second scheduler pass (or process) firing the same timer on
                # PostgreSQL waits here, then sees it done instead of running it twice.
                timer = await session.get(Timer, timer_id, with_for_update=True)
                if timer is None or timer.status != "pending" or timer.due_at > now:
                    return 0
                handler = self._handlers.get(timer.kind)
                if handler is None:
                    raise LookupError(f"no handler for timer kind {timer.kind!r}")
                timer.attempts += 1
                await handler(session, timer, now)
                if timer.status == "pending" and timer.due_at <= now:
                    timer.status = "done"  # a handler may re-arm its timer by moving due_at
                timer.fired_at = now
            return 1
        except Exception as exc:
            logger.exception("timer failed", extra={"timer_id": timer_id})
            async with self._db.transaction() as session:
                timer = await session.get(Timer, timer_id)
                if timer is not None:
                    timer.attempts += 1
                    timer.last_error = describe(exc)[:2000]  # no SQL parameters or inputs
                    if timer.attempts >= _MAX_TIMER_ATTEMPTS:
                        timer.status = "failed"
                    else:
                        timer.due_at = now + timedelta(seconds=30 * timer.attempts)
            return 0

    def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(self._loop(), name="cassbot-scheduler")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                await self.run_due()
            except Exception:
                logger.exception("scheduler pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self._settings.poll_interval_s)
