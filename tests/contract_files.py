"""Where the contract tests find the real contracts (never skipped: a copy is vendored)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENDORED = REPO / "tests" / "contracts"


def contracts_dir() -> Path:
    """`CASSBOT_CONTRACTS_DIR`, else the team's `../shared/contracts`, else the vendored copy."""
    configured = os.environ.get("CASSBOT_CONTRACTS_DIR")
    if configured:
        return Path(configured)
    shared = REPO.parent / "shared" / "contracts"
    return shared if shared.is_dir() else VENDORED


def contract_path(*parts: str) -> Path:
    path = contracts_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"contract {path} is missing")
    return path
