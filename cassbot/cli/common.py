"""Helpers shared by subcommands."""

from __future__ import annotations

import argparse

from cassbot.config import load_settings
from cassbot.logs import configure_logging
from cassbot.settings import Settings


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="configuration file (default: $CASSBOT_CONFIG, else config/cassbot.toml)",
    )


def settings_from(args: argparse.Namespace, *, log: bool = True) -> Settings:
    settings = load_settings(getattr(args, "config", None))
    if log:
        configure_logging(settings.logging.level, settings.logging.format)
    return settings
