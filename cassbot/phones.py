"""Phone numbers: Mexican mobiles normalised to E.164, and WhatsApp ids compared by number."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\D+")


def digits(text: str) -> str:
    return _DIGITS.sub("", text)


def normalise_phone(text: str, *, default_country: str = "52") -> str | None:
    """E.164 for a phone written the many ways people write it; None when it is not one.

    Mexico dropped the mobile "1" after +52 in 2019, but WhatsApp ids of older accounts still
    carry it (521…): both forms give the same number.
    """
    raw = text.strip()
    if "@" in raw:  # a WhatsApp id: only @c.us / @s.whatsapp.net carry a phone
        user, _, server = raw.partition("@")
        if server not in ("c.us", "s.whatsapp.net"):
            return None
        raw = "+" + user.split(":", 1)[0]
    number = digits(raw)
    if not number:
        return None
    international = raw.startswith("+") or raw.startswith("00")
    if raw.startswith("00"):
        number = number[2:]
    if not international:
        if len(number) == 10:
            number = default_country + number
        elif not (
            (len(number) == 12 and number.startswith(default_country))
            or (len(number) == 13 and number.startswith(default_country + "1"))
        ):
            return None
    if number.startswith("521") and len(number) == 13:
        number = "52" + number[3:]
    if not 8 <= len(number) <= 15 or number.startswith("0"):
        return None
    return "+" + number


def is_mexican_mobile(e164: str) -> bool:
    return bool(re.fullmatch(r"\+52\d{10}", e164))


def whatsapp_id(e164: str) -> str:
    """The `@c.us` id WhatsApp gateways use for a phone number."""
    return digits(e164) + "@c.us"
