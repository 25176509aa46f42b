"""What may be published about a ticket: its text with personal data taken out."""

from __future__ import annotations

import re

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[correo]"),
    # CURP (18 characters) before phones, so its digits are not read as a number.
    (re.compile(r"\b[A-Z]{4}\d{6}[HM][A-Z]{5}[A-Z0-9]\d\b", re.I), "[CURP]"),
    (re.compile(r"(?<!\w)\+?\d(?:[\s.\-()]{0,2}\d){7,14}(?!\w)"), "[teléfono]"),
    # Vehicle plates such as ABC-123-D or ABC-1234.
    (re.compile(r"\b[A-Z]{3}-?\d{3,4}(?:-?[A-Z])?\b"), "[placa]"),
    (re.compile(r"@\w{2,64}"), "[persona]"),
    (re.compile(r"https?://\S+|www\.\S+", re.I), "[enlace]"),
]
MAX_PUBLIC = 4000


def redact(text: str) -> str:
    """Phone numbers, e-mails, CURPs, plates, @mentions and links become placeholders."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    text = re.sub(r"<[^>]*>", "", text)  # no HTML in public descriptions (Open311 rule)
    return text.strip()[:MAX_PUBLIC]
