"""Screen and decide stages as the core knows them: slots the moderation feature fills.

The core ships pass-through versions so the pipeline is whole on its own; `moderation`
installs the real screening engine and policy into the same slots.
"""

from __future__ import annotations

from cassbot.pipeline import Context, Next


class PassThroughScreen:
    """Screens nothing (placeholder until a screening engine is installed)."""

    async def __call__(self, ctx: Context, call_next: Next) -> None:
        ctx.notes.setdefault("screen", None)
        await call_next()


class PassThroughDecide:
    """Decides nothing (placeholder until a moderation policy is installed)."""

    async def __call__(self, ctx: Context, call_next: Next) -> None:
        await call_next()
