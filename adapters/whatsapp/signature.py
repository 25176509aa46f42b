"""WAHA webhook signatures: hex HMAC-SHA512 of the raw body, checked before any parsing."""

from __future__ import annotations

import hashlib
import hmac

ALGORITHM = "sha512"


def sign(body: bytes, key: str) -> str:
    return hmac.new(key.encode(), body, hashlib.sha512).hexdigest()


def verify(body: bytes, key: str, signature: str | None, algorithm: str | None = None) -> bool:
    """True only for a present, well-formed signature of exactly these bytes (constant time)."""
    if not signature or not key:
        return False
    if algorithm is not None and algorithm.strip().lower() != ALGORITHM:
        return False
    expected = sign(body, key)
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode())
