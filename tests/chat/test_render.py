"""Renderers: Telegram HTML that is always valid and escaped, and messages within 4,096."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.chat.render import (
    format_date,
    no_answer_text,
    render_answer_html,
    render_answer_text,
)
from retrieval.excerpt import Excerpt
from retrieval.search import Answer, PassageRecord, Results
from tests.helpers import visible_text


def record(**overrides: object) -> PassageRecord:
    values: dict[str, object] = {
        "passage_id": 1,
        "article_id": 7,
        "position": 0,
        "heading": None,
        "text": "The Kremlin said the talks were useful.",
        "language": "en",
        "title": "Talks in Istanbul",
        "source": "AFP",
        "slug": "AFP123",
        "url": "https://example.org/a?x=1&y=2",
        "published_at": datetime(2025, 6, 4, tzinfo=UTC),
        "published_precision": "day",
    }
    values.update(overrides)
    return PassageRecord(**values)  # type: ignore[arg-type]


def results(*answers: Answer, question: str = "Kremlin") -> Results:
    return Results(question, ("kremlin",), answers)


def test_article_text_is_escaped_in_answers() -> None:
    text = "<script>alert(1)</script> & the Kremlin"
    start = text.index("Kremlin")
    passage = record(text=text, title="<b>Fake</b> & co", url='https://x.org/?a="b"&c')
    answer = Answer(passage, 1.0, Excerpt(text, ((start, start + 7),)))
    markup = render_answer_html(results(answer))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "&lt;b&gt;Fake&lt;/b&gt; &amp; co" in markup
    assert "<b>Kremlin</b>" in markup
    shown = visible_text(markup)
    assert "<script>alert(1)</script> & the Kremlin" in shown


def test_the_best_answers_second_excerpt_comes_under_the_first_before_one_citation() -> None:
    text = "The Kremlin said the talks were useful. <Filler>. Peskov & Lavrov will meet again."
    first = Excerpt(text[:39], ((4, 11),))
    more = Excerpt(text[text.index("Peskov") :], ((0, 6),))
    page = results(Answer(record(text=text), 1.0, first, more))
    plain = render_answer_text(page)
    assert plain.index("the talks were useful") < plain.index("[Peskov] & Lavrov")
    assert plain.index("[Peskov] & Lavrov") < plain.index("— Talks in Istanbul")
    assert plain.count("Talks in Istanbul") == 1 and plain.count("1. ") == 1
    markup = render_answer_html(page)
    assert "<b>Peskov</b> &amp; Lavrov" in markup
    shown = visible_text(markup)
    assert shown.index("useful") < shown.index("Peskov & Lavrov") < shown.index("Talks in")


def test_no_direct_answer_and_what_else_was_searched_come_first() -> None:
    passage = record()
    answer = Answer(passage, 1.0, Excerpt(passage.text))
    page = Results("What did Putin say?", ("putin",), (answer,), answered=False,
                   also_searched=("Poutine",))  # fmt: skip
    for language, lines in (
        ("en", ["No direct answer in the stored articles", "Also searched: Poutine"]),
        ("fr", ["Pas de réponse directe", "Cherché aussi : Poutine"]),
    ):
        shown = visible_text(render_answer_html(page, language))
        text = render_answer_text(page, language)
        for line in lines:
            assert line in shown and line in text
            assert shown.index(line) < shown.index("Kremlin")
    answered = replace(page, answered=True, also_searched=())
    assert "No direct answer" not in render_answer_text(answered)


def test_guidance_and_other_scripts_are_explained() -> None:
    assert "What did Putin say?" in no_answer_text(Results("what did he say?", (), (),
                                                           needs_subject=True))  # fmt: skip
    other = Results("普京说了什么", ("普京说了什么",), (), analysed=False)
    assert "Only French and English are analysed" in no_answer_text(other)
    assert "Seuls le français et l'anglais" in no_answer_text(other, "fr")


def test_a_link_is_only_made_of_web_urls() -> None:
    passage = record(url="javascript:alert(1)")
    markup = render_answer_html(results(Answer(passage, 1.0, Excerpt(passage.text))))
    assert "<a " not in markup
    visible_text(markup)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("", "Ask a question"),
        ("😀🔥🇫🇷", "Ask a question"),
        ("?!", "Ask a question"),
    ],
)
def test_a_question_without_words_is_explained(question: str, expected: str) -> None:
    assert expected in no_answer_text(Results(question, (), ()))


def test_english_and_french_sentences_match() -> None:
    import string

    from bot.chat.messages import STRINGS

    assert set(STRINGS["en"]) == set(STRINGS["fr"])
    for key, english in STRINGS["en"].items():
        fields = {f for _, f, _, _ in string.Formatter().parse(english) if f}
        french = {f for _, f, _, _ in string.Formatter().parse(STRINGS["fr"][key]) if f}
        assert fields == french, key


@pytest.mark.parametrize(
    ("precision", "english", "french"),
    [
        ("year", "2026", "2026"),
        ("month", "December 2026", "décembre 2026"),
        ("day", "1 December 2026", "1er décembre 2026"),
        ("time", "1 December 2026 08:05 UTC", "1er décembre 2026 08:05 UTC"),
    ],
)
def test_dates_are_written_in_the_asked_language(precision: str, english: str, french: str) -> None:
    value = datetime(2026, 12, 1, 8, 5, tzinfo=UTC)
    assert format_date(value, precision, "en") == english
    assert format_date(value, precision, "fr") == french
    assert format_date(value.replace(day=2), "day", "fr") == "2 décembre 2026"
