"""Fixtures for the moderation tests: one compiled engine shared read-only (it is immutable
after construction), and factories for inputs and settings."""

from __future__ import annotations

import pytest

from moderation.engine import ScreeningEngine, ScreenInput
from moderation.findings import ScreenReport
from moderation.settings import PolicySettings


@pytest.fixture(scope="session")
def engine() -> ScreeningEngine:
    return ScreeningEngine.from_settings(PolicySettings())


@pytest.fixture
def screen(engine: ScreeningEngine):  # type: ignore[no-untyped-def]
    def run(text: str, settings: PolicySettings | None = None, **facts: object) -> ScreenReport:
        facts.setdefault("author_message_count", 1000)
        return engine.screen(ScreenInput(text=text, **facts), settings)  # type: ignore[arg-type]

    return run
