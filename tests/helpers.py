"""Helpers for tests that drive a running bot."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from cassbot.app import CassBot


async def settle(bot: CassBot, timeout: float = 10.0) -> None:
    """Wait until every queued event is processed and every due action has run."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        await bot.processor.join(timeout=max(0.01, deadline - loop.time()))
        ran = await bot.outbox.dispatch_due()
        if ran == 0 and await bot.processor.join(timeout=0.01):
            return
    raise AssertionError("bot did not settle in time")


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float = 10.0, interval: float = 0.05
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if await check():
            return
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)
