"""Analysis: what a reader types finds what an article says, in French and English."""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.analysis import _LIGATURES, analyze, detect_language, fold, normalize
from retrieval.excerpt import make_excerpt
from retrieval.passages import QUOTE_OVERRUN_CHARS, Block, split_passages, split_sentences
from retrieval.question import read_question
from tests.helpers import FILLER


@pytest.mark.parametrize(
    ("typed", "written", "language"),
    [
        ("president", "président", "fr"),
        ("PRÉSIDENT", "président", "fr"),
        ("negociations", "négociations", "fr"),
        ("oeuvre", "œuvre", "fr"),
        ("Ukraine", "l'Ukraine", "fr"),
        ("Ukraine", "l’Ukraine", "fr"),
        ("Istanbul", "d’Istanbul", "fr"),
        ("Moscou", "Kiev-Moscou", "fr"),
        ("Kiev", "Kiev-Moscou", "fr"),
        ("déraillés", "dérailler", "fr"),
        ("trains", "train", "fr"),
        ("drones", "drone", "en"),
        ("talks", "talk", "en"),
    ],
)
def test_a_typed_word_matches_the_written_one(typed: str, written: str, language: str) -> None:
    written_terms = set(analyze(written, language))  # type: ignore[arg-type]
    assert written_terms, "the written word must be indexed"
    assert set(read_question(typed).terms) & written_terms


def test_elided_particles_are_dropped() -> None:
    assert analyze("l'Ukraine d'Istanbul qu’il jusqu'à", "fr") == ["ukrain", "istanbul"]


def test_stopwords_are_dropped_in_the_article_language() -> None:
    assert analyze("Le président et la paix", "fr") == ["president", "paix"]
    assert analyze("The president and the peace", "en") == ["presid", "peac"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # Question words and say-verbs are not searched.
        ("What did the Kremlin say?", {"kremlin"}),
        ("Qu'a dit le Kremlin ?", {"kremlin"}),
        ("drones", {"dron", "drone"}),  # French and English stems both searched
        ("the of and le la", set()),
        ("", set()),
        ("🙂🙂🙂", set()),
    ],
)
def test_questions_in_either_language(question: str, expected: set[str]) -> None:
    assert set(read_question(question).terms) == expected


def test_english_question_finds_french_passage_through_shared_names() -> None:
    passage = analyze("L'Ukraine a lancé des drones vers Istanbul, selon le Kremlin.", "fr")
    question = read_question("Kremlin drones Istanbul").terms
    assert {"kremlin", "dron", "istanbul"} <= set(passage) & set(question)


def test_normalize_unifies_odd_unicode() -> None:
    assert normalize("qu\u2019il\u200b \ufb01n") == "qu'il fin"
    assert fold("Élysée") == "elysee"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le président russe a jugé la conversation positive et productive.", "fr"),
        ("The Russian president said the conversation was positive and productive.", "en"),
        ("12345 !!!", "fr"),
    ],
)
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


@given(st.text(st.characters(codec="utf-8") | st.sampled_from("ÉéœÆø’«—…İß\u0301\u20dd")))
def test_folding_drops_every_combining_mark_however_fast(word: str) -> None:
    """fold's fast paths (marks of the Latin range by one expression) equal the definition."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().translate(_LIGATURES))
    assert fold(word) == "".join(c for c in decomposed if not unicodedata.combining(c))


def test_language_detection_decides_as_the_model_would_on_real_articles() -> None:
    """Clear-cut text is decided by its stopwords without the model: on real articles, their
    starts and French/English mixes, always as the model alone decides."""
    import py3langid

    model = py3langid.langid.LanguageIdentifier.from_model_file(
        py3langid.langid.MODEL_FILE, norm_probs=True
    )
    model.set_languages(["fr", "en"])
    path = Path(__file__).parents[2] / "benchmarks" / "eval" / "articles.jsonl"
    bodies = [json.loads(line)["body"] for line in path.read_text(encoding="utf-8").splitlines()]
    french = [b for b in bodies if detect_language(b) == "fr"]
    english = [b for b in bodies if detect_language(b) == "en"]
    assert len(french) >= 15 and len(english) >= 200
    rng = random.Random(14)
    texts = bodies + [b[:n] for b in bodies for n in (80, 200, 500)]
    for _ in range(300):
        fr, en, cut = rng.choice(french), rng.choice(english), rng.randint(50, 1_900)
        texts += [fr[:cut] + " " + en, en[:cut] + " " + fr]
    for text in texts:
        expected = "en" if model.classify(text[:2_000])[0] == "en" else "fr"
        assert detect_language(text) == expected, text[:200]


def test_sentences_do_not_break_after_civilities() -> None:
    text = "M. Poutine a parlé. MM. Trump et Poutine ont évoqué l'Ukraine. Le Kremlin a réagi."
    assert split_sentences(text) == [
        "M. Poutine a parlé.",
        "MM. Trump et Poutine ont évoqué l'Ukraine.",
        "Le Kremlin a réagi.",
    ]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "The company sold the division to Microsoft Corp. The new device runs Android.",
            ["The company sold the division to Microsoft Corp.", "The new device runs Android."],
        ),
        (
            "Shares of Alibaba Group Holding Ltd. fell 2 percent.",
            ["Shares of Alibaba Group Holding Ltd. fell 2 percent."],
        ),
        (
            "Le groupe a vendu Acme Inc. Il se recentre sur l'énergie.",
            ["Le groupe a vendu Acme Inc.", "Il se recentre sur l'énergie."],
        ),
        (
            "A speech by Gen. He Weidong opened the session.",
            ["A speech by Gen. He Weidong opened the session."],
        ),
        ("M. Le Drian est arrivé.", ["M. Le Drian est arrivé."]),
    ],
)
def test_a_companys_abbreviation_ends_a_sentence_before_a_word_that_opens_one(
    text: str, sentences: list[str]
) -> None:
    assert split_sentences(text) == sentences


def test_passages_merge_short_split_long_and_keep_intertitles() -> None:
    long_paragraph = " ".join(
        f"Phrase numéro {i} assez longue pour remplir le texte." for i in range(60)
    )
    blocks = [
        Block("Court."),
        Block(
            "Un paragraphe qui suit et qui est lui assez long pour tenir seul, "
            "sans être fusionné avec un voisin."
        ),
        Block("Intertitre", heading=True),
        Block(long_paragraph),
    ]
    passages = split_passages(blocks)
    assert passages[0].text.startswith("Court. Un paragraphe")
    assert passages[0].heading is None
    tail = passages[1:]
    assert len(tail) >= 2 and all(p.heading == "Intertitre" for p in tail)
    assert all(len(p.text) <= 1200 for p in tail)
    assert " ".join(p.text for p in tail) == long_paragraph
    assert [p.position for p in passages] == list(range(len(passages)))


def test_a_long_paragraph_is_not_cut_inside_a_quote() -> None:
    filler = " ".join(f"Il a rappelé le point numéro {i} de son programme." for i in range(22))
    quote = "Il a plaisanté : « Dieu est si occupé. Il m'a oublié. » Il est mort à 111 ans."
    passages = split_passages([Block(f"{filler} {quote} {filler}")])
    assert len(passages) >= 2
    assert any("« Dieu est si occupé. Il m'a oublié. »" in p.text for p in passages)
    assert all(len(p.text) <= 1200 + QUOTE_OVERRUN_CHARS for p in passages)


@given(st.lists(st.sampled_from(["Il a dit.", "« Oui.", "Non. »", '"Bien.', 'Mal."', "Fin."])))
def test_passages_keep_every_sentence_within_their_bounds(sentences: list[str]) -> None:
    text = " ".join(sentences * 20)
    passages = split_passages([Block(text)])
    assert " ".join(p.text for p in passages) == " ".join(text.split())
    assert all(len(p.text) <= 1200 + QUOTE_OVERRUN_CHARS for p in passages)


def test_excerpt_picks_the_matching_sentence_and_marks_words() -> None:
    answer = "Le président a évoqué une bonne conversation. Le Kremlin l'a jugée positive."
    text = f"{FILLER['fr']} Donald Trump et Vladimir Poutine se sont parlé mercredi. {answer}"
    excerpt = make_excerpt(text, read_question("What did the Kremlin say?").terms, "fr")
    # The short answering sentence comes with the one it comments on (and the room left with
    # the sentences around it).
    assert answer in excerpt.text
    assert [excerpt.text[s:e] for s, e in excerpt.highlights] == ["Kremlin"]


def test_excerpt_is_cut_at_word_boundaries_within_300_characters() -> None:
    text = "Préambule " * 40 + "le Kremlin a parlé " + "et ensuite " * 40 + "."
    excerpt = make_excerpt(text, read_question("Kremlin").terms, "fr")
    assert len(excerpt.text) <= 300
    assert excerpt.text.startswith("…") and excerpt.text.endswith("…")
    assert [excerpt.text[s:e] for s, e in excerpt.highlights] == ["Kremlin"]
    inner = excerpt.text.strip("…")
    assert all(
        word in {"Préambule", "le", "Kremlin", "a", "parlé", "et", "ensuite"}
        for word in inner.split()
    )
