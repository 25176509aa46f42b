"""Password hashing with Argon2id (argon2-cffi, its recommended parameters).

Argon2 is deliberately slow and memory-hungry (tens of milliseconds and 64 MiB per call), so
inside the running bot it never runs on the event loop: `Passwords` runs each hash or check in
a worker thread, a few at a time, and everything else (groups, webhooks, the outbox) keeps
moving while the panel checks a login. The plain functions are for the command line.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()

# Verified against when the user name does not exist, so a wrong name costs the same time as
# a wrong password (no user-name probing by timing).
_DUMMY_HASH = _hasher.hash("cassbot: not a real password")

# Checks at once: enough for a few officials logging in together, few enough that a burst of
# guesses cannot take all the CPU cores or hundreds of MiB of memory.
DEFAULT_CONCURRENCY = 2


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


class Passwords:
    """Argon2 off the event loop: worker threads, at most `concurrency` calls at a time."""

    def __init__(self, concurrency: int = DEFAULT_CONCURRENCY) -> None:
        self._slots = asyncio.Semaphore(concurrency)

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(hash_password, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        async with self._slots:
            return await asyncio.to_thread(verify_password, stored_hash, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        return needs_rehash(stored_hash)  # parses the parameters only: cheap
