"""The server secret that signs form tokens and keys the hashes of client addresses.

Taken from `[panel] secret_key` when set; otherwise generated once and kept in the database,
so every process of one deployment shares it and it survives restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from cassbot.storage.db import Database
from cassbot.storage.models import AdapterState
from cassbot.storage.upsert import insert_ignore

_STATE = ("registration", "secret_key")


class SecretKeeper:
    def __init__(self, db: Database, configured: str | None) -> None:
        self._db = db
        self._key: bytes | None = configured.encode() if configured else None

    async def key(self) -> bytes:
        if self._key is None:
            async with self._db.transaction() as session:
                await insert_ignore(
                    session,
                    AdapterState.__table__,  # type: ignore[arg-type]
                    {"channel": _STATE[0], "key": _STATE[1], "value": secrets.token_hex(32)},
                    conflict=["channel", "key"],
                )
                row = await session.get(AdapterState, _STATE)
                assert row is not None
                self._key = str(row.value).encode()
        return self._key

    async def sign(self, value: str) -> str:
        return hmac.new(await self.key(), value.encode(), hashlib.sha256).hexdigest()

    async def hashed(self, purpose: str, value: str) -> str:
        """A keyed hash: counts abuse per address or number without storing either."""
        return await self.sign(f"{purpose}:{value}")
