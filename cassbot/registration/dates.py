"""Local time for people (kept here for the registration feature; see cassbot.localtime)."""

from __future__ import annotations

from cassbot.localtime import LOCAL_TZ, local, local_year, show

__all__ = ["LOCAL_TZ", "local", "local_year", "show"]
