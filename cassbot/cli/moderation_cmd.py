"""`cassbot moderation export-labels`: the bot's own history as training data.

A message whose automatic flag an admin confirmed (`/confirmar`) is `offensive`; one whose
sanction an admin undid (`/deshacer`) or dismissed (`/descartar`) is `not`. With
`--include-unchallenged`, automatic sanctions left standing for `--settled-days` count as
confirmed too. The CSV is what `cassbot train --labelled` reads.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cassbot.cli.common import add_config_option, settings_from
from moderation.labels import Outcome, write_training_csv


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("moderation", help="moderation data")
    sub = parser.add_subparsers(dest="moderation_command", metavar="ACTION")
    export = sub.add_parser(
        "export-labels",
        help="write confirmed and undone moderation cases as a training CSV",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_option(export)
    export.add_argument("--out", required=True, type=Path, help="CSV file to write ('-': stdout)")
    export.add_argument(
        "--include-unchallenged",
        action="store_true",
        help="also count automatic sanctions nobody undid as confirmed",
    )
    export.add_argument("--settled-days", type=int, default=14, help="(default: 14)")
    export.set_defaults(handler=export_labels)
    parser.set_defaults(handler=lambda _args: (parser.print_help(), 2)[1])


async def collect(
    url: str, include_unchallenged: bool, settled_days: int
) -> list[tuple[str, Outcome]]:
    from cassbot.storage.db import Database
    from cassbot.storage.models import ModerationCase

    db = Database(url)
    try:
        async with db.read() as session:
            rows = (
                await session.execute(
                    select(
                        ModerationCase.text,
                        ModerationCase.status,
                        ModerationCase.source,
                        ModerationCase.created_at,
                    )
                    .where(ModerationCase.text.is_not(None))
                    .order_by(ModerationCase.id)
                )
            ).all()
    finally:
        await db.close()
    settled = datetime.now(UTC) - timedelta(days=settled_days)
    pairs: list[tuple[str, Outcome]] = []
    for text, status, source, created_at in rows:
        if status == "confirmed":
            pairs.append((text or "", "confirmed"))
        elif status in ("undone", "dismissed"):
            pairs.append((text or "", "undone"))
        elif (
            include_unchallenged
            and status == "applied"
            and source == "auto"
            and created_at < settled
        ):
            pairs.append((text or "", "confirmed"))
    return pairs


def export_labels(args: argparse.Namespace) -> int:
    settings = settings_from(args, log=False)
    pairs = asyncio.run(
        collect(settings.database_url, args.include_unchallenged, args.settled_days)
    )
    if str(args.out) == "-":
        count = write_training_csv(pairs, sys.stdout)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", encoding="utf-8", newline="") as handle:
            count = write_training_csv(pairs, handle)
    print(f"{count} labelled messages written to {args.out}", file=sys.stderr)
    if count == 0:
        print(
            "No admin decisions to learn from yet (confirm, dismiss or undo cases first).",
            file=sys.stderr,
        )
    return 0
