"""Service requests (tickets), their append-only history, subscribers, and announcements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from cassbot.storage.models.base import Base, utcnow
from cassbot.storage.types import BigID, JSONType, UTCDateTime

# nuevo/reabierto: waiting for the área to acknowledge; the rest as officials set them.
TICKET_STATUSES = (
    "nuevo",
    "recibido",
    "en_atencion",
    "reabierto",
    "resuelto",
    "cerrado",
    "rechazado",
    "duplicado",
)


class TicketFolioCounter(Base):
    """The last folio number handed out per year (row-locked while a ticket is opened)."""

    __tablename__ = "ticket_folio_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    """A service request: who asked what, where, for which área, and where it stands."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_department", "status", "department"),
        Index("ix_tickets_community_requested", "community_id", "requested_at"),
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    folio: Mapped[str] = mapped_column(String(24), unique=True)
    community_id: Mapped[str] = mapped_column(ForeignKey("communities.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    # Where it came from (private: never published).
    channel: Mapped[str] = mapped_column(String(20))
    source_chat_id: Mapped[str | None] = mapped_column(String(200))
    source_message_id: Mapped[str | None] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(20))  # auto | reporte | ticket | privado
    requester_identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id"))
    requester_name: Mapped[str | None] = mapped_column(String(200))
    opened_by: Mapped[str | None] = mapped_column(String(200))  # official who ran /ticket
    # What and where.
    text: Mapped[str] = mapped_column(Text, default="")  # as written: private
    description_public: Mapped[str] = mapped_column(Text, default="")  # redacted
    category: Mapped[str] = mapped_column(String(40))
    department: Mapped[str] = mapped_column(String(40))
    place: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    # Where it stands.
    status: Mapped[str] = mapped_column(String(20), default="nuevo")
    status_note: Mapped[str | None] = mapped_column(Text)  # the latest public note
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ack_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    ack_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    affected_count: Mapped[int] = mapped_column(Integer, default=1)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))


class TicketEvent(Base):
    """One step in a ticket's history. Append-only: rows are never changed or deleted."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    status_before: Mapped[str | None] = mapped_column(String(20))
    status_after: Mapped[str | None] = mapped_column(String(20))
    actor_kind: Mapped[str] = mapped_column(String(20))  # bot | official | member | system
    actor_name: Mapped[str] = mapped_column(String(200), default="cassbot")
    public_note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


@event.listens_for(TicketEvent, "before_update")
def _history_is_append_only(*_args: Any) -> None:
    raise RuntimeError("ticket_events is append-only")


@event.listens_for(TicketEvent, "before_delete")
def _history_is_never_deleted(*_args: Any) -> None:
    raise RuntimeError("ticket_events is append-only")


class TicketSubscriber(Base):
    """Someone who hears of every change: the requester and neighbours who reported it too."""

    __tablename__ = "ticket_subscribers"
    __table_args__ = (UniqueConstraint("ticket_id", "identity_id"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200))
    # The group chat and message to answer in when the private chat cannot be reached.
    chat_id: Mapped[str | None] = mapped_column(String(200))
    message_id: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # requester | reporter | follower
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TicketMessage(Base):
    """A chat message about a ticket (the report, the bot's answers): replies find the folio."""

    __tablename__ = "ticket_messages"
    __table_args__ = (UniqueConstraint("channel", "chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(200))
    message_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # source | ack | update | question
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Announcement(Base):
    """An official's notice to one, several or all communities (sent now or at a set time)."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    author_name: Mapped[str] = mapped_column(String(200))
    author_identity_id: Mapped[int | None] = mapped_column(ForeignKey("identities.id"))
    department: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    communities: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(20))  # programado | enviando | cancelado
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AnnouncementDelivery(Base):
    """One announcement to one group: queued once (stable outbox key), status from the result."""

    __tablename__ = "announcement_deliveries"
    __table_args__ = (UniqueConstraint("announcement_id", "group_id"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"), index=True)
    community_id: Mapped[str] = mapped_column(ForeignKey("communities.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    outbox_key: Mapped[str] = mapped_column(String(300), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pendiente")  # entregado | fallido
    detail: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
