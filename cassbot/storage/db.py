"""The database facade: one async engine from one URL, SQLite tuned for a single-node bot."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

logger = logging.getLogger(__name__)

_WRITE = "cassbot_write"


class Database:
    """Sessions and transactions over SQLite (aiosqlite) or PostgreSQL (asyncpg).

    `transaction()` is the unit of work for anything that writes. On SQLite it takes the write
    lock up front (BEGIN IMMEDIATE) and serialises writers inside the process, so concurrent
    groups never fail with "database is locked"; PostgreSQL runs them in parallel.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        # Errors and logs never repeat statement parameters: they hold people's names,
        # numbers and messages.
        engine_args: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.is_sqlite:
            _ensure_sqlite_folder(url)
            engine_args["connect_args"] = {"timeout": 30}
        else:
            engine_args["pool_pre_ping"] = True
        self.engine: AsyncEngine = create_async_engine(url, **engine_args)
        if self.is_sqlite:
            _install_sqlite_pragmas(self.engine)
        self._writer = async_sessionmaker(
            self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False
        )
        self._reader = async_sessionmaker(self.engine, expire_on_commit=False)
        self._sqlite_write_lock = asyncio.Lock() if self.is_sqlite else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one write transaction, committed on success, rolled back on error."""
        lock = self._sqlite_write_lock
        if lock is not None:
            await lock.acquire()
        try:
            async with self._writer() as session, session.begin():
                yield session
        finally:
            if lock is not None:
                lock.release()

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for queries only (its transaction is rolled back at the end)."""
        async with self._reader() as session:
            yield session

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            logger.warning("database ping failed", exc_info=True)
            return False

    async def close(self) -> None:
        await self.engine.dispose()


def _ensure_sqlite_folder(url: str) -> None:
    path = url.split("///", 1)[-1].split("?", 1)[0]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_pragmas(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _entry: ConnectionPoolEntry) -> None:
        # Let us emit BEGIN ourselves (below) instead of the driver's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
