"""Settings of the registration feature: `[registration]`, `[panel]` and `[privacy]`.

Validated with the rest of the configuration (`cassbot.settings.Settings` holds them). Defaults
are conservative: the 24-hour municipal promise, small rate limits, short sessions.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

# The departments of `cassbot.settings.Department` (repeated: that module imports this one).
DEPARTMENTS = frozenset(
    {
        "agua",
        "servicios",
        "seguridad",
        "proteccion_civil",
        "desarrollo_economico",
        "gobierno_digital",
        "presidencia",
    }
)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RegistrationSettings(_Section):
    """The CASS-Registro form, its review clock and who may stay in a group."""

    enabled: bool = True
    # Where new requests, complaints and appeals are e-mailed (as the old web form did).
    mailbox: str | None = None
    # The promise: a decision within this many hours; a reminder goes out before it runs out.
    review_hours: float = Field(24.0, gt=0, le=24 * 30)
    reminder_before_hours: float = Field(4.0, ge=0)
    # Departments whose officials review requests and receive reminders.
    reviewer_departments: list[str] = Field(default_factory=lambda: ["gobierno_digital"])
    # One-time invite links for channels that cannot add people directly.
    invite_expire_hours: int = Field(72, ge=1, le=24 * 30)
    # Members who join a group without an approved request are flagged to its officials;
    # with this on they are also removed (and told how to register). Per community:
    # [[communities]] registration = { remove_unapproved = true }.
    remove_unapproved: bool = False
    # A member taken out of a group by an admin lands on the community's ban list.
    ban_on_manual_removal: bool = True
    # Abuse limits, kept in the database (they hold across restarts and processes).
    submissions_per_ip: int = Field(5, ge=1)
    submissions_ip_window_minutes: int = Field(60, ge=1)
    submissions_per_phone: int = Field(3, ge=1)
    submissions_phone_window_hours: int = Field(24, ge=1)
    status_lookups_per_ip: int = Field(20, ge=1)  # per hour: folio + phone guessing
    # Behind a reverse proxy that sets X-Forwarded-For, count the client address it names.
    trust_forwarded_for: bool = False
    max_message_chars: int = Field(1000, ge=100, le=10000)

    @field_validator("reviewer_departments")
    @classmethod
    def _departments(cls, value: list[str]) -> list[str]:
        unknown = [d for d in value if d not in DEPARTMENTS]
        if unknown:
            raise ValueError("unknown department " + ", ".join(unknown))
        if not value:
            raise ValueError("name at least one department")
        return value

    @field_validator("mailbox")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value):
            raise ValueError("not an e-mail address")
        return value

    @model_validator(mode="after")
    def _reminder_inside_the_window(self) -> RegistrationSettings:
        if self.reminder_before_hours >= self.review_hours:
            raise ValueError("reminder_before_hours must be smaller than review_hours")
        return self


class CommunityRegistrationSettings(_Section):
    """A community's own registration rules (unset keys follow `[registration]`)."""

    remove_unapproved: bool | None = None


class PanelSettings(_Section):
    """The officials' panel at /panel: sessions and login throttling."""

    session_idle_minutes: int = Field(30, ge=1, le=24 * 60)
    session_absolute_hours: int = Field(12, ge=1, le=24 * 14)
    login_attempts: int = Field(5, ge=1)  # failed logins per IP and per user name…
    login_window_minutes: int = Field(15, ge=1)  # …within this window
    # Signs form tokens and hashes client addresses. Generated and kept in the database when
    # unset; set it (CASSBOT__PANEL__SECRET_KEY) to share it between processes explicitly.
    secret_key: SecretStr | None = None
    min_password_length: int = Field(12, ge=8)


class PrivacySettings(_Section):
    """How long personal texts are kept; a scheduler job enforces it."""

    message_text_days: int = Field(90, ge=1)  # texts people wrote and every copy of them
    playground_log_days: int = Field(30, ge=1)  # texts in the playground's simulated chats
    rejected_request_days: int = Field(90, ge=1)  # rejected registrations are anonymised
    closed_item_days: int = Field(365, ge=1)  # answered complaints, decided appeals
    sweep_interval_minutes: int = Field(60, ge=1)
