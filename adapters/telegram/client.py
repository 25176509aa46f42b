"""The Bot API client: PTB's ExtBot used as a transport, with cassbot's timeouts and limits."""

from __future__ import annotations

from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from adapters.telegram.ratelimit import TelegramRateLimiter
from cassbot.clock import Clock
from cassbot.settings import TelegramAdapterSettings


def build_bot(settings: TelegramAdapterSettings, clock: Clock | None = None) -> ExtBot[None]:
    """An ExtBot for the configured token and API address (unopened; `initialize()` opens it)."""
    if settings.token is None:
        raise ValueError("the Telegram token is not set (CASSBOT__ADAPTERS__TELEGRAM__TOKEN)")
    timeout = settings.request_timeout_s
    limiter = (
        TelegramRateLimiter(
            clock,
            overall_per_s=settings.rate_limit_per_s,
            group_per_min=settings.group_rate_limit_per_min,
        )
        if clock is not None
        else None
    )
    return ExtBot(
        settings.token.get_secret_value(),
        base_url=settings.base_url,
        request=_request(timeout, pool=32),
        # A separate connection for the long poll, so it never waits behind other calls.
        get_updates_request=_request(timeout, pool=1),
        rate_limiter=limiter,
    )


def _request(timeout: float, *, pool: int) -> HTTPXRequest:
    return HTTPXRequest(
        connection_pool_size=pool,
        connect_timeout=timeout,
        read_timeout=timeout,
        write_timeout=timeout,
        pool_timeout=timeout,
    )
