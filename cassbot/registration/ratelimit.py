"""Abuse limits kept in the database: fixed windows per (bucket, key), shared by processes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from cassbot.storage.db import Database
from cassbot.storage.models import RateCounter

_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Limit:
    bucket: str
    limit: int
    window: timedelta


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    count: int
    retry_after: timedelta


def window_start(limit: Limit, now: datetime) -> datetime:
    size = limit.window.total_seconds()
    elapsed = (now - _EPOCH).total_seconds()
    return _EPOCH + timedelta(seconds=(elapsed // size) * size)


class RateLimiter:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def hit(self, limit: Limit, key: str, now: datetime) -> Decision:
        """Count one attempt (committed at once) and say whether it is within the limit."""
        start = window_start(limit, now)
        async with self._db.transaction() as session:
            insert = pg_insert if self._db.dialect == "postgresql" else sqlite_insert
            insert_row = insert(RateCounter).values(
                bucket=limit.bucket, key=key, window_start=start, count=1
            )
            statement = insert_row.on_conflict_do_update(
                index_elements=["bucket", "key", "window_start"],
                set_={"count": RateCounter.__table__.c.count + 1},
            ).returning(RateCounter.count)
            count = int((await session.execute(statement)).scalar_one())
        return Decision(count <= limit.limit, count, start + limit.window - now)

    async def peek(self, limit: Limit, key: str, now: datetime) -> Decision:
        """Whether one more attempt would still be allowed, without counting it."""
        start = window_start(limit, now)
        async with self._db.read() as session:
            count = (
                await session.execute(
                    select(RateCounter.count).where(
                        RateCounter.bucket == limit.bucket,
                        RateCounter.key == key,
                        RateCounter.window_start == start,
                    )
                )
            ).scalar_one_or_none() or 0
        return Decision(count < limit.limit, count, start + limit.window - now)

    async def give_back(self, limit: Limit, key: str, now: datetime) -> None:
        """Uncount one attempt of the current window (it turned out to be legitimate)."""
        async with self._db.transaction() as session:
            await session.execute(
                update(RateCounter)
                .where(
                    RateCounter.bucket == limit.bucket,
                    RateCounter.key == key,
                    RateCounter.window_start == window_start(limit, now),
                    RateCounter.count > 0,
                )
                .values(count=RateCounter.count - 1)
            )

    async def reset(self, limit: Limit, key: str) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                delete(RateCounter).where(
                    RateCounter.bucket == limit.bucket, RateCounter.key == key
                )
            )

    async def purge(self, before: datetime) -> int:
        async with self._db.transaction() as session:
            result = await session.execute(
                delete(RateCounter).where(RateCounter.window_start < before)
            )
        return int(getattr(result, "rowcount", 0) or 0)
