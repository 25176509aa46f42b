"""`cassbot run`: the whole bot in one process (web, pipeline, outbox, scheduler)."""

from __future__ import annotations

import argparse
import asyncio
import errno
import sys
from typing import Any

from cassbot.cli.common import add_config_option
from cassbot.config import load_settings
from cassbot.logs import configure_logging


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run the bot",
        description="Run cassbot: upgrades the database, starts the channels and the web server.",
    )
    add_config_option(parser)
    parser.add_argument("--host", help="address to listen on (overrides server.host)")
    parser.add_argument("--port", type=int, help="port to listen on (overrides server.port)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cassbot.app import CassBot

    server: dict[str, Any] = {}
    if args.host:
        server["host"] = args.host
    if args.port is not None:
        server["port"] = args.port
    settings = load_settings(args.config, overrides={"server": server} if server else None)
    configure_logging(settings.logging.level, settings.logging.format)
    bot = CassBot(settings)

    def announce() -> None:
        print(f"cassbot is running at {bot.base_url}", flush=True)
        if "local" in bot.adapters:
            print(f"Open the playground: {bot.base_url}/playground", flush=True)
        print("Press Ctrl+C to stop.", flush=True)

    try:
        asyncio.run(bot.run_forever(on_started=announce))
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        where = f"{settings.server.host}:{settings.server.port}"
        print(
            f"cassbot: cannot listen on {where}: the address is in use. "
            "Stop the other program or choose another port (--port 8081).",
            file=sys.stderr,
        )
        return 1
    return 0
