"""The screening engine: one message in, a `ScreenReport` out. Pure CPU, no I/O.

    engine = ScreeningEngine.from_settings(settings.moderation, model_path=...)  # once
    report = engine.screen(ScreenInput(text="…", links=…, sent_at=…), community_policy)

Construction reads the lexicons (and the optional model) once; `screen()` then only
computes: normalise → lexicon + context rules → off-purpose screeners → optional model →
aggregate. The per-community `PolicySettings` can be passed per call; everything it
switches (screeners on/off, casual swearing, allow-words, model thresholds) is applied here,
while points and effects are `moderation.policy.decide()`'s job.

How the verdicts add up:
* `offensive` — a respect finding (insult, hate, sexual, threat) that is a violation or a
  flag, or a model score at or above `model.review_threshold`;
* `action` — `act` when any finding is a violation (the bot may act alone), `review` when
  only flags remain (admins decide), else `none`. A model score alone gives `review`, never
  `act`; a lexicon flag confirmed by the model (`model.confirm_threshold`) becomes `act`,
  one the model scores below `model.veto_below` is dropped (violations never are).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from moderation.context import ContextRules
from moderation.findings import (
    OFF_PURPOSE_CATEGORIES,
    RESPECT_CATEGORIES,
    Action,
    Finding,
    ScreenReport,
)
from moderation.lexicon import Lexicon, load_lexicon, tokens_of
from moderation.model import LinearModel, load_model
from moderation.normalise import normalise
from moderation.offpurpose import OffPurposeScreener, RecentMessage, fingerprint
from moderation.settings import PolicySettings

__all__ = ["RecentMessage", "ScreenInput", "ScreeningEngine", "fingerprint"]


@dataclass(frozen=True, slots=True)
class ScreenInput:
    text: str
    links: tuple[str, ...] = ()  # links the platform reported (the engine also finds them)
    attachments: tuple[str, ...] = ()  # kinds: voice, audio, image, video, document, sticker…
    forwarded: bool = False
    forwarded_many: bool = False
    mentions: tuple[str, ...] = ()  # platform-reported mentions: insults count as aimed
    is_reply: bool = False  # a reply is addressed to somebody: insults count as aimed
    sent_at: datetime | None = None
    author_message_count: int = 0  # earlier messages of this member in the community
    recent_by_author: tuple[RecentMessage, ...] = ()  # for flood, newest last


class ScreeningEngine:
    """Built once (lexicons compiled, model loaded); `screen()` is then pure and fast."""

    def __init__(
        self, lexicon: Lexicon, settings: PolicySettings, model: LinearModel | None = None
    ) -> None:
        self.lexicon = lexicon
        self.settings = settings
        self.model = model
        self.context = ContextRules(lexicon)
        self.off_purpose = OffPurposeScreener(lexicon)
        self._allow_cache: dict[tuple[str, ...], frozenset[str]] = {}

    @classmethod
    def from_settings(
        cls,
        settings: PolicySettings,
        lexicon_dir: Path | None = None,
        model_path: Path | None = None,
    ) -> ScreeningEngine:
        """Compile the lexicons and load the model if `model_path` exists (once, here)."""
        model = load_model(model_path) if model_path is not None and model_path.is_file() else None
        return cls(load_lexicon(lexicon_dir), settings, model)

    def screen(self, message: ScreenInput, settings: PolicySettings | None = None) -> ScreenReport:
        policy = settings or self.settings
        text = message.text
        if not policy.enabled:
            return ScreenReport(text, (), False, "none", 0, (), None)
        norm = normalise(text)
        addressed = bool(message.mentions) or message.is_reply
        findings = self.context.findings(norm, addressed)
        if policy.allow_words and findings:
            allowed = self._allowed(policy.allow_words)
            findings = [f for f in findings if not _is_allowed(f, norm.text, allowed)]
        findings += self.off_purpose.findings(
            norm,
            policy.off_purpose,
            links=message.links,
            forwarded=message.forwarded,
            forwarded_many=message.forwarded_many,
            sent_at=message.sent_at,
            author_message_count=message.author_message_count,
            recent=message.recent_by_author,
        )
        score = None
        if self.model is not None and policy.model.enabled and text.strip():
            score = self.model.score(text, norm.tokens)
        return _aggregate(text, findings, policy, score)

    def _allowed(self, words: list[str]) -> frozenset[str]:
        key = tuple(words)
        cached = self._allow_cache.get(key)
        if cached is None:
            cached = frozenset(t for w in words for t in tokens_of(w))
            self._allow_cache[key] = cached
        return cached


def _is_allowed(finding: Finding, text: str, allowed: frozenset[str]) -> bool:
    quoted = tokens_of(text[finding.span[0] : finding.span[1]])
    return bool(quoted) and all(t in allowed for t in quoted)


def _aggregate(
    text: str, found: list[Finding], policy: PolicySettings, score: float | None
) -> ScreenReport:
    if not found and score is None:
        return ScreenReport(text, (), False, "none", 0, (), None)
    findings = [f for f in found if _counts(f, policy)]
    respect = [f for f in findings if f.category in RESPECT_CATEGORIES]
    model_cfg = policy.model
    if score is not None and score < model_cfg.veto_below:
        # the model is confident the message is fine: drop unaimed lexicon flags
        findings = [f for f in findings if not (f.verdict == "flag" and f in respect)]
        respect = [f for f in respect if f.verdict == "violation"]
    if score is not None:
        if respect and all(f.verdict == "flag" for f in respect):
            if score >= model_cfg.confirm_threshold:
                top = max(respect, key=lambda f: f.severity)
                findings.append(
                    Finding("model.confirmed", top.category, top.severity, top.span,
                            "violation", f"score {score:.2f}")
                )  # fmt: skip
        elif not respect and score >= model_cfg.review_threshold:
            findings.append(Finding("model", "insult", 2, (0, len(text)), "flag", f"{score:.2f}"))
    casual = policy.casual_swearing
    action: Action = "none"
    for f in findings:
        if f.category == "casual":
            verdict = {"ignore": None, "review": "flag", "violation": "violation"}[casual]
        else:
            verdict = f.verdict
        if verdict == "violation":
            action = "act"
            break
        if verdict == "flag":
            action = "review"
    offensive = any(f.category in RESPECT_CATEGORIES or f.rule_id == "model" for f in findings)
    severity = max((f.severity for f in findings), default=0)
    categories = tuple(sorted({f.category for f in findings}))
    off_purpose = next((c for c in OFF_PURPOSE_CATEGORIES if c in categories), None)
    return ScreenReport(
        text=text,
        findings=tuple(findings),
        offensive=offensive,
        action=action,
        severity=severity,
        categories=categories,
        off_purpose=off_purpose,
        model_score=score,
    )


def _counts(finding: Finding, policy: PolicySettings) -> bool:
    """Drop what this community switched off (unaimed insults can be ignored)."""
    if finding.verdict == "flag" and finding.category in RESPECT_CATEGORIES:
        return policy.unaimed_insults == "review" or finding.rule_id.startswith("model")
    return True
