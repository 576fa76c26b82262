"""Answering a question: BM25 over passages, per-article caps, duplicate collapse, excerpts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from retrieval.analysis import Language, analyze_query, fold, iter_words
from retrieval.excerpt import Excerpt, make_excerpt
from retrieval.index import BM25Index

MAX_PER_ARTICLE = 2
# Passages sharing this much of their vocabulary are the same text re-sent (a corrected or
# re-filed dispatch under another slug); only the best of them is shown.
DUPLICATE_SIMILARITY = 0.8


@dataclass(frozen=True)
class PassageRecord:
    """What search needs to know about a stored passage and the article it comes from."""

    passage_id: int
    article_id: int
    position: int
    heading: str | None
    text: str
    language: Language
    title: str
    source: str
    slug: str | None
    url: str | None
    published_at: datetime | None
    published_precision: str


@dataclass(frozen=True)
class Answer:
    """One cited result: the passage, its BM25 score and the excerpt to show."""

    passage: PassageRecord
    score: float
    excerpt: Excerpt


@dataclass(frozen=True)
class Results:
    """The answers to a question, a page at a time; ``has_more``: a next page exists."""

    question: str
    terms: tuple[str, ...]
    answers: tuple[Answer, ...]
    offset: int = 0
    has_more: bool = False


FetchPassages = Callable[[Sequence[int]], Sequence[PassageRecord]]


def _shingles(text: str) -> frozenset[str]:
    return frozenset(fold(w.text) for w in iter_words(text))


def _is_duplicate(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= DUPLICATE_SIMILARITY


def search(
    question: str,
    *,
    index: BM25Index,
    fetch: FetchPassages,
    k: int = 3,
    offset: int = 0,
    per_article: int = MAX_PER_ARTICLE,
) -> Results:
    """Find the passages that answer ``question``; ``fetch`` loads passages by id from storage."""
    terms = analyze_query(question)
    if not terms or k <= 0:
        return Results(question, tuple(terms), (), offset)
    wanted = offset + k + 1  # one more than shown tells whether another page exists
    depth = max(4 * wanted, 20)
    while True:
        hits = index.search(terms, depth)
        records = {r.passage_id: r for r in fetch([int(i) for i in hits.ids])}
        kept: list[tuple[PassageRecord, float]] = []
        per_article_count: dict[int, int] = {}
        seen: list[frozenset[str]] = []
        for passage_id, score in zip(hits.ids.tolist(), hits.scores.tolist(), strict=True):
            record = records.get(passage_id)
            if record is None:  # deleted since the index last caught up
                continue
            if per_article_count.get(record.article_id, 0) >= per_article:
                continue
            shingles = _shingles(record.text)
            if any(_is_duplicate(shingles, other) for other in seen):
                continue
            seen.append(shingles)
            per_article_count[record.article_id] = per_article_count.get(record.article_id, 0) + 1
            kept.append((record, score))
        exhausted = len(hits.ids) < depth
        if len(kept) >= wanted or exhausted:
            break
        depth *= 4
    page = kept[offset : offset + k]
    # Rarer words say more: the excerpt favours the sentence holding them.
    weights = index.idf(terms)
    answers = tuple(
        Answer(record, score, make_excerpt(record.text, terms, record.language, weights=weights))
        for record, score in page
    )
    return Results(question, tuple(terms), answers, offset, has_more=len(kept) > offset + k)
