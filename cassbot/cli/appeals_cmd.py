"""`cassbot appeals list|decide`: resolve appeals against expulsions from a terminal.

The deciding official must not be the one who expelled the person (enforced here as in the
panel).
"""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import select

from cassbot.cli.common import add_config_option
from cassbot.cli.registration_common import add_official_option, official_actor, run_with_app
from cassbot.registration.common import DecisionError
from cassbot.registration.dates import show
from cassbot.registration.folios import clean_folio


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("appeals", help="resolve appeals against expulsions")
    sub = parser.add_subparsers(dest="appeals_command", metavar="ACTION")
    listing = sub.add_parser(
        "list", help="list pending appeals", description="List appeals, pending first."
    )
    listing.add_argument("--all", action="store_true", help="include decided appeals")
    add_config_option(listing)
    listing.set_defaults(handler=list_cmd)
    decide = sub.add_parser(
        "decide",
        help="uphold or reject an appeal",
        description="Decide an appeal. Upholding lifts the ban and readmits the person. The "
        "official who expelled the person cannot decide it.",
    )
    decide.add_argument("folio")
    add_official_option(decide)
    outcome = decide.add_mutually_exclusive_group(required=True)
    outcome.add_argument("--uphold", action="store_true", help="lift the ban and readmit")
    outcome.add_argument("--reject", action="store_true", help="keep the ban")
    decide.add_argument("--reason", default="", help="shown to the person (required to reject)")
    add_config_option(decide)
    decide.set_defaults(handler=decide_cmd)
    parser.set_defaults(handler=lambda _args: (parser.print_help(), 2)[1])


def list_cmd(args: argparse.Namespace) -> int:
    from cassbot.storage.models import Appeal, CommunityBan

    async def work(app: Any) -> int:
        statement = (
            select(Appeal, CommunityBan)
            .join(CommunityBan, CommunityBan.id == Appeal.ban_id)
            .order_by(Appeal.due_at)
        )
        if not args.all:
            statement = statement.where(Appeal.status == "pending")
        async with app.db.read() as session:
            rows = (await session.execute(statement)).all()
        if not rows:
            print("No appeals." if args.all else "No pending appeals.")
        for appeal, ban in rows:
            print(
                f"{appeal.folio}  {appeal.status:<9} {appeal.community_id:<22} "
                f"due {show(appeal.due_at):<20} expelled by {ban.banned_by}"
            )
        return 0

    return run_with_app(args, work)


def decide_cmd(args: argparse.Namespace) -> int:
    from cassbot.registration.appeals import appeal_by_folio, decide_appeal

    folio = clean_folio(args.folio)
    if folio is None or not folio.startswith("APE"):
        print(f"cassbot: {args.folio!r} is not an appeal folio such as APE-2026-000007")
        return 2

    async def work(app: Any) -> int:
        actor = official_actor(app.settings, args.official)
        try:
            async with app.db.transaction() as session:
                appeal = await appeal_by_folio(session, folio)
                if appeal is None:
                    print(f"cassbot: no appeal {folio}")
                    return 1
                await decide_appeal(
                    app,
                    session,
                    appeal,
                    actor,
                    uphold=args.uphold,
                    reason=args.reason,
                    now=app.clock.now(),
                )
        except DecisionError as refused:
            print(f"cassbot: {refused}")
            return 1
        print(f"{folio}: {'upheld' if args.uphold else 'rejected'} by {actor.name}.")
        return 0

    return run_with_app(args, work)
