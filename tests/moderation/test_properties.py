"""Properties: screening never raises, spans stay inside the text, screen() does no I/O."""

from __future__ import annotations

import builtins
import socket
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.engine import RecentMessage, ScreeningEngine, ScreenInput
from moderation.normalise import normalise
from moderation.settings import PolicySettings

ENGINE = ScreeningEngine.from_settings(PolicySettings())
TRICKY = st.sampled_from([*list("aeiouñpt*@$!|013457 .-_́\u200bрοｐ😀"), "http://", "@x"])
TEXTS = st.one_of(st.text(max_size=200), st.lists(TRICKY, max_size=60).map("".join))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_normalise_spans_are_within_the_text(text: str) -> None:
    norm = normalise(text)
    assert len(norm.folded) == len(text)
    assert len(norm.spans) == len(norm.tokens)
    for start, end in norm.spans:
        assert 0 <= start < end <= len(text)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(min_value=0, max_value=10), st.booleans())
def test_screen_never_raises_and_spans_fit(text: str, count: int, forwarded: bool) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    message = ScreenInput(text=text, author_message_count=count, forwarded_many=forwarded,
                          sent_at=now, recent_by_author=(RecentMessage(now, "x"),))  # fmt: skip
    report = ENGINE.screen(message)
    assert report.action in ("none", "review", "act")
    for finding in report.findings:
        start, end = finding.span
        assert 0 <= start <= end <= len(text)
    assert report.to_json()["text"] == text


def test_screen_does_no_io(monkeypatch) -> None:
    def forbidden(*_a: object, **_k: object) -> None:
        raise AssertionError("screen() must not do I/O")

    monkeypatch.setattr(builtins, "open", forbidden)
    monkeypatch.setattr(socket, "socket", forbidden)
    monkeypatch.setattr("pathlib.Path.open", forbidden)
    monkeypatch.setattr("pathlib.Path.read_text", forbidden)
    monkeypatch.setattr("pathlib.Path.is_file", forbidden)
    monkeypatch.setattr("datetime.datetime", None)  # nor read the clock through datetime
    for text in ["eres un pendejo", "bit.ly/x vendo", "te voy a matar", "hola"]:
        ENGINE.screen(ScreenInput(text=text, links=("https://bit.ly/q",)))


def test_packages_import_from_this_project() -> None:
    import moderation

    repo = Path(__file__).resolve().parents[2]
    assert Path(moderation.__file__).resolve().parent == repo / "moderation"


def test_lexicon_files_cite_their_sources() -> None:
    from moderation.lexicon import default_lexicon_dir

    files = sorted(default_lexicon_dir().glob("*.toml"))
    assert len(files) >= 3
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("#"), path
        assert "source = " in text, path
    headers = {p.name: p.read_text(encoding="utf-8") for p in files}
    assert "spanlp" in headers["es_mx.toml"]
    assert "CC BY 4.0" in headers["es_mx.toml"]
    assert "MIT" in headers["en.toml"]
