"""Normalise chat text into lookup tokens, keeping a map back to the original characters.

`normalise(text)` lower-cases, folds accents (keeping `ñ`, so `año` ≠ `ano`), maps look-alike
letters (Cyrillic, Greek, fullwidth) and leetspeak (`p3nd3j0`, `put@`, `$`→s), collapses
stretched letters (`putoooos` → `putos`, keeping the legit doubles of `calle`, `perro`,
`leer`), joins spaced-out words (`p e n d e j o`, `p.u.t.o`), keeps `*` inside a word as a
wildcard vowel (`p*ta`, resolved by the matcher) and expands Mexican abbreviations
(`ptm`, `hdp`, `alv`…). URLs, mentions and emoji are kept apart as facts.

Every token carries the span of the original text it came from, so a warning or the audit
log can quote exactly what matched. The common case (plain text) takes a fast path built on
`str.translate` and one `findall`; spans are then computed only when somebody asks for them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

# Abbreviations Mexican chats use for whole swear phrases; expanded to their words.
ABBREVIATIONS: Mapping[str, tuple[str, ...]] = {
    "ptm": ("puta", "madre"),
    "alv": ("a", "la", "verga"),
    "hdp": ("hijo", "de", "puta"),
    "hdpm": ("hijo", "de", "puta", "madre"),
    "hdtpm": ("hijo", "de", "tu", "puta", "madre"),
    "nmms": ("no", "mames"),
    "nms": ("no", "mames"),
    "nmames": ("no", "mames"),
    "vrg": ("verga",),
    "ctm": ("chinga", "tu", "madre"),
    "ctmr": ("chinga", "tu", "madre"),
    "pndj": ("pendejo",),
    "pndjo": ("pendejo",),
    "mmgv": ("me", "vale", "verga"),
    "mmvg": ("me", "vale", "verga"),
    "hpta": ("hijo", "de", "puta"),
    "ijueputa": ("hijo", "de", "puta"),
}

MENTION = "@"  # the token that stands for a mention of somebody
_LEET = {"4": "a", "@": "a", "3": "e", "1": "i", "!": "i", "|": "i", "0": "o", "5": "s"}
_LEET.update({"$": "s", "7": "t"})
_LEGIT_DOUBLES = frozenset("lrce")  # calle, perro, acción, leer: stretched runs keep two
_KEEP_DOUBLE = frozenset("lrceon")  # plus cooperar, innovar: a plain double stays as is
_FILLER = "\x01"  # stands in for dropped characters, so the folded text keeps its length

# Look-alike letters that are not decomposed by NFKD (Cyrillic, Greek) → Latin.
_HOMOGLYPHS = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "к": "k", "м": "m", "т": "t", "в": "b", "н": "h", "ԁ": "d",
    "α": "a", "ε": "e", "ο": "o", "ρ": "p", "ι": "i", "κ": "k", "ν": "v", "τ": "t",
    "υ": "u", "χ": "x", "μ": "m", "η": "n", "β": "b", "ѵ": "v", "ɑ": "a", "ı": "i",
}  # fmt: skip


def _fold_char(char: str) -> str:
    """One character → one folded character (or the filler)."""
    lower = char.lower()
    if len(lower) != 1:
        lower = lower[0]  # İ → i + dot: keep the letter
    if lower == "ñ":
        return "ñ"
    lower = _HOMOGLYPHS.get(lower, lower)
    decomposed = unicodedata.normalize("NFKD", lower)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    if not base:
        return _FILLER  # a lone combining accent
    if len(base) == 1:
        return base
    return lower  # ligatures and the like: leave alone rather than change the length


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    ranges = [(0x41, 0x5B), (0xC0, 0x2B0), (0x300, 0x370), (0x370, 0x530), (0x1E00, 0x1F00)]
    ranges += [(0xFF01, 0xFF5F)]  # fullwidth ASCII
    for low, high in ranges:
        for code in range(low, high):
            char = chr(code)
            folded = _fold_char(char)
            if folded != char:
                table[code] = folded
    for char, latin in _HOMOGLYPHS.items():
        table[ord(char)] = latin
        table[ord(char.upper())] = table.get(ord(char.upper()), latin)
    for code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0xAD):  # invisible joiners
        table[code] = _FILLER
    return table


_FOLD = _build_fold_table()
_FOLD_CHARS = {chr(code): folded for code, folded in _FOLD.items()}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    r"|\b[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63})*\."
    r"(?:com|net|org|mx|ly|io|co|me|info|xyz|top|click|link|site|online|shop|app|gl|to|cc|"
    r"tk|ml|ga|cf|gq|biz|live|store|club|page|win|vip|bid|icu|ru|cn)\b(?:/[^\s<>\"']*)?",
)
_MENTION = re.compile(r"(?<![\w@])@[\w.]+|<user>|@usuario\b")
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u3030\u303d\u3297\u3299\ufe0f]"
)
# Anything that needs the careful (slow) path: leet next to letters, spaced-out letters,
# URLs, mentions, fillers and `*` wildcards. Stretched letters do not: the fast paths fix
# them token by token, which keeps one token per word.
_SPECIAL_IN_WORDS = (
    r"[a-zñ][0-9@$*|]|[0-9$*!|@][a-zñ]"
    r"|(?<!\w)[a-zñ0-9][ .\-_·][a-zñ0-9][ .\-_·][a-zñ0-9](?!\w)|\x01"
)
_SPECIAL = re.compile(
    _SPECIAL_IN_WORDS + r"|://|www\.|\.(?:com|mx|ly|net|org|xyz|top|co|io)\b|<user>"
)
_SPECIAL_LEFT = re.compile(_SPECIAL_IN_WORDS.replace("[0-9$*!|@][a-zñ]", "[0-9$*!|][a-zñ]"))
_STRETCH = re.compile(r"([a-zñ])\1\1|([abdfghijkmpqstuvwxyzñ])\2")
_DOUBLE = re.compile(r"([a-zñ])\1+")  # cheap pre-check; `_is_stretch` filters its matches
# A cheap first look: most chat text has none of these, and skips the precise `_SPECIAL`.
_MAYBE_SPECIAL = re.compile(
    r"[0-9@$*!|\x01<]|://|www\.|\.(?:com|mx|ly|net|org|xyz|top|co|io)\b"
    r"|[ .\-_·][a-zñ0-9][ .\-_·][a-zñ0-9](?:[ .\-_·]|$)"
)
_ABBREVIATION_SET = frozenset(ABBREVIATIONS)
_WORD_OR_MENTION = re.compile(r"\x02+|[a-zñ]+")
_WORD = re.compile(r"[a-zñ]+")
# A token for the careful path: letters with leet symbols inside, or a spaced-out word.
_SPACED = re.compile(r"(?<![\w@$*])(?:[a-zñ0-9@$*][ .\-_·]{1,3}){2,}[a-zñ0-9@$*](?![\w@$*])")
# a trailing "!" or "|" is punctuation, not part of the word ("¡hola!")
_RAW_TOKEN = re.compile(r"[0-9@$*!|]*[a-zñ](?:[a-zñ0-9@$*!|\x01]*[a-zñ0-9@$*\x01])?")
_RUN = re.compile(r"([a-zñ])\1+")
# One pass over the text: a spaced-out word, a mention mark, or a (possibly leet) word.
_CAREFUL = re.compile(
    f"(?P<spaced>{_SPACED.pattern})|(?P<mention>\x02+)|(?P<word>{_RAW_TOKEN.pattern})"
)
_STAR_VOWEL = "*"


class Normalised:
    """The screening view of a text: tokens, their original spans and the facts found."""

    __slots__ = (
        "_pattern",
        "_source",
        "_spans",
        "emoji",
        "folded",
        "mentions",
        "text",
        "tokens",
        "urls",
    )

    def __init__(
        self,
        text: str,
        folded: str,
        tokens: list[str],
        spans: list[tuple[int, int]] | None,
        urls: tuple[str, ...] = (),
        mentions: tuple[str, ...] = (),
        emoji: tuple[str, ...] = (),
        pattern: re.Pattern[str] | None = None,
        source: str | None = None,
    ) -> None:
        self._pattern = pattern  # how to find the spans again when they were not kept
        self._source = source  # the text the tokens were found in (links blanked out)
        self.text = text
        self.folded = folded  # same length as `text`: index i folds text[i]
        self.tokens = tokens
        self._spans = spans
        self.urls = urls
        self.mentions = mentions
        self.emoji = emoji

    @property
    def spans(self) -> list[tuple[int, int]]:
        """Original `(start, end)` of each token (abbreviation expansions share one span)."""
        if self._spans is None:  # fast paths: tokens are exactly the pattern's matches
            pattern = self._pattern or _WORD
            source = self._source if self._source is not None else self.folded
            self._spans = [m.span() for m in pattern.finditer(source)]
        return self._spans

    def span_of(self, first: int, last: int) -> tuple[int, int]:
        """Original span covering tokens `first..last` (inclusive)."""
        spans = self.spans
        return spans[first][0], spans[last][1]

    def quote(self, span: tuple[int, int]) -> str:
        return self.text[span[0] : span[1]]


def fold(text: str) -> str:
    """Lower-case, accent-fold (keeping ñ) and map look-alikes; same length as `text`."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    if len(lowered) != len(text):  # "İ" lower-cases to two characters
        return text.translate(_FOLD)
    return _NON_ASCII.sub(_fold_match, lowered)


def _fold_match(match: re.Match[str]) -> str:
    char = match.group()
    return _FOLD_CHARS.get(char, char)


def normalise(text: str) -> Normalised:
    folded = fold(text)
    if _MAYBE_SPECIAL.search(folded) is None or _SPECIAL.search(folded) is None:
        tokens = _WORD.findall(folded)
        if _has_stretch(folded):
            tokens = [_destretch(t) for t in tokens]
        if _ABBREVIATION_SET.isdisjoint(tokens):
            emoji = tuple(_EMOJI.findall(text)) if not text.isascii() else ()
            return Normalised(text, folded, tokens, None, emoji=emoji)
    return _normalise_carefully(text, folded)


def _has_stretch(text: str) -> bool:
    """Letters stretched for emphasis ("putoooo", "puuto"), not the doubles of "calle"."""
    for match in _DOUBLE.finditer(text):
        run = match.group()
        if len(run) > 2 or run[0] not in _KEEP_DOUBLE:
            return True
    return False


def _normalise_carefully(text: str, folded: str) -> Normalised:
    urls: list[str] = []
    mentions: list[str] = []
    blanked = folded
    for match in _URL.finditer(folded):
        urls.append(text[match.start() : match.end()])
        blanked = _blank(blanked, match.start(), match.end())
    for match in _MENTION.finditer(blanked):
        mentions.append(text[match.start() : match.end()])
        blanked = _blank(blanked, match.start(), match.end(), mark=MENTION)
    if _SPECIAL_LEFT.search(blanked) is None:  # only links or mentions were special
        words = _WORD_OR_MENTION.findall(blanked)
        if _has_stretch(blanked):
            words = [_destretch(w) for w in words]
        if _ABBREVIATION_SET.isdisjoint(words):
            words = [MENTION if w[0] == "\x02" else w for w in words]
            emoji = tuple(_EMOJI.findall(text)) if not text.isascii() else ()
            return Normalised(text, folded, words, None, tuple(urls), tuple(mentions), emoji,
                              pattern=_WORD_OR_MENTION, source=blanked)  # fmt: skip
    tokens: list[str] = []
    spans: list[tuple[int, int]] = []
    stretches = [m.start() for m in _STRETCH.finditer(blanked)] if _has_stretch(blanked) else []
    for match in _CAREFUL.finditer(blanked):
        kind = match.lastgroup
        span = match.span()
        raw = match.group()
        if kind == "mention":
            tokens.append(MENTION)
            spans.append(span)
            continue
        if kind == "spaced":
            raw = "".join(c for c in raw if c not in " .-_·")
        elif (
            raw.isalpha()
            and raw not in ABBREVIATIONS
            and not (stretches and any(span[0] <= k < span[1] for k in stretches))
        ):
            tokens.append(raw)  # the common case: a plain word
            spans.append(span)
            continue
        for token in _clean(raw):
            tokens.append(token)
            spans.append(span)
    emoji = tuple(_EMOJI.findall(text))
    return Normalised(text, folded, tokens, spans, tuple(urls), tuple(mentions), emoji)


def _clean(raw: str) -> tuple[str, ...]:
    """One raw word → its lookup token(s): leet mapped, stretching collapsed, abbreviations."""
    word = raw.replace(_FILLER, "")
    word = word.rstrip("!|")  # "hola!" is punctuation, not an i
    if not word:
        return ()
    if not word.isalpha() or "*" in word:
        word = "".join(_LEET.get(c, c) for c in word)
        # `*` between letters is a wildcard vowel; elsewhere it is decoration
        word = word.strip("*")
    expanded = ABBREVIATIONS.get(word)
    if expanded is None and _RUN.search(word):
        word = _RUN.sub(_collapse, word)
        expanded = ABBREVIATIONS.get(word)
    if expanded is not None:
        return expanded
    return (word,) if word else ()


def _destretch(word: str) -> str:
    if _STRETCH.search(word) is None or word in ABBREVIATIONS:
        return word
    return _RUN.sub(_collapse, word)


def _collapse(match: re.Match[str]) -> str:
    run = match.group()
    letter = run[0]
    if len(run) == 2:
        return run if letter in _KEEP_DOUBLE else letter
    return letter * 2 if letter in _LEGIT_DOUBLES else letter


def _blank(text: str, start: int, end: int, mark: str = " ") -> str:
    fill = "\x02" if mark == MENTION else " "
    return text[:start] + fill * (end - start) + text[end:]


def is_wildcard(token: str) -> bool:
    return _STAR_VOWEL in token
