from __future__ import annotations

import pytest

from moderation.lexicon import anchor_slot, compile_lexicon, inflections, load_lexicon


def test_inflections_cover_feminine_and_plural() -> None:
    assert {"pendeja", "pendejos", "pendejas"} <= inflections("pendejo")
    assert {"cabrones", "cabrona"} <= inflections("cabron")


def test_shipped_lexicon_compiles_with_english_from_better_profanity() -> None:
    lexicon = load_lexicon()
    assert lexicon.words["pendejos"].category == "insult"
    assert "fuck" in lexicon.words  # loaded from better-profanity's package data
    assert lexicon.words["fuck"].mode == "casual"
    assert "puto" not in {w for w, t in lexicon.words.items() if t.rule_id.startswith("lex.en")}


def test_allow_list_removes_words_from_every_list() -> None:
    doc = {
        "allow": {"words": ["basura"]},
        "terms": [{"rule": "x", "mode": "insult", "words": ["basura", "idiota"]}],
    }
    lexicon = compile_lexicon([doc])
    assert "basura" not in lexicon.words
    assert "idiota" in lexicon.words


def test_phrase_with_two_words_in_words_list_is_rejected() -> None:
    with pytest.raises(ValueError, match="not one word"):
        compile_lexicon([{"terms": [{"rule": "x", "words": ["dos palabras"]}]}])


def test_phrases_are_anchored_on_their_rarest_slot() -> None:
    lexicon = compile_lexicon([{"terms": [{"rule": "x", "mode": "always",
                                           "phrases": ["me cago en tu|su"]}]}])  # fmt: skip
    assert set(lexicon.phrases) == {"cago"}
    parts = (frozenset({"de"}), frozenset({"puta", "putas"}))
    assert anchor_slot(parts) == 1
