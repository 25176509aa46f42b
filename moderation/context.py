"""Context rules: who a swear word is aimed at, and threats that need no swear word.

The lexicon says what a word is; these rules say what it does in the sentence:

* **aimed insults** — "eres un pendejo", "@Juan pinche rata", "pinches [group]",
  "hijo de tu puta madre": an insult (or swearing) labelling a person or a group;
* **exclamations** — "¡qué pedo!, ya llegó el agua", "no mames qué padre", "está cabrón el
  tráfico": swearing aimed at nobody stays casual (never a violation by itself);
* **threats and incitement** — "te voy a partir la madre", "hay que quemarle la casa",
  "lo vamos a madrear", "hay que lincharlo": a violent verb with a target and an intent,
  raised to the top severity.

Everything works on the normaliser's tokens with set and dict lookups (no regex).
"""

from __future__ import annotations

from dataclasses import dataclass

from moderation.findings import HATE, INSULT, THREAT, Finding, Verdict
from moderation.lexicon import Lexicon, Term, match_at
from moderation.normalise import MENTION, Normalised

_VOWELS = "aeiou"
_CLITICS = ("te", "lo", "la", "los", "las", "le", "les")
_SOFTENERS = frozenset({"risa", "hambre", "envidia", "amor", "besos", "cosquillas", "gusto"})
_ARTICLES = frozenset({"un", "una", "unos", "unas"})
_SECOND_LABELS = frozenset({"eres", "eras", "seas", "fueras", "sos", "pareces", "fuiste"})
_SELF_LABELS = frozenset({"soy", "somos", "sere", "seria", "estoy", "ando", "fui", "me"})
_SOFTENERS |= {"sueño", "ganas", "nervios", "curiosidad", "tiempo", "rato"}


@dataclass(frozen=True, slots=True)
class Hit:
    term: Term
    first: int  # token indices, inclusive
    last: int


class ContextRules:
    """Compiled once per lexicon; `findings()` is called for every message."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        cue = lexicon.cue
        self.second_person = cue("second_person") | {MENTION}
        self.label = cue("label")
        self.determiner = cue("determiner")
        self.intensifier = cue("intensifier")
        self.modifier = cue("modifier") | self.intensifier
        self.person = cue("person")
        self.group = cue("group")
        self.intent = cue("intent")
        self.negation = cue("negation")
        self.violent_object = cue("violent_object")
        self.clitic = cue("object_clitic") or frozenset(_CLITICS)
        self.violent: dict[str, tuple[str, bool]] = {}  # form → (kind, strong)
        strong = cue("violent_strong")
        for inf in cue("violent_infinitive"):
            self.violent[inf] = ("inf", inf in strong)
            for clitic in _CLITICS:
                self.violent.setdefault(inf + clitic, ("inf_clitic", inf in strong))
        for form in cue("violent_finite"):
            self.violent.setdefault(form, ("finite", _stem_is_strong(form, strong)))
        for form in cue("violent_imperative"):
            self.violent.setdefault(form, ("imperative", _stem_is_strong(form, strong)))
        self.triggers = frozenset(lexicon.words) | frozenset(lexicon.phrases)
        self.threat_triggers = frozenset(self.violent)

    # --- lexicon hits ---------------------------------------------------------------------

    def hits(self, tokens: list[str], wildcards: bool = False) -> list[Hit]:
        words = self.lexicon.words
        phrases = self.lexicon.phrases
        triggers = self.triggers
        found: list[Hit] = []
        if wildcards:
            tokens = [self._resolve_wildcard(t) if "*" in t else t for t in tokens]
        for i in [i for i, t in enumerate(tokens) if t in triggers]:
            token = tokens[i]
            term = words.get(token)
            if term is not None:
                found.append(Hit(term, i, i))
            for phrase, anchor in phrases.get(token, ()):
                first = match_at(phrase.parts, tokens, i, anchor)
                if first >= 0:
                    found.append(Hit(phrase.term, first, first + len(phrase.parts) - 1))
        return found

    def _resolve_wildcard(self, token: str) -> str:
        """`p*ta` → the first vowel filling that makes a lexicon word (at most two stars)."""
        if token.count("*") > 2:
            return token
        options = [token]
        while any("*" in o for o in options):
            options = [o.replace("*", v, 1) for o in options for v in _VOWELS]
        words = self.lexicon.words
        return next((o for o in options if o in words or o in self.lexicon.phrases), token)

    # --- the rules ------------------------------------------------------------------------

    def findings(self, norm: Normalised, addressed: bool = False) -> list[Finding]:
        """Respect findings; `addressed` when the platform says the message mentions or
        replies to somebody (Telegram mention entities, replies)."""
        tokens = norm.tokens
        out: list[Finding] = []
        if not self.threat_triggers.isdisjoint(tokens):
            out.extend(self._threats(norm))
        if self.triggers.isdisjoint(tokens) and "*" not in norm.folded:
            return out
        for hit in self.hits(tokens, "*" in norm.folded):
            finding = self._judge(hit, norm, addressed)
            if finding is not None:
                out.append(finding)
        return out

    def _judge(self, hit: Hit, norm: Normalised, addressed: bool) -> Finding | None:
        term = hit.term
        mode = term.mode
        span = norm.span_of(hit.first, hit.last)
        tokens = norm.tokens
        if mode == "always":
            return Finding(
                term.rule_id, term.category, term.severity, span, "violation", term.lemma
            )
        labelled = self._labelled(tokens, hit.first)
        if labelled < 0:
            return None  # "soy un pendejo": said of oneself
        group = self._aimed_at_group(tokens, hit)
        aimed = labelled > 0 or group is not None or addressed or self._addressed(tokens, hit)
        if group is not None:
            return Finding("ctx.group_hate", "hate", HATE, norm.span_of(*group), "violation",
                           term.lemma)  # fmt: skip
        if mode == "insult":
            verdict: Verdict = "violation" if aimed else "flag"
            rule = "ctx.aimed_insult" if aimed else term.rule_id
            return Finding(rule, term.category, term.severity, span, verdict, term.lemma)
        if mode == "aimed_only":
            if labelled >= 2 or self._intensified_and_addressed(tokens, hit, addressed):
                return Finding("ctx.aimed_insult", "insult", INSULT, span, "violation",
                               term.lemma)  # fmt: skip
            return None
        # casual swearing: an insult only when it labels somebody
        if self._intensified_person(tokens, hit) or (
            labelled == 3 and not self._modifies_next(tokens, hit)
        ):
            return Finding("ctx.aimed_swearing", "insult", INSULT, span, "violation", term.lemma)
        return Finding(term.rule_id, "casual", 1, span, "flag", term.lemma)

    def _labelled(self, tokens: list[str], i: int) -> int:
        """How surely 'X' labels somebody else: 3 for 'eres (un) X'; 2 for 'es un X',
        'son unos X'; 1 for 'es muy X' (often said of things); 0 without a copula;
        -1 for 'soy (un) X' (said of oneself)."""
        j = i - 1
        article = False
        steps = 0
        while j >= 0 and steps < 3 and tokens[j] in self.determiner:
            article = article or tokens[j] in _ARTICLES
            j -= 1
            steps += 1
        if j < 0:
            return 0
        word = tokens[j]
        if word in _SELF_LABELS:
            return -1
        if word not in self.label:
            return 0
        if word in _SECOND_LABELS:
            return 3
        if article:
            return 2
        return 1 if steps else 0

    def _addressed(self, tokens: list[str], hit: Hit) -> bool:
        """A second-person word or a mention near the hit."""
        low = max(0, hit.first - 4)
        high = min(len(tokens), hit.last + 4)
        second = self.second_person
        return any(tokens[k] in second for k in range(low, high) if k < hit.first or k > hit.last)

    def _modifies_next(self, tokens: list[str], hit: Hit) -> bool:
        """'eres el puto amo': the swear word intensifies the next word, it is no label."""
        return tokens[hit.last] in self.modifier and hit.last + 1 < len(tokens)

    def _intensified_person(self, tokens: list[str], hit: Hit) -> bool:
        """'pinche vieja', 'malditos políticos': the swearing is stuck on a person noun."""
        nxt = hit.last + 1
        if hit.term.lemma in self.intensifier or tokens[hit.first] in self.intensifier:
            return nxt < len(tokens) and tokens[nxt] in self.person
        return False

    def _intensified_and_addressed(self, tokens: list[str], hit: Hit, addressed: bool) -> bool:
        """'@Juan pinche rata', 'cállate pinche perra': an ordinary word used as an insult."""
        prev = hit.first - 1
        if prev < 0 or tokens[prev] not in self.intensifier:
            return False
        return addressed or self._addressed(tokens, Hit(hit.term, prev, hit.last))

    def _aimed_at_group(self, tokens: list[str], hit: Hit) -> tuple[int, int] | None:
        """'pinches indios', 'malditos migrantes': an insult stuck on a group of people."""
        nxt = hit.last + 1
        intensified = nxt < len(tokens) and tokens[hit.last] in self.intensifier
        if intensified and tokens[nxt] in self.group:
            return hit.first, nxt
        return None

    # --- threats --------------------------------------------------------------------------

    def _threats(self, norm: Normalised) -> list[Finding]:
        tokens = norm.tokens
        out: list[Finding] = []
        for i, token in enumerate(tokens):
            entry = self.violent.get(token)
            if entry is None:
                continue
            kind, strong = entry
            if kind == "finite" and _accented_ending(norm, i):
                continue  # "lo mató" is a past event told, "lo mato" a threat
            start = self._threat_start(tokens, i, kind, strong)
            if start is not None:
                span = norm.span_of(start, min(i + 2, len(tokens) - 1))
                out.append(Finding("ctx.threat", "threat", THREAT, span, "violation", token))
        return out

    def _threat_start(self, tokens: list[str], i: int, kind: str, strong: bool) -> int | None:
        n = len(tokens)
        after = tokens[i + 1 : i + 4]
        if not _SOFTENERS.isdisjoint(after):
            return None
        has_object = not self.violent_object.isdisjoint(after)
        if not strong and not has_object:
            return None
        before = range(max(0, i - 4), i)
        if kind == "inf_clitic":
            intent = next((k for k in before if tokens[k] in self.intent), None)
            if intent is not None and not self._negated(tokens, intent):
                return intent
            return None
        if kind == "inf":
            intent = next((k for k in before if tokens[k] in self.intent), None)
            clitic = next((k for k in before if tokens[k] in self.clitic), None)
            target = i + 1 < n and tokens[i + 1] in ("a", "al")
            if intent is not None and (clitic is not None or target):
                start = min(intent, clitic) if clitic is not None else intent
                return None if self._negated(tokens, start) else start
            return None
        if kind == "finite":
            if i >= 1 and tokens[i - 1] in self.clitic and not self._negated(tokens, i - 1):
                return i - 1
            return None
        # imperative plural / first-person plural: incitement when it has a target
        nxt = tokens[i + 1] if i + 1 < n else ""
        if token_has_clitic(tokens[i]) or nxt in ("a", "al", "su", "sus", "esa", "ese", "esos"):
            return i
        return i if has_object else None

    def _negated(self, tokens: list[str], k: int) -> bool:
        return k >= 1 and tokens[k - 1] in self.negation


def _accented_ending(norm: Normalised, i: int) -> bool:
    end = norm.spans[i][1]
    return norm.text[end - 1 : end] in ("ó", "é", "Ó", "É")


def token_has_clitic(token: str) -> bool:
    return token.endswith(("lo", "la", "los", "las", "le", "les")) and len(token) > 6


def _stem_is_strong(form: str, strong: frozenset[str]) -> bool:
    return any(form.startswith(inf[:-2]) for inf in strong if len(inf) > 4)
