"""Re-sent text spotted from signatures made once at ingest (MinHash of the folded words)."""

from __future__ import annotations

import pytest

from retrieval.duplicates import SLOTS, is_duplicate, signature, similarity

DISPATCH = (
    "Le Kremlin a affirmé jeudi que les négociations avec l'Ukraine reprendraient la semaine "
    "prochaine à Genève, selon le porte-parole Dmitri Peskov, cité par les agences russes."
)


def test_a_corrected_resend_is_a_duplicate_and_another_text_is_not() -> None:
    corrected = DISPATCH.replace("jeudi", "vendredi")
    other = "Wildfires forced thousands to flee their homes in southern France on Tuesday."
    assert is_duplicate(signature(DISPATCH), signature(corrected))
    assert not is_duplicate(signature(DISPATCH), signature(other))
    assert similarity(signature(DISPATCH), signature(other)) < 0.2


def test_case_accents_and_spacing_do_not_matter() -> None:
    folded = "LE KREMLIN  a affirme jeudi que les negociations avec l'Ukraine reprendraient " + (
        "la semaine prochaine a Geneve, selon le porte-parole Dmitri Peskov, cite par les "
        "agences russes."
    )
    assert signature(folded) == signature(DISPATCH)


@pytest.mark.parametrize("text", ["", "   ", "— … «»"])
def test_a_text_without_words_has_an_empty_signature_that_matches_nothing(text: str) -> None:
    assert signature(text) == b""
    assert not is_duplicate(signature(text), signature(text))


def test_signatures_are_fixed_size_and_survive_odd_unicode() -> None:
    assert len(signature(DISPATCH)) == 4 * SLOTS
    assert len(signature("caf\ud800e au lait")) == 4 * SLOTS  # a lone surrogate
