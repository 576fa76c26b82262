"""The BM25 index: updates, search semantics, persistence and the tiny-corpus rule."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from retrieval.index import BM25Index, Hits, bm25_index

DOCS = {
    1: ["ukrain", "kiev", "front", "offens"],
    2: ["ukrain", "gaz", "contrat", "europ"],
    3: ["elect", "municipal", "pari", "mair"],
    4: ["kiev", "kiev", "bombard", "nuit"],
    5: ["europ", "budget", "vote", "parlement"],
    6: ["pari", "olymp", "jeux", "stade"],
    7: ["gaz", "prix", "hiver", "europ"],
    8: ["mair", "pari", "budget", "vote"],
    9: ["stade", "footbal", "match", "nuit"],
    10: ["climat", "accord", "europ", "vote"],
}


def make_index(docs: dict[int, list[str]] = DOCS) -> BM25Index:
    index = BM25Index()
    index.add(list(docs), list(docs.values()))
    return index


def raw_idf(docs: dict[int, list[str]]) -> tuple[dict[str, float], float]:
    """rank-bm25's idf per term before flooring, and its floor epsilon * average_idf."""
    n = len(docs)
    df: dict[str, int] = {}
    for d in docs.values():
        for t in set(d):
            df[t] = df.get(t, 0) + 1
    idf = {t: math.log(n - f + 0.5) - math.log(f + 0.5) for t, f in df.items()}
    return idf, 0.25 * sum(idf.values()) / len(idf)


def bm25(docs: dict[int, list[str]], query: list[str], doc_id: int) -> float:
    """BM25Okapi by its definition (rank-bm25 0.2.2), independent of the index's code."""
    avgdl = sum(len(d) for d in docs.values()) / len(docs)
    idf, floor = raw_idf(docs)
    if floor <= 0:  # the tiny-corpus rule
        floor = abs(floor) or 0.25
        idf = {t: floor if v <= 0 else v for t, v in idf.items()}
    else:
        idf = {t: floor if v < 0 else v for t, v in idf.items()}
    doc = docs[doc_id]
    score = 0.0
    for t in query:
        tf = doc.count(t)
        if t in idf:
            score += idf[t] * tf * 2.5 / (tf + 1.5 * (0.25 + 0.75 * len(doc) / avgdl))
    return score


def test_empty_index_finds_nothing() -> None:
    index = BM25Index()
    assert len(index) == 0
    assert len(index.search(["kiev"])) == 0
    assert index.ids.tolist() == []


def test_search_ranks_by_bm25_and_returns_exact_scores() -> None:
    index = make_index()
    hits = index.search(["kiev", "ukrain"], k=10)
    assert set(hits.ids.tolist()) == {1, 2, 4}
    assert hits.ids[0] == 1  # both terms beats one term twice
    assert hits.ids.dtype == np.int64 and hits.scores.dtype == np.float64
    for id_, score in zip(hits.ids.tolist(), hits.scores.tolist(), strict=True):
        assert score == pytest.approx(bm25(DOCS, ["kiev", "ukrain"], id_), abs=1e-12)
    assert list(hits.scores) == sorted(hits.scores, reverse=True)


def test_only_passages_with_a_query_term_are_returned() -> None:
    hits = make_index().search(["climat", "inconnu"], k=10)
    assert hits.ids.tolist() == [10]


@pytest.mark.parametrize("query, k", [([], 10), (["kiev"], 0), (["kiev"], -1), (["zzz"], 5)])
def test_empty_results(query: list[str], k: int) -> None:
    hits = make_index().search(query, k=k)
    assert isinstance(hits, Hits)
    assert len(hits.ids) == 0 and len(hits.scores) == 0


def test_k_limits_the_results() -> None:
    hits = make_index().search(["europ", "vote", "pari"], k=3)
    assert len(hits.ids) == 3
    everything = make_index().search(["europ", "vote", "pari"], k=100)
    assert hits.ids.tolist() == everything.ids[:3].tolist()


def test_ties_are_broken_by_smaller_id() -> None:
    docs = {30: ["a", "x"], 10: ["a", "y"], 20: ["a", "z"], 40: ["b", "c"], 50: ["d", "e"]}
    index = make_index(docs)
    hits = index.search(["a"], k=2)
    assert hits.ids.tolist() == [10, 20]
    assert hits.scores[0] == hits.scores[1]


def test_duplicate_query_tokens_count_again() -> None:
    index = make_index()
    once = index.get_scores(["kiev"], [1])[0]
    twice = index.get_scores(["kiev", "kiev"], [1])[0]
    assert twice == pytest.approx(2 * once)
    query = ["kiev", "kiev", "ukrain"]
    hits = index.search(query)
    for id_, score in zip(hits.ids.tolist(), hits.scores.tolist(), strict=True):
        assert score == pytest.approx(bm25(DOCS, query, id_), abs=1e-12)


def test_remove_hides_passages_and_updates_statistics() -> None:
    index = make_index()
    index.remove([4, 999])
    assert len(index) == 9 and 4 not in index and 1 in index
    assert 4 not in index.search(["kiev"]).ids.tolist()
    rest = {i: d for i, d in DOCS.items() if i != 4}
    hits = index.search(["kiev", "europ"], k=10)
    for id_, score in zip(hits.ids.tolist(), hits.scores.tolist(), strict=True):
        assert score == pytest.approx(bm25(rest, ["kiev", "europ"], id_), abs=1e-12)


def test_readding_an_id_replaces_the_passage() -> None:
    index = make_index()
    index.add([1], [["climat", "climat", "sommet"]])
    assert len(index) == 10
    assert 1 not in index.search(["offens"]).ids.tolist()
    assert index.search(["climat"]).ids.tolist() == [1, 10]
    docs = dict(DOCS) | {1: ["climat", "climat", "sommet"]}
    assert index.get_scores(["climat"], [1])[0] == pytest.approx(bm25(docs, ["climat"], 1))


def test_same_id_twice_in_one_batch_keeps_the_last() -> None:
    index = BM25Index()
    index.add([7, 7], [["old"], ["new"]])
    assert len(index) == 1
    assert index.search(["new"]).ids.tolist() == [7]
    assert len(index.search(["old"])) == 0


def test_ids_and_membership() -> None:
    index = make_index()
    index.remove([3])
    assert index.ids.tolist() == [1, 2, 4, 5, 6, 7, 8, 9, 10]
    assert 3 not in index and 2 in index and "2" not in index


def test_get_scores_rejects_unknown_ids() -> None:
    with pytest.raises(KeyError):
        make_index().get_scores(["kiev"], [1, 12345])


def test_mismatched_add_is_rejected() -> None:
    with pytest.raises(ValueError):
        BM25Index().add([1, 2], [["a"]])


def test_term_repeated_hundreds_of_times_keeps_its_count() -> None:
    docs = {1: ["echo"] * 300 + ["x"], 2: ["echo", "y"], 3: ["z", "y"], 4: ["w"]}
    index = make_index(docs)
    index.add([5], [["echo"] * 70_000])  # wider than uint16 too
    docs[5] = ["echo"] * 70_000
    hits = index.search(["echo"], k=5)
    assert hits.ids.tolist()[0] == 5
    for id_, score in zip(hits.ids.tolist(), hits.scores.tolist(), strict=True):
        assert score == pytest.approx(bm25(docs, ["echo"], id_), abs=1e-12)


def test_empty_passages_count_in_the_collection() -> None:
    index = make_index({1: [], 2: ["a", "b"], 3: ["b", "c"]})
    assert len(index) == 3
    assert index.search(["a"]).ids.tolist() == [2]


@pytest.mark.parametrize("fold", [False, True])
def test_updates_through_delta_and_folds_stay_exact(
    fold: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if fold:  # fold the delta into the main segment at every add
        monkeypatch.setattr(bm25_index, "_DELTA_MIN_POSTINGS", 0)
    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(60)]
    docs: dict[int, list[str]] = {}
    index = BM25Index()
    next_id = 1
    for step in range(30):
        batch = {next_id + i: list(rng.choice(words, size=rng.integers(1, 12))) for i in range(5)}
        next_id += 5
        index.add(list(batch), list(batch.values()))
        docs.update(batch)
        if step % 3 == 2:
            gone = rng.choice(sorted(docs), size=4, replace=False).tolist()
            index.remove(gone)
            for g in gone:
                del docs[g]
        if step % 4 == 3:  # replace one
            victim = sorted(docs)[step % len(docs)]
            docs[victim] = ["w1", "w2", "w2"]
            index.add([victim], [docs[victim]])
    assert sorted(docs) == index.ids.tolist()
    query = ["w3", "w7", "w7", "w50"]
    hits = index.search(query, k=len(docs))
    expected = sorted(
        (i for i, d in docs.items() if set(d) & set(query)),
        key=lambda i: (-bm25(docs, query, i), i),
    )
    assert hits.ids.tolist() == expected
    for id_, score in zip(hits.ids.tolist(), hits.scores.tolist(), strict=True):
        assert score == pytest.approx(bm25(docs, query, id_), abs=1e-9)


def test_save_load_roundtrip(tmp_path: Path) -> None:
    index = make_index()
    index.remove([5])
    index.add([11], [["kiev", "sommet"]])
    path = tmp_path / "depeche.index"
    index.save(path)
    loaded = BM25Index.load(path)
    assert loaded.ids.tolist() == index.ids.tolist()
    for query in (["kiev"], ["europ", "vote"], ["pari", "stade", "nuit"]):
        a, b = index.search(query, k=10), loaded.search(query, k=10)
        assert a.ids.tolist() == b.ids.tolist()
        np.testing.assert_array_equal(a.scores, b.scores)
    # The loaded index keeps working: adds and removes on top of the mapped file.
    loaded.add([12], [["kiev", "kiev", "kiev"]])
    loaded.remove([1])
    assert loaded.search(["kiev"]).ids.tolist()[0] == 12
    assert 1 not in loaded and len(loaded) == len(index)


def test_empty_index_roundtrip(tmp_path: Path) -> None:
    path = tmp_path / "empty.index"
    BM25Index().save(path)
    loaded = BM25Index.load(path)
    assert len(loaded) == 0 and len(loaded.search(["kiev"])) == 0
    loaded.add([1], [["kiev"]])
    assert loaded.search(["kiev"]).ids.tolist() == [1]


def test_explicit_merge_keeps_results() -> None:
    index = make_index()
    index.remove([2])
    index.add([11], [["gaz", "europ"]])
    before = index.search(["gaz", "europ"])
    index.merge()
    after = index.search(["gaz", "europ"])
    assert before.ids.tolist() == after.ids.tolist()
    np.testing.assert_array_equal(before.scores, after.scores)


def test_concurrent_searches_agree() -> None:
    index = make_index()
    alone = index.search(["europ", "vote"])
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: index.search(["europ", "vote"]), range(200)))
    for during in results:
        assert during.ids.tolist() == alone.ids.tolist()
        np.testing.assert_array_equal(during.scores, alone.scores)


def test_load_rejects_a_foreign_or_truncated_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.index"
    path.write_bytes(b"not an index")
    with pytest.raises(ValueError):
        BM25Index.load(path)
    make_index().save(path)
    path.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(ValueError):
        BM25Index.load(path)


# -- the tiny-corpus rule ----------------------------------------------------------------------


def test_single_passage_still_scores_positively() -> None:
    docs = {1: ["kiev", "front", "nuit"]}
    assert raw_idf(docs)[1] < 0
    index = make_index(docs)
    hits = index.search(["kiev", "front"])
    assert hits.ids.tolist() == [1]
    assert hits.scores[0] > 0


def test_tiny_article_ranks_more_matches_higher() -> None:
    # One article, eight passages sharing most words: rank-bm25's floor is negative here.
    # (rank-bm25 scores 4 matches at -0.93, below 2 matches at -0.79.)
    query = ["guerr", "ukrain", "kiev", "russ", "front"]
    docs = {i: [*query[: 2 + i % 4], "guerr"] for i in range(1, 9)}
    assert raw_idf(docs)[1] < 0
    index = make_index(docs)
    hits = index.search(query, k=8)
    matches = {i: len(set(d) & set(query)) for i, d in docs.items()}
    assert [matches[i] for i in hits.ids.tolist()] == sorted(matches.values(), reverse=True)
    assert (hits.scores > 0).all()
    for id_, score in zip(hits.ids.tolist(), hits.scores.tolist(), strict=True):
        assert score == pytest.approx(bm25(docs, query, id_), abs=1e-12)


def test_regular_corpus_uses_rank_bm25_floor() -> None:
    # Enough distinct rare words to make average_idf positive: the floor is epsilon*average_idf.
    docs = {i: ["the", f"rare{i}", f"other{i}"] for i in range(1, 20)}
    index = make_index(docs)
    idf, floor = raw_idf(docs)
    assert floor > 0 and idf["the"] < 0
    expected = floor * 2.5 / (1 + 1.5 * (0.25 + 0.75 * 3 / 3))
    assert index.get_scores(["the"], [1])[0] == pytest.approx(expected, abs=1e-12)


def test_idf_is_what_search_scores_with_and_adds_no_term() -> None:
    index = make_index()
    vocabulary = index.vocabulary_size
    weights = index.idf(["kiev", "europ", "inconnu"])
    # A one-term query scores a passage idf * tf-part; the ratio of two one-term scores on
    # passages of equal length and tf is the ratio of their idfs.
    kiev = index.get_scores(["kiev"], [1])[0]
    europ = index.get_scores(["europ"], [2])[0]
    assert kiev / europ == pytest.approx(weights["kiev"] / weights["europ"])
    assert weights["kiev"] > weights["europ"] > 0  # europ is in more passages
    assert weights["inconnu"] == 0.0
    assert index.vocabulary_size == vocabulary  # asking did not add the unknown term


def test_weights_scale_each_terms_contribution() -> None:
    index = make_index()
    weights = {"kiev": 0.5}
    hits = index.search(["kiev", "ukrain"], k=10, weights=weights)
    for id_, score in zip(hits.ids.tolist(), hits.scores.tolist(), strict=True):
        want = 0.5 * bm25(DOCS, ["kiev"], id_) + bm25(DOCS, ["ukrain"], id_)
        assert score == pytest.approx(want, abs=1e-12)
    # Down-weighting "kiev" lets the passage with "ukrain" alone overtake "kiev" twice.
    assert hits.ids.tolist().index(2) < hits.ids.tolist().index(4)
    scores = index.get_scores(["kiev", "ukrain"], [1, 2, 4], weights=weights)
    np.testing.assert_allclose(scores, hits.scores[np.argsort(np.argsort(hits.ids))], atol=1e-12)


def test_a_term_weighing_nothing_matches_nothing() -> None:
    index = make_index()
    hits = index.search(["kiev", "gaz"], k=10, weights={"gaz": 0.0})
    assert set(hits.ids.tolist()) == {1, 4}
    assert len(index.search(["gaz"], weights={"gaz": 0.0})) == 0


@pytest.mark.parametrize("weight", [-1.0, float("nan"), float("inf")])
def test_negative_or_non_finite_weights_are_rejected(weight: float) -> None:
    with pytest.raises(ValueError, match="weight"):
        make_index().search(["kiev"], weights={"kiev": weight})


def test_candidates_restrict_the_search() -> None:
    index = make_index()
    everything = index.search(["europ", "vote"], k=10)
    hits = index.search(["europ", "vote"], k=10, candidates=np.array([2, 3, 8, 99], np.int64))
    assert hits.ids.tolist() == [i for i in everything.ids.tolist() if i in (2, 8)]
    np.testing.assert_allclose(hits.scores, index.get_scores(["europ", "vote"], hits.ids))
    assert len(index.search(["europ"], candidates=np.array([3, 99], np.int64))) == 0
    assert len(index.search(["europ"], candidates=np.empty(0, np.int64))) == 0


def test_candidates_skip_removed_and_find_recent_passages() -> None:
    index = make_index()
    index.remove([5])
    index.add([11, 12], [["europ", "vote", "vote"], ["europ"]])
    every_id = np.arange(0, 200, dtype=np.int64)  # many candidates: the vectorised lookup
    for candidates in (np.array([5, 11, 12], np.int64), every_id):
        hits = index.search(["vote"], k=10, candidates=candidates)
        assert 5 not in hits.ids.tolist()
        assert 11 in hits.ids.tolist()


def test_ids_past_32_bits_are_kept_exactly() -> None:
    index = make_index()
    big = [2**31 - 1, 2**31, 2**40 + 3, -(2**33)]
    index.add(big, [["kiev", "sommet"]] * len(big))
    index.merge()
    assert set(big) <= set(index.ids.tolist()) and index.ids.dtype == np.int64
    hits = index.search(["sommet"], k=10)
    assert hits.ids.tolist() == sorted(big) and hits.ids.dtype == np.int64
    assert 2**40 + 3 in index and 2**40 + 4 not in index and 7 in index
    index.remove([2**40 + 3])
    assert 2**40 + 3 not in index and len(index.search(["sommet"])) == 3


def test_pooled_idf_is_the_idf_of_one_term_held_by_the_passages_of_all() -> None:
    merged = {n: ["pool" if t in ("offens", "bombard") else t for t in d] for n, d in DOCS.items()}
    idf, _ = raw_idf(merged)
    assert make_index().pooled_idf(["offens", "bombard"]) == pytest.approx(idf["pool"])
    # A passage holding both counts twice: "kiev" (1, 4) and "offens" (1) as if in three.
    assert make_index().pooled_idf(["kiev", "offens"]) == pytest.approx(math.log(7.5 / 3.5))


def test_pooled_idf_of_terms_in_most_passages_is_their_most_common_ones() -> None:
    index = make_index()
    assert index.pooled_idf(["europ", "pari", "vote"]) == index.idf(["europ"])["europ"]
    assert index.pooled_idf(["nowhere"]) == 0.0
