"""Which outbox sends already reached Telegram, so a retried action does not post twice.

The Bot API has no idempotency key. Before a send the action's key is marked `sending`, after
Telegram's answer `sent` with the message id. A retry that finds `sent` (the process stopped
before the outbox recorded the success) does nothing; one that finds `sending` (the earlier
attempt timed out: Telegram may or may not have posted it) sends again and says so in the log.
Entries live in `adapter_state` and are pruned after a week.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import delete

from cassbot.clock import Clock
from cassbot.storage.db import Database
from cassbot.storage.models import AdapterState

_CHANNEL = "telegram"
_PREFIX = "sent:"


@dataclass(frozen=True, slots=True)
class PriorSend:
    state: Literal["new", "sending", "sent"]
    message_id: str | None = None


class SendLog:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def begin(self, idempotency_key: str) -> PriorSend:
        """Mark a send as started; returns what an earlier attempt left."""
        if not idempotency_key:
            return PriorSend("new")
        now = self._clock.now()
        async with self._db.transaction() as session:
            row = await session.get(AdapterState, (_CHANNEL, _key(idempotency_key)))
            if row is None:
                session.add(
                    AdapterState(
                        channel=_CHANNEL,
                        key=_key(idempotency_key),
                        value={"state": "sending"},
                        updated_at=now,
                    )
                )
                return PriorSend("new")
            value = row.value if isinstance(row.value, dict) else {}
            if value.get("state") == "sent":
                return PriorSend("sent", value.get("message_id"))
            row.updated_at = now
            return PriorSend("sending")

    async def done(self, idempotency_key: str, message_id: str) -> None:
        if not idempotency_key:
            return
        async with self._db.transaction() as session:
            row = await session.get(AdapterState, (_CHANNEL, _key(idempotency_key)))
            value = {"state": "sent", "message_id": message_id}
            if row is None:
                session.add(
                    AdapterState(
                        channel=_CHANNEL,
                        key=_key(idempotency_key),
                        value=value,
                        updated_at=self._clock.now(),
                    )
                )
            else:
                row.value = value
                row.updated_at = self._clock.now()

    async def prune(self, older_than: datetime) -> int:
        async with self._db.transaction() as session:
            result = await session.execute(
                delete(AdapterState).where(
                    AdapterState.channel == _CHANNEL,
                    AdapterState.key.startswith(_PREFIX),
                    AdapterState.updated_at < older_than,
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)


def _key(idempotency_key: str) -> str:
    return _PREFIX + hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
