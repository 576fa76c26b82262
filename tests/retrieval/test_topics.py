"""The subscription topic grammar and matching: words, phrases, exclusions and OR."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from retrieval.analysis import Language, is_stopword, iter_words, normalize, term
from retrieval.topics import TopicError, analyse_text, compile_topics, parse_topic

KREMLIN_FR = (
    "Le Kremlin a jugé « positives » les négociations d'Istanbul. Un cessez-le-feu n'est pas "
    "encore à l'ordre du jour, a dit Dmitri Peskov."
)
FOOTBALL_FR = "Le Kremlin a félicité l'équipe de football de Russie après sa victoire."
DRONES_EN = "Ukraine launched a wave of drones overnight, the Russian defence ministry said."
CEASEFIRE_EN = "A ceasefire was not on the agenda, the Kremlin said on Tuesday."


@pytest.mark.parametrize(
    ("topic", "text", "language", "expected"),
    [
        # every word must appear, after analysis (case, accents, plural, stemming)
        ("Kremlin", KREMLIN_FR, "fr", True),
        ("kremlin istanbul", KREMLIN_FR, "fr", True),
        ("Kremlin Washington", KREMLIN_FR, "fr", False),
        ("négociation", KREMLIN_FR, "fr", True),
        ("NEGOCIATIONS", KREMLIN_FR, "fr", True),
        ("drone", DRONES_EN, "en", True),
        # stopwords of either language are ignored, as in questions
        ("the Kremlin", CEASEFIRE_EN, "en", True),
        # quoted phrases need consecutive words
        ('"cessez-le-feu"', KREMLIN_FR, "fr", True),
        ('"le feu cessez"', KREMLIN_FR, "fr", False),
        ('"Dmitri Peskov"', KREMLIN_FR, "fr", True),
        ('"Peskov Dmitri"', KREMLIN_FR, "fr", False),
        ('"defence ministry"', DRONES_EN, "en", True),
        ("« ordre du jour »", KREMLIN_FR, "fr", True),
        # a bare hyphenated word is a phrase of its parts
        ("cessez-le-feu", KREMLIN_FR, "fr", True),
        ("cessez-le-feu", "Le feu a cessé de brûler. Cessez de parler.", "fr", False),
        # exclusions
        ("Kremlin -football", KREMLIN_FR, "fr", True),
        ("Kremlin -football", FOOTBALL_FR, "fr", False),
        ('Kremlin -"Dmitri Peskov"', KREMLIN_FR, "fr", False),
        ('Kremlin -"Peskov Dmitri"', KREMLIN_FR, "fr", True),
        # OR binds its neighbours into one alternative
        ("Ukraine OR Russie drones", DRONES_EN, "en", True),
        ("Washington OR Istanbul", KREMLIN_FR, "fr", True),
        ("Washington OR Paris", KREMLIN_FR, "fr", False),
        ("Washington OR Paris Kremlin", KREMLIN_FR, "fr", False),
        ("Istanbul OR Paris Kremlin", KREMLIN_FR, "fr", True),
        # lower-case "or" is an ordinary word, not an operator
        ("Kremlin or Paris", KREMLIN_FR, "fr", False),
    ],
)
def test_matching(topic: str, text: str, language: str, expected: bool) -> None:
    assert parse_topic(topic).matches([text], language) is expected  # type: ignore[arg-type]


def test_a_phrase_does_not_run_across_passages() -> None:
    topic = parse_topic('"Istanbul Kremlin"')
    assert topic.matches(["Réunion à Istanbul Kremlin."], "fr")
    assert not topic.matches(["Réunion à Istanbul", "Kremlin muet"], "fr")
    assert parse_topic("Istanbul Kremlin").matches(["Réunion à Istanbul", "Kremlin muet"], "fr")


def test_an_article_is_analysed_once_for_all_topics() -> None:
    analysed = analyse_text(["Titre", KREMLIN_FR], "fr")
    assert parse_topic("Kremlin").matches(analysed)
    assert not parse_topic("football").matches(analysed)


@given(
    text=st.text(st.characters(codec="utf-8") | st.sampled_from("Éé’'-« »İß"), max_size=200),
    language=st.sampled_from(["fr", "en"]),
)
@example(text="İstanbul, l’Élysée et the Kremlin", language="fr")
def test_an_article_is_analysed_word_by_word_as_a_topic_is(text: str, language: Language) -> None:
    """The analysis behind matching (a word -> term cache over a fast split) gives the terms
    of the plain definition: each word, stopwords of either language skipped, then its term."""
    plain = []
    for word in iter_words(normalize(text)):
        found = None if is_stopword(word.text) else term(word.text, language)
        if found is not None:
            plain.append(found)
    assert analyse_text([text], language).sequences == (tuple(plain),)


def test_compiled_topics_match_the_articles_each_topic_matches() -> None:
    topics = [
        parse_topic(t)
        for t in (
            "Kremlin",
            "kremlin istanbul",
            "Washington OR Istanbul",
            "Istanbul OR Paris Kremlin",
            '"Dmitri Peskov"',
            "Kremlin -football",
            '"defence ministry"',
            "football",
        )
    ]
    matcher = compile_topics(topics)
    for text, language in ((KREMLIN_FR, "fr"), (FOOTBALL_FR, "fr"), (DRONES_EN, "en")):
        analysed = analyse_text([text], language)  # type: ignore[arg-type]
        expected = [i for i, topic in enumerate(topics) if topic.matches(analysed)]
        assert matcher.matching(analysed) == expected
    assert compile_topics([]).matching(analyse_text([KREMLIN_FR], "fr")) == []


@pytest.mark.parametrize(
    ("topic", "canonical"),
    [
        ("  Kremlin   Istanbul ", "Kremlin Istanbul"),
        ("« cessez-le-feu » -sport", '"cessez-le-feu" -sport'),
        ("“paix”  Ukraine OR Russie", '"paix" Ukraine OR Russie'),
        ("the Kremlin,", "Kremlin"),
        ("+Kremlin", "Kremlin"),
    ],
)
def test_canonical_text(topic: str, canonical: str) -> None:
    assert parse_topic(topic).text == canonical


def test_the_key_ignores_case_and_accents() -> None:
    assert parse_topic("Négociations KREMLIN").key == parse_topic("negociations kremlin").key


@pytest.mark.parametrize(
    ("topic", "message"),
    [
        ("", "Say what to follow"),
        ("   ", "Say what to follow"),
        ("the of and", "very common words"),
        ("-sport", "not only what to exclude"),
        ("-sport -football", "not only what to exclude"),
        ("OR Kremlin", "OR needs a word on each side"),
        ("Kremlin OR", "OR needs a word on each side"),
        ("Kremlin OR OR Paris", "OR needs a word on each side"),
        ("Kremlin OR -Paris", "cannot be part of it"),
        ('"cessez le feu', "not closed"),
        ('Kremlin ""', "Empty quotation marks"),
        ("Kremlin -", "lone '-'"),
        ("Kremlin OR the", "too common"),
        ("x" * 400, "too long"),
        (" ".join(f"mot{i}" for i in range(20)), "too many words"),
    ],
)
def test_unparseable_topics_are_explained(topic: str, message: str) -> None:
    with pytest.raises(TopicError, match=message):
        parse_topic(topic)


def test_topic_terms_are_for_excerpts() -> None:
    terms = parse_topic('Kremlin "cessez-le-feu" -football').terms
    assert {"kremlin", "feu"} <= terms
    assert "football" not in terms
