"""Across languages and spellings: translations from the curated table and CLDR, corrections."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from retrieval.analysis import analyze
from retrieval.equivalents import NEWS_EQUIVALENTS
from retrieval.expand import (
    SPELLING_WEIGHT,
    TRANSLATION_WEIGHT,
    SpellingIndex,
    spellings,
    translations,
)
from retrieval.index import BM25Index
from retrieval.question import read_question


def test_every_line_of_the_table_has_both_languages() -> None:
    for line in NEWS_EQUIVALENTS.strip().splitlines():
        english, french = line.split(";")
        assert english.strip() and french.strip(), line


@pytest.mark.parametrize(
    ("question", "form"),
    [
        ("What did Putin say?", "Poutine"),
        ("What did Ushakov say?", "Ouchakov"),
        ("Qu'a dit Zelenskyy ?", "Zelensky"),
        ("Moscow Kyiv truce negotiations", "Moscou"),
        ("Moscow Kyiv truce negotiations", "Kiev"),
        ("Moscow Kyiv truce negotiations", "trêve"),
        ("Moscow Kyiv truce negotiations", "pourparlers"),
        ("Beijing", "Pékin"),
        ("EU sanctions", "UE"),
        ("ceasefire", "cessez-le-feu"),
        ("wounded", "blessés"),
        ("Spanish banks", "espagnol"),  # CLDR language name
        ("Spanish banks", "banques"),
        ("Croatian tax evaders", "croate"),
        ("Croatian tax evaders", "fraudeurs"),
        ("Croatia", "Croatie"),  # CLDR territory name
        ("Qu'a dit Poutine ?", "Putin"),  # French to English too
        ("Londres", "London"),  # CLDR city name
        ("attentat contre le marché de Noël de Berlin", "Christmas market"),
        ("attentat contre le marché de Noël de Berlin", "bombing"),
        ("importations de pétrole de la Chine", "oil"),
        ("mer de Chine méridionale", "South China Sea"),
        ("Scottish parliament unemployment", "chômage"),
        ("Israeli settlers", "israéliens"),
        ("Combien d'adolescents sont morts ?", "teenagers"),
        ("Combien de timbres la Poste émet-elle ?", "stamps"),
        ("firefighters", "pompiers"),
        ("Qui a touché des pots-de-vin ?", "bribes"),
        ("Qui doit poursuivre les auteurs des violences ?", "prosecute"),
        ("Pourquoi les spectateurs ont-ils été déçus ?", "disappointed"),
        ("anti-graft official convicted", "anticorruption"),
        ("Qu'a dit le dirigeant de la Bouriatie ?", "Buryatia"),
        ("Chechnya", "Tchétchénie"),
        ("les organes douaniers de l'UEEA", "EAEU"),
        ("le réseau autoroutier", "network"),
        ("Dans quelle usine sont-ils fabriqués ?", "plant"),
        ("la flotte de la Baltique pendant l'exercice", "Baltic"),
        ("la flotte de la Baltique pendant l'exercice", "drills"),
        ("IS and Nusra zones in Syria", "État islamique"),
        ("les groupes qui se réunissent à Genève", "Geneva"),  # no CLDR exemplar city
        ("Aleppo", "Alep"),
        # Countries CLDR renamed ("Türkiye") or names otherwise than the news does.
        ("la partie européenne de la Turquie", "Turkey"),
        ("Turkey", "Turquie"),
        ("UK toy companies", "Royaume-Uni"),
        ("Grande-Bretagne", "Britain"),
        ("Burma", "Birmanie"),
    ],
)
def test_names_and_news_words_find_their_other_language_forms(question: str, form: str) -> None:
    found = {e.form for e in translations(read_question(question))}
    assert form in found, found


def test_translations_weigh_less_than_the_user_words() -> None:
    (putin,) = [e for e in translations(read_question("Putin")) if e.form == "Poutine"]
    assert putin.terms == ("poutin",)
    assert 0 < putin.weight == TRANSLATION_WEIGHT < 1


def test_a_longer_form_of_the_typed_name_adds_nothing() -> None:
    assert not {e.form for e in translations(read_question("Union"))} & {"Union européenne"}


def test_a_word_with_no_equivalent_is_left_alone() -> None:
    assert translations(read_question("lampadaires gouttières")) == []


def test_a_common_word_does_not_find_a_name_sharing_its_stem() -> None:
    # "crime" and "Crimée" share the French stem "crim"; "Saudis" still finds "saoudien".
    assert translations(read_question("What penalty for the crime?")) == []
    assert "saoudien" in {e.form for e in translations(read_question("What did the Saudis say?"))}


@pytest.fixture
def seed_like_index() -> BM25Index:
    index = BM25Index()
    texts = [
        "Iouri Ouchakov a déclaré aux journalistes que la conversation était positive.",
        "L'inflation a ralenti en février en Suisse.",
        "Le Kremlin a jugé l'entretien productif.",
    ]
    index.add(list(range(1, 4)), [analyze(t, "fr") for t in texts])
    return index


@pytest.mark.parametrize(("typed", "stored"), [("Ouchakof", "ouchakov"), ("inflaton", "inflat")])
def test_a_misspelt_word_finds_the_stored_one(
    seed_like_index: BM25Index, typed: str, stored: str
) -> None:
    spelling = SpellingIndex()
    spelling.update(list(seed_like_index.terms))
    found = spellings(read_question(typed), seed_like_index, spelling)
    assert [(e.terms, e.weight) for e in found] == [((stored,), SPELLING_WEIGHT)]


def test_a_capitalised_first_word_one_slip_off_a_short_name_is_corrected() -> None:
    index = BM25Index()
    index.add([1], [analyze("John Williams, the composer, turned 85 on Wednesday.", "en")])
    spelling = SpellingIndex()
    spelling.update(list(index.terms))
    found = spellings(read_question("Jonh Williams composer"), index, spelling)
    assert [e.terms for e in found] == [("john",)]


def test_a_known_word_and_an_unrelated_one_are_not_corrected(seed_like_index: BM25Index) -> None:
    spelling = SpellingIndex()
    spelling.update(list(seed_like_index.terms))
    assert spellings(read_question("Kremlin"), seed_like_index, spelling) == []
    assert spellings(read_question("Eurovision"), seed_like_index, spelling) == []
    # Short words are names and acronyms too often: never corrected.
    assert spellings(read_question("Ouch"), seed_like_index, spelling) == []


def test_the_spelling_index_takes_new_terms_only_once() -> None:
    spelling = SpellingIndex()
    spelling.update(["kremlin", "ouchakov"])
    spelling.update(["kremlin", "ouchakov", "poutin"])
    assert sum(len(b) for b in spelling._buckets.values()) == 3


def test_a_word_two_letters_off_a_short_stored_word_is_no_slip() -> None:
    """ "pensent" is 75% like "président" but no one mistypes one for the other."""
    index = BM25Index()
    index.add([1], [analyze("Le président américain a parlé.", "fr")])
    spelling = SpellingIndex()
    spelling.update(list(index.terms))
    assert spellings(read_question("Que pensent les botanistes ?"), index, spelling) == []


def test_a_short_name_one_letter_off_is_corrected_and_a_short_word_is_not() -> None:
    index = BM25Index()
    text = "Khamenei said he was grateful to Donald Trump, a trap for Iran."
    index.add([1], [analyze(text, "en")])
    spelling = SpellingIndex()
    spelling.update(list(index.terms))
    found = spellings(read_question("Khamenei grateful to Trmp"), index, spelling)
    assert [e.terms for e in found] == [("trump",)]  # one slip from "trap" too, less like it
    found = spellings(read_question("Khamenei on Iarn"), index, spelling)
    assert [e.terms for e in found] == [("iran",)]  # two letters swapped
    # Lower-case, four letters are as often another word as a slip ("trap", "tram").
    assert spellings(read_question("khamenei grateful trmp"), index, spelling) == []


@pytest.mark.parametrize("word", ["pétroliers", "petroliers", "comme", "montant", "quantité"])
def test_a_word_of_either_language_is_no_slip(word: str) -> None:
    """The index's English words are close to French ones that mean something else."""
    index = BM25Index()
    index.add([1], [analyze("Nuclear proliferation, mountain come quality.", "en")])
    spelling = SpellingIndex()
    spelling.update(list(index.terms))
    assert spellings(read_question(word), index, spelling) == []


@pytest.mark.parametrize(
    ("typed", "stored"), [("militray", "militari"), ("flights to Dier ez-Zor", "deir")]
)
def test_two_swapped_letters_are_one_slip(typed: str, stored: str) -> None:
    index = BM25Index()
    text = "Military flights to Deir ez-Zor grew; the drier season helped, a drill showed."
    index.add([1], [analyze(text, "en")])
    spelling = SpellingIndex()
    spelling.update(list(index.terms))
    assert stored in {t for e in spellings(read_question(typed), index, spelling) for t in e.terms}


def test_questions_answered_at_once_load_the_word_lists_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import spellchecker

    import retrieval.expand as expand

    loads = []
    real = spellchecker.SpellChecker

    def counted(*args: object, **kwargs: object) -> object:
        loads.append(kwargs.get("language"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(spellchecker, "SpellChecker", counted)
    monkeypatch.setattr(expand, "_word_lists", {})
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(expand.dictionary_languages, ["pétroliers"] * 16))
    assert all(languages == {"fr"} for languages in found)
    assert sorted(loads) == ["en", "fr"]
