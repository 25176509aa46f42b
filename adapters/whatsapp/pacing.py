"""Outbound pacing: WhatsApp bans numbers that send in bursts, so every call takes a turn.

Two limits at once: a minimum gap between two calls to the same chat, and a global rate with
a small burst (a GCRA token bucket: one "theoretical arrival time" instead of a token count).
A random jitter is added to each turn. Turns are booked, not polled, so concurrent senders
never race. A turn further away than `max_wait_s` is not booked: the caller hands the action
back to the outbox with that delay instead of holding it (the outbox times actions out).

Written here rather than taken from aiolimiter because it needs the per-chat gap, the
"too long, come back later" answer, and an injectable clock so tests check it without sleeping.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PaceLimits:
    chat_interval_s: float  # minimum gap between two calls to one chat
    per_minute: int  # all chats together
    burst: int = 1  # calls that may go back to back before the rate applies
    jitter_s: float = 0.0
    max_wait_s: float = 10.0


class Pacer:
    def __init__(
        self,
        limits: PaceLimits,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.limits = limits
        self._now = now
        self._sleep = sleep
        self._rng = rng
        self._interval = 60.0 / limits.per_minute
        self._tolerance = self._interval * (limits.burst - 1)
        self._tat = float("-inf")  # theoretical arrival time of the next conforming call
        self._chat_next: dict[str, float] = {}

    def book(self, chat: str) -> tuple[bool, float]:
        """(booked, delay): the turn for `chat` is in `delay` seconds; not booked when too far."""
        now = self._now()
        at = max(now, self._chat_next.get(chat, now), self._tat - self._tolerance)
        at += self._rng() * self.limits.jitter_s
        delay = at - now
        if delay > self.limits.max_wait_s:
            return False, delay
        self._tat = max(self._tat, at) + self._interval
        self._chat_next[chat] = at + self.limits.chat_interval_s
        if len(self._chat_next) > 1000:
            self._chat_next = {k: v for k, v in self._chat_next.items() if v > now}
        return True, delay

    async def turn(self, chat: str) -> float | None:
        """Wait for `chat`'s turn and return None; or return how long until one (not taken)."""
        booked, delay = self.book(chat)
        if not booked:
            return delay
        if delay > 0:
            await self._sleep(delay)
        return None
