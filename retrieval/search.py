"""Answering a question: BM25 over passages, per-article caps, duplicate collapse, excerpts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from retrieval.analysis import Language, analyze_query, fold, iter_words
from retrieval.excerpt import Excerpt, make_excerpt
from retrieval.filters import Filters
from retrieval.index import BM25Index

MAX_PER_ARTICLE = 2
# Passages sharing this much of their vocabulary are the same text re-sent (a corrected or
# re-filed dispatch under another slug); only the best of them is shown.
DUPLICATE_SIMILARITY = 0.8
# Recency: results scoring within this fraction of the best score of their group match about
# equally well and are shown newest first (see ``by_recency`` and the README).
RECENCY_TIE = 0.05


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
class Scope:
    """What a question's filters did: the filters applied, the ``source:`` names that are not
    known (with the known ones, to suggest), and when nothing matched in the period, the newest
    passage matching the question outside it."""

    filters: Filters = field(default_factory=Filters)
    unknown_sources: tuple[str, ...] = ()
    known_sources: tuple[str, ...] = ()
    newest_outside: PassageRecord | None = None


@dataclass(frozen=True)
class Results:
    """The answers to a question, a page at a time; ``has_more``: a next page exists."""

    question: str
    terms: tuple[str, ...]
    answers: tuple[Answer, ...]
    offset: int = 0
    has_more: bool = False
    scope: Scope = field(default_factory=Scope)


FetchPassages = Callable[[Sequence[int]], Sequence[PassageRecord]]


def _shingles(text: str) -> frozenset[str]:
    return frozenset(fold(w.text) for w in iter_words(text))


def _is_duplicate(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= DUPLICATE_SIMILARITY


_UNDATED = datetime.min.replace(tzinfo=UTC)


def by_recency(
    ranked: Sequence[tuple[PassageRecord, float]], *, tie: float = RECENCY_TIE
) -> list[tuple[PassageRecord, float]]:
    """Results in score order, the newer article first among those matching about equally.

    Walking down the scores, a group starts at the best score not yet placed and takes every
    result scoring at least ``(1 - tie)`` times it; within a group, newest first (undated
    last, then by score). So BM25 decides, and recency only reorders near-ties: a result is
    never moved above one scoring more than ``tie`` better.
    """
    ordered = sorted(ranked, key=lambda item: -item[1])
    out: list[tuple[PassageRecord, float]] = []
    start = 0
    while start < len(ordered):
        floor = ordered[start][1] * (1 - tie)
        end = start + 1
        while end < len(ordered) and ordered[end][1] >= floor:
            end += 1
        group = ordered[start:end]
        group.sort(key=lambda item: (item[0].published_at or _UNDATED, item[1]), reverse=True)
        out += group
        start = end
    return out


def search(
    question: str,
    *,
    index: BM25Index,
    fetch: FetchPassages,
    k: int = 3,
    offset: int = 0,
    per_article: int = MAX_PER_ARTICLE,
    candidates: np.ndarray | None = None,
    keep: Callable[[PassageRecord], bool] | None = None,
    scope: Scope | None = None,
) -> Results:
    """Find the passages that answer ``question``; ``fetch`` loads passages by id from storage.

    A question's filters restrict the search either to ``candidates`` (sorted passage ids: a
    narrow filter) or to the hits that ``keep`` accepts (a broad one, where listing the
    candidates would cost more than skipping the few hits outside); ``scope`` is handed back in
    the results for the reply to state.
    """
    scope = scope or Scope()
    terms = analyze_query(question)
    if not terms or k <= 0 or (candidates is not None and not len(candidates)):
        return Results(question, tuple(terms), (), offset, scope=scope)
    wanted = offset + k + 1  # one more than shown tells whether another page exists
    depth = max(4 * wanted, 20)
    while True:
        hits = index.search(terms, depth, candidates=candidates)
        records = {r.passage_id: r for r in fetch([int(i) for i in hits.ids])}
        kept: list[tuple[PassageRecord, float]] = []
        per_article_count: dict[int, int] = {}
        seen: list[frozenset[str]] = []
        for passage_id, score in zip(hits.ids.tolist(), hits.scores.tolist(), strict=True):
            record = records.get(passage_id)
            if record is None or (keep is not None and not keep(record)):
                continue  # deleted since the index last caught up, or filtered out
            if per_article_count.get(record.article_id, 0) >= per_article:
                continue
            shingles = _shingles(record.text)
            if any(_is_duplicate(shingles, other) for other in seen):
                continue
            seen.append(shingles)
            per_article_count[record.article_id] = per_article_count.get(record.article_id, 0) + 1
            kept.append((record, score))
        kept = by_recency(kept)
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
    return Results(
        question, tuple(terms), answers, offset, has_more=len(kept) > offset + k, scope=scope
    )
