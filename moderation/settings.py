"""A community's moderation policy settings (validated with the rest of the configuration).

`[moderation]` in cassbot.toml holds the defaults; a community's `policy` table overrides only
the keys it names (deep-merged by the core). Every screener can be switched off per community.
Example:

    [moderation]
    casual_swearing = "ignore"          # ignore | review | violation
    [moderation.ladder]
    window_days = 30
    expel_at = 3
    [moderation.off_purpose.flood]
    max_messages = 6
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Effect = Literal["delete", "warn_group", "warn_private", "expel", "alert_security", "review"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FloodSettings(_Section):
    enabled: bool = True
    max_messages: int = Field(6, ge=2)  # more than this many messages within window_s …
    window_s: float = Field(60.0, gt=0)
    max_repeats: int = Field(3, ge=2)  # … or the same text this many times within repeat_window_s
    repeat_window_s: float = Field(600.0, gt=0)


class ProbationSettings(_Section):
    """New members: their first `messages` messages may not carry unknown links."""

    enabled: bool = True
    messages: int = Field(5, ge=0)


class OffPurposeSettings(_Section):
    ads: bool = True
    chains: bool = True
    political: bool = True
    scams: bool = True
    forwarded_many: bool = True  # WhatsApp's "forwarded many times": asks the admins
    flood: FloodSettings = FloodSettings()
    probation: ProbationSettings = ProbationSettings()
    # Links to these domains (and their subdomains) are always fine.
    trusted_domains: list[str] = Field(
        default_factory=lambda: [
            "gob.mx",
            "jilotepec.gob.mx",
            "edomex.gob.mx",
            "imss.gob.mx",
            "cfe.mx",
            "wa.me",
            "whatsapp.com",
            "maps.google.com",
            "maps.app.goo.gl",
            "facebook.com",
            "youtube.com",
            "youtu.be",
        ]
    )


class LadderStep(_Section):
    """What happens when a member's points within the window reach `at_points`."""

    at_points: int = Field(ge=1)
    effects: list[Effect]


def _default_steps() -> list[LadderStep]:
    return [
        LadderStep(at_points=1, effects=["delete", "warn_group", "warn_private"]),
        LadderStep(at_points=3, effects=["delete", "warn_group", "warn_private", "expel"]),
    ]


class LadderSettings(_Section):
    """Points with decay: each violation adds points that count for `window_days`."""

    window_days: float = Field(30.0, gt=0)
    steps: list[LadderStep] = Field(default_factory=_default_steps)
    # Points a violation adds, by rule id or category (others add `default_points`). A
    # newcomer's link is deleted with a private note but counts for no expulsion.
    points: dict[str, int] = Field(default_factory=lambda: {"off.probation_link": 0})
    default_points: int = Field(1, ge=0)
    # Categories that also alert Seguridad Ciudadana.
    alert_security: list[str] = Field(default_factory=lambda: ["threat", "hate"])

    @model_validator(mode="after")
    def _steps_ordered(self) -> LadderSettings:
        thresholds = [s.at_points for s in self.steps]
        if thresholds != sorted(set(thresholds)):
            raise ValueError("ladder steps must have increasing, distinct at_points")
        return self

    @property
    def expel_at(self) -> int | None:
        return next((s.at_points for s in self.steps if "expel" in s.effects), None)


class ModelSettings(_Section):
    """The optional learned layer (`cassbot train`): it only ever asks for a review."""

    enabled: bool = True
    review_threshold: float = Field(0.5, ge=0, le=1)  # score at which a message is reviewed
    confirm_threshold: float = Field(0.5, ge=0, le=1)  # a lexicon flag + this score → act
    veto_below: float = Field(0.3, ge=0, le=1)  # a lexicon flag (never a violation) is
    # dropped when the model scores the message below this


class PolicySettings(BaseModel):
    """Moderation policy: the `[moderation]` defaults, overridden per community by `policy`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    # Casual swearing ("qué pedo", "está cabrón"): ignored by default in CASS groups.
    casual_swearing: Literal["ignore", "review", "violation"] = "ignore"
    # Lexicon flags that are not clearly aimed at anybody: ask the admins or ignore.
    unaimed_insults: Literal["ignore", "review"] = "review"
    exempt_roles: list[str] = Field(
        default_factory=lambda: ["funcionario", "administrador", "autoridad_local"]
    )
    dry_run: bool = False  # decide as usual; the core records instead of acting
    off_purpose: OffPurposeSettings = OffPurposeSettings()
    ladder: LadderSettings = LadderSettings()
    model: ModelSettings = ModelSettings()
    allow_words: list[str] = Field(default_factory=list)  # never offensive in this community
