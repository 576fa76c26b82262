"""Re-sent text spotted from signatures made once at ingest (MinHash of the folded words)."""

from __future__ import annotations

import pytest

from retrieval.duplicates import SLOTS, is_duplicate, same_words, signature, similarity

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


def test_the_exact_check_tells_a_resent_text_from_a_sibling_dispatch() -> None:
    """Seven words in ten shared: the estimate may say "same text"; the exact check says no."""
    base = "A zeppelin flew over the harbour of Albi on day 0 and counted 3 onlookers"
    sibling = "A zeppelin flew over the market of Albi on day 12 and counted 15 onlookers"
    resent = base + " nearby"
    assert not same_words(base, sibling)
    assert same_words(base, resent)
