"""Packaging: one distribution shipping cassbot, adapters and moderation, with its data."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import adapters
import cassbot
import moderation
from cassbot.cli.main import main


def test_adapters_and_moderation_are_this_projects_packages() -> None:
    # `adapters` and `config` are also names of unrelated PyPI packages.
    root = Path(cassbot.__file__).resolve().parent.parent
    assert Path(adapters.__file__).resolve().parent.parent == root
    assert Path(moderation.__file__).resolve().parent.parent == root
    assert hasattr(importlib.import_module("adapters.local"), "LocalAdapter")


def test_version_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"cassbot {cassbot.__version__}"


@pytest.mark.parametrize("command", [["run"], ["db", "upgrade"], ["config", "check"]])
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "--config" in capsys.readouterr().out


@pytest.mark.timeout(300)
def test_wheel_ships_code_and_data(tmp_path: Path, repo_root: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(repo_root),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("cassbot-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "cassbot/_config/cassbot.toml",
        "cassbot/_config/cassbot.example.toml",
        "cassbot/storage/migrations/env.py",
        "cassbot/storage/migrations/script.py.mako",
        "cassbot/storage/migrations/versions/0001_core.py",
        "adapters/local/templates/playground.html",
        "adapters/local/static/playground.js",
        "moderation/__init__.py",
    ):
        assert required in names, required
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


def test_run_explains_a_busy_port(tmp_path: Path, repo_root: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "cassbot", "run", "--port", str(port)],
            cwd=tmp_path,
            env={"CASSBOT__PATHS__DATA_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert "address is in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_installed_cassbot_runs_outside_a_checkout(tmp_path: Path) -> None:
    """Default configuration and lexicons come from the package, wherever cassbot runs."""
    env = {"PATH": "/usr/bin:/bin", "CASSBOT__PATHS__DATA_DIR": str(tmp_path / "var")}
    check = subprocess.run(
        [sys.executable, "-m", "cassbot", "config", "check"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    assert "Configuration OK" in check.stdout and "communities: 6" in check.stdout
    screened = subprocess.run(
        [sys.executable, "-m", "cassbot", "screen"],
        input="eres un pendejo\nno hay agua en la calle Hidalgo\n",
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert screened.returncode == 0, screened.stderr
    insult, request = (json.loads(line) for line in screened.stdout.splitlines())
    assert insult["offensive"] is True and insult["action"] == "act"
    assert request["offensive"] is False and request["service_request"] == "agua"
