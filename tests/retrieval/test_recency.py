"""Recency: among results matching about equally well (within 5%), the newer article first."""

from __future__ import annotations

from datetime import UTC, datetime

from retrieval.search import RECENCY_TIE, PassageRecord, by_recency


def record(n: int, published: datetime | None) -> PassageRecord:
    return PassageRecord(
        n, n, 0, None, f"text {n}", "fr", f"title {n}", "AFP", None, None, published, "day"
    )


OLD = datetime(2024, 1, 10, tzinfo=UTC)
NEW = datetime(2025, 11, 20, tzinfo=UTC)


def order(*ranked: tuple[PassageRecord, float]) -> list[int]:
    return [r.passage_id for r, _ in by_recency(list(ranked))]


def test_a_newer_article_within_the_tie_comes_first() -> None:
    assert order((record(1, OLD), 10.0), (record(2, NEW), 10.0 * (1 - RECENCY_TIE) + 0.01)) == [
        2,
        1,
    ]


def test_a_strong_old_match_beats_a_weaker_new_one() -> None:
    assert order((record(1, OLD), 10.0), (record(2, NEW), 10.0 * (1 - RECENCY_TIE) - 0.01)) == [
        1,
        2,
    ]


def test_undated_comes_after_dated_among_equals() -> None:
    assert order((record(1, None), 10.0), (record(2, OLD), 10.0)) == [2, 1]


def test_groups_do_not_chain_down_the_scores() -> None:
    # 10 → 9.6 → 9.2: each within 5% of the previous, but 9.2 is not within 5% of 10, so it
    # starts a group of its own and cannot climb above the 10.
    ranked = [(record(1, OLD), 10.0), (record(2, OLD), 9.6), (record(3, NEW), 9.2)]
    assert order(*ranked) == [1, 2, 3]
