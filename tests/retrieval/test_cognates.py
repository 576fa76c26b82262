"""Cognates by their endings: "nucléaire" is searched as "nuclear", "security" as "sécurité"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.service import Depeche
from retrieval.analysis import analyze
from retrieval.cognates import cognate_forms
from retrieval.expand import COGNATE_WEIGHT, cognates, translations
from retrieval.index import BM25Index
from retrieval.question import read_question
from tests.helpers import article


@pytest.mark.parametrize(
    ("word", "language", "form"),
    [
        ("sécurité", "fr", "security"),
        ("nucléaire", "fr", "nuclear"),
        ("galaxie", "fr", "galaxy"),
        ("diplomatie", "fr", "diplomacy"),
        ("militaires", "fr", "military"),
        ("directeur", "fr", "director"),
        ("monoxyde", "fr", "monoxide"),
        ("conférence", "fr", "conference"),
        ("dangereux", "fr", "dangerous"),
        ("security", "en", "securité"),
        ("nuclear", "en", "nucléaire"),
        ("dangerous", "en", "dangereux"),
        ("official", "en", "officiel"),
        ("directors", "en", "directeur"),
        ("kilomètres", "fr", "kilometer"),
        ("ministre", "fr", "minister"),
        ("privatisation", "fr", "privatization"),
        ("fédéraux", "fr", "federal"),
        ("kilometers", "en", "kilomètre"),
    ],
)
def test_a_word_has_its_cognate_in_the_other_language(word: str, language: str, form: str) -> None:
    assert form in cognate_forms(word, language)  # type: ignore[arg-type]


@pytest.mark.parametrize("word", ["vie", "pie", "Lyon-2", "process", "crisis"])
def test_short_words_and_words_of_no_known_ending_get_no_ending(word: str) -> None:
    assert cognate_forms(word, "en") == ()


@given(st.text(max_size=30), st.sampled_from(["fr", "en"]))
def test_cognate_forms_are_other_words_of_letters(word: str, language: str) -> None:
    forms = cognate_forms(word, language)  # type: ignore[arg-type]
    assert all(f.isalpha() and f != word.casefold() for f in forms)


@pytest.fixture
def english_index() -> BM25Index:
    index = BM25Index()
    texts = [
        "China's first maritime nuclear power plant is scheduled to be completed by 2018.",
        "The Munich Security Conference will be held on February 17-19.",
        "Coal prices rose in January.",
    ]
    index.add([1, 2, 3], [analyze(t, "en") for t in texts])
    return index


def test_a_french_word_is_searched_as_its_english_cognate_the_index_holds(
    english_index: BM25Index,
) -> None:
    found = cognates(read_question("centrale nucléaire sécurité conférence"), english_index)
    # "sécurité" needs none: its French stem is already the English one, "secur".
    assert {e.terms for e in found} == {("nuclear",), ("confer",)}
    assert {e.weight for e in found} == {COGNATE_WEIGHT}


def test_a_cognate_the_index_does_not_hold_is_not_searched(english_index: BM25Index) -> None:
    assert cognates(read_question("la galaxie"), english_index) == []


def test_a_french_question_finds_the_english_passage_by_its_cognates(depeche: Depeche) -> None:
    texts = [
        "<p>China's first maritime nuclear power plant is to be completed by 2018.</p>",
        "<p>The Munich Security Conference will be held on February 17-19.</p>",
        "<p>Munich hosted a car fair on February 3.</p>",
    ]
    english = [article(n, t, language="en", title="News") for n, t in enumerate(texts, 1)]
    depeche.ingest_drafts(english)
    results = depeche.ask("Quand aura lieu la conférence de Munich sur la sécurité ?")
    assert results.answered
    assert "February 17-19" in results.answers[0].excerpt.text
    # "sécurité" and "security" share their stem; "conférence" needs its English form.
    assert "Conference" in results.also_searched


def test_a_translated_word_gets_the_cognate_its_translations_lack() -> None:
    index = BM25Index()
    index.add([1], [analyze("Military games open in Sochi; troops parade.", "en")])
    read = read_question("Jeux militaires")
    known = {t for e in translations(read) for t in e.terms}
    assert "troop" in known  # the table's "troupes, soldats" for "militaires"
    found = cognates(read, index, known=known)
    assert [e.terms for e in found] == [("militari",)]
