"""The `[tickets]` configuration section: deadlines, escalation chain, duplicates, publication.

Durations are written as seconds (`14400`) or with units (`"4h"`, `"30m"`, `"1d12h"`, `"90s"`).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from moderation.service_requests import CATEGORIES

_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)([dhms]))+$")
_PART = re.compile(r"(\d+(?:\.\d+)?)([dhms])")


def parse_duration(value: Any) -> Any:
    """`14400`, `"4h"`, `"1d12h"`, `"30m"`, `"90s"` → timedelta (other values left to pydantic)."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value <= 0:
            raise ValueError("must be a positive duration")
        return timedelta(seconds=value)
    if isinstance(value, str):
        compact = value.replace(" ", "").lower()
        if compact.isdigit():
            return parse_duration(int(compact))
        if not _DURATION.match(compact):
            raise ValueError(
                f"{value!r} is not a duration: use seconds or units, e.g. '4h', '30m', '1d12h'"
            )
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in _PART.findall(compact))
        if seconds <= 0:
            raise ValueError("must be a positive duration")
        return timedelta(seconds=seconds)
    return value


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]

EscalationTarget = Literal["enlace", "director", "presidencia", "administrador"]
TicketDepartment = Literal[
    "agua",
    "servicios",
    "seguridad",
    "proteccion_civil",
    "desarrollo_economico",
    "gobierno_digital",
    "presidencia",
]

# Resolution targets per category: examples to start from; each área should set its own.
DEFAULT_RESOLUTION_TARGETS: dict[str, timedelta] = {
    "fuga": timedelta(hours=48),
    "sin_agua": timedelta(hours=24),
    "drenaje": timedelta(hours=72),
    "luminaria": timedelta(days=5),
    "basura": timedelta(hours=48),
    "bache": timedelta(days=10),
    "animal": timedelta(hours=24),
    "robo": timedelta(hours=72),
    "sospechoso": timedelta(hours=24),
    "violencia": timedelta(hours=24),
    "incendio": timedelta(hours=24),
    "inundacion": timedelta(hours=48),
    "fuga_gas": timedelta(hours=24),
    "arbol_caido": timedelta(hours=48),
    "cables": timedelta(hours=48),
    "otro": timedelta(days=5),
}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EscalationStep(_Section):
    after: Duration  # time since the request while nobody has acknowledged it
    to: EscalationTarget


def _default_chain() -> list[EscalationStep]:
    return [
        EscalationStep(after=timedelta(hours=4), to="enlace"),
        EscalationStep(after=timedelta(hours=12), to="director"),
        EscalationStep(after=timedelta(hours=20), to="presidencia"),
    ]


def _private_departments() -> list[TicketDepartment]:
    return ["seguridad"]


class TicketSettings(_Section):
    """Service requests (see docs/tickets.md)."""

    # Open tickets from requests the screener recognises in group chat (else only /reporte).
    auto_detect: bool = True
    folio_prefix: str = Field("JIL", pattern=r"^[A-Z]{2,6}$")
    timezone: str = "America/Mexico_City"
    # The acknowledgement clock: the manual promises an answer within 24 hours.
    ack_deadline: Duration = timedelta(hours=24)
    escalation: list[EscalationStep] = Field(default_factory=_default_chain)
    # After the deadline passed unacknowledged: remind the chain again this often.
    breach_repeat: Duration = timedelta(hours=24)
    # The resolution clock: targets per category (override any of DEFAULT_RESOLUTION_TARGETS).
    resolution_targets: dict[str, Duration] = Field(default_factory=dict)
    # A second report of the same problem in the same community within this window is linked.
    duplicate_window: Duration = timedelta(hours=72)
    # After "resuelto", the requester has this long to say "no" before the ticket closes.
    confirm_window: Duration = timedelta(days=7)
    # Where requests without a recognisable category go (e.g. voice notes) for triage.
    triage_department: TicketDepartment = "presidencia"
    # Tickets of these departments route and count but are never listed individually.
    private_departments: list[TicketDepartment] = Field(default_factory=_private_departments)
    # Local time of the nightly CSV export into <data_dir>/exports/.
    export_time: str = Field("02:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # Open311: who answers questions about the data, and the jurisdiction id (None: ignored).
    contact: str = "Unidad de Transparencia, H. Ayuntamiento de Jilotepec"
    jurisdiction_id: str | None = None
    announcement_max_chars: int = Field(3000, ge=100, le=4000)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use e.g. America/Mexico_City)"
            ) from None
        return value

    @field_validator("resolution_targets")
    @classmethod
    def _known_categories(cls, value: dict[str, timedelta]) -> dict[str, timedelta]:
        unknown = sorted(set(value) - set(CATEGORIES) - {"otro"})
        if unknown:
            known = ", ".join([*CATEGORIES, "otro"])
            raise ValueError(f"unknown category {', '.join(unknown)} (known: {known})")
        return value

    @model_validator(mode="after")
    def _chain_fits_the_deadline(self) -> TicketSettings:
        afters = [step.after for step in self.escalation]
        if afters != sorted(afters):
            raise ValueError("escalation steps must be in increasing order of `after`")
        if any(a >= self.ack_deadline for a in afters):
            raise ValueError("every escalation step must come before ack_deadline")
        return self

    def resolution_target(self, category: str) -> timedelta:
        return self.resolution_targets.get(category) or DEFAULT_RESOLUTION_TARGETS.get(
            category, DEFAULT_RESOLUTION_TARGETS["otro"]
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
