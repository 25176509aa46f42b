"""A community's moderation policy settings (validated with the rest of the configuration)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class PolicySettings(BaseModel):
    """Moderation policy: the `[moderation]` defaults, overridden per community by `policy`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
