"""`cassbot run`: the whole bot in one process (web, pipeline, outbox, scheduler)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from cassbot.cli.common import add_config_option, settings_from


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run the bot",
        description="Run cassbot: upgrades the database, starts the channels and the web server.",
    )
    add_config_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cassbot.app import CassBot

    settings = settings_from(args)
    bot = CassBot(settings)

    def announce() -> None:
        print(f"cassbot is running at {bot.base_url}", flush=True)
        if "local" in bot.adapters:
            print(f"Open the playground: {bot.base_url}/playground", flush=True)
        print("Press Ctrl+C to stop.", flush=True)

    asyncio.run(bot.run_forever(on_started=announce))
    return 0
