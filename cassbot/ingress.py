"""Ingress: store each inbound event once (its dedupe key is unique), then queue it.

Webhook handlers call `submit` and answer the platform as soon as it returns: processing happens
afterwards, in order per chat. An event delivered twice is stored once and processed once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from cassbot.clock import Clock
from cassbot.events import Event
from cassbot.metrics import Metrics
from cassbot.processor import EventProcessor
from cassbot.storage.db import Database
from cassbot.storage.models import InboundEvent
from cassbot.storage.upsert import insert_ignore

logger = logging.getLogger(__name__)


class Ingress:
    def __init__(
        self, db: Database, processor: EventProcessor, clock: Clock, metrics: Metrics
    ) -> None:
        self._db = db
        self._processor = processor
        self._clock = clock
        self._metrics = metrics

    async def submit(self, event: Event) -> bool:
        return await self.submit_many([event]) == 1

    async def submit_many(self, events: Sequence[Event]) -> int:
        if not events:
            return 0
        now = self._clock.now()
        fresh: list[tuple[int, str]] = []
        async with self._db.transaction() as session:
            for event in events:
                row_id = await insert_ignore(
                    session,
                    InboundEvent.__table__,  # type: ignore[arg-type]
                    {
                        "dedupe_key": event.dedupe_key,
                        "channel": event.chat.channel,
                        "chat_key": event.chat.key,
                        "kind": event.kind,
                        "payload": event.model_dump(mode="json"),
                        "status": "pending",
                        "attempts": 0,
                        "received_at": now,
                    },
                    conflict=["dedupe_key"],
                )
                if row_id is None:
                    self._metrics.events_duplicate.labels(event.chat.channel).inc()
                    logger.info(
                        "duplicate event ignored",
                        extra={"dedupe_key": event.dedupe_key, "kind": event.kind},
                    )
                else:
                    self._metrics.events_received.labels(event.chat.channel).inc()
                    fresh.append((row_id, event.chat.key))
        for row_id, chat_key in fresh:
            self._processor.enqueue(row_id, chat_key)
        return len(fresh)
