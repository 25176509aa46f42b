"""Local time for people: the database keeps UTC; neighbours and officials read Jilotepec's
time (America/Mexico_City, UTC-6 all year since Mexico dropped daylight saving in 2022)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("America/Mexico_City")
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


def show_date(moment: datetime) -> str:
    """'04/12/2026' in local time."""
    return local(moment).strftime("%d/%m/%Y")
