"""Lexicons as data: TOML files under `config/lexicons/`, compiled once into token lookups.

A lexicon file has `[[terms]]` groups (single words, inflected on request, and explicit
multi-word phrases) and `[cues]` (word lists the context rules use: second person, copulas,
group nouns, violent verbs…). Everything is normalised with the same normaliser as the
messages, then compiled into:

* `index`: token → the terms and cues it can start (a dict: one lookup per token);
* phrases: tuples of alternative-sets, checked only at positions whose first token matches.

No regular expression is ever built from list entries, so matching is linear in the message
length whatever the lists hold. The domain allow-list (service vocabulary such as basura,
bache, fuga, patrulla, rata, perro, negro) removes words from every list, imported ones
included: they are never offensive by themselves.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from moderation.normalise import normalise

SEVERITY = {"none": 0, "casual": 1, "insult": 2, "sexual": 3, "hate": 3, "threat": 4}
MODES = frozenset({"always", "insult", "casual", "aimed_only", "exclamation"})


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon entry (all its inflections and spellings share it)."""

    rule_id: str  # e.g. "lex.insult"
    category: str  # casual | insult | hate | sexual | threat | ad | chain | political | scam
    mode: str  # how the context rules treat it (see MODES)
    lemma: str  # the entry as written, for the audit log (never shown to members)
    source: str = "cassbot"

    @property
    def severity(self) -> int:
        return SEVERITY.get(self.category, 1)


@dataclass(frozen=True, slots=True)
class Phrase:
    term: Term
    parts: tuple[frozenset[str], ...]  # each position: the accepted tokens


@dataclass(frozen=True, slots=True)
class Signal:
    """A word or phrase that points to an off-purpose message (an ad, a chain letter…)."""

    screener: str  # ad | chain | political | scam
    weight: int  # 3 is enough on its own; weaker signals add up
    lemma: str
    parts: tuple[frozenset[str], ...] = ()  # for phrases


@dataclass(slots=True)
class Lexicon:
    """The compiled lexicons: what the engine looks tokens up in."""

    words: dict[str, Term] = field(default_factory=dict)
    # phrases and signals are indexed by their rarest slot (the anchor, see anchor_slot)
    phrases: dict[str, list[tuple[Phrase, int]]] = field(default_factory=dict)
    cues: dict[str, frozenset[str]] = field(default_factory=dict)
    allow: frozenset[str] = frozenset()
    # token → cue names it belongs to (the context rules' vocabulary)
    cue_index: dict[str, frozenset[str]] = field(default_factory=dict)
    # off-purpose signals (one-word signals are phrases too)
    signals: dict[str, list[tuple[Signal, int]]] = field(default_factory=dict)
    domains: dict[str, frozenset[str]] = field(default_factory=dict)  # named domain lists

    def cue(self, name: str) -> frozenset[str]:
        return self.cues.get(name, frozenset())


def default_lexicon_dir() -> Path:
    """The shipped lexicons: `./config` in a checkout, `cassbot._config` in a wheel, else
    the checkout an editable install points at."""
    from cassbot.config import packaged_config_dir

    return packaged_config_dir() / "lexicons"  # handles wheels and editable installs


def packaged_text(name: str) -> str:
    """A data file shipped inside an installed package, e.g. better-profanity's list."""
    package, _, filename = name.partition(":")
    return resources.files(package).joinpath(filename).read_text(encoding="utf-8")


def tokens_of(text: str) -> tuple[str, ...]:
    return tuple(normalise(text).tokens)


def inflections(word: str) -> set[str]:
    """Plural and feminine forms of a Spanish noun/adjective (folded spelling)."""
    forms = {word}
    if word.endswith("o"):
        stem = word[:-1]
        forms |= {stem + "a", stem + "os", stem + "as", stem + "ito", stem + "ita"}
        forms |= {stem + "itos", stem + "itas"}
    elif word.endswith("a") or word.endswith("e"):
        forms |= {word + "s"}
    elif word.endswith(("n", "l", "r", "s", "z", "d")):
        base = word[:-1] + "c" if word.endswith("z") else word
        forms |= {base + "es", base + "a", base + "as"}
    return forms


def load_lexicon(directory: Path | None = None) -> Lexicon:
    """Read every `*.toml` in `directory` (default: the shipped lexicons) and compile them."""
    folder = directory or default_lexicon_dir()
    documents = [_read(path) for path in sorted(folder.glob("*.toml"))]
    return compile_lexicon(documents)


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    data.setdefault("source", path.stem)
    return data


def compile_lexicon(documents: Iterable[Mapping[str, Any]]) -> Lexicon:
    docs = list(documents)
    allow: set[str] = set()
    for doc in docs:
        for word in doc.get("allow", {}).get("words", []):
            allow.update(tokens_of(word))
    lexicon = Lexicon(allow=frozenset(allow))
    cues: dict[str, set[str]] = {}
    for doc in docs:
        for name, words in doc.get("cues", {}).items():
            bucket = cues.setdefault(name, set())
            for word in words:
                bucket.update(tokens_of(word))
    for doc in docs:
        source = str(doc.get("source", "cassbot"))
        for group in doc.get("terms", []):
            _add_group(lexicon, group, source)
        for imported in doc.get("imports", []):
            _add_import(lexicon, imported, source)
        for group in doc.get("signals", []):
            _add_signals(lexicon, group)
        for name, domains in doc.get("domains", {}).items():
            known = lexicon.domains.get(name, frozenset())
            lexicon.domains[name] = known | {d.lower() for d in domains}
    lexicon.cues = {name: frozenset(words) for name, words in cues.items()}
    index: dict[str, set[str]] = {}
    for name, words in lexicon.cues.items():
        for word in words:
            index.setdefault(word, set()).add(name)
    lexicon.cue_index = {word: frozenset(names) for word, names in index.items()}
    return lexicon


def _add_group(lexicon: Lexicon, group: Mapping[str, Any], source: str) -> None:
    mode = group.get("mode", "insult")
    if mode not in MODES:
        raise ValueError(f"lexicon group {group.get('rule')!r}: unknown mode {mode!r}")
    rule_id = "lex." + str(group["rule"])
    category = str(group.get("category", "insult"))
    inflect = bool(group.get("inflect", False))
    # aimed_only words are service vocabulary on purpose: the allow-list does not drop them
    honour_allow = mode != "aimed_only"
    for word in group.get("words", []):
        lemma = tokens_of(word)
        if len(lemma) != 1:
            raise ValueError(f"{rule_id}: {word!r} is not one word; list it under phrases")
        term = Term(rule_id, category, mode, word, source)
        forms = inflections(lemma[0]) if inflect else {lemma[0]}
        for form in forms:
            if honour_allow and form in lexicon.allow:
                continue
            lexicon.words.setdefault(form, term)
    for phrase in group.get("phrases", []):
        parts = tuple(
            frozenset(alt for option in slot.split("|") for alt in tokens_of(option))
            for slot in phrase.split()
        )
        if not parts or any(not part for part in parts):
            raise ValueError(f"{rule_id}: empty phrase slot in {phrase!r}")
        entry = Phrase(Term(rule_id, category, mode, phrase, source), parts)
        anchor = anchor_slot(parts)
        for word in parts[anchor]:
            lexicon.phrases.setdefault(word, []).append((entry, anchor))


def _add_import(lexicon: Lexicon, spec: Mapping[str, Any], source: str) -> None:
    """A word list shipped by another package, loaded with hygiene (see the lexicon file)."""
    text = packaged_text(str(spec["package_file"]))
    drop = {t for word in spec.get("drop", []) for t in tokens_of(word)}
    rule_id = "lex." + str(spec["rule"])
    category = str(spec.get("category", "casual"))
    mode = str(spec.get("mode", "casual"))
    overrides: Mapping[str, Any] = spec.get("overrides", {})
    for line in text.splitlines():
        tokens = tokens_of(line)
        if len(tokens) != 1:
            continue  # the imported list's phrases glue words; we list phrases ourselves
        word = tokens[0]
        if len(word) < 3 or word in drop or word in lexicon.allow or word in lexicon.words:
            continue
        override = overrides.get(word)
        if override:
            term = Term(f"lex.{override['rule']}", override["category"], override["mode"], word)
        else:
            term = Term(rule_id, category, mode, word, str(spec.get("name", source)))
        lexicon.words[word] = term


def _add_signals(lexicon: Lexicon, group: Mapping[str, Any]) -> None:
    screener = str(group["screener"])
    weight = int(group.get("weight", 1))
    for entry in group.get("phrases", []):
        parts = tuple(
            frozenset(alt for option in slot.split("|") for alt in tokens_of(option))
            for slot in entry.split()
        )
        if not parts or any(not part for part in parts):
            raise ValueError(f"signals {screener}: empty slot in {entry!r}")
        signal = Signal(screener, weight, entry, parts)
        anchor = anchor_slot(parts)
        for word in parts[anchor]:
            lexicon.signals.setdefault(word, []).append((signal, anchor))


def anchor_slot(parts: tuple[frozenset[str], ...]) -> int:
    """The slot to index a phrase by: the one whose shortest spelling is longest (short
    words such as 'de', 'tu', 'por' occur everywhere); the last one on ties."""
    best = max(min(len(w) for w in part) for part in parts)
    return max(k for k, part in enumerate(parts) if min(len(w) for w in part) == best)


def match_at(parts: tuple[frozenset[str], ...], tokens: list[str], i: int, anchor: int) -> int:
    """Index of the phrase's first token if it matches with its anchor slot at `i`, else -1."""
    first = i - anchor
    if first < 0 or first + len(parts) > len(tokens):
        return -1
    for k, part in enumerate(parts):
        if k != anchor and tokens[first + k] not in part:
            return -1
    return first
