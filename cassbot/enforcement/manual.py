"""Decisions an admin makes by command, expressed with the same values as automatic ones."""

from __future__ import annotations

from cassbot import texts
from moderation.findings import Finding, ScreenReport
from moderation.policy import Decision, Effect, MemberStanding
from moderation.settings import PolicySettings

MANUAL_RULE = 1  # "Respeto": the general rule an admin's sanction cites


def manual_report(rule_id: str, reason: str, text: str = "") -> ScreenReport:
    finding = Finding(rule_id, "manual", 2, (0, 0), "violation", detail=reason)
    return ScreenReport(text, (finding,), True, "act", 2, ("manual",), None)


def _fields(
    standing: MemberStanding, settings: PolicySettings, reason: str, count: int
) -> dict[str, object]:
    ladder = settings.ladder
    return {
        "who": standing.name or texts.MOD_DEFAULT_WHO,
        "reason": reason,
        "rule": MANUAL_RULE,
        "rule_text": texts.RULES[MANUAL_RULE],
        "count": count,
        "limit": ladder.expel_at or "-",
        "days": f"{ladder.window_days:g}",
        "appeal": texts.MOD_APPEAL,
    }


def manual_warning(
    standing: MemberStanding,
    settings: PolicySettings,
    *,
    reason: str,
    now_points: int,
    delete: bool,
    dry_run: bool,
) -> Decision:
    """A warning counts on the same ladder as automatic ones: the last one expels."""
    ladder = settings.ladder
    points = max(1, ladder.default_points)
    total = now_points + points
    effects = {Effect.WARN_GROUP, Effect.WARN_PRIVATE}
    if delete:
        effects.add(Effect.DELETE)
    fields = _fields(standing, settings, reason, total)
    if ladder.expel_at is not None and total >= ladder.expel_at:
        return manual_expulsion(
            standing,
            settings,
            reason=reason,
            delete=delete,
            dry_run=dry_run,
            points=points,
            total=total,
        )
    return Decision(
        frozenset(effects),
        points_added=points,
        points_total_in_window=total,
        rule_id="manual.warning",
        category="manual",
        cass_rule=MANUAL_RULE,
        warning_text=texts.ENF_MANUAL_WARN_GROUP.format(**fields),
        private_text=texts.ENF_MANUAL_WARN_PRIVATE.format(**fields),
        dry_run=dry_run,
    )


def manual_expulsion(
    standing: MemberStanding,
    settings: PolicySettings,
    *,
    reason: str,
    delete: bool,
    dry_run: bool,
    points: int = 0,
    total: int = 0,
) -> Decision:
    fields = _fields(standing, settings, reason, total)
    effects = {Effect.EXPEL, Effect.WARN_GROUP, Effect.WARN_PRIVATE}
    if delete:
        effects.add(Effect.DELETE)
    return Decision(
        frozenset(effects),
        points_added=points,
        points_total_in_window=total,
        rule_id="manual.expel",
        category="manual",
        cass_rule=MANUAL_RULE,
        warning_text=texts.ENF_MANUAL_EXPEL_GROUP.format(**fields),
        private_text=texts.ENF_MANUAL_EXPEL_PRIVATE.format(**fields),
        dry_run=dry_run,
    )
