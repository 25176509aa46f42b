"""Validation of the public forms: clear Spanish messages per field, phones to E.164."""

from __future__ import annotations

import pytest

from cassbot import texts
from cassbot.registration import forms

COMMUNITIES = ["canalejas", "coscomate"]


def good(**changes: str) -> dict[str, str]:
    data = {
        "nombre": "Ana Pérez López",
        "telefono": "761 123 4567",
        "comunidad": "canalejas",
        "mensaje": "",
        "acepto": "si",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("761 123 4567", "+527611234567"),
        ("(761) 123-45-67", "+527611234567"),
        ("+52 1 761 123 4567", "+527611234567"),
        ("0052 761 123 4567", "+527611234567"),
        ("527611234567", "+527611234567"),
    ],
)
def test_mexican_mobiles_are_normalised(typed: str, e164: str) -> None:
    result = forms.registration_form(good(telefono=typed), COMMUNITIES, 1000)
    assert result.ok, result.errors
    assert result.clean["telefono"] == e164


@pytest.mark.parametrize(
    "typed", ["123", "761 123 456", "+1 415 555 2671", "012 345 6789", "hola", "761 123 4567 8"]
)
def test_other_numbers_are_refused_with_an_example(typed: str) -> None:
    result = forms.registration_form(good(telefono=typed), COMMUNITIES, 1000)
    assert result.errors == {"telefono": texts.REG_ERR_PHONE}
    assert result.values["telefono"] == typed.strip()  # shown again as typed


def test_every_problem_is_reported_at_once() -> None:
    result = forms.registration_form(
        {"nombre": "Ana", "telefono": "", "comunidad": "atlantis", "mensaje": "x" * 1001},
        COMMUNITIES,
        1000,
    )
    assert result.errors == {
        "nombre": texts.REG_ERR_NAME,
        "telefono": texts.REG_ERR_PHONE_MISSING,
        "comunidad": texts.REG_ERR_COMMUNITY,
        "mensaje": texts.REG_ERR_MESSAGE_LONG.format(limit=1000),
        "acepto": texts.REG_ERR_CONSENT,
    }


def test_names_are_tidied_and_control_characters_dropped() -> None:
    result = forms.registration_form(good(nombre="  Ana\u0000   Pérez\tLópez "), COMMUNITIES, 1000)
    assert result.clean["nombre"] == "Ana Pérez López"


def test_the_honeypot_catches_filled_hidden_fields() -> None:
    assert forms.honeypot_filled({forms.HONEYPOT: "http://spam.example"})
    assert not forms.honeypot_filled({forms.HONEYPOT: ""})


def test_status_and_contact_forms() -> None:
    status = forms.status_form({"folio": "reg 2026 42", "clave": " k7qm 4xpd "})
    assert status.clean == {"folio": "REG-2026-000042", "clave": "K7QM4XPD"}
    # A phone number is no key: everyone in a group sees it.
    by_phone = forms.status_form({"folio": "REG-2026-000042", "telefono": "7611234567"})
    assert by_phone.errors == {"clave": texts.REG_ERR_CODE_MISSING}
    for typo in ("K7QM-4XP", "K7QM-4XPDZ", "K7QM-4XP0", "K7QM-4XPI"):  # short, long, 0 and I
        assert forms.status_form({"folio": "REG-2026-42", "clave": typo}).errors == {
            "clave": texts.REG_ERR_CODE
        }
    contact = forms.contact_form(good(tipo="reclamo", mensaje=""), COMMUNITIES, 1000)
    assert set(contact.errors) == {"tipo", "mensaje"}
    optional = forms.contact_form(
        good(tipo="queja", comunidad="", mensaje="Sin agua"), COMMUNITIES, 1000
    )
    assert optional.ok
    assert optional.clean["comunidad"] is None
    appeal = forms.appeal_form(
        {
            "folio": "QUE-2026-1",
            "clave": "K7QM-4XPD",
            "mensaje": "Fue un error",
            "acepto": "si",
        },
        1000,
    )
    assert set(appeal.errors) == {"folio"}  # appeals name the registration folio
