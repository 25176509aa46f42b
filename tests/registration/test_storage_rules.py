"""Database-backed rules on SQLite and PostgreSQL: folios under concurrency, one open request
per number even when two arrive at once, and rate limits shared by processes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cassbot.registration.folios import clean_folio, next_folio
from cassbot.registration.ratelimit import Limit, RateLimiter
from cassbot.registration.requests import DuplicateRequest, NewRequest, submit_request
from cassbot.storage.db import Database
from cassbot.storage.migrate import upgrade
from cassbot.storage.models import Community, RegistrationRequest

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
async def db(db_url: str):  # type: ignore[no-untyped-def]
    database = Database(db_url)
    await upgrade(database)
    yield database
    await database.close()


async def test_folios_are_unique_and_sequential_under_concurrency(db: Database) -> None:
    async def one() -> str:
        async with db.transaction() as session:
            return await next_folio(session, "REG", NOW)

    folios = await asyncio.gather(*(one() for _ in range(25)))
    assert sorted(folios) == [f"REG-2026-{n:06d}" for n in range(1, 26)]


async def test_each_year_and_kind_has_its_own_sequence(db: Database) -> None:
    async with db.transaction() as session:
        assert await next_folio(session, "REG", NOW) == "REG-2026-000001"
        assert await next_folio(session, "QUE", NOW) == "QUE-2026-000001"
        # 1 January 2027 at 03:00 UTC is still 31 December 2026 in Jilotepec (UTC-6).
        new_year_utc = datetime(2027, 1, 1, 3, 0, tzinfo=UTC)
        assert await next_folio(session, "REG", new_year_utc) == "REG-2026-000002"
        assert await next_folio(session, "REG", new_year_utc + timedelta(hours=4)) == (
            "REG-2027-000001"
        )


def test_folios_are_read_the_way_people_type_them() -> None:
    assert clean_folio(" reg 2026 42 ") == "REG-2026-000042"
    assert clean_folio("REG-2026-000042") == "REG-2026-000042"
    assert clean_folio("ape-2026-7") == "APE-2026-000007"
    assert clean_folio("REG-26-1") is None
    assert clean_folio("XYZ-2026-000001") is None


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_two_requests_for_one_number_at_once_store_one(
    make_settings, make_bot, db_url
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(make_settings(database={"url": db_url}), serve_http=False)
    new = NewRequest(full_name="Ana Pérez López", phone="+527611234567", community_id="canalejas")

    async def attempt() -> str:
        try:
            async with bot.db.transaction() as session:
                return (await submit_request(bot, session, new, NOW)).folio
        except DuplicateRequest as duplicate:
            return "duplicate:" + duplicate.folio

    results = await asyncio.gather(*(attempt() for _ in range(6)))
    stored = [r for r in results if not r.startswith("duplicate:")]
    assert len(stored) == 1
    assert all(r == "duplicate:" + stored[0] for r in results if r not in stored)
    async with bot.db.read() as session:
        assert len((await session.execute(select(RegistrationRequest))).scalars().all()) == 1


async def test_rate_limits_hold_across_processes_and_restarts(db_url: str) -> None:
    first, second = Database(db_url), Database(db_url)  # two processes of one deployment
    third = Database(db_url)  # the same deployment after a restart
    await upgrade(first)
    limit = Limit("form_ip", 3, timedelta(hours=1))
    try:
        a, b = RateLimiter(first), RateLimiter(second)
        decisions = [
            await a.hit(limit, "k", NOW),
            await b.hit(limit, "k", NOW),
            await a.hit(limit, "k", NOW),
        ]
        assert [d.allowed for d in decisions] == [True, True, True]
        await first.close()
        restarted = RateLimiter(third)
        refused = await restarted.hit(limit, "k", NOW + timedelta(minutes=10))
        assert not refused.allowed
        assert refused.count == 4
        assert refused.retry_after == timedelta(minutes=50)
        assert (await restarted.hit(limit, "other", NOW)).allowed  # keys are separate
        assert (await restarted.hit(limit, "k", NOW + timedelta(hours=1))).allowed  # new window
        assert await restarted.purge(NOW + timedelta(hours=1)) == 2
    finally:
        await first.close()
        await second.close()
        await third.close()


async def test_communities_table_is_shared_with_the_core(db: Database) -> None:
    async with db.transaction() as session:
        session.add(Community(id="canalejas", name="Villa de Canalejas"))
        await session.flush()
        session.add(
            RegistrationRequest(
                folio="REG-2026-000001",
                community_id="canalejas",
                full_name="Ana",
                phone="+527611234567",
                open_phone="+527611234567",
                status="pending",
                consent_at=NOW,
                created_at=NOW,
                due_at=NOW,
            )
        )
    async with db.read() as session:
        row = (await session.execute(select(RegistrationRequest))).scalar_one()
    assert row.due_at == NOW
    assert row.consent_at.tzinfo is not None
