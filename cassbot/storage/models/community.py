"""Communities, their groups, people, their channel identities, memberships and ban lists."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cassbot.storage.models.base import Base, utcnow
from cassbot.storage.types import BigID, UTCDateTime


class Community(Base):
    __tablename__ = "communities"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Group(Base):
    """One chat group of a community on one channel."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    community_id: Mapped[str] = mapped_column(ForeignKey("communities.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    # Dry-run: record what the bot would do without doing it. The configuration sets
    # `dry_run`; an admin's `/prueba on|off` sets the override, which wins until cleared.
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    dry_run_override: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # Whether the bot has admin rights there (None: not known yet).
    bot_is_admin: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Person(Base):
    """A human being, who may have identities on several channels (linked by phone number)."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)  # E.164
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Identity(Base):
    """A person's account on one channel (a WhatsApp JID, a Telegram user id, a persona)."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "user_id"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


MEMBER_ROLES = ("vecino", "autoridad_local", "funcionario", "administrador")
MEMBER_STATUSES = ("active", "left", "removed", "banned")


class Membership(Base):
    """An identity's place in a group: status, role, and what we know of its activity."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("group_id", "identity_id"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    role: Mapped[str] = mapped_column(String(20), default="vecino")
    platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(20), default="event")  # event|reconcile|command
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_count: Mapped[int] = mapped_column(Integer, default=0)


class CommunityBan(Base):
    """A person kept out of every group of a community until an official lifts it."""

    __tablename__ = "community_bans"
    __table_args__ = (Index("ix_community_bans_active", "community_id", "person_id", "lifted_at"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    community_id: Mapped[str] = mapped_column(ForeignKey("communities.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    banned_by: Mapped[str] = mapped_column(String(200), default="cassbot")
    # The moderation case that led to it, when there is one (undoing the case lifts the ban).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_cases.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by: Mapped[str | None] = mapped_column(String(200))
