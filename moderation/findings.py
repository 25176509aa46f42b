"""What screening reports: findings (one per rule that fired) and the report for a message.

A finding is a verdict of one screener: `flag` (probably a problem: the admins review it) or
`violation` (the bot may act on its own). Severity: 0 none, 1 casual swearing, 2 insult,
3 hate or sexual harassment, 4 threats and incitement to violence. Off-purpose findings
(ads, chains, propaganda, scams, floods) carry severity 2 and their own categories.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Verdict = Literal["flag", "violation"]
Action = Literal["none", "review", "act"]

CASUAL = 1
INSULT = 2
HATE = 3
SEXUAL = 3
THREAT = 4

RESPECT_CATEGORIES = frozenset({"insult", "hate", "sexual", "threat"})
OFF_PURPOSE_CATEGORIES = ("scam", "chain", "political", "ad", "flood")  # report priority


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str  # e.g. "lex.insult", "ctx.aimed_insult", "ctx.threat", "off.ad", "model"
    category: str  # casual | insult | hate | sexual | threat | ad | chain | political | scam
    severity: int
    span: tuple[int, int]  # in the original text; (0, 0) when the finding is about metadata
    verdict: Verdict
    detail: str = ""  # for the audit log (the matched entry); never shown to members

    def to_json(self, text: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule_id": self.rule_id,
            "category": self.category,
            "severity": self.severity,
            "span": list(self.span),
            "verdict": self.verdict,
        }
        if text is not None and self.span[1] > self.span[0]:
            out["quote"] = text[self.span[0] : self.span[1]]
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True, slots=True)
class ScreenReport:
    """Everything screening found in one message, before any policy is applied."""

    text: str
    findings: tuple[Finding, ...]
    offensive: bool  # the respect rules are broken above casual swearing
    action: Action  # what the screening recommends: act alone, ask admins, nothing
    severity: int
    categories: tuple[str, ...]
    off_purpose: str | None
    service_request: str | None = None  # filled by the service-request screener (not here)
    model_score: float | None = None

    @property
    def top(self) -> Finding | None:
        """The finding that drives the decision: violations first, then severity."""
        if not self.findings:
            return None
        return max(self.findings, key=_rank)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "offensive": self.offensive,
            "action": self.action,
            "severity": self.severity,
            "categories": list(self.categories),
            "off_purpose": self.off_purpose,
            "service_request": self.service_request,
            "model_score": None if self.model_score is None else round(self.model_score, 4),
            "matches": [f.to_json(self.text) for f in self.findings],
        }


def _rank(finding: Finding) -> tuple[int, int, int]:
    off = finding.category in OFF_PURPOSE_CATEGORIES
    return (finding.verdict == "violation", finding.severity, not off)
