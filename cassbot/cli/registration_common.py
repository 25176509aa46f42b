"""Helpers for the registration commands: an app built from the configuration (not started:
the running bot's outbox carries out what these commands queue), and officials by name."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from cassbot.cli.common import settings_from
from cassbot.config import ConfigError
from cassbot.registration.common import Actor
from cassbot.settings import Settings

T = TypeVar("T")


def run_with_app(args: argparse.Namespace, work: Callable[..., Awaitable[T]]) -> T:
    from cassbot.app import CassBot
    from cassbot.storage.migrate import upgrade

    settings = settings_from(args, log=False)

    async def main() -> T:
        app = CassBot(settings)
        try:
            await upgrade(app.db)
            await app.sync_config()
            return await work(app)
        finally:
            await app.db.close()

    return asyncio.run(main())


def official_actor(settings: Settings, name: str) -> Actor:
    """The configured official acting from the command line (decisions are signed by name)."""
    for official in settings.officials:
        if official.name.casefold() == name.strip().casefold():
            return Actor(name=official.name, via="cli")
    known = ", ".join(o.name for o in settings.officials) or "none configured"
    raise ConfigError(f"No official named {name!r} in the configuration (known: {known}).")


def add_official_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--official",
        required=True,
        metavar="NAME",
        help="the configured official taking this decision (as named in [[officials]])",
    )
