"""Folios: `JIL-2026-000123`, a per-year sequence handed out inside the ticket's transaction.

The counter row is updated with `UPDATE … RETURNING`, which row-locks it on PostgreSQL until
the transaction ends, so concurrent tickets never share a number; SQLite serialises writers.
A rolled-back ticket gives its number back; numbers may still be skipped (gap-tolerant).
"""

from __future__ import annotations

import re

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.storage.models import TicketFolioCounter
from cassbot.storage.upsert import insert_ignore

FOLIO_PATTERN = re.compile(r"\b([A-Za-z]{2,6})-(\d{4})-(\d{1,9})\b")


def format_folio(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


def find_folio(text: str) -> str | None:
    """A folio typed by someone, normalised ("jil-2026-123" → "JIL-2026-000123")."""
    match = FOLIO_PATTERN.search(text)
    if match is None:
        return None
    prefix, year, number = match.groups()
    return format_folio(prefix.upper(), int(year), int(number))


async def next_folio(session: AsyncSession, prefix: str, year: int) -> str:
    statement = (
        update(TicketFolioCounter)
        .where(TicketFolioCounter.year == year)
        .values(last=TicketFolioCounter.last + 1)
        .returning(TicketFolioCounter.last)
    )
    number = (await session.execute(statement)).scalar_one_or_none()
    if number is None:
        await insert_ignore(
            session,
            TicketFolioCounter.__table__,  # type: ignore[arg-type]
            {"year": year, "last": 0},
            conflict=["year"],
        )
        number = (await session.execute(statement)).scalar_one()
    return format_folio(prefix, year, number)
