"""`cassbot tickets export --out FILE`: the public tickets as CSV (the nightly export's format)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from cassbot.cli.common import add_config_option, settings_from


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("tickets", help="service requests (tickets)")
    sub = parser.add_subparsers(dest="tickets_command", metavar="ACTION")
    export = sub.add_parser(
        "export",
        help="write the public tickets as CSV",
        description=(
            "Write every public ticket as CSV (GeoReport Bulk columns plus acknowledgement and "
            "resolution columns; no names, phones or chats). '-' writes to standard output."
        ),
    )
    add_config_option(export)
    export.add_argument("--out", required=True, metavar="FILE", help="where to write the CSV")
    export.set_defaults(handler=export_cmd)
    parser.set_defaults(handler=lambda _args: (parser.print_help(), 2)[1])


def export_cmd(args: argparse.Namespace) -> int:
    from cassbot.clock import SystemClock
    from cassbot.storage.db import Database
    from cassbot.storage.migrate import upgrade
    from cassbot.tickets.export import export_csv

    settings = settings_from(args, log=False)

    async def main() -> str:
        db = Database(settings.database_url)
        try:
            await upgrade(db)
            async with db.read() as session:
                return await export_csv(session, settings, SystemClock().now())
        finally:
            await db.close()

    body = asyncio.run(main())
    count = max(0, body.count("\r\n") - 1)
    if args.out == "-":
        sys.stdout.write(body)
        return 0
    path = Path(args.out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    except OSError as exc:
        print(f"cassbot: cannot write {path}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"Wrote {count} tickets to {path}")
    return 0
