from __future__ import annotations

import pytest

from moderation.normalise import MENTION, normalise


def toks(text: str) -> list[str]:
    return normalise(text).tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CABRÓN", ["cabron"]),
        ("p3nd3j0", ["pendejo"]),
        ("put@", ["puta"]),
        ("pu7o", ["puto"]),
        ("$ucio", ["sucio"]),
        ("!diota", ["idiota"]),
        ("putoooos", ["putos"]),
        ("pendejooo", ["pendejo"]),
        ("p e n d e j o", ["pendejo"]),
        ("p.u.t.o", ["puto"]),
        ("p-u-t-o", ["puto"]),
        ("ｐｕｔｏ", ["puto"]),  # fullwidth
        ("рuто", ["puto"]),  # Cyrillic р, т, о
        ("ptm", ["puta", "madre"]),
        ("hdtpm", ["hijo", "de", "tu", "puta", "madre"]),
        ("nmms", ["no", "mames"]),
        ("mmgv", ["me", "vale", "verga"]),
    ],
)
def test_obfuscations_are_undone(text: str, expected: list[str]) -> None:
    assert toks(text) == expected


def test_enye_is_kept_so_year_is_not_anus() -> None:
    assert toks("Feliz año") == ["feliz", "año"]
    assert toks("AÑO") == ["año"]
    assert "ano" not in toks("el año pasado")


@pytest.mark.parametrize("word", ["calle", "perro", "leer", "acción", "cooperar", "innovar"])
def test_legit_doubles_survive(word: str) -> None:
    assert toks(word) == [normalise(word).folded]


def test_stretched_doubles_keep_two() -> None:
    assert toks("perrrrro") == ["perro"]
    assert toks("calllle") == ["calle"]


def test_star_is_a_wildcard_kept_for_the_matcher() -> None:
    assert toks("p*ta") == ["p*ta"]


def test_numbers_alone_stay_out_of_words() -> None:
    assert toks("calle 5 de mayo 2024") == ["calle", "de", "mayo"]


def test_urls_mentions_and_emoji_are_facts() -> None:
    norm = normalise("@Juan mira https://bit.ly/abc 😀 ok")
    assert norm.urls == ("https://bit.ly/abc",)
    assert norm.mentions == ("@Juan",)
    assert norm.emoji == ("😀",)
    assert norm.tokens == [MENTION, "mira", "ok"]
    assert "bit" not in norm.tokens


def test_spans_point_back_to_the_original_text() -> None:
    text = "Oye, eres un P3ND3J0!!"
    norm = normalise(text)
    index = norm.tokens.index("pendejo")
    assert norm.quote(norm.spans[index]) == "P3ND3J0"


def test_fast_path_spans_are_computed_on_demand() -> None:
    text = "Está cabrón el tráfico"
    norm = normalise(text)
    assert [norm.quote(s) for s in norm.spans] == ["Está", "cabrón", "el", "tráfico"]


def test_spaced_word_span_covers_all_letters() -> None:
    text = "eres un p e n d e j o"
    norm = normalise(text)
    assert norm.quote(norm.spans[-1]) == "p e n d e j o"


def test_abbreviation_expansion_shares_the_span() -> None:
    text = "hdp"
    norm = normalise(text)
    assert {norm.quote(s) for s in norm.spans} == {"hdp"}
    assert len(norm.spans) == len(norm.tokens) == 3


def test_folded_text_keeps_length_with_combining_accents() -> None:
    text = "cabro\u0301n"  # decomposed ó
    norm = normalise(text)
    assert len(norm.folded) == len(text)
    assert norm.tokens == ["cabron"]
