"""Local time for people: Jilotepec keeps UTC-6 all year (no daylight saving since 2022)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

LOCAL_TZ = timezone(timedelta(hours=-6), "hora del centro")
_MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")


def local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)


def local_year(moment: datetime) -> int:
    return local(moment).year


def show(moment: datetime | None) -> str:
    """'4 dic 2026, 10:30' in local time (what a neighbour reads on a phone)."""
    if moment is None:
        return ""
    at = local(moment)
    return f"{at.day} {_MONTHS[at.month - 1]} {at.year}, {at:%H:%M}"
