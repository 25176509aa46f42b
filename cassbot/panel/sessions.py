"""Server-side panel sessions: the browser holds a random token, the database its SHA-256.

A session ends after `session_idle_minutes` without use, after `session_absolute_hours` in any
case, at logout, or when the account is disabled or its password changes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from cassbot.registration.settings import PanelSettings
from cassbot.storage.db import Database
from cassbot.storage.models import PanelSession, PanelUser

_TOUCH_EVERY = timedelta(seconds=60)  # write last_seen_at at most this often


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class LoadedSession:
    session_id: str
    csrf_token: str
    user: PanelUser


class SessionStore:
    def __init__(self, db: Database, settings: PanelSettings) -> None:
        self._db = db
        self._settings = settings

    async def create(self, user_id: int, now: datetime) -> str:
        """A new session for the user; returns the token for the cookie."""
        token = secrets.token_urlsafe(32)
        async with self._db.transaction() as session:
            session.add(
                PanelSession(
                    id=token_id(token),
                    user_id=user_id,
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + timedelta(hours=self._settings.session_absolute_hours),
                )
            )
        return token

    async def load(self, token: str, now: datetime) -> LoadedSession | None:
        if not token or len(token) > 200:
            return None
        session_id = token_id(token)
        async with self._db.read() as session:
            row = await session.get(PanelSession, session_id)
            user = await session.get(PanelUser, row.user_id) if row else None
        if row is None or user is None:
            return None
        idle_limit = row.last_seen_at + timedelta(minutes=self._settings.session_idle_minutes)
        if (
            now >= row.expires_at
            or now >= idle_limit
            or not user.active
            or row.created_at < user.password_changed_at
        ):
            await self.destroy(token)
            return None
        if now - row.last_seen_at >= _TOUCH_EVERY:
            async with self._db.transaction() as session:
                fresh = await session.get(PanelSession, session_id)
                if fresh is not None:
                    fresh.last_seen_at = now
        return LoadedSession(session_id, row.csrf_token, user)

    async def destroy(self, token: str) -> None:
        async with self._db.transaction() as session:
            await session.execute(delete(PanelSession).where(PanelSession.id == token_id(token)))

    async def destroy_all(self, user_id: int) -> None:
        async with self._db.transaction() as session:
            await session.execute(delete(PanelSession).where(PanelSession.user_id == user_id))

    async def purge(self, now: datetime) -> int:
        idle = now - timedelta(minutes=self._settings.session_idle_minutes)
        async with self._db.transaction() as session:
            result = await session.execute(
                delete(PanelSession).where(
                    (PanelSession.expires_at <= now) | (PanelSession.last_seen_at <= idle)
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)
