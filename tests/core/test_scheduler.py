"""Timers live in the database: they fire when due, survive restarts, and retry on failure."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cassbot.clock import ManualClock
from cassbot.scheduler import Scheduler
from cassbot.settings import SchedulerSettings
from cassbot.storage.db import Database
from cassbot.storage.migrate import upgrade
from cassbot.storage.models import Timer


async def make(db_url: str, clock: ManualClock) -> tuple[Database, Scheduler, list[str]]:
    db = Database(db_url)
    await upgrade(db)
    scheduler = Scheduler(db, clock, SchedulerSettings())
    fired: list[str] = []

    async def remind(session, timer, now) -> None:  # type: ignore[no-untyped-def]
        fired.append(f"{timer.key}@{(now - clock_start).total_seconds():.0f}")

    scheduler.on("remind", remind)
    return db, scheduler, fired


clock_start = ManualClock().now()


async def test_timers_fire_when_due_and_survive_a_restart(db_url: str) -> None:
    clock = ManualClock(clock_start)
    db, scheduler, fired = await make(db_url, clock)
    async with db.transaction() as session:
        await Scheduler.schedule(
            session, "remind", "ticket:1:ack", clock_start + timedelta(hours=4)
        )
        await Scheduler.schedule(
            session, "remind", "ticket:2:ack", clock_start + timedelta(hours=8)
        )
    clock.advance(timedelta(hours=3))
    assert await scheduler.run_due() == 0
    await db.close()

    # A new process: the timers are still there.
    db, scheduler, fired = await make(db_url, clock)
    clock.advance(timedelta(hours=1, seconds=1))
    assert await scheduler.run_due() == 1
    assert fired == ["ticket:1:ack@14401"]
    assert await scheduler.run_due() == 0  # fired once
    clock.advance(timedelta(hours=5))
    await scheduler.run_due()
    assert fired[-1].startswith("ticket:2:ack")
    await db.close()


async def test_rescheduling_moves_a_timer_and_cancel_stops_it(db_url: str) -> None:
    clock = ManualClock(clock_start)
    db, scheduler, fired = await make(db_url, clock)
    async with db.transaction() as session:
        await Scheduler.schedule(session, "remind", "a", clock_start + timedelta(minutes=5))
        await Scheduler.schedule(session, "remind", "a", clock_start + timedelta(minutes=50))
        await Scheduler.schedule(session, "remind", "b:1", clock_start + timedelta(minutes=5))
        await Scheduler.schedule(session, "remind", "b:2", clock_start + timedelta(minutes=5))
        assert await Scheduler.cancel(session, "b:", prefix=True) == 2
    clock.advance(timedelta(minutes=10))
    assert await scheduler.run_due() == 0
    clock.advance(timedelta(minutes=45))
    assert await scheduler.run_due() == 1
    assert fired == ["a@3300"]
    await db.close()


async def test_a_failing_handler_is_retried_then_parked(db_url: str) -> None:
    clock = ManualClock(clock_start)
    db = Database(db_url)
    await upgrade(db)
    scheduler = Scheduler(db, clock, SchedulerSettings())
    calls = 0

    async def broken(session, timer, now) -> None:  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        raise RuntimeError("smtp down")

    scheduler.on("broken", broken)
    async with db.transaction() as session:
        await Scheduler.schedule(session, "broken", "x", clock_start)
    for _ in range(8):
        await scheduler.run_due()
        clock.advance(timedelta(minutes=5))
    async with db.read() as session:
        timer = (await session.execute(select(Timer))).scalar_one()
    assert timer.status == "failed" and calls == 5
    assert "smtp down" in (timer.last_error or "")
    await db.close()


async def test_periodic_jobs_follow_the_injected_clock(tmp_path) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock(clock_start)
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    await upgrade(db)
    scheduler = Scheduler(db, clock, SchedulerSettings())
    runs: list[float] = []

    async def job(now) -> None:  # type: ignore[no-untyped-def]
        runs.append((now - clock_start).total_seconds())

    scheduler.every("reconcile", 600, job)
    for _ in range(4):
        await scheduler.run_due()
        clock.advance(timedelta(minutes=4))
    assert runs == [0, 720]
    await db.close()
