"""Mexican phone numbers in the many ways people write them."""

from __future__ import annotations

import pytest

from cassbot.phones import is_mexican_mobile, normalise_phone, whatsapp_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("761 123 4567", "+527611234567"),
        ("(761) 123-45-67", "+527611234567"),
        ("+52 761 123 4567", "+527611234567"),
        ("+52 1 761 123 4567", "+527611234567"),
        ("5217611234567@c.us", "+527611234567"),
        ("527611234567", "+527611234567"),
        ("0052 761 123 4567", "+527611234567"),
        ("+1 415 555 0100", "+14155550100"),
        ("123", None),
        ("hola", None),
        ("12345678901234567@lid", None),
    ],
)
def test_normalise_phone(raw: str, expected: str | None) -> None:
    assert normalise_phone(raw) == expected


def test_helpers() -> None:
    assert is_mexican_mobile("+527611234567")
    assert not is_mexican_mobile("+14155550100")
    assert whatsapp_id("+527611234567") == "527611234567@c.us"
