"""Registration, complaints, appeals, admissions, roster reviews, and the officials' panel.

Personal data (names, phones, free texts) sits in few, named columns so that retention and
erasure can anonymise it while the non-personal facts (dates, statuses, communities) remain.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cassbot.storage.models.base import Base, utcnow
from cassbot.storage.types import BigID, UTCDateTime


class FolioCounter(Base):
    """The last folio number given per prefix and year (REG-2026-000042)."""

    __tablename__ = "folio_counters"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


REQUEST_STATUSES = ("pending", "info_requested", "approved", "rejected")
OPEN_REQUEST_STATUSES = ("pending", "info_requested")


class RegistrationRequest(Base):
    """A neighbour's request to join their community's groups (the CASS-Registro form)."""

    __tablename__ = "registration_requests"

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    folio: Mapped[str] = mapped_column(String(20), unique=True)
    # With the folio, opens the status page (cassbot.registration.access); the folio alone
    # is guessable. Set for every row (migration 0003 gave older rows one).
    access_code: Mapped[str | None] = mapped_column(String(16))
    community_id: Mapped[str] = mapped_column(ForeignKey("communities.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    # Set to the phone while the request is open: the unique constraint forbids a second open
    # request for one number, on SQLite and PostgreSQL alike (NULLs never collide).
    open_phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    source: Mapped[str] = mapped_column(String(20), default="web")  # web | cli
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    terms_version: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    info_question: Mapped[str | None] = mapped_column(Text)
    info_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    info_asked_by: Mapped[str | None] = mapped_column(String(200))
    info_answer: Mapped[str | None] = mapped_column(Text)
    info_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    # The community ban that held this request for an official's decision, if any.
    held_ban_id: Mapped[int | None] = mapped_column(ForeignKey("community_bans.id"))
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


ADMISSION_STATUSES = (
    "planned",
    "added",
    "invite_pending",
    "invite_sent",
    "joined",
    "manual",
    "failed",
)


class Admission(Base):
    """Putting an approved person into one group: added directly, or through an invite link."""

    __tablename__ = "admissions"

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration_requests.id"), index=True
    )
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    community_id: Mapped[str] = mapped_column(ForeignKey("communities.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str | None] = mapped_column(String(200))  # the identity added, if known
    method: Mapped[str] = mapped_column(String(20))  # add | invite | manual
    status: Mapped[str] = mapped_column(String(20), default="planned")
    invite_link: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


FEEDBACK_KINDS = ("queja", "sugerencia")


class FeedbackItem(Base):
    """A complaint or suggestion for Gobierno Digital, with the 24-hour answer promise."""

    __tablename__ = "feedback_items"

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    folio: Mapped[str] = mapped_column(String(20), unique=True)
    access_code: Mapped[str | None] = mapped_column(String(16))  # with the folio: status page
    kind: Mapped[str] = mapped_column(String(20))  # queja | sugerencia
    community_id: Mapped[str | None] = mapped_column(ForeignKey("communities.id"))
    name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # web | chat
    channel: Mapped[str | None] = mapped_column(String(20))  # where to answer (chat items)
    user_id: Mapped[str | None] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open|answered
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[str | None] = mapped_column(String(200))
    answer: Mapped[str | None] = mapped_column(Text)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


APPEAL_STATUSES = ("pending", "upheld", "rejected")


class Appeal(Base):
    """An expelled person's request to come back, decided by another official than the expeller."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    folio: Mapped[str] = mapped_column(String(20), unique=True)
    access_code: Mapped[str | None] = mapped_column(String(16))  # with the folio: status page
    ban_id: Mapped[int] = mapped_column(ForeignKey("community_bans.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    community_id: Mapped[str] = mapped_column(ForeignKey("communities.id"))
    text: Mapped[str] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(20))  # the appellant's, when known
    source: Mapped[str] = mapped_column(String(20))  # web | chat
    channel: Mapped[str | None] = mapped_column(String(20))
    user_id: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MemberReview(Base):
    """A member who joined without an approved request, flagged to the group's officials."""

    __tablename__ = "member_reviews"

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(40), default="sin_solicitud")
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolution: Mapped[str | None] = mapped_column(String(20))  # accepted | removed


PANEL_ROLES = ("administrador", "gobierno_digital", "departamento")


class PanelUser(Base):
    """An official's account on the panel (argon2 password hash, never the password)."""

    __tablename__ = "panel_users"

    id: Mapped[int] = mapped_column(BigID, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(30))
    official_name: Mapped[str | None] = mapped_column(String(200))  # a configured official
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PanelSession(Base):
    """A server-side panel session; the cookie holds a random token, the row only its hash."""

    __tablename__ = "panel_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256(token) hex
    user_id: Mapped[int] = mapped_column(ForeignKey("panel_users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # absolute limit


class RateCounter(Base):
    """Fixed-window counters for abuse limits; keys are keyed hashes, never raw IPs or phones."""

    __tablename__ = "rate_counters"

    bucket: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True, index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
