"""The event log (inbound, deduplicated) and the outbox (outbound, retried)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cassbot.storage.models.base import Base, utcnow
from cassbot.storage.types import BigID, JSONType, UTCDateTime

EVENT_STATUSES = ("pending", "processed", "failed")


class InboundEvent(Base):
    """Every platform event, once: the unique dedupe key is the idempotency authority."""

    __tablename__ = "inbound_events"
    __table_args__ = (Index("ix_inbound_events_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_key: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


OUTBOX_STATUSES = ("pending", "in_flight", "done", "failed", "dry_run", "cancelled")


class OutboxAction(Base):
    """An action committed with the decision that caused it, executed after the commit."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_due", "status", "next_attempt_at"),
        Index("ix_outbox_status_lane_id", "status", "lane", "id"),  # each chat's queue head
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(300), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    lane: Mapped[str] = mapped_column(String(300), index=True)  # target chat: order is kept
    kind: Mapped[str] = mapped_column(String(30))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    purpose: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    result: Mapped[str | None] = mapped_column(String(30))
    detail: Mapped[str | None] = mapped_column(Text)
    platform_ref: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    recovered: Mapped[bool] = mapped_column(Boolean, default=False)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cause_event_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_events.id"))
    community_id: Mapped[str | None] = mapped_column(String(64), index=True)
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audit_log.id"))


class AdapterState(Base):
    """Small persistent facts an adapter needs across restarts (polling offsets, session state)."""

    __tablename__ = "adapter_state"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
