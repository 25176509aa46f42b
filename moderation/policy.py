"""The moderation policy: `decide()` turns a screen report into abstract effects. Pure.

    decision = decide(report, standing=MemberStanding(role="vecino", history=...),
                      settings=community_policy, now=event_time)

* Points with decay: a violation adds points (`ladder.points` by rule id or category, else
  `ladder.default_points`); points older than `ladder.window_days`, or cleared (undone,
  appealed), no longer count. The highest ladder step reached gives the effects (defaults:
  1 point → delete + warn in the group and in private; 3 points → also expel).
* Threats and hate (`ladder.alert_security`) also alert Seguridad Ciudadana.
* Flags (`action=review`, including anything only the model saw) ask the admins to review:
  no deletion, no points, never an expulsion.
* Officials and admins (`exempt_roles`, or `standing.exempt`) are exempt: no effects.
* Dry-run: decided exactly the same, `dry_run=True` tells the core to record, not act.
* Time is injected (`now`); the policy never reads the clock. Effects are abstract; the core
  maps them to channel actions with capability degradation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from cassbot import texts
from moderation.findings import ScreenReport
from moderation.settings import PolicySettings

RULE_BY_CATEGORY = {
    "insult": 2,
    "hate": 2,
    "sexual": 2,
    "casual": 2,
    "threat": 3,
    "ad": 4,
    "chain": 4,
    "political": 4,
    "scam": 4,
    "flood": 4,
}


class Effect(StrEnum):
    DELETE = "delete"
    WARN_GROUP = "warn_group"
    WARN_PRIVATE = "warn_private"
    EXPEL = "expel"
    ALERT_SECURITY = "alert_security"
    REVIEW = "review"


@dataclass(frozen=True, slots=True)
class PointsEntry:
    at: datetime
    points: int
    rule_id: str
    cleared: bool = False  # undone by an admin or won on appeal


@dataclass(frozen=True, slots=True)
class MemberStanding:
    role: str = "vecino"
    exempt: bool = False
    history: tuple[PointsEntry, ...] = ()
    name: str | None = None  # how warnings address the member


@dataclass(frozen=True, slots=True)
class Decision:
    effects: frozenset[Effect]
    points_added: int = 0
    points_total_in_window: int = 0
    rule_id: str | None = None
    category: str | None = None
    cass_rule: int | None = None  # number in cassbot.texts.RULES
    matched_span: tuple[int, int] | None = None
    warning_text: str | None = None  # for the group
    private_text: str | None = None  # for the member, in private
    alert_text: str | None = None  # for Seguridad Ciudadana
    review_text: str | None = None  # for the admins
    dry_run: bool = False
    exempt: bool = False

    @property
    def acts(self) -> bool:
        return bool(self.effects - {Effect.REVIEW})


NOTHING = Decision(frozenset())


def decide(
    report: ScreenReport,
    *,
    standing: MemberStanding,
    settings: PolicySettings,
    now: datetime,
    dry_run: bool | None = None,
) -> Decision:
    """The effects a screen report calls for, given the member's standing (pure)."""
    dry = settings.dry_run if dry_run is None else dry_run
    top = report.top
    if report.action == "none" or top is None:
        return NOTHING
    category = top.category
    rule = RULE_BY_CATEGORY.get(category, 1)
    reason_key = "probation" if top.rule_id == "off.probation_link" else category
    reason = texts.MOD_REASONS.get(reason_key, texts.MOD_REASONS["insult"])
    base = Decision(
        frozenset(),
        rule_id=top.rule_id,
        category=category,
        cass_rule=rule,
        matched_span=top.span,
        dry_run=dry,
    )
    if standing.exempt or standing.role in settings.exempt_roles:
        return replace(base, exempt=True)
    if report.action == "review":
        text = texts.MOD_REVIEW.format(reason=reason, rule=rule)
        return replace(base, effects=frozenset({Effect.REVIEW}), review_text=text)
    ladder = settings.ladder
    points = ladder.points.get(top.rule_id, ladder.points.get(category, ladder.default_points))
    since = now - timedelta(days=ladder.window_days)
    earlier = sum(e.points for e in standing.history if not e.cleared and since < e.at <= now)
    total = earlier + points
    effects: set[Effect] = {Effect.DELETE, Effect.WARN_PRIVATE}
    if points > 0:
        reached = [step for step in ladder.steps if step.at_points <= total]
        if reached:
            effects = {Effect(e) for e in reached[-1].effects}
    if category in ladder.alert_security:
        effects.add(Effect.ALERT_SECURITY)
    fields = {
        "who": standing.name or texts.MOD_DEFAULT_WHO,
        "reason": reason,
        "rule": rule,
        "rule_text": texts.RULES.get(rule, ""),
        "count": total,
        "limit": ladder.expel_at or 0,
        "days": f"{ladder.window_days:g}",
        "next": _next_step(total, ladder.expel_at, points),
    }
    warning, private = _warning_texts(effects, points, ladder.expel_at is not None, fields)
    alert = None
    if Effect.ALERT_SECURITY in effects:
        quote = report.text[top.span[0] : top.span[1]] or report.text
        alert = texts.MOD_ALERT_SECURITY.format(reason=reason, quote=quote[:300])
    return replace(
        base,
        effects=frozenset(effects),
        points_added=points,
        points_total_in_window=total,
        warning_text=warning,
        private_text=private,
        alert_text=alert,
    )


def _next_step(total: int, expel_at: int | None, points: int) -> str:
    if expel_at is None or points == 0:
        return texts.MOD_NEXT_NONE
    remaining = expel_at - total
    if remaining == 1:
        return texts.MOD_NEXT_LAST
    return texts.MOD_NEXT_WARN.format(remaining=max(remaining, 0))


def _warning_texts(
    effects: set[Effect], points: int, counted: bool, fields: dict[str, object]
) -> tuple[str | None, str | None]:
    if Effect.EXPEL in effects:
        return texts.MOD_EXPEL_GROUP.format(**fields), texts.MOD_EXPEL_PRIVATE.format(**fields)
    with_count = counted and points > 0
    group = texts.MOD_WARN_GROUP if with_count else texts.MOD_WARN_GROUP_NO_COUNT
    private = texts.MOD_WARN_PRIVATE if with_count else texts.MOD_WARN_PRIVATE_NO_COUNT
    warning = group.format(**fields) if Effect.WARN_GROUP in effects else None
    private_text = private.format(**fields) if Effect.WARN_PRIVATE in effects else None
    return warning, private_text
