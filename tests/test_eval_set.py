"""The labelled development set behind ``make eval`` is well formed: a broken label would
silently count as a miss, or a hit."""

from __future__ import annotations

import json
from collections import Counter

from benchmarks.evaluate import HERE, KINDS, SEED, SPLITS, fold, load_questions

QUESTIONS = load_questions()
ARTICLES = {
    row["id"]: row
    for row in map(json.loads, (HERE / "articles.jsonl").read_text(encoding="utf-8").splitlines())
}
ARTICLES["seed"] = {"title": "", "body": SEED.read_text(encoding="utf-8")}


def test_every_question_has_its_own_id_a_known_kind_and_a_known_split() -> None:
    assert not [i for i, n in Counter(q.id for q in QUESTIONS).items() if n > 1]
    assert {q.kind for q in QUESTIONS} <= set(KINDS)
    assert {q.split for q in QUESTIONS} == set(SPLITS)


def test_every_answer_span_is_in_one_of_its_articles() -> None:
    missing = [
        (q.id, span)
        for q in QUESTIONS
        for span in q.answers
        if not any(
            fold(span) in fold(f"{ARTICLES[a]['title']} {ARTICLES[a]['body']}") for a in q.articles
        )
    ]
    assert not missing


def test_unanswerable_questions_name_no_article_and_no_span() -> None:
    for q in QUESTIONS:
        assert (q.kind == "unanswerable") == (not q.articles), q.id
        assert bool(q.articles) == bool(q.answers), q.id
