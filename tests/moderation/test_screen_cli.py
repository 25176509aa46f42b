"""`cassbot screen` end to end through the real CLI entry point."""

from __future__ import annotations

import io
import json
from pathlib import Path

from cassbot.cli.main import main


def run_screen(monkeypatch, capsys, stdin: str, *args: str) -> list[dict]:  # type: ignore[type-arg]
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(["screen", "--no-model", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_plain_lines_and_json_lines(monkeypatch, capsys) -> None:
    stdin = (
        "eres un pendejo\n"
        "Hay una fuga de agua en la calle Juárez\n"
        '{"id": "m-3", "text": "te voy a partir la madre"}\n'
        '{"id": 4, "text": "Vendo tamales a $15, pedidos al 7611234567"}\n'
    )
    out = run_screen(monkeypatch, capsys, stdin)
    assert len(out) == 4
    insult, service, threat, ad = out
    assert insult["offensive"] is True
    assert insult["action"] == "act"
    assert insult["matches"][0]["rule_id"].startswith("ctx.")
    assert insult["matches"][0]["span"] == [8, 15]
    assert service == {**service, "offensive": False, "action": "none", "categories": []}
    assert service["service_request"] == "agua"  # routed to ODAPAS
    assert insult["service_request"] is None
    assert threat["id"] == "m-3"
    assert threat["severity"] == 4
    assert "threat" in threat["categories"]
    assert ad["id"] == 4
    assert ad["off_purpose"] == "ad"
    assert ad["offensive"] is False
    for row in out:
        assert {"text", "offensive", "action", "severity", "categories", "off_purpose",
                "service_request", "matches"} <= set(row)  # fmt: skip


def test_bad_lines_give_error_lines_not_a_crash(monkeypatch, capsys) -> None:
    stdin = '{"id": 1}\n{"text": 5}\n{broken json\n[1, 2]\nhola vecinos\n'
    out = run_screen(monkeypatch, capsys, stdin)
    assert [("error" in row) for row in out] == [True, True, True, True, False]
    assert out[0]["line"] == 1
    assert out[4]["text"] == "hola vecinos"


def test_community_policy_is_merged(monkeypatch, capsys, tmp_path: Path) -> None:
    config = tmp_path / "cassbot.toml"
    config.write_text(
        f'[paths]\ndata_dir = "{tmp_path}"\n'
        '[moderation]\ncasual_swearing = "ignore"\n'
        '[[communities]]\nid = "estricta"\nname = "Estricta"\n'
        '[communities.policy]\ncasual_swearing = "review"\n',
        encoding="utf-8",
    )
    base = run_screen(monkeypatch, capsys, "qué pedo con el agua\n", "--config", str(config))
    strict = run_screen(monkeypatch, capsys, "qué pedo con el agua\n", "--config",
                        str(config), "--community", "estricta")  # fmt: skip
    assert base[0]["action"] == "none"
    assert strict[0]["action"] == "review"


def test_unknown_community_is_a_config_error(monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("hola\n"))
    assert main(["screen", "--community", "no-existe"]) == 2
    assert "no-existe" in capsys.readouterr().err
