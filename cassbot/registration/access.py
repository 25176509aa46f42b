"""Access codes: the secret that, with a folio, opens a request's status page.

A folio is sequential and a phone number is visible to everyone in a WhatsApp group, so neither
proves who is asking. Each request, complaint and appeal gets a random code when it is filed;
it is shown once to whoever filed it (the confirmation page or the chat reply) and repeated in
the messages sent to that person. Eight characters from 30 that cannot be mistaken for one
another (no 0/O, 1/I/L, U) give about 39 bits: with the per-address lookup limit, guessing is
hopeless. Compared in constant time.
"""

from __future__ import annotations

import hmac
import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
LENGTH = 8
_DUMMY = "X" * LENGTH  # compared against when a folio has no code, so timing says nothing


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def shown(code: str | None) -> str:
    """As people read and type it: two groups of four (K7QM-4XPD)."""
    if not code:
        return ""
    return f"{code[:4]}-{code[4:]}"


def clean_code(text: str) -> str | None:
    """A code as typed ('k7qm 4xpd', 'K7QM-4XPD') in stored form; None when it cannot be one."""
    compact = re.sub(r"[\s\-_.–—]+", "", text.strip().upper())
    if len(compact) != LENGTH or any(ch not in ALPHABET for ch in compact):
        return None
    return compact


def code_matches(stored: str | None, typed: str) -> bool:
    """Whether `typed` is the stored code (constant time; a missing code never matches)."""
    same = hmac.compare_digest((stored or _DUMMY).encode(), typed.encode())
    return same and stored is not None
