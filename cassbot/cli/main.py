"""`cassbot` command line: run the bot, manage the database, check the configuration.

Subcommands live in small modules that each add their parser; this module only assembles them
and turns configuration errors into one readable message and a non-zero exit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from cassbot import __version__
from cassbot.cli import (
    appeals_cmd,
    bans_cmd,
    config_cmd,
    db_cmd,
    moderation_cmd,
    panel_cmd,
    privacy_cmd,
    registros_cmd,
    roster_cmd,
    run_cmd,
    telegram_cmd,
    tickets_cmd,
)
from cassbot.config import ConfigError
from moderation import screen_cli, train_cli

# Each module exposes add_parser(subparsers) and sets `handler` on its parser.
COMMAND_MODULES = [
    run_cmd,
    db_cmd,
    config_cmd,
    moderation_cmd,
    telegram_cmd,
    tickets_cmd,
    registros_cmd,
    appeals_cmd,
    bans_cmd,
    roster_cmd,
    panel_cmd,
    privacy_cmd,
    screen_cli,
    train_cli,
]

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cassbot",
        description=(
            "cassbot runs the CASS community groups of Jilotepec: membership, moderation, "
            "service requests and transparency."
        ),
    )
    parser.add_argument("--version", action="version", version=f"cassbot {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except ConfigError as exc:
        print(f"cassbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `cassbot screen | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
