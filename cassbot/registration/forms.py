"""Validation of the public forms: pure functions from submitted fields to clean values or
Spanish error messages per field (the page shows them in a summary linked to each field)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cassbot import texts
from cassbot.phones import normalise_phone
from cassbot.registration.access import clean_code
from cassbot.registration.folios import clean_folio

NAME_MAX = 200
HONEYPOT = "sitio_web"  # a field people never see nor fill; bots fill every field


@dataclass(slots=True)
class FormResult:
    values: dict[str, str]  # what was typed, to show the form again
    errors: dict[str, str] = field(default_factory=dict)  # field name -> message
    clean: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def text_of(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    if not isinstance(value, str):
        return ""
    # Normalise Unicode and drop control characters (keeping line breaks in long texts).
    value = unicodedata.normalize("NFC", value)
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


def mexican_mobile(text: str) -> str | None:
    """E.164 for a Mexican number (10 digits after +52, area codes start 2–9); else None."""
    phone = normalise_phone(text)
    if phone is None or not re.fullmatch(r"\+52[2-9]\d{9}", phone):
        return None
    return phone


def honeypot_filled(data: Mapping[str, Any]) -> bool:
    return bool(text_of(data, HONEYPOT).strip())


def _name(result: FormResult, data: Mapping[str, Any], key: str = "nombre") -> None:
    name = " ".join(text_of(data, key).split())
    result.values[key] = name
    if len(name) > NAME_MAX:
        result.errors[key] = texts.REG_ERR_NAME_LONG.format(limit=NAME_MAX)
    elif len(name.split()) < 2 or len(name) < 5 or not re.search(r"[^\W\d_]", name):
        result.errors[key] = texts.REG_ERR_NAME
    else:
        result.clean[key] = name


def _phone(result: FormResult, data: Mapping[str, Any], key: str = "telefono") -> None:
    raw = text_of(data, key).strip()
    result.values[key] = raw
    if not raw:
        result.errors[key] = texts.REG_ERR_PHONE_MISSING
        return
    phone = mexican_mobile(raw)
    if phone is None:
        result.errors[key] = texts.REG_ERR_PHONE
    else:
        result.clean[key] = phone


def _community(
    result: FormResult, data: Mapping[str, Any], known: Iterable[str], *, required: bool = True
) -> None:
    value = text_of(data, "comunidad").strip()
    result.values["comunidad"] = value
    if not value and not required:
        result.clean["comunidad"] = None
    elif value not in set(known):
        result.errors["comunidad"] = texts.REG_ERR_COMMUNITY
    else:
        result.clean["comunidad"] = value


def _message(
    result: FormResult,
    data: Mapping[str, Any],
    limit: int,
    *,
    required: bool,
    key: str = "mensaje",
) -> None:
    message = text_of(data, key).strip()
    result.values[key] = message
    if len(message) > limit:
        result.errors[key] = texts.REG_ERR_MESSAGE_LONG.format(limit=limit)
    elif required and not message:
        result.errors[key] = texts.REG_ERR_MESSAGE_MISSING
    else:
        result.clean[key] = message


def _consent(result: FormResult, data: Mapping[str, Any]) -> None:
    accepted = text_of(data, "acepto") == "si"
    result.values["acepto"] = "si" if accepted else ""
    if not accepted:
        result.errors["acepto"] = texts.REG_ERR_CONSENT


def _folio(result: FormResult, data: Mapping[str, Any], prefixes: tuple[str, ...]) -> None:
    raw = text_of(data, "folio").strip()
    result.values["folio"] = raw
    folio = clean_folio(raw) if raw else None
    if folio is None or not folio.startswith(prefixes):
        result.errors["folio"] = texts.REG_ERR_FOLIO
    else:
        result.clean["folio"] = folio


def _code(result: FormResult, data: Mapping[str, Any], key: str = "clave") -> None:
    raw = text_of(data, key).strip()[:40]
    result.values[key] = raw
    if not raw:
        result.errors[key] = texts.REG_ERR_CODE_MISSING
        return
    code = clean_code(raw)
    if code is None:
        result.errors[key] = texts.REG_ERR_CODE
    else:
        result.clean[key] = code


def registration_form(
    data: Mapping[str, Any], communities: Iterable[str], message_limit: int
) -> FormResult:
    result = FormResult(values={})
    _name(result, data)
    _phone(result, data)
    _community(result, data, communities)
    _message(result, data, message_limit, required=False)
    _consent(result, data)
    return result


def status_form(data: Mapping[str, Any]) -> FormResult:
    """Folio and access code: a phone number proves nothing (everyone in a group sees it)."""
    result = FormResult(values={})
    _folio(result, data, ("REG", "QUE", "SUG", "APE"))
    _code(result, data)
    return result


def answer_form(data: Mapping[str, Any], message_limit: int) -> FormResult:
    result = status_form(data)
    answer = text_of(data, "respuesta").strip()
    result.values["respuesta"] = answer
    if not answer:
        result.errors["respuesta"] = texts.REG_ERR_ANSWER
    elif len(answer) > message_limit:
        result.errors["respuesta"] = texts.REG_ERR_MESSAGE_LONG.format(limit=message_limit)
    else:
        result.clean["respuesta"] = answer
    return result


def contact_form(
    data: Mapping[str, Any], communities: Iterable[str], message_limit: int
) -> FormResult:
    result = FormResult(values={})
    kind = text_of(data, "tipo").strip()
    result.values["tipo"] = kind
    if kind not in ("queja", "sugerencia"):
        result.errors["tipo"] = texts.REG_ERR_KIND
    else:
        result.clean["tipo"] = kind
    _name(result, data)
    _phone(result, data)
    _community(result, data, communities, required=False)
    _message(result, data, message_limit, required=True)
    _consent(result, data)
    return result


def appeal_form(data: Mapping[str, Any], message_limit: int) -> FormResult:
    result = FormResult(values={})
    _folio(result, data, ("REG",))
    _code(result, data)
    _message(result, data, message_limit, required=True)
    _consent(result, data)
    return result
