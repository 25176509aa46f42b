from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cassbot.texts import RULES
from moderation.findings import Finding, ScreenReport
from moderation.policy import Effect, MemberStanding, PointsEntry, decide
from moderation.settings import LadderSettings, LadderStep, PolicySettings

NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
DEFAULT = PolicySettings()
INSULT_WORD = "pendejo"


def report(category: str = "insult", verdict: str = "violation", severity: int = 2,
           rule_id: str = "ctx.aimed_insult") -> ScreenReport:  # fmt: skip
    text = f"eres un {INSULT_WORD}"
    finding = Finding(rule_id, category, severity, (8, len(text)), verdict)  # type: ignore[arg-type]
    action = "act" if verdict == "violation" else "review"
    return ScreenReport(text, (finding,), category in ("insult", "hate", "threat", "sexual"),
                        action, severity, (category,), None)  # type: ignore[arg-type]  # fmt: skip


def history(*days_ago: float, cleared: bool = False) -> tuple[PointsEntry, ...]:
    return tuple(PointsEntry(NOW - timedelta(days=d), 1, "ctx.aimed_insult", cleared)
                 for d in days_ago)  # fmt: skip


def test_first_violation_deletes_and_warns() -> None:
    d = decide(report(), standing=MemberStanding(), settings=DEFAULT, now=NOW)
    assert d.effects == {Effect.DELETE, Effect.WARN_GROUP, Effect.WARN_PRIVATE}
    assert d.points_added == 1
    assert d.points_total_in_window == 1
    assert d.cass_rule == 2


def test_third_warning_within_30_days_expels() -> None:
    standing = MemberStanding(history=history(3, 20))
    d = decide(report(), standing=standing, settings=DEFAULT, now=NOW)
    assert Effect.EXPEL in d.effects
    assert d.points_total_in_window == 3


def test_points_decay_after_the_window() -> None:
    standing = MemberStanding(history=history(31, 45))
    d = decide(report(), standing=standing, settings=DEFAULT, now=NOW)
    assert Effect.EXPEL not in d.effects
    assert d.points_total_in_window == 1


def test_cleared_points_do_not_count() -> None:
    standing = MemberStanding(history=history(1, 2, cleared=True))
    d = decide(report(), standing=standing, settings=DEFAULT, now=NOW)
    assert d.points_total_in_window == 1


def test_threat_alerts_security() -> None:
    d = decide(report("threat", severity=4, rule_id="ctx.threat"),
               standing=MemberStanding(), settings=DEFAULT, now=NOW)  # fmt: skip
    assert Effect.ALERT_SECURITY in d.effects
    assert Effect.DELETE in d.effects
    assert d.cass_rule == 3
    assert d.alert_text
    assert "Seguridad Ciudadana" in d.alert_text


def test_slur_alerts_security() -> None:
    d = decide(report("hate", severity=3, rule_id="ctx.group_hate"),
               standing=MemberStanding(), settings=DEFAULT, now=NOW)  # fmt: skip
    assert Effect.ALERT_SECURITY in d.effects


@pytest.mark.parametrize("role", ["funcionario", "administrador"])
def test_officials_and_admins_are_exempt(role: str) -> None:
    d = decide(report(), standing=MemberStanding(role=role), settings=DEFAULT, now=NOW)
    assert d.effects == frozenset()
    assert d.exempt is True


def test_explicit_exemption() -> None:
    d = decide(report(), standing=MemberStanding(exempt=True), settings=DEFAULT, now=NOW)
    assert d.effects == frozenset()


def test_dry_run_decides_the_same_and_says_so() -> None:
    dry = PolicySettings(dry_run=True)
    real = decide(report(), standing=MemberStanding(), settings=DEFAULT, now=NOW)
    sim = decide(report(), standing=MemberStanding(), settings=dry, now=NOW)
    assert sim.effects == real.effects
    assert sim.dry_run is True
    assert real.dry_run is False


def test_flag_only_asks_for_review_never_expels() -> None:
    standing = MemberStanding(history=history(1, 2, 3, 4))
    d = decide(report(verdict="flag"), standing=standing, settings=DEFAULT, now=NOW)
    assert d.effects == {Effect.REVIEW}
    assert d.points_added == 0
    assert d.review_text


def test_model_only_report_is_review(engine) -> None:
    from moderation.engine import _aggregate

    rep = _aggregate("algo raro", [], DEFAULT, 0.99)
    assert rep.action == "review"
    d = decide(rep, standing=MemberStanding(history=history(1, 2)), settings=DEFAULT, now=NOW)
    assert d.effects == {Effect.REVIEW}


def test_nothing_found_nothing_done() -> None:
    empty = ScreenReport("hola", (), False, "none", 0, (), None)
    assert decide(empty, standing=MemberStanding(), settings=DEFAULT, now=NOW).effects == set()


def test_configurable_ladder() -> None:
    ladder = LadderSettings(window_days=7, steps=[
        LadderStep(at_points=1, effects=["delete", "warn_private"]),
        LadderStep(at_points=2, effects=["delete", "expel"]),
    ])  # fmt: skip
    settings = PolicySettings(ladder=ladder)
    d1 = decide(report(), standing=MemberStanding(), settings=settings, now=NOW)
    assert d1.effects == {Effect.DELETE, Effect.WARN_PRIVATE}
    d2 = decide(report(), standing=MemberStanding(history=history(6)), settings=settings, now=NOW)
    assert Effect.EXPEL in d2.effects
    d3 = decide(report(), standing=MemberStanding(history=history(8)), settings=settings, now=NOW)
    assert Effect.EXPEL not in d3.effects


def test_ladder_steps_must_increase() -> None:
    with pytest.raises(ValueError, match="increasing"):
        LadderSettings(steps=[LadderStep(at_points=3, effects=["expel"]),
                              LadderStep(at_points=1, effects=["delete"])])  # fmt: skip


CATEGORIES = ["insult", "hate", "sexual", "threat", "ad", "chain", "political", "scam", "flood"]


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("earlier", [0, 1, 2])
def test_warning_texts_cite_rule_count_appeal_and_never_the_insult(
    category: str, earlier: int
) -> None:
    standing = MemberStanding(history=history(*range(1, earlier + 1)), name="Beto")
    d = decide(report(category), standing=standing, settings=DEFAULT, now=NOW)
    assert d.warning_text
    assert d.private_text
    for text in (d.warning_text, d.private_text):
        assert INSULT_WORD not in text.lower()
        assert f"regla {d.cass_rule}" in text.lower()
        assert "/apelar" in text
        assert "Beto" in text
    if Effect.EXPEL in d.effects:
        assert "baja" in d.warning_text
    else:
        assert f"{earlier + 1} de 3 advertencias" in d.warning_text
        assert "baja del grupo" in d.warning_text
    assert RULES[d.cass_rule or 0] in d.private_text


def test_probation_link_has_no_points_and_its_own_reason() -> None:
    settings = PolicySettings(ladder=LadderSettings(points={"off.probation_link": 0}))
    d = decide(report("scam", rule_id="off.probation_link"), standing=MemberStanding(),
               settings=settings, now=NOW)  # fmt: skip
    assert d.points_added == 0
    assert Effect.DELETE in d.effects
    assert d.private_text
    assert "acaban de entrar" in d.private_text
