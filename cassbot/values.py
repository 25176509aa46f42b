"""Base class for the immutable, JSON-serialisable values that cross cassbot's boundaries."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """An immutable value: hashable, comparable, and serialisable to JSON for the database."""

    model_config = ConfigDict(frozen=True, extra="forbid")
