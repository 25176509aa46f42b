"""Dialect-aware "insert unless it exists", the primitive behind deduplication."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignore(
    session: AsyncSession, table: Table, values: dict[str, Any], *, conflict: list[str]
) -> int | None:
    """Insert one row; return its primary key, or None when `conflict` columns already exist."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    pk = next(iter(table.primary_key.columns))
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict)
        .returning(pk)
    )
    result = await session.execute(statement)
    key: int | None = result.scalar_one_or_none()
    return key
