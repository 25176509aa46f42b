"""`cassbot db upgrade`: bring the database schema to the newest version."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from cassbot.cli.common import add_config_option, settings_from


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("db", help="manage the database")
    db_sub = parser.add_subparsers(dest="db_command", metavar="ACTION")
    up = db_sub.add_parser(
        "upgrade",
        help="upgrade the schema to the newest version",
        description="Apply pending migrations (cassbot run also does this at start-up).",
    )
    add_config_option(up)
    up.set_defaults(handler=upgrade_cmd)
    parser.set_defaults(handler=lambda _args: (parser.print_help(), 2)[1])


def upgrade_cmd(args: argparse.Namespace) -> int:
    from cassbot.storage.db import Database
    from cassbot.storage.migrate import upgrade

    settings = settings_from(args)

    async def main() -> tuple[set[str], set[str]]:
        db = Database(settings.database_url)
        try:
            return await upgrade(db)
        finally:
            await db.close()

    before, after = asyncio.run(main())
    if before == after:
        print(f"Database already at {', '.join(sorted(after))}.")
    else:
        was = ", ".join(sorted(before)) or "empty"
        print(f"Database upgraded from {was} to {', '.join(sorted(after))}.")
    return 0
