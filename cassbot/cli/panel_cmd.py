"""`cassbot panel add-user|set-password|list-users`: accounts for the officials' panel."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any

from sqlalchemy import select

from cassbot.cli.common import add_config_option
from cassbot.cli.registration_common import run_with_app
from cassbot.config import ConfigError
from cassbot.panel.roles import PERMISSION_ROLES_HELP, ROLE_PERMISSIONS


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("panel", help="manage the officials' panel accounts")
    sub = parser.add_subparsers(dest="panel_command", metavar="ACTION")
    add = sub.add_parser(
        "add-user",
        help="create an account",
        description="Create a panel account. Roles: " + PERMISSION_ROLES_HELP,
    )
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=sorted(ROLE_PERMISSIONS))
    add.add_argument("--name", help="display name (default: the official's name)")
    add.add_argument(
        "--official",
        metavar="NAME",
        help="the configured official this account belongs to (required for "
        "the departamento role, whose rosters are limited to that official's "
        "communities)",
    )
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of prompting",
    )
    add_config_option(add)
    add.set_defaults(handler=add_user_cmd)
    setpw = sub.add_parser(
        "set-password",
        help="set a new password (ends the user's sessions)",
        description="Set an account's password; its open sessions end.",
    )
    setpw.add_argument("username")
    setpw.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of prompting",
    )
    setpw.add_argument("--disable", action="store_true", help="disable the account instead")
    add_config_option(setpw)
    setpw.set_defaults(handler=set_password_cmd)
    listing = sub.add_parser(
        "list-users",
        help="list accounts",
        description="List panel accounts with role and last login.",
    )
    add_config_option(listing)
    listing.set_defaults(handler=list_users_cmd)
    parser.set_defaults(handler=lambda _args: (parser.print_help(), 2)[1])


def _read_password(from_stdin: bool, minimum: int) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat it: ") != password:
            raise ConfigError("the passwords do not match")
    if len(password) < minimum:
        raise ConfigError(f"the password must have at least {minimum} characters")
    return password


def add_user_cmd(args: argparse.Namespace) -> int:
    from cassbot.panel.passwords import hash_password
    from cassbot.storage.models import PanelUser

    username = args.username.strip().lower()
    if (
        not username
        or len(username) > 60
        or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        raise ConfigError("user names use letters, digits, '.', '-' and '_' (up to 60)")

    async def work(app: Any) -> int:
        official = None
        if args.official:
            official = next(
                (
                    o
                    for o in app.settings.officials
                    if o.name.casefold() == args.official.strip().casefold()
                ),
                None,
            )
            if official is None:
                raise ConfigError(f"No official named {args.official!r} in the configuration")
        if args.role == "departamento" and official is None:
            raise ConfigError("the departamento role needs --official (it limits the rosters)")
        display = args.name or (official.name if official else username)
        password = _read_password(args.password_stdin, app.settings.panel.min_password_length)
        # Hashed before the transaction: on SQLite a running bot shares the write lock.
        password_hash = await asyncio.to_thread(hash_password, password)
        async with app.db.transaction() as session:
            exists = (
                await session.execute(select(PanelUser).where(PanelUser.username == username))
            ).scalar_one_or_none()
            if exists is not None:
                raise ConfigError(f"the user {username!r} already exists (use set-password)")
            now = app.clock.now()
            session.add(
                PanelUser(
                    username=username,
                    display_name=display,
                    password_hash=password_hash,
                    role=args.role,
                    official_name=official.name if official else None,
                    active=True,
                    created_at=now,
                    password_changed_at=now,
                )
            )
        print(f"Created {username} ({args.role}).")
        return 0

    return run_with_app(args, work)


def set_password_cmd(args: argparse.Namespace) -> int:
    from cassbot.panel.passwords import hash_password
    from cassbot.storage.models import PanelSession, PanelUser

    username = args.username.strip().lower()

    async def work(app: Any) -> int:
        password = (
            None
            if args.disable
            else _read_password(args.password_stdin, app.settings.panel.min_password_length)
        )
        password_hash = (
            None if password is None else await asyncio.to_thread(hash_password, password)
        )
        async with app.db.transaction() as session:
            user = (
                await session.execute(select(PanelUser).where(PanelUser.username == username))
            ).scalar_one_or_none()
            if user is None:
                raise ConfigError(f"no user {username!r}")
            if password_hash is None:
                user.active = False
            else:
                user.password_hash = password_hash
                user.password_changed_at = app.clock.now()
                user.active = True
            from sqlalchemy import delete

            await session.execute(delete(PanelSession).where(PanelSession.user_id == user.id))
        print(f"{'Disabled' if args.disable else 'Password set for'} {username}.")
        return 0

    return run_with_app(args, work)


def list_users_cmd(args: argparse.Namespace) -> int:
    from cassbot.storage.models import PanelUser

    async def work(app: Any) -> int:
        async with app.db.read() as session:
            users = (
                (await session.execute(select(PanelUser).order_by(PanelUser.username)))
                .scalars()
                .all()
            )
        if not users:
            print("No panel accounts yet: create one with `cassbot panel add-user`.")
        for user in users:
            last = (
                user.last_login_at.isoformat(timespec="minutes") if user.last_login_at else "never"
            )
            state = "" if user.active else " (disabled)"
            print(
                f"{user.username:<20} {user.role:<17} {user.official_name or '-':<35} "
                f"last login {last}{state}"
            )
        return 0

    return run_with_app(args, work)
