"""`cassbot screen`: screen messages from stdin with the bot's engine and policy defaults.

Input: one text per line, or JSON lines with a `text` field (other fields such as `id` are
passed through; `links`, `forwarded`, `forwarded_many`, `author_message_count` feed the
screeners). Output: one JSON line per message: `text`, `offensive`, `action`
(`none`/`review`/`act`), `severity`, `categories`, `off_purpose`, `service_request`,
`model_score`, `matches`. A bad line gives a JSON line with an `error` field instead.

Lines are screened as from members past probation unless they carry `author_message_count`.
`--config` picks the configuration, `--community ID` that community's merged policy.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from cassbot.cli.common import add_config_option
from cassbot.config import ConfigError, load_settings
from moderation.engine import ScreeningEngine, ScreenInput
from moderation.model import MODEL_FILE
from moderation.service_requests import classify as classify_service_request
from moderation.settings import PolicySettings

PASSED_THROUGH = ("links", "forwarded", "forwarded_many", "author_message_count")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "screen",
        help="screen messages read from stdin (one per line, or JSON lines)",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    add_config_option(parser)
    parser.add_argument("--community", metavar="ID", help="use this community's policy")
    parser.add_argument("--no-model", action="store_true", help="ignore a trained model")
    parser.set_defaults(handler=screen_cmd)


def screen_cmd(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    policy = settings.moderation
    if args.community:
        community = settings.community(args.community)
        if community is None:
            raise ConfigError(f"no community with id {args.community!r}")
        policy = community.policy
    model_path = None if args.no_model else settings.data_dir / "models" / MODEL_FILE
    engine = ScreeningEngine.from_settings(policy, model_path=model_path)
    run(engine, policy, sys.stdin, sys.stdout)
    return 0


def run(engine: ScreeningEngine, policy: PolicySettings, lines: Iterable[str], out: TextIO) -> int:
    """Screen every line; return how many lines were bad."""
    bad = 0
    established = policy.off_purpose.probation.messages
    for number, line in enumerate(lines, start=1):
        raw = line.rstrip("\n")
        if not raw.strip():
            continue
        try:
            extra, message = parse_line(raw, established)
            result = {**extra, **engine.screen(message, policy).to_json()}
            request = classify_service_request(message.text)
            result["service_request"] = request.department if request else None
        except (ValueError, TypeError) as exc:
            bad += 1
            result = {"line": number, "error": str(exc)}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return bad


def parse_line(raw: str, established: int) -> tuple[dict[str, Any], ScreenInput]:
    stripped = raw.strip()
    if not stripped.startswith(("{", "[")):
        return {}, ScreenInput(text=raw, author_message_count=established)
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ValueError("a JSON line must be an object with a 'text' field")
    text = data.get("text")
    if not isinstance(text, str):
        raise ValueError("missing or non-string 'text' field")
    links = data.get("links", [])
    if not isinstance(links, list) or not all(isinstance(x, str) for x in links):
        raise ValueError("'links' must be a list of strings")
    count = data.get("author_message_count", established)
    if not isinstance(count, int):
        raise ValueError("'author_message_count' must be an integer")
    message = ScreenInput(
        text=text,
        links=tuple(links),
        forwarded=bool(data.get("forwarded", False)),
        forwarded_many=bool(data.get("forwarded_many", False)),
        author_message_count=count,
    )
    extra = {k: v for k, v in data.items() if k != "text" and k not in PASSED_THROUGH}
    return extra, message


def model_path_for(data_dir: Path) -> Path:
    return data_dir / "models" / MODEL_FILE
