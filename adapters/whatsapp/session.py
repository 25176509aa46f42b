"""The WAHA session's state, and who the bot is, as learnt from checks, webhooks and failures.

WAHA's states are STOPPED, STARTING, SCAN_QR_CODE, PASSKEY_…, WORKING and FAILED; cassbot adds
its own when it cannot even ask (gateway unreachable, key refused, no such session). Every
change is handed to the ingress as a `ChannelStatus` event, so it reaches the audit log.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, datetime
from typing import Any

from adapters.whatsapp.client import (
    WahaClient,
    WahaError,
    WahaNotFound,
    WahaUnauthorized,
    WahaUnreachable,
)
from adapters.whatsapp.ids import clean_user_id, phone_of
from adapters.whatsapp.normalise import CHANNEL
from cassbot.adapter import EventSink
from cassbot.events import ChannelStatus, ChatRef

logger = logging.getLogger(__name__)

WORKING = "WORKING"
UNKNOWN = "UNKNOWN"
UNREACHABLE = "UNREACHABLE"
UNAUTHORIZED = "UNAUTHORIZED"
NO_SESSION = "NO_SESSION"


class TaskSet:
    """Background tasks kept referenced until done, and cancelled together at shutdown."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any], name: str | None = None) -> None:
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def cancel_all(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()


class SessionWatch:
    def __init__(
        self,
        client: WahaClient,
        *,
        poll_s: float,
        tasks: TaskSet,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._poll_s = poll_s
        self._tasks = tasks
        self._monotonic = monotonic
        self.sink: EventSink | None = None
        self.status = UNKNOWN
        self.detail = "not checked yet"
        self.checked = float("-inf")
        self.me_ids: frozenset[str] = frozenset()
        self.me_phone: str | None = None

    @property
    def name(self) -> str:
        return self._client.session

    def seconds_since_check(self) -> float:
        return self._monotonic() - self.checked

    def set(self, status: str, detail: str) -> bool:
        """Record the state; True when it changed."""
        changed = status != self.status
        if changed:
            log = logger.info if status == WORKING else logger.warning
            log(
                "WhatsApp session %s: %s -> %s",
                self.name,
                self.status,
                status,
                extra={"detail": detail},
            )
        self.status, self.detail = status, detail
        self.checked = self._monotonic()
        return changed

    def note(self, status: str, detail: str) -> None:
        """A state learnt from a failed call: record a change as an event, in the background."""
        if self.set(status, detail) and self.sink is not None:
            self._tasks.spawn(self.report())

    async def refresh(self, *, report: bool = True) -> str:
        """Ask WAHA for the session's state (and who the bot is); returns the state."""
        try:
            info = await self._client.get_session()
            status = str(info.get("status") or UNKNOWN)
            changed = self.set(status, f"WAHA session {self.name} is {status}")
            me = info.get("me")
            if not isinstance(me, Mapping) and status == WORKING:
                me = await self._client.get_me()
            if isinstance(me, Mapping):
                self.remember_me(me)
        except WahaUnreachable as exc:
            changed = self.set(UNREACHABLE, f"WAHA does not answer: {exc}")
        except WahaUnauthorized:
            changed = self.set(
                UNAUTHORIZED, "WAHA rejected the API key (adapters.whatsapp.api_key)"
            )
        except WahaNotFound:
            changed = self.set(NO_SESSION, f"WAHA has no session named {self.name!r}")
        except WahaError as exc:
            changed = self.set(UNKNOWN, f"WAHA status check failed: {exc}")
        if changed and report and self.sink is not None:
            await self.report()
        return self.status

    def remember_me(self, me: Mapping[str, Any]) -> None:
        ids = {clean_user_id(v) for k in ("id", "lid", "jid") if isinstance(v := me.get(k), str)}
        if ids:
            self.me_ids = frozenset(ids)
            own = me.get("id")
            self.me_phone = phone_of(own if isinstance(own, str) else None)

    async def report(self) -> None:
        assert self.sink is not None
        now = time.time()
        await self.sink.submit(
            ChannelStatus(
                dedupe_key=f"{CHANNEL}:{self.name}:check:{self.status}:{now:.3f}",
                chat=ChatRef(channel=CHANNEL, chat_id=f"session:{self.name}", private=True),
                occurred_at=datetime.fromtimestamp(now, tz=UTC),
                status=self.status,
                detail=self.detail,
            )
        )

    async def watch(self) -> None:
        """Check the state every `poll_s` seconds, for as long as the adapter runs."""
        while True:
            await asyncio.sleep(self._poll_s)
            try:
                await self.refresh()
            except Exception:  # the watcher must outlive any surprise
                logger.exception("WhatsApp status check failed")
