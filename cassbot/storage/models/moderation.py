"""Moderation records: cases (one per decision or review), the points ledger, recent messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cassbot.storage.models.base import Base, utcnow
from cassbot.storage.types import BigID, JSONType, UTCDateTime

CASE_STATUSES = ("applied", "dry_run", "review", "confirmed", "dismissed", "undone")


class ModerationCase(Base):
    """One moderation decision about one person: automatic, manual, or waiting for review."""

    __tablename__ = "moderation_cases"
    __table_args__ = (Index("ix_moderation_cases_status", "community_id", "status"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    community_id: Mapped[str] = mapped_column(ForeignKey("communities.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_events.id"))
    subject_identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"))
    subject_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # auto | manual
    rule_id: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(40))
    severity: Mapped[int] = mapped_column(Integer, default=0)
    effects: Mapped[list[str]] = mapped_column(JSONType, default=list)
    points: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))
    # What matched, for the audit trail (personal data: purged with message texts).
    message_id: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str | None] = mapped_column(Text)
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    report: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    actor_name: Mapped[str] = mapped_column(String(200), default="cassbot")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audit_log.id"))


class PointsRecord(Base):
    """Points a person earned in a community; they count within the policy's window."""

    __tablename__ = "moderation_points"
    __table_args__ = (Index("ix_moderation_points_person", "community_id", "person_id", "at"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    community_id: Mapped[str] = mapped_column(ForeignKey("communities.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_cases.id"))
    points: Mapped[int] = mapped_column(Integer)
    rule_id: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_by: Mapped[str | None] = mapped_column(String(200))
    cleared_reason: Mapped[str | None] = mapped_column(String(200))


class RecentMessage(Base):
    """Fingerprints of recent messages per member (flood and repeat detection); short-lived."""

    __tablename__ = "moderation_recent"
    __table_args__ = (Index("ix_moderation_recent_member", "group_id", "identity_id", "at"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    fingerprint: Mapped[str] = mapped_column(String(64))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
