"""The WhatsApp settings: conservative defaults and clear errors."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cassbot.settings import WhatsAppAdapterSettings


def test_defaults_are_conservative() -> None:
    settings = WhatsAppAdapterSettings()
    assert not settings.enabled
    assert settings.send_chat_interval_s >= 1
    assert settings.send_per_minute <= 20
    assert settings.jitter_s > 0


def test_enabled_needs_both_secrets() -> None:
    with pytest.raises(ValidationError, match="api_key, webhook_hmac_key is not set"):
        WhatsAppAdapterSettings(enabled=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("base_url", "waha:3000", "http"),
        ("session", "mi sesión", "session name"),
        ("send_per_minute", 0, "greater than or equal to 1"),
        ("jitter_s", -1, "greater than or equal to 0"),
    ],
)
def test_bad_values_are_explained(field: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        WhatsAppAdapterSettings(**{field: value})


def test_the_gateway_address_loses_its_trailing_slash() -> None:
    assert WhatsAppAdapterSettings(base_url="http://waha:3000/").base_url == "http://waha:3000"
