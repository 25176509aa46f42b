"""A real `cassbot run` process killed at the worst moments loses nothing and repeats nothing.

The bot runs as a child process on a SQLite file; the test reads the same file directly.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(120)

CONFIG = """
[server]
host = "127.0.0.1"
port = {port}
[paths]
data_dir = "{data_dir}"
[outbox]
poll_interval_s = 0.1
[[communities]]
id = "canalejas"
name = "Villa de Canalejas"
[[communities.groups]]
channel = "local"
chat_id = "canalejas"
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BotProcess:
    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config, self.port, self.log = config, port, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, **env: str) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("CASSBOT")}
        environment.update(env)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cassbot", "run", "--config", str(self.config)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=environment,
            )
        wait_until(lambda: self.get("/healthz") == {"status": "ok"}, what="cassbot to start")

    def get(self, path: str) -> Any:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=2) as r:
                return json.loads(r.read())
        except OSError:
            return None

    def post(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()  # SIGKILL: no cleanup at all
        self.process.wait(timeout=10)

    def terminate(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def wait_until(check: Callable[[], Any], *, what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def query(db: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db, timeout=10) as connection:
        return connection.execute(sql, args).fetchall()


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[BotProcess]:
    port = free_port()
    config = tmp_path / "cassbot.toml"
    config.write_text(CONFIG.format(port=port, data_dir=tmp_path / "var"), encoding="utf-8")
    process = BotProcess(config, port, tmp_path / "bot.log")
    yield process
    if process.process is not None and process.process.poll() is None:
        process.kill()


def bot_replies(db: Path) -> list[tuple[Any, ...]]:
    return query(db, "SELECT text FROM playground_log WHERE author_id = 'cassbot'")


def test_an_action_committed_but_not_executed_runs_once_after_a_crash(
    bot: BotProcess, tmp_path: Path
) -> None:
    db = tmp_path / "var" / "cassbot.db"
    bot.start(CASSBOT__OUTBOX__PAUSED="true")  # decisions commit; nothing goes out
    bot.post(
        "/playground/api/messages",
        {"chat": "canalejas", "persona": "vecina-lupita", "text": "/reglas"},
    )
    wait_until(
        lambda: query(db, "SELECT status FROM outbox") == [("pending",)],
        what="the reply to be committed to the outbox",
    )
    bot.kill()  # between commit and execution
    assert bot_replies(db) == []

    bot.start()
    wait_until(lambda: bot_replies(db), what="the reply after the restart")
    time.sleep(0.5)  # would a second copy follow?
    assert len(bot_replies(db)) == 1
    assert "Reglas de los grupos CASS" in bot_replies(db)[0][0]
    assert query(db, "SELECT status, attempts FROM outbox") == [("done", 1)]
    assert query(db, "SELECT status FROM inbound_events WHERE kind = 'message.posted'") == [
        ("processed",)
    ]
    assert bot.terminate() == 0


def test_a_send_interrupted_after_it_happened_is_not_repeated(
    bot: BotProcess, tmp_path: Path
) -> None:
    db = tmp_path / "var" / "cassbot.db"
    bot.start(CASSBOT__OUTBOX__PAUSED="true")
    bot.post(
        "/playground/api/messages",
        {"chat": "canalejas", "persona": "vecino-beto", "text": "/ayuda"},
    )
    wait_until(lambda: query(db, "SELECT id FROM outbox"), what="the committed reply")
    bot.kill()
    # Leave the database as a crash right after the platform accepted the send would:
    # the row claimed (in flight) and the message already in the chat.
    key = query(db, "SELECT idempotency_key FROM outbox")[0][0]
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE outbox SET status = 'in_flight', attempts = 1")
        connection.execute(
            "INSERT INTO playground_log (chat_id, kind, message_id, author_id, author_name, "
            "text, data, idempotency_key, created_at) VALUES ('canalejas', 'message', 'x1', "
            "'cassbot', 'Asistente CASS', 'ayuda ya enviada', '{}', ?, '2026-12-04 12:00:00')",
            (f"out:{key}",),
        )
    bot.start()
    wait_until(
        lambda: query(db, "SELECT status FROM outbox") == [("done",)], what="the recovered action"
    )
    assert len(bot_replies(db)) == 1
    assert query(db, "SELECT recovered, attempts FROM outbox") == [(1, 2)]
    log = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert "may arrive twice" in log and "repeated send detected" in log
    assert bot.terminate() == 0


def test_sigterm_drains_and_exits_cleanly(bot: BotProcess, tmp_path: Path) -> None:
    bot.start()
    for n in range(5):
        bot.post(
            "/playground/api/messages",
            {"chat": "canalejas", "persona": "vecina-karla", "text": f"hola {n}"},
        )
    assert bot.terminate() == 0
    db = tmp_path / "var" / "cassbot.db"
    statuses = query(db, "SELECT DISTINCT status FROM inbound_events")
    assert statuses == [("processed",)]
    assert "cassbot stopped" in (tmp_path / "bot.log").read_text(encoding="utf-8")
