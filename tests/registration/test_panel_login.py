"""The panel's login limit holds under parallel guesses, and Argon2 never runs on the event loop
nor more than a few at a time."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest

from cassbot import texts
from cassbot.clock import ManualClock
from cassbot.panel import passwords
from tests.registration.conftest import PASSWORD, add_panel_user


class VerifyRecorder:
    """Counts the real Argon2 checks, the threads they ran on, and how many ran at once."""

    def __init__(self) -> None:
        self.calls = 0
        self.running = 0
        self.most_at_once = 0
        self.threads: set[int] = set()
        self._lock = threading.Lock()
        self._real = passwords.verify_password

    def __call__(self, stored_hash: str | None, password: str) -> bool:
        with self._lock:
            self.calls += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.threads.add(threading.get_ident())
        try:
            return self._real(stored_hash, password)
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> VerifyRecorder:
    recorder = VerifyRecorder()
    monkeypatch.setattr(passwords, "verify_password", recorder)
    return recorder


async def test_parallel_guesses_beyond_the_limit_are_refused_unchecked(
    reg_settings, make_bot, client, verifications
) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    bot = await make_bot(
        reg_settings(panel={"login_attempts": 3, "login_window_minutes": 15}), clock=clock
    )
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    guessers = [client(bot) for _ in range(24)]
    tokens = await asyncio.gather(*(g.token("/panel/entrar") for g in guessers))

    async def guess(n: int) -> tuple[int, str]:
        status, body, _ = await guessers[n].post(
            "/panel/entrar", {"csrf": tokens[n], "usuario": "gd", "contrasena": f"mala-{n}"}
        )
        return status, body

    results = await asyncio.gather(*(guess(n) for n in range(len(guessers))))
    statuses = sorted(status for status, _ in results)
    assert statuses == [401] * 3 + [429] * 21
    assert all("Demasiados intentos fallidos" in body for status, body in results if status == 429)
    assert verifications.calls == 3  # the refused ones never reached Argon2
    assert verifications.most_at_once <= passwords.DEFAULT_CONCURRENCY
    assert threading.get_ident() not in verifications.threads  # never on the event loop

    owner = client(bot)
    token = await owner.token("/panel/entrar")
    status, _, _ = await owner.post(
        "/panel/entrar", {"csrf": token, "usuario": "gd", "contrasena": PASSWORD}
    )
    assert status == 429  # even the right password waits for the window
    assert verifications.calls == 3
    clock.advance(timedelta(minutes=16))
    await owner.login("gd")  # the window passed: the right password works again
    assert verifications.calls == 4


async def test_successful_logins_do_not_use_up_the_address_allowance(
    reg_settings, make_bot, client, verifications
) -> None:  # type: ignore[no-untyped-def]
    # One office behind one address: 1 × 4 = 4 attempts per address per window.
    bot = await make_bot(reg_settings(panel={"login_attempts": 1}))
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    for _ in range(6):
        await client(bot).login("gd")
    assert verifications.calls == 6
    stranger = client(bot)
    token = await stranger.token("/panel/entrar")
    status, body, _ = await stranger.post(
        "/panel/entrar", {"csrf": token, "usuario": "nadie", "contrasena": "x"}
    )
    assert status == 401
    assert texts.PANEL_LOGIN_FAILED in body


async def test_the_password_change_checks_off_the_event_loop(
    reg_settings, make_bot, client, verifications
) -> None:  # type: ignore[no-untyped-def]
    bot = await make_bot(reg_settings())
    await add_panel_user(bot, "gd", "gobierno_digital", "Gobierno Digital")
    person = client(bot)
    await person.login("gd")
    _, body, _ = await person.get("/panel/cuenta")
    csrf = body.split('name="csrf" value="')[1].split('"')[0]
    status, body, _ = await person.post(
        "/panel/cuenta/contrasena",
        {"csrf": csrf, "actual": "equivocada", "nueva": "x" * 12, "repetida": "x" * 12},
    )
    assert status == 400
    assert texts.PANEL_PASSWORD_WRONG in body
    status, _, _ = await person.post(
        "/panel/cuenta/contrasena",
        {
            "csrf": csrf,
            "actual": PASSWORD,
            "nueva": "nueva-clave-12",
            "repetida": "nueva-clave-12",
        },
    )
    assert status == 303
    await client(bot).login("gd", "nueva-clave-12")
    assert verifications.calls == 4
    assert threading.get_ident() not in verifications.threads
