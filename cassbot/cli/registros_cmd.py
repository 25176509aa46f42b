"""`cassbot registros list|approve|reject|ask`: review registration requests from a terminal."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import select

from cassbot.cli.common import add_config_option
from cassbot.cli.registration_common import add_official_option, official_actor, run_with_app
from cassbot.registration.common import DecisionError
from cassbot.registration.dates import show
from cassbot.registration.deadlines import is_overdue
from cassbot.registration.folios import clean_folio


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("registros", help="review registration requests")
    sub = parser.add_subparsers(dest="registros_command", metavar="ACTION")
    listing = sub.add_parser(
        "list",
        help="list requests (pending ones by default)",
        description="List registration requests, oldest deadline first.",
    )
    listing.add_argument("--all", action="store_true", help="include decided requests")
    listing.add_argument("--community", metavar="ID", help="only this community")
    add_config_option(listing)
    listing.set_defaults(handler=list_cmd)
    approve = sub.add_parser(
        "approve",
        help="approve a request and admit the person",
        description="Approve a request: the person is added to the "
        "community's groups (or gets invite links) and the admins are told.",
    )
    approve.add_argument("folio")
    add_official_option(approve)
    approve.add_argument(
        "--lift-ban",
        action="store_true",
        help="confirm lifting the person's active ban in the community",
    )
    add_config_option(approve)
    approve.set_defaults(handler=approve_cmd)
    reject = sub.add_parser(
        "reject",
        help="reject a request with a reason",
        description="Reject a request; the applicant sees the reason.",
    )
    reject.add_argument("folio")
    add_official_option(reject)
    reject.add_argument("--reason", required=True, help="shown to the applicant (Spanish)")
    add_config_option(reject)
    reject.set_defaults(handler=reject_cmd)
    ask = sub.add_parser(
        "ask",
        help="ask the applicant for more information",
        description="Ask the applicant a question; they answer on the status "
        "page and the 24-hour clock restarts then.",
    )
    ask.add_argument("folio")
    add_official_option(ask)
    ask.add_argument("--question", required=True, help="shown to the applicant (Spanish)")
    add_config_option(ask)
    ask.set_defaults(handler=ask_cmd)
    parser.set_defaults(handler=lambda _args: (parser.print_help(), 2)[1])


def list_cmd(args: argparse.Namespace) -> int:
    from cassbot.storage.models import RegistrationRequest

    async def work(app: Any) -> int:
        statement = select(RegistrationRequest).order_by(RegistrationRequest.due_at)
        if not args.all:
            statement = statement.where(
                RegistrationRequest.status.in_(("pending", "info_requested"))
            )
        if args.community:
            statement = statement.where(RegistrationRequest.community_id == args.community)
        async with app.db.read() as session:
            rows = (await session.execute(statement)).scalars().all()
        now = app.clock.now()
        if not rows:
            print("No requests." if args.all else "No pending requests.")
        for row in rows:
            flags = []
            if is_overdue("registration", row, now):
                flags.append("OVERDUE")
            if row.held_ban_id:
                flags.append("BANNED NUMBER")
            print(
                f"{row.folio}  {row.status:<14} {row.community_id:<22} due {show(row.due_at):<20}"
                f" {row.full_name} {row.phone or ''} {' '.join(flags)}".rstrip()
            )
        return 0

    return run_with_app(args, work)


def _decide(args: argparse.Namespace, action: str) -> int:
    from cassbot.registration import requests

    folio = clean_folio(args.folio)
    if folio is None:
        print(f"cassbot: {args.folio!r} is not a folio such as REG-2026-000042")
        return 2

    async def work(app: Any) -> int:
        actor = official_actor(app.settings, args.official)
        now = app.clock.now()
        try:
            async with app.db.transaction() as session:
                row = await requests.by_folio(session, folio)
                if row is None:
                    print(f"cassbot: no request {folio}")
                    return 1
                if action == "approve":
                    planned = await requests.approve(
                        app, session, row, actor, now, lift_ban_confirmed=args.lift_ban
                    )
                    for item in planned:
                        print(f"  {item.group_name}: {item.admission.method}")
                elif action == "reject":
                    await requests.reject(app, session, row, actor, args.reason, now)
                else:
                    await requests.ask_info(app, session, row, actor, args.question, now)
        except DecisionError as refused:
            print(f"cassbot: {refused}")
            return 1
        print(f"{folio}: {action} by {actor.name}. The running bot carries out the actions.")
        return 0

    return run_with_app(args, work)


def approve_cmd(args: argparse.Namespace) -> int:
    return _decide(args, "approve")


def reject_cmd(args: argparse.Namespace) -> int:
    return _decide(args, "reject")


def ask_cmd(args: argparse.Namespace) -> int:
    return _decide(args, "ask")
