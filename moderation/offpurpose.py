"""Off-purpose screeners (CASS rule 4): ads, chain letters, propaganda, scams, floods.

Pure functions over the normalised text and the message facts. State (the author's recent
messages, how many messages they have sent) is passed in by the caller, which keeps it in the
database: `fingerprint(text)` gives the short key to store for each message.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from moderation.findings import INSULT, Finding
from moderation.lexicon import Lexicon, match_at
from moderation.links import LinkChecker
from moderation.normalise import Normalised, fold
from moderation.settings import OffPurposeSettings

_PRICE = re.compile(r"\$\s?\d|\d\s?(?:pesos|mxn)\b", re.IGNORECASE)
_PHONE = re.compile(r"(?<!\d)(?:\+?52[\s-]?)?(?:\d[\s-]?){10}(?!\d)")
_FINGERPRINT_WORD = re.compile(r"[a-zñ0-9]+")
_ENABLED = {"ad": "ads", "chain": "chains", "political": "political", "scam": "scams"}


@dataclass(frozen=True, slots=True)
class RecentMessage:
    """One earlier message of the same author, as the core stores it."""

    at: datetime
    fingerprint: str


def fingerprint(text: str) -> str:
    """A short, stable key for 'the same text' (case, accents, spacing, punctuation aside)."""
    words = _FINGERPRINT_WORD.findall(fold(text))
    return hashlib.blake2b(" ".join(words).encode(), digest_size=8).hexdigest()


class OffPurposeScreener:
    """Compiled once from the lexicon; `findings()` runs per message."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.signals = lexicon.signals
        self.triggers = frozenset(self.signals)
        self.links = LinkChecker(lexicon)

    def findings(
        self,
        norm: Normalised,
        settings: OffPurposeSettings,
        *,
        links: Sequence[str] = (),
        forwarded: bool = False,
        forwarded_many: bool = False,
        sent_at: datetime | None = None,
        author_message_count: int = 0,
        recent: Sequence[RecentMessage] = (),
    ) -> list[Finding]:
        out: list[Finding] = []
        scores = self._signal_scores(norm) if not self.triggers.isdisjoint(norm.tokens) else {}
        all_links = tuple(dict.fromkeys((*norm.urls, *links)))
        if all_links and settings.scams:
            self._score_links(all_links, scores, settings)
        money = "$" in norm.text or "peso" in norm.folded or "mxn" in norm.folded
        if settings.ads and money and _PRICE.search(norm.text):
            _bump(scores, "ad", 1, (0, 0), "price")
        if settings.ads and scores.get("ad") and _PHONE.search(norm.text):
            _bump(scores, "ad", 1, (0, 0), "phone number")
        if forwarded and scores.get("chain"):
            _bump(scores, "chain", 1, (0, 0), "forwarded")
        for screener, (score, span, detail) in scores.items():
            if not getattr(settings, _ENABLED.get(screener, ""), False):
                continue
            if score >= 3:
                out.append(Finding(f"off.{screener}", screener, INSULT, span, "violation", detail))
            elif score == 2:
                out.append(Finding(f"off.{screener}", screener, INSULT, span, "flag", detail))
        if (
            forwarded_many
            and settings.forwarded_many
            and not any(f.category == "chain" for f in out)
        ):
            out.append(Finding("off.forwarded_many", "chain", INSULT, (0, 0), "flag", "facts"))
        probation = settings.probation
        if probation.enabled and author_message_count < probation.messages and all_links:
            trusted = tuple(settings.trusted_domains)
            unknown = [link for link in all_links if self.links.check(link, trusted).reason]
            if unknown and not any(f.category == "scam" for f in out):
                span = _span_of(norm.text, unknown[0])
                out.append(
                    Finding("off.probation_link", "scam", INSULT, span, "violation", unknown[0])
                )
        if settings.flood.enabled and sent_at is not None and recent:
            flood = _flood(norm.text, settings, sent_at, recent)
            if flood is not None:
                out.append(flood)
        return out

    def _signal_scores(self, norm: Normalised) -> dict[str, tuple[int, tuple[int, int], str]]:
        tokens = norm.tokens
        seen: set[str] = set()
        scores: dict[str, tuple[int, tuple[int, int], str]] = {}
        for i, token in enumerate(tokens):
            candidates = self.signals.get(token)
            if not candidates:
                continue
            for signal, anchor in candidates:
                first = match_at(signal.parts, tokens, i, anchor)
                if first < 0 or signal.lemma in seen:
                    continue
                seen.add(signal.lemma)
                last = first + len(signal.parts) - 1
                _bump(
                    scores, signal.screener, signal.weight, norm.span_of(first, last), signal.lemma
                )
        return scores

    def _score_links(
        self,
        links: tuple[str, ...],
        scores: dict[str, tuple[int, tuple[int, int], str]],
        settings: OffPurposeSettings,
    ) -> None:
        trusted = tuple(settings.trusted_domains)
        for link in links:
            verdict = self.links.check(link, trusted)
            if verdict.weight:
                _bump(scores, "scam", verdict.weight, (0, 0), f"{verdict.reason}: {verdict.host}")


def _bump(
    scores: dict[str, tuple[int, tuple[int, int], str]],
    screener: str,
    weight: int,
    span: tuple[int, int],
    detail: str,
) -> None:
    score, first_span, first_detail = scores.get(screener, (0, span, detail))
    if first_span == (0, 0) and span != (0, 0):
        first_span, first_detail = span, detail
    scores[screener] = (score + weight, first_span, first_detail)


def _span_of(text: str, needle: str) -> tuple[int, int]:
    at = text.find(needle)
    return (at, at + len(needle)) if at >= 0 else (0, 0)


def _flood(
    text: str, settings: OffPurposeSettings, sent_at: datetime, recent: Sequence[RecentMessage]
) -> Finding | None:
    flood = settings.flood
    since = sent_at - timedelta(seconds=flood.window_s)
    in_window = sum(1 for m in recent if since <= m.at <= sent_at) + 1
    if in_window > flood.max_messages:
        detail = f"{in_window} messages in {flood.window_s:g} s"
        return Finding("off.flood", "flood", INSULT, (0, 0), "violation", detail)
    mine = fingerprint(text)
    repeat_since = sent_at - timedelta(seconds=flood.repeat_window_s)
    repeats = sum(1 for m in recent if m.fingerprint == mine and repeat_since <= m.at) + 1
    if repeats >= flood.max_repeats:
        detail = f"same text {repeats} times in {flood.repeat_window_s:g} s"
        return Finding("off.flood", "flood", INSULT, (0, 0), "violation", detail)
    return None
