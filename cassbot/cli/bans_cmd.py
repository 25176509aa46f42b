"""`cassbot bans list|lift`: the community ban lists (lifting is explicit and audited)."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import select

from cassbot.cli.common import add_config_option
from cassbot.cli.registration_common import add_official_option, official_actor, run_with_app
from cassbot.registration.common import DecisionError
from cassbot.registration.dates import show


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("bans", help="see and lift community bans")
    sub = parser.add_subparsers(dest="bans_command", metavar="ACTION")
    listing = sub.add_parser(
        "list", help="list active bans", description="List the active bans of every community."
    )
    listing.add_argument("--community", metavar="ID", help="only this community")
    add_config_option(listing)
    listing.set_defaults(handler=list_cmd)
    lift = sub.add_parser(
        "lift", help="lift a ban", description="Lift a ban by its id (see `cassbot bans list`)."
    )
    lift.add_argument("ban_id", type=int)
    add_official_option(lift)
    lift.add_argument("--reason", required=True, help="why the ban is lifted (audited)")
    add_config_option(lift)
    lift.set_defaults(handler=lift_cmd)
    parser.set_defaults(handler=lambda _args: (parser.print_help(), 2)[1])


def list_cmd(args: argparse.Namespace) -> int:
    from cassbot.storage.models import CommunityBan, Person

    async def work(app: Any) -> int:
        statement = (
            select(CommunityBan, Person)
            .join(Person, Person.id == CommunityBan.person_id)
            .where(CommunityBan.lifted_at.is_(None))
            .order_by(CommunityBan.id)
        )
        if args.community:
            statement = statement.where(CommunityBan.community_id == args.community)
        async with app.db.read() as session:
            rows = (await session.execute(statement)).all()
        if not rows:
            print("No active bans.")
        for ban, person in rows:
            print(
                f"{ban.id:>6}  {ban.community_id:<22} {show(ban.created_at):<20} "
                f"{person.display_name or '-'} {person.phone or ''} — {ban.reason} "
                f"(by {ban.banned_by})"
            )
        return 0

    return run_with_app(args, work)


def lift_cmd(args: argparse.Namespace) -> int:
    from cassbot.registration.bans import lift_ban
    from cassbot.storage.models import CommunityBan

    async def work(app: Any) -> int:
        actor = official_actor(app.settings, args.official)
        try:
            async with app.db.transaction() as session:
                ban = await session.get(CommunityBan, args.ban_id)
                if ban is None:
                    print(f"cassbot: no ban {args.ban_id}")
                    return 1
                await lift_ban(app, session, ban, actor, args.reason, app.clock.now())
        except DecisionError as refused:
            print(f"cassbot: {refused}")
            return 1
        print(f"Ban {args.ban_id} lifted by {actor.name}.")
        return 0

    return run_with_app(args, work)
