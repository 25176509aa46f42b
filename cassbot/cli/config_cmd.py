"""`cassbot config check`: validate the configuration and summarise what it sets up."""

from __future__ import annotations

import argparse
import re
from typing import Any

from cassbot.cli.common import add_config_option
from cassbot.config import load_settings, resolve_config_path


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("config", help="inspect the configuration")
    sub = parser.add_subparsers(dest="config_command", metavar="ACTION")
    check = sub.add_parser(
        "check",
        help="validate the configuration",
        description="Validate the configuration (file and CASSBOT__ environment overrides).",
    )
    add_config_option(check)
    check.set_defaults(handler=check_cmd)
    parser.set_defaults(handler=lambda _args: (parser.print_help(), 2)[1])


def check_cmd(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    path = resolve_config_path(args.config)
    groups = sum(len(c.groups) for c in settings.communities)
    enabled = [
        name
        for name, section in (
            ("local", settings.adapters.local),
            ("whatsapp", settings.adapters.whatsapp),
            ("telegram", settings.adapters.telegram),
        )
        if section.enabled
    ]
    print(f"Configuration OK: {path}")
    print(f"  database:    {_mask(settings.database_url)}")
    print(f"  data folder: {settings.data_dir}")
    print(f"  web server:  http://{settings.server.host}:{settings.server.port}")
    print(f"  channels:    {', '.join(enabled) or 'none'}")
    print(f"  communities: {len(settings.communities)} ({groups} groups)")
    print(f"  officials:   {len(settings.officials)}")
    return 0


def _mask(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]+@", r"://\1:***@", url)
