"""Configuration: defaults run as is, the environment overrides, errors list every bad key."""

from __future__ import annotations

from pathlib import Path

import pytest

from cassbot.cli.main import main
from cassbot.config import ConfigError, load_settings

GOOD = """
[server]
port = 9001
[[communities]]
id = "canalejas"
name = "Villa de Canalejas"
[[communities.groups]]
channel = "local"
chat_id = "canalejas"
[[officials]]
name = "Enlace"
department = "agua"
communities = ["canalejas"]
telegram = 12345
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cassbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_default_config_is_valid(repo_root: Path) -> None:
    settings = load_settings(repo_root / "config" / "cassbot.toml")
    assert settings.adapters.local.enabled
    assert not settings.adapters.whatsapp.enabled
    assert {c.id for c in settings.communities} >= {
        "canalejas",
        "san-pablo-huantepec",
        "coscomate",
    }
    departments = {o.department for o in settings.officials}
    assert {
        "agua",
        "servicios",
        "seguridad",
        "proteccion_civil",
        "desarrollo_economico",
    } <= departments
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.database_url.endswith("/var/cassbot.db")


def test_example_config_is_valid(repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The example needs its secrets from the environment, as production would.
    monkeypatch.setenv("CASSBOT__ADAPTERS__WHATSAPP__API_KEY", "k")
    monkeypatch.setenv("CASSBOT__ADAPTERS__WHATSAPP__WEBHOOK_HMAC_KEY", "h")
    monkeypatch.setenv("CASSBOT__ADAPTERS__TELEGRAM__TOKEN", "1:abc")
    monkeypatch.setenv("CASSBOT__ADAPTERS__TELEGRAM__WEBHOOK_SECRET", "s")
    settings = load_settings(repo_root / "config" / "cassbot.example.toml")
    assert settings.adapters.whatsapp.enabled


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, GOOD)
    monkeypatch.setenv("CASSBOT__DATABASE__URL", "postgresql+asyncpg://u:p@db/cass")
    monkeypatch.setenv("CASSBOT__SERVER__PORT", "9100")
    settings = load_settings(path)
    assert settings.database_url == "postgresql+asyncpg://u:p@db/cass"
    assert settings.server.port == 9100
    assert settings.officials[0].telegram == "12345"  # numeric ids become strings


def test_config_env_variable_selects_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASSBOT_CONFIG", str(write(tmp_path, GOOD)))
    assert load_settings().server.port == 9001


def test_every_invalid_key_is_listed_in_one_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(
        tmp_path,
        """
[server]
port = "many"
colour = "blue"
[database]
url = "mysql://nope"
[adapters.whatsapp]
enabled = true
[[officials]]
name = "X"
department = "bomberos"
whatsapp = "not a phone"
""",
    )
    monkeypatch.setenv("CASSBOT__NOPE__X", "1")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    for expected in (
        "server.port",
        "server.colour: unknown key",
        "database.url",
        "adapters.whatsapp",
        "officials[0].department",
        "officials[0].whatsapp",
        "CASSBOT__NOPE__X",
    ):
        assert expected in message, expected
    assert "Traceback" not in message


def test_secrets_are_not_echoed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, GOOD)
    monkeypatch.setenv("CASSBOT__ADAPTERS__TELEGRAM__TOKEN", "")
    monkeypatch.setenv("CASSBOT__ADAPTERS__TELEGRAM__ENABLED", "maybe-secret-token")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert "adapters.telegram.enabled" in str(caught.value)


def test_references_between_sections_are_checked(tmp_path: Path) -> None:
    path = write(
        tmp_path, GOOD.replace('communities = ["canalejas"]', 'communities = ["atlantis"]')
    )
    with pytest.raises(ConfigError, match="unknown community atlantis"):
        load_settings(path)


def test_unreadable_toml_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[server\nport = 1"))
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml")


def test_cli_config_check_exits_non_zero_with_the_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, '[server]\nport = -1\n[paths]\nwhere = "x"\n')
    assert main(["config", "check", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "server.port" in err and "paths.where: unknown key" in err
    assert "Traceback" not in err


def test_cli_config_check_summarises(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", "--config", str(write(tmp_path, GOOD))]) == 0
    out = capsys.readouterr().out
    assert "Configuration OK" in out and "communities: 1 (1 groups)" in out
