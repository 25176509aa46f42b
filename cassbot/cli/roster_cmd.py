"""`cassbot roster export`: a community's roster as CSV for its admins."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from cassbot.cli.common import add_config_option
from cassbot.cli.registration_common import run_with_app
from cassbot.config import ConfigError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("roster", help="export group rosters")
    sub = parser.add_subparsers(dest="roster_command", metavar="ACTION")
    export = sub.add_parser(
        "export",
        help="write a community's roster as CSV",
        description="Write who is in each group of a community (status, role, since when, "
        "registration folio) as CSV, to a file or standard output.",
    )
    export.add_argument("--community", required=True, metavar="ID")
    export.add_argument("--output", "-o", metavar="FILE", help="default: standard output")
    export.add_argument(
        "--no-phones",
        action="store_true",
        help="leave phone numbers out (for people without access to them)",
    )
    add_config_option(export)
    export.set_defaults(handler=export_cmd)
    parser.set_defaults(handler=lambda _args: (parser.print_help(), 2)[1])


def export_cmd(args: argparse.Namespace) -> int:
    from cassbot.registration.roster import roster, roster_csv

    async def work(app: Any) -> int:
        if app.directory.community(args.community) is None:
            known = ", ".join(c.id for c in app.directory.communities)
            raise ConfigError(f"no community {args.community!r} (known: {known})")
        with_phones = not args.no_phones
        async with app.db.read() as session:
            rows = await roster(app, session, args.community, with_phones=with_phones)
        text = roster_csv(rows, with_phones=with_phones)
        if args.output:
            await asyncio.to_thread(Path(args.output).write_text, text, encoding="utf-8")
            print(f"Wrote {len(rows)} members to {args.output}.", file=sys.stderr)
        else:
            sys.stdout.write(text.removeprefix("\ufeff"))
        return 0

    return run_with_app(args, work)
