"""The audit log: every automatic and manual action, explainable and undoable."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cassbot.storage.models.base import Base, utcnow
from cassbot.storage.types import BigID, JSONType, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    community_id: Mapped[str | None] = mapped_column(String(64), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    actor_kind: Mapped[str] = mapped_column(String(20))  # bot | official | member | system
    actor_identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id"))
    actor_name: Mapped[str] = mapped_column(String(200), default="cassbot")
    action: Mapped[str] = mapped_column(String(60), index=True)
    rule_id: Mapped[str | None] = mapped_column(String(100))
    subject_identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_events.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by: Mapped[str | None] = mapped_column(String(200))
    undo_of_id: Mapped[int | None] = mapped_column(ForeignKey("audit_log.id"))
