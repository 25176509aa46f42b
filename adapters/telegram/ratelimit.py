"""Keeping under Telegram's flood limits, and honouring its `retry_after` without blocking.

Every Bot API call except getUpdates passes through `process_request` (PTB's rate-limiter
hook). Calls about a chat are throttled with aiolimiter leaky buckets: all chats together
(~30/s allowed) and, for messages sent, each group (~20/min) and each private chat (~1/s).
When Telegram still answers 429, that kind of call in that chat (sending, or e.g. deleting;
for calls without a chat, the whole bot) is held until `retry_after` has passed: later calls
fail at once with RetryAfter, without reaching Telegram. Nothing sleeps here for a flood wait:
the outbox records `rate_limited` and retries the action when it is due, so one throttled
group never holds up the others. Limits are per process, like the bot.

PTB's own AIORateLimiter sleeps through a 429 inside the call (or, with no retries, lets every
other call keep hitting Telegram), which does not fit an outbox with its own retries.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from adapters.telegram.errors import retry_after_seconds
from cassbot.clock import Clock

logger = logging.getLogger(__name__)

_WHOLE_BOT = "*"
_PRIVATE_PER_S = 1.0
_MAX_BUCKETS = 1024
# Telegram's per-chat limits are about messages posted; deleting or banning is not throttled
# per chat (a raid's messages must go quickly), only by the overall limit.
_SENDING = ("send", "copy", "forward")

Result = bool | dict[str, Any] | list[dict[str, Any]]


class TelegramRateLimiter(BaseRateLimiter[None]):
    def __init__(self, clock: Clock, *, overall_per_s: float, group_per_min: float) -> None:
        self._clock = clock
        self._overall = AsyncLimiter(overall_per_s, 1) if overall_per_s > 0 else None
        self._group_per_min = group_per_min
        self._buckets: dict[str, AsyncLimiter] = {}
        self._held_until: dict[str, datetime] = {}

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def held_for(self, chat_id: object | None, endpoint: str) -> float:
        """Seconds Telegram still asks us to wait before this call (0: none)."""
        now = self._clock.now()
        waits = [
            (until - now).total_seconds()
            for scope in {_scope(chat_id, endpoint), _WHOLE_BOT}
            if (until := self._held_until.get(scope)) is not None
        ]
        return max([0.0, *waits])

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Result:
        chat_id = data.get("chat_id")
        held = self.held_for(chat_id, endpoint)
        if held > 0:
            raise RetryAfter(math.ceil(held))
        async with contextlib.AsyncExitStack() as stack:
            if chat_id is not None:
                bucket = self._bucket(chat_id) if endpoint.startswith(_SENDING) else None
                if bucket is not None:
                    await stack.enter_async_context(bucket)
                if self._overall is not None:
                    await stack.enter_async_context(self._overall)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self._hold(_scope(chat_id, endpoint), retry_after_seconds(exc), endpoint)
                raise

    def _hold(self, scope: str, seconds: float, endpoint: str) -> None:
        until = self._clock.now() + timedelta(seconds=seconds)
        current = self._held_until.get(scope)
        if current is None or until > current:
            self._held_until[scope] = until
        logger.warning(
            "Telegram flood limit: holding calls",
            extra={"scope": scope, "retry_after_s": seconds, "endpoint": endpoint},
        )

    def _bucket(self, chat_id: object) -> AsyncLimiter | None:
        scope = str(chat_id)
        bucket = self._buckets.get(scope)
        if bucket is not None:
            return bucket
        if scope.startswith("-") or scope.startswith("@"):  # groups, supergroups, channels
            if self._group_per_min <= 0:
                return None
            bucket = AsyncLimiter(self._group_per_min, 60)
        else:
            bucket = AsyncLimiter(_PRIVATE_PER_S, 1)
        if len(self._buckets) >= _MAX_BUCKETS:
            self._forget_idle()
        self._buckets[scope] = bucket
        return bucket

    def _forget_idle(self) -> None:
        """Drop buckets whose capacity is back to full (they hold no memory of recent calls)."""
        for scope, bucket in list(self._buckets.items()):
            if bucket.has_capacity(bucket.max_rate):
                del self._buckets[scope]
        now = self._clock.now()
        for scope, until in list(self._held_until.items()):
            if until <= now:
                del self._held_until[scope]


def _scope(chat_id: object | None, endpoint: str) -> str:
    """What a 429 holds: sending to one chat, one other kind of call in one chat, or all."""
    if chat_id is None:
        return _WHOLE_BOT
    kind = "send" if endpoint.startswith(_SENDING) else endpoint
    return f"{chat_id}/{kind}"
