"""Writing the audit log: one place builds every entry, whoever records it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cassbot.storage.models import AuditEntry


def add_audit_entry(
    session: AsyncSession,
    *,
    at: datetime,
    action: str,
    community_id: str | None = None,
    group_id: int | None = None,
    actor_kind: str = "system",
    actor_name: str = "cassbot",
    actor_identity_id: int | None = None,
    subject_identity_id: int | None = None,
    rule_id: str | None = None,
    event_id: int | None = None,
    detail: dict[str, Any] | None = None,
    dry_run: bool = False,
    undo_of_id: int | None = None,
) -> AuditEntry:
    """Add an entry to the session (flush it when you need its id)."""
    entry = AuditEntry(
        at=at,
        community_id=community_id,
        group_id=group_id,
        actor_kind=actor_kind,
        actor_name=actor_name,
        actor_identity_id=actor_identity_id,
        action=action,
        rule_id=rule_id,
        subject_identity_id=subject_identity_id,
        event_id=event_id,
        detail=detail or {},
        dry_run=dry_run,
        undo_of_id=undo_of_id,
    )
    session.add(entry)
    return entry
