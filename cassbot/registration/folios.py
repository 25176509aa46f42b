"""Folios such as REG-2026-000042: a prefix, the local year and a per-year sequence.

The counter row is incremented with one UPDATE … RETURNING inside the caller's transaction:
PostgreSQL's row lock makes concurrent requests take turns (no gaps from races, no repeats),
and SQLite has a single writer. The folio columns are unique as the last line of defence.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.registration.dates import local_year
from cassbot.storage.models import FolioCounter
from cassbot.storage.upsert import insert_ignore

FOLIO_PATTERN = re.compile(r"^(REG|QUE|SUG|APE)-(\d{4})-(\d{6})$")
PREFIXES = {"registration": "REG", "queja": "QUE", "sugerencia": "SUG", "appeal": "APE"}


async def next_folio(session: AsyncSession, prefix: str, now: datetime) -> str:
    year = local_year(now)
    await insert_ignore(
        session,
        FolioCounter.__table__,  # type: ignore[arg-type]
        {"prefix": prefix, "year": year, "last": 0},
        conflict=["prefix", "year"],
    )
    result = await session.execute(
        update(FolioCounter)
        .where(FolioCounter.prefix == prefix, FolioCounter.year == year)
        .values(last=FolioCounter.last + 1)
        .returning(FolioCounter.last)
    )
    return f"{prefix}-{year}-{result.scalar_one():06d}"


def clean_folio(text: str) -> str | None:
    """A folio as people type it ('reg 2026 42', 'REG-2026-000042') in canonical form."""
    compact = re.sub(r"[\s_–—]+", "-", text.strip().upper())
    match = re.fullmatch(r"(REG|QUE|SUG|APE)-?(\d{4})-?(\d{1,6})", compact)
    if match is None:
        return None
    prefix, year, number = match.groups()
    return f"{prefix}-{year}-{int(number):06d}"
