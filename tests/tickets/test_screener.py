"""The service-request screener on a hand-labelled set, places, emergencies and odd input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moderation.service_requests import CATEGORIES, classify, extract_place, fold, parse_category
from tests.tickets.screener_eval_set import HOLDOUT, LABELLED


def scores(data: list[tuple[str, str | None]]) -> tuple[float, float, float]:
    """(precision, recall) of "is a request", and the share of found requests routed right."""
    found = correct = missed = false = 0
    for text, expected in data:
        match = classify(text)
        if expected is None:
            false += match is not None
        elif match is None:
            missed += 1
        else:
            found += 1
            correct += match.department == expected
    return found / (found + false), found / (found + missed), correct / found


def test_the_labelled_set_is_balanced_and_covers_every_department() -> None:
    expected = [e for _, e in LABELLED + HOLDOUT]
    assert expected.count(None) >= 40
    for department in ("agua", "servicios", "seguridad", "proteccion_civil"):
        assert expected.count(department) >= 10


def test_precision_and_recall_on_the_tuning_set() -> None:
    precision, recall, routed = scores(LABELLED)
    assert precision >= 0.97
    assert recall >= 0.95
    assert routed >= 0.95


def test_precision_and_recall_on_the_holdout_set() -> None:
    precision, recall, routed = scores(HOLDOUT)
    assert precision >= 0.9
    assert recall >= 0.85
    assert routed >= 0.9


@pytest.mark.parametrize(
    ("text", "category", "place"),
    [
        (
            "Hay una fuga de agua en la calle Hidalgo esquina con Morelos",
            "fuga",
            "calle Hidalgo esquina con Morelos",
        ),
        (
            "se rompio el tubo frente a la primaria y esta tirando agua",
            "fuga",
            "frente a la primaria",
        ),
        (
            "poste a punto de caer en la esquina de Hidalgo y Juárez, urge",
            "cables",
            "esquina de Hidalgo y Juárez",
        ),
        ("No hay agua en la Colonia Centro desde ayer", "sin_agua", "Colonia Centro"),
        ("Hay un bache enorme, ya se cayó un motociclista", "bache", None),
    ],
)
def test_category_and_place(text: str, category: str, place: str | None) -> None:
    match = classify(text)
    assert match is not None
    assert match.category == category
    assert match.department == CATEGORIES[category].department
    assert match.place == place


def test_a_shared_location_is_the_place_when_the_text_names_none() -> None:
    match = classify(
        "Hay un bache enorme aquí, ya se cayó un motociclista", location="19.9531, -99.5342"
    )
    assert match is not None
    assert match.place == "19.9531, -99.5342"


@pytest.mark.parametrize(
    ("text", "emergency"),
    [
        ("Hay un incendio en el cerro!!", True),
        ("Se inundó la calle Guerrero, está entrando el agua a las casas", True),
        ("Huele a gas en la calle Morelos", True),
        ("Están robando en la casa de enfrente, manden patrulla", True),
        ("un señor amenazó a mi hijo con una pistola", True),
        ("Me robaron la bicicleta ayer afuera de la tienda", False),
        ("Hay una fuga de agua en la calle Hidalgo", False),
    ],
)
def test_emergencies(text: str, emergency: bool) -> None:
    match = classify(text)
    assert match is not None
    assert match.emergency is emergency


def test_folding_ignores_case_accents_and_stretched_letters() -> None:
    assert fold("INUNDACIÓN Ñandú") == "inundacion nandu"
    assert len(fold("Árbol caído")) == len("Árbol caído")  # offsets stay valid for places
    plain = classify("no hay agua en la calle Hidalgo")
    shouted = classify("NO HAY AGUAAAA EN LA CALLE HIDALGO")
    assert plain is not None
    assert shouted is not None
    assert (plain.category, shouted.category) == ("sin_agua", "sin_agua")
    assert shouted.place == "CALLE HIDALGO"


def test_a_gas_leak_and_a_getaway_are_not_water_leaks() -> None:
    gas = classify("hay una fuga de gas en la esquina")
    getaway = classify("asaltaron la tienda y se dieron a la fuga, urge patrulla")
    assert gas is not None
    assert gas.category == "fuga_gas"
    assert getaway is not None
    assert getaway.category == "robo"


def test_explicit_reports_need_only_a_topic() -> None:
    assert classify("la lámpara") is None
    match = classify("la lámpara", explicit=True)
    assert match is not None
    assert match.category == "luminaria"
    assert classify("hola buenas", explicit=True) is None


def test_category_names_typed_by_officials() -> None:
    assert parse_category("fuga") == "fuga"
    assert parse_category("Sin agua") == "sin_agua"
    assert parse_category("alumbrado") == "luminaria"
    assert parse_category("Árbol caído") == "arbol_caido"
    assert parse_category("baches") == "bache"
    assert parse_category("helicóptero") is None


def test_place_extraction_stops_at_punctuation_and_filler() -> None:
    assert extract_place("fuga en av. Juárez a un lado de la tortillería, lleva días") == (
        "av. Juárez a un lado de la tortillería"
    )
    assert extract_place("hay basura en la calle") is None
    assert (
        extract_place("entre Morelos y Allende ya no pasa el camión") == "entre Morelos y Allende"
    )


@given(st.text(max_size=2000))
def test_any_text_is_handled(text: str) -> None:
    match = classify(text)
    assert match is None or match.category in CATEGORIES


def test_long_repetitive_input_is_handled() -> None:
    text = ("fuga de agua calle " * 5000) + "urge"
    match = classify(text)
    assert match is not None
    assert match.category == "fuga"
    assert match.place is not None
    assert len(match.place) <= 200
