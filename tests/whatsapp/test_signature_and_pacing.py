"""Webhook signatures (the WAHA docs' test vector) and outbound pacing on an injected clock."""

from __future__ import annotations

import itertools

import pytest

from adapters.whatsapp.pacing import PaceLimits, Pacer
from adapters.whatsapp.signature import sign, verify

DOCS_BODY = b'{"event":"message","session":"default","engine":"WEBJS"}'
DOCS_KEY = "my-secret-key"
DOCS_HMAC = (
    "208f8a55dde9e05519e898b10b89bf0d0b3b0fdf11fdbf09b6b90476301b98d8"
    "097c462b2b17a6ce93b6b47a136cf2e78a33a63f6752c2c1631777076153fa89"
)


def test_the_docs_test_vector() -> None:
    assert sign(DOCS_BODY, DOCS_KEY) == DOCS_HMAC
    assert verify(DOCS_BODY, DOCS_KEY, DOCS_HMAC, "sha512")
    assert verify(DOCS_BODY, DOCS_KEY, DOCS_HMAC.upper())  # hex case does not matter


@pytest.mark.parametrize(
    ("body", "key", "signature", "algorithm"),
    [
        (DOCS_BODY + b" ", DOCS_KEY, DOCS_HMAC, "sha512"),  # one byte changed
        (DOCS_BODY, "another-key", DOCS_HMAC, "sha512"),
        (DOCS_BODY, DOCS_KEY, None, "sha512"),
        (DOCS_BODY, DOCS_KEY, "", None),
        (DOCS_BODY, DOCS_KEY, DOCS_HMAC, "sha256"),
        (DOCS_BODY, DOCS_KEY, "ñ" * 128, None),  # junk, not even ASCII
        (DOCS_BODY, "", DOCS_HMAC, None),
    ],
)
def test_anything_else_is_rejected(
    body: bytes, key: str, signature: str | None, algorithm: str | None
) -> None:
    assert not verify(body, key, signature, algorithm)


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def pacer(clock: FakeTime, **limits: float) -> Pacer:
    values = {"chat_interval_s": 1.0, "per_minute": 20, "burst": 1, "jitter_s": 0.0}
    values.update(limits)
    return Pacer(PaceLimits(**values), now=clock, sleep=clock.sleep, rng=lambda: 0.5)  # type: ignore[arg-type]


async def test_one_chat_gets_at_least_the_gap_between_messages() -> None:
    clock = FakeTime()
    pace = pacer(clock, per_minute=6000, chat_interval_s=1.5, max_wait_s=60)
    times = []
    for _ in range(4):
        assert await pace.turn("g1") is None
        times.append(clock.now)
    assert [round(b - a, 6) for a, b in itertools.pairwise(times)] == [1.5] * 3


async def test_the_global_rate_holds_across_chats() -> None:
    clock = FakeTime()
    pace = pacer(clock, per_minute=20, chat_interval_s=0, burst=2, max_wait_s=600)
    times = []
    for n in range(6):
        assert await pace.turn(f"chat{n}") is None
        times.append(clock.now - 1000.0)
    # Two may go at once (the burst), then one every 3 s (20 per minute).
    assert times == [0.0, 0.0, 3.0, 6.0, 9.0, 12.0]
    in_first_minute = [t for t in times if t < 60]
    assert len(in_first_minute) <= 20


async def test_jitter_is_added_to_each_turn() -> None:
    clock = FakeTime()
    pace = pacer(clock, per_minute=6000, chat_interval_s=1.0, jitter_s=2.0, max_wait_s=60)
    await pace.turn("g1")
    await pace.turn("g1")
    assert clock.slept == [1.0, 2.0]  # rng 0.5 * 2 s of jitter, then the 1 s gap + jitter


async def test_a_turn_too_far_away_is_not_booked() -> None:
    clock = FakeTime()
    pace = pacer(clock, per_minute=1, chat_interval_s=0, max_wait_s=10)
    assert await pace.turn("g1") is None
    later = await pace.turn("g2")
    assert later == pytest.approx(60.0)  # come back in a minute; nothing was booked
    clock.now += 60
    assert await pace.turn("g2") is None
