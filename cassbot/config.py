"""Loading the configuration: find the file, read TOML, apply the environment, explain errors."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cassbot.settings import Settings

CONFIG_ENV = "CASSBOT_CONFIG"
ENV_PREFIX = "CASSBOT__"
_SECRET_HINTS = ("key", "token", "secret", "password")


class ConfigError(Exception):
    """The configuration cannot be used; the message lists every problem, one per line."""


def default_config_path() -> Path:
    """`./config/cassbot.toml` in a checkout, else the copy shipped inside the package."""
    local = Path.cwd() / "config" / "cassbot.toml"
    if local.is_file():
        return local
    return shipped_config_dir() / "cassbot.toml"


def packaged_config_dir() -> Path:
    """The folder holding the configuration data (lexicons and defaults) to use."""
    local = Path.cwd() / "config"
    if (local / "cassbot.toml").is_file():
        return local
    return shipped_config_dir()


def shipped_config_dir() -> Path:
    """`config/` as installed: inside the wheel, or beside the sources in an editable install."""
    try:
        # `config/` has no __init__.py, so this is a namespace package whose files() is a
        # MultiplexedPath; going through a file gives a real filesystem path.
        shipped = resources.files("cassbot._config").joinpath("cassbot.toml")
        return Path(str(shipped)).parent
    except ModuleNotFoundError:
        source = Path(__file__).resolve().parent.parent / "config"
        if (source / "cassbot.toml").is_file():
            return source
        raise ConfigError("this cassbot installation lacks its default configuration") from None


def resolve_config_path(path: str | os.PathLike[str] | None = None) -> Path:
    if path:
        return Path(path)
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env)
    return default_config_path()


def load_settings(
    path: str | os.PathLike[str] | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Read and validate the configuration; raise ConfigError listing every problem."""
    config_path = resolve_config_path(path)
    data = read_toml(config_path)
    if overrides:
        from cassbot.settings import deep_merge

        data = deep_merge(data, dict(overrides))
    problems = unknown_env_keys(os.environ)
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        problems = problems + describe_errors(exc)
        settings = None
    if problems:
        raise ConfigError(format_problems(config_path, problems))
    assert settings is not None
    return settings


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"Configuration file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Configuration file {path} is not valid TOML: {exc}") from None


def unknown_env_keys(environ: Mapping[str, str]) -> list[str]:
    """Environment overrides whose first section does not exist (typos would pass silently)."""
    sections = set(Settings.model_fields)
    problems = []
    for name in sorted(environ):
        if not name.upper().startswith(ENV_PREFIX):
            continue
        first = name[len(ENV_PREFIX) :].split("__", 1)[0].lower()
        if first not in sections:
            problems.append(f"{name} (environment): no such section '{first}'")
    return problems


def describe_errors(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors(include_url=False):
        key = dotted(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        shown = ""
        if "input" in error and not isinstance(error["input"], dict | list):
            secret = any(hint in key.lower() for hint in _SECRET_HINTS)
            shown = " (value hidden)" if secret else f" (got {error['input']!r})"
        if error["type"] == "extra_forbidden":
            message = "unknown key"
            shown = ""
        lines.append(f"{key or '(top level)'}: {message}{shown}")
    return lines


def dotted(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def format_problems(path: Path, problems: list[str]) -> str:
    header = f"Invalid configuration in {path} ({len(problems)} problem"
    header += "s):" if len(problems) != 1 else "):"
    return "\n".join([header, *(f"  - {p}" for p in problems)])
