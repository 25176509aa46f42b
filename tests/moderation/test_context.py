"""Respect rules: boundaries, exclamations vs aimed insults, threats, service words."""

from __future__ import annotations

import pytest

SERVICE = [
    "No ha pasado el camión de la basura desde el lunes",
    "Hay un bache enorme en la calle Morelos",
    "Hay una fuga de agua frente a la escuela",
    "La lámpara del poste de la esquina está fundida",
    "Manden una patrulla, hay dos sospechosos",
    "Vi una rata enorme en la coladera",
    "Cuidado con el perro de la casa 14, muerde",
    "Se robaron un coche negro en la avenida",
    "Cayó granizo y se tapó la coladera",
    "Pusieron un cono naranja donde está la fuga",
    "Se perdió mi perra, es negra con manchas",
    "Feliz año a todos los vecinos",
]


@pytest.mark.parametrize("text", SERVICE)
def test_service_words_are_never_offensive(screen, text: str) -> None:
    report = screen(text)
    assert report.offensive is False
    assert report.action == "none"


@pytest.mark.parametrize(
    "text",
    [
        "La computadora de la biblioteca no prende",
        "Pitágoras y el análisis del diputado",
        "Se metieron a robar anoche",
        "Vengo de Culiacán y de Putla",
        "Hay que conocer a los vecinos",
        "Los disputados terrenos de la reputación",
    ],
)
def test_no_hits_inside_longer_words(screen, text: str) -> None:
    report = screen(text)
    assert report.findings == ()


@pytest.mark.parametrize(
    "text",
    ["¡Qué pedo!, ya llegó el agua", "no mames qué padre quedó la calle",
     "está cabrón el tráfico en la carretera", "me vale madre, mañana sigo",
     "eres el puto amo, gracias por la ayuda"],
)  # fmt: skip
def test_exclamations_are_casual_at_most(screen, text: str) -> None:
    report = screen(text)
    assert report.offensive is False
    assert report.action == "none"


@pytest.mark.parametrize(
    "text",
    ["eres un pendejo", "@Juan pinche rata", "pinches indios", "hijo de tu puta madre",
     "cállate, eres una perra", "eres un p3nd3j0", "son unos culeros", "vete a la verga"],
)  # fmt: skip
def test_aimed_insults_are_violations(screen, text: str) -> None:
    report = screen(text)
    assert report.offensive is True
    assert report.action == "act"
    assert report.severity >= 2


def test_casual_swearing_setting_can_make_it_reviewable(screen) -> None:
    from moderation.settings import PolicySettings

    strict = PolicySettings(casual_swearing="review")
    assert screen("qué pedo con el agua", strict).action == "review"
    assert screen("qué pedo con el agua", strict).offensive is False


def test_unaimed_insult_is_a_flag_for_review(screen) -> None:
    report = screen("qué idiota el que dejó la basura")
    assert report.offensive is True
    assert report.action in ("review", "act")


def test_saying_it_of_oneself_is_not_an_insult(screen) -> None:
    assert screen("soy un pendejo, olvidé mis llaves").offensive is False


@pytest.mark.parametrize(
    "text",
    ["te voy a partir la madre", "hay que quemarle la casa", "lo vamos a madrear",
     "hay que lincharlo", "te voy a matar", "te parto la madre", "quemen su casa"],
)  # fmt: skip
def test_threats_get_the_top_severity(screen, text: str) -> None:
    report = screen(text)
    assert report.severity == 4
    assert "threat" in report.categories
    assert report.action == "act"


@pytest.mark.parametrize(
    "text",
    ["me voy a matar estudiando", "ya lo mató la policía hace años",
     "te voy a matar de risa con este chiste", "no te voy a matar"],
)  # fmt: skip
def test_not_threats(screen, text: str) -> None:
    assert "threat" not in screen(text).categories


def test_wildcard_vowel_matches(screen) -> None:
    report = screen("eres una p*ta")
    assert report.offensive is True


def test_matched_span_quotes_the_original(screen) -> None:
    text = "Oye, eres un PENDEJOOO"
    report = screen(text)
    top = report.top
    assert top is not None
    assert text[top.span[0] : top.span[1]] == "PENDEJOOO"


def test_community_allow_words(screen) -> None:
    from moderation.settings import PolicySettings

    relaxed = PolicySettings(allow_words=["pendejo"])
    assert screen("eres un pendejo", relaxed).offensive is False
    assert screen("eres un pendejo").offensive is True


def test_platform_mentions_and_replies_aim_the_insult(screen) -> None:
    assert screen("pinche rata").offensive is False
    assert screen("pinche rata", mentions=("12345",)).action == "act"
    assert screen("pinche rata", is_reply=True).action == "act"
    assert screen("qué idiota", is_reply=True).action == "act"
