"""`cassbot privacy export|erase PHONE`: a person's access and erasure requests (ARCO)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from cassbot.cli.common import add_config_option
from cassbot.cli.registration_common import add_official_option, official_actor, run_with_app
from cassbot.registration.common import DecisionError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("privacy", help="answer a person's data requests")
    sub = parser.add_subparsers(dest="privacy_command", metavar="ACTION")
    export = sub.add_parser(
        "export",
        help="everything held about a phone number, as JSON",
        description="Write, as JSON, everything cassbot holds about the person with this phone "
        "number: identities, memberships, requests, complaints, appeals, bans, messages.",
    )
    export.add_argument("phone")
    export.add_argument("--output", "-o", metavar="FILE", help="default: standard output")
    add_config_option(export)
    export.set_defaults(handler=export_cmd)
    erase = sub.add_parser(
        "erase",
        help="remove a person's personal data (keeps anonymous aggregates)",
        description="Anonymise the person's names, numbers and texts everywhere; counts, dates "
        "and statuses remain. Refused while the person has an active ban unless --force.",
    )
    erase.add_argument("phone")
    add_official_option(erase)
    erase.add_argument("--force", action="store_true", help="erase even with an active ban")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    add_config_option(erase)
    erase.set_defaults(handler=erase_cmd)
    parser.set_defaults(handler=lambda _args: (parser.print_help(), 2)[1])


def export_cmd(args: argparse.Namespace) -> int:
    from cassbot.registration.person_data import export_person

    async def work(app: Any) -> int:
        try:
            data = await export_person(app, args.phone)
        except DecisionError as refused:
            print(f"cassbot: {refused}", file=sys.stderr)
            return 2
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if args.output:
            await asyncio.to_thread(Path(args.output).write_text, text + "\n", encoding="utf-8")
            print(f"Wrote {args.output}.", file=sys.stderr)
        else:
            print(text)
        return 0

    return run_with_app(args, work)


def erase_cmd(args: argparse.Namespace) -> int:
    from cassbot.registration.person_data import erase_person

    if not args.yes:
        answer = input(f"Erase the personal data of {args.phone}? This cannot be undone. [y/N] ")
        if answer.strip().lower() not in ("y", "yes", "s", "si", "sí"):
            print("Nothing erased.")
            return 1

    async def work(app: Any) -> int:
        actor = official_actor(app.settings, args.official)
        try:
            counts = await erase_person(app, args.phone, actor, force=args.force)
        except DecisionError as refused:
            print(f"cassbot: {refused}", file=sys.stderr)
            return 1
        summary = ", ".join(f"{k}: {v}" for k, v in counts.items())
        print(f"Erased. {summary}")
        return 0

    return run_with_app(args, work)
