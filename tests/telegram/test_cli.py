"""`cassbot telegram set-webhook | info | delete-webhook` against the fake Bot API."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cassbot.cli.main import main
from tests.telegram.conftest import GROUP_ID, OTHER_GROUP_ID, SECRET
from tests.telegram.fake_bot_api import FakeBotAPI


def write_config(
    tmp_path: Path, fake: FakeBotAPI, *, public_url: str = "https://cass.example.org", **extra: str
) -> Path:
    telegram = {
        "enabled": "true",
        "token": f'"{fake.token}"',
        "base_url": f'"{fake.base_url}"',
        "webhook_secret": f'"{SECRET}"',
        **extra,
    }
    lines = [
        "[server]",
        f'public_url = "{public_url}"',
        "[paths]",
        f'data_dir = "{tmp_path / "var"}"',
        "[adapters.local]",
        "enabled = false",
        "[adapters.telegram]",
        *(f"{key} = {value}" for key, value in telegram.items()),
        "[[communities]]",
        'id = "canalejas"',
        'name = "Villa de Canalejas"',
        "[[communities.groups]]",
        'channel = "telegram"',
        f'chat_id = "{GROUP_ID}"',
        'name = "CASS Canalejas"',
        "[[communities.groups]]",
        'channel = "telegram"',
        f'chat_id = "{OTHER_GROUP_ID}"',
        'name = "CASS Coscomate"',
    ]
    path = tmp_path / "cassbot.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def cli(*argv: str) -> int:
    # The command runs its own event loop, so it goes to a thread; the fake serves meanwhile.
    return await asyncio.to_thread(main, list(argv))


async def test_set_webhook_registers_url_secret_and_updates_once(
    world: FakeBotAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, world)
    assert await cli("telegram", "set-webhook", "--config", str(config)) == 0
    [call] = world.calls_to("setWebhook")
    assert call.params["url"] == "https://cass.example.org/webhooks/telegram"
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == [
        "message",
        "edited_message",
        "chat_member",
        "my_chat_member",
        "chat_join_request",
    ]
    assert call.params["drop_pending_updates"] is False
    out = capsys.readouterr().out
    assert "Webhook set: https://cass.example.org/webhooks/telegram" in out
    assert "chat_member, my_chat_member" in out


async def test_set_webhook_needs_a_public_https_address(
    world: FakeBotAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, world, public_url="http://192.0.2.1:8080")
    assert await cli("telegram", "set-webhook", "--config", str(config)) == 2
    assert "https://" in capsys.readouterr().err
    assert world.calls_to("setWebhook") == []


async def test_info_reports_privacy_webhook_and_rights_per_group(
    world: FakeBotAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world.privacy_mode = True
    world.set_member(OTHER_GROUP_ID, world.bot_id, "member")
    config = write_config(tmp_path, world)
    assert await cli("telegram", "info", "--config", str(config)) == 0
    out = capsys.readouterr().out
    assert "Bot: @cass_jilotepec_bot" in out
    assert "privacy mode:    ON" in out
    assert "/setprivacy" in out
    assert "Webhook: none" in out
    assert f"CASS Canalejas ({GROUP_ID}): admin with the rights it needs" in out
    assert f"CASS Coscomate ({OTHER_GROUP_ID}): member, NOT an admin" in out


async def test_delete_webhook(world: FakeBotAPI, tmp_path: Path) -> None:
    world.webhook["url"] = "https://cass.example.org/webhooks/telegram"
    config = write_config(tmp_path, world)
    assert await cli("telegram", "delete-webhook", "--drop-pending", "--config", str(config)) == 0
    assert world.webhook["url"] == ""
    assert world.calls_to("deleteWebhook")[0].params["drop_pending_updates"] is True


async def test_a_rejected_token_is_one_clear_line(
    fake: FakeBotAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, fake, token='"123:not-the-right-token"')
    assert await cli("telegram", "info", "--config", str(config)) == 1
    err = capsys.readouterr().err
    assert err.strip() == "cassbot: Telegram rejected the bot token: check it with @BotFather"


def test_a_telegram_group_id_must_be_a_negative_number(tmp_path: Path) -> None:
    from cassbot.config import ConfigError, load_settings

    fake = FakeBotAPI()
    fake.url = "http://127.0.0.1:9"
    text = write_config(tmp_path, fake).read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(f'chat_id = "{GROUP_ID}"', 'chat_id = "CASS Canalejas"'))
    with pytest.raises(ConfigError, match="negative number"):
        load_settings(bad)
