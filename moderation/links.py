"""Links: their domains, and what makes one suspicious (shorteners, lookalikes, risky TLDs)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from moderation.lexicon import Lexicon

_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/\s]*@)?([^/:?#\s]+)", re.IGNORECASE)
_DIGIT_LOOKALIKE = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t"})


@dataclass(frozen=True, slots=True)
class LinkVerdict:
    link: str
    host: str
    reason: str  # "" (fine) | shortener | lookalike | punycode | risky_tld | unknown
    weight: int  # scam points it adds


class LinkChecker:
    """Compiled once from the lexicon's domain lists and the community's trusted domains."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.shorteners = lexicon.domains.get("shorteners", frozenset())
        self.risky_tlds = lexicon.domains.get("risky_tlds", frozenset())
        self.brands: dict[str, tuple[str, ...]] = {}
        for entry in lexicon.domains.get("brands", frozenset()):
            brand, _, official = entry.partition(":")
            self.brands[brand] = tuple(d for d in official.split(",") if d)

    def check(self, link: str, trusted: tuple[str, ...] = ()) -> LinkVerdict:
        host = host_of(link)
        if not host:
            return LinkVerdict(link, host, "", 0)
        if _within(host, trusted):
            return LinkVerdict(link, host, "", 0)
        if host in self.shorteners:
            return LinkVerdict(link, host, "shortener", 2)
        if host.startswith("xn--") or ".xn--" in host:
            return LinkVerdict(link, host, "punycode", 3)
        squashed = host.replace("-", "").replace(".", "")
        readable = squashed.translate(_DIGIT_LOOKALIKE)
        for brand, official in self.brands.items():
            if len(brand) < 4:
                named = brand in host.split(".")[0].split("-")
            else:
                named = brand in squashed or brand in readable
            if named and not _within(host, official):
                return LinkVerdict(link, host, "lookalike", 3)
        if host.rsplit(".", 1)[-1] in self.risky_tlds:
            return LinkVerdict(link, host, "risky_tld", 1)
        return LinkVerdict(link, host, "unknown", 0)


def host_of(link: str) -> str:
    match = _HOST.match(link.strip())
    if not match:
        return ""
    host = match.group(1).lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _within(host: str, domains: tuple[str, ...] | frozenset[str]) -> bool:
    for domain in domains:
        base = domain.split("/", 1)[0].lower()
        if host == base or host.endswith("." + base):
            return True
    return False
