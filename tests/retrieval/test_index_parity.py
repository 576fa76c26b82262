"""Parity with rank-bm25's BM25Okapi on a synthetic Zipf corpus, before and after updates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.index import BM25Index, TermIds, bm25_index, segment

rank_bm25 = pytest.importorskip("rank_bm25")

VOCAB = 5_000
N_DOCS = 3_000


def zipf_corpus(n: int, seed: int) -> list[list[str]]:
    """Passages of 5-80 tokens drawn from a Zipf(1.1) vocabulary (its top terms hit the floor)."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, VOCAB + 1) ** 1.1
    p /= p.sum()
    lens = rng.integers(5, 80, size=n)
    draws = rng.choice(VOCAB, size=int(lens.sum()), p=p)
    out, at = [], 0
    for length in lens.tolist():
        out.append([f"t{r}" for r in draws[at : at + length].tolist()])
        at += length
    return out


def queries(seed: int, n: int = 60) -> list[list[str]]:
    """2-5 mid-frequency terms, a common one in a third, a duplicated one in a fifth."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        q = [f"t{r}" for r in rng.integers(30, 3_000, size=rng.integers(2, 6)).tolist()]
        if i % 3 == 0:
            q.append(f"t{rng.integers(0, 30)}")
        if i % 5 == 0:
            q.append(q[0])
        if i % 7 == 0:
            q.append("absent")
        out.append(q)
    return out


def weighted_scores(ref: object, q: list[str], weights: dict[str, float] | None) -> np.ndarray:
    """rank-bm25's scores with each query token's contribution multiplied by its weight."""
    if weights is None:
        return ref.get_scores(q)  # type: ignore[attr-defined]
    return sum(weights.get(t, 1.0) * ref.get_scores([t]) for t in q)  # type: ignore[attr-defined]


def expected_top(
    ref: object,
    ids: np.ndarray,
    docs: list[list[str]],
    q: list[str],
    k: int,
    weights: dict[str, float] | None = None,
    candidates: np.ndarray | None = None,
):
    scores = weighted_scores(ref, q, weights)
    terms = {t for t in q if weights is None or weights.get(t, 1.0) > 0}
    matched = np.array([not terms.isdisjoint(d) for d in docs], bool)
    if candidates is not None:
        matched &= np.isin(ids, candidates)
    idx = np.flatnonzero(matched)
    order = np.lexsort((ids[idx], -scores[idx]))[:k]
    return ids[idx][order], scores[idx][order], scores


def query_weights(q: list[str], rng: np.random.Generator) -> dict[str, float]:
    """The first term is the user's word (1.0); the others weigh less, one of them nothing."""
    weights = {t: float(rng.choice([0.2, 0.5, 0.8, 1.0, 3.0])) for t in q[1:]}
    weights[q[0]] = 1.0
    if len(q) > 3:
        weights[q[-1]] = 0.0
    return weights


def candidate_sets(ids: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """Tiny, middling and huge subsets of the ids, some with ids that are not indexed."""
    out = []
    for size in (3, 40, len(ids) // 10, len(ids) * 9 // 10):
        chosen = rng.choice(ids, size=size, replace=False)
        out.append(np.sort(np.concatenate([chosen, [-5, int(ids.max()) + 7]])).astype(np.int64))
    out.append(np.sort(ids[-len(ids) // 4 :]))  # the newest quarter, as a date filter gives
    return out


def check(index: BM25Index, ids: np.ndarray, docs: list[list[str]], seed: int) -> None:
    ref = rank_bm25.BM25Okapi(docs)
    assert ref.average_idf * 0.25 > 0  # the rank-bm25 regime: scores must match exactly
    floored = [t for t, v in ref.idf.items() if v == pytest.approx(0.25 * ref.average_idf)]
    assert floored, "the corpus must exercise the epsilon floor"
    for q in queries(seed):
        for k in (1, 10, 100):
            want_ids, want_scores, all_scores = expected_top(ref, ids, docs, q, k)
            hits = index.search(q, k=k)
            assert hits.ids.tolist() == want_ids.tolist(), (q, k)
            np.testing.assert_allclose(hits.scores, want_scores, rtol=0, atol=1e-9)
        np.testing.assert_allclose(index.get_scores(q, ids), all_scores, rtol=0, atol=1e-9)
    rng = np.random.default_rng(seed)
    for q in queries(seed + 100, n=25):
        weights = query_weights(q, rng)
        for candidates in [None, *candidate_sets(ids, rng)]:
            for k in (1, 10, 100):
                want_ids, want_scores, all_scores = expected_top(
                    ref, ids, docs, q, k, weights, candidates
                )
                hits = index.search(q, k=k, weights=weights, candidates=candidates)
                assert hits.ids.tolist() == want_ids.tolist(), (q, k, weights)
                np.testing.assert_allclose(hits.scores, want_scores, rtol=0, atol=1e-9)
        got = index.get_scores(q, ids, weights=weights)
        np.testing.assert_allclose(got, all_scores, rtol=0, atol=1e-9)


@pytest.fixture(scope="module")
def corpus() -> tuple[np.ndarray, list[list[str]]]:
    docs = zipf_corpus(N_DOCS, seed=7)
    ids = np.arange(1, 3 * N_DOCS + 1, 3, dtype=np.int64)  # gaps, like a database's ids
    return ids, docs


def test_scores_and_top_k_match_rank_bm25(corpus: tuple[np.ndarray, list[list[str]]]) -> None:
    ids, docs = corpus
    index = BM25Index()
    index.add(ids.tolist(), docs)
    check(index, ids, docs, seed=1)


@pytest.mark.parametrize("mode", ["delta", "fold", "background", "merge", "save"])
def test_parity_after_removals_and_additions(
    corpus: tuple[np.ndarray, list[list[str]]],
    mode: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """delta: updates stay in the delta; fold: folded at every add; background: folded on a
    thread at every add; merge/save: folded explicitly at the end."""
    if mode in ("fold", "background"):
        monkeypatch.setattr(bm25_index, "_DELTA_MIN_POSTINGS", 0)
        monkeypatch.setattr(segment, "SCAN_STEP", 777)  # removals scan in many slices
    if mode == "background":
        monkeypatch.setattr(bm25_index, "_BACKGROUND_FOLD_POSTINGS", 0)
    ids, docs = corpus
    index = BM25Index()
    index.add(ids[:2_000].tolist(), docs[:2_000])
    live = dict(zip(ids[:2_000].tolist(), docs[:2_000], strict=True))
    rng = np.random.default_rng(3)
    # Articles arrive a few passages at a time while older ones are withdrawn or corrected.
    for start in range(2_000, N_DOCS, 100):
        batch_ids = ids[start : start + 100].tolist()
        batch = docs[start : start + 100]
        index.add(batch_ids, batch)
        live.update(zip(batch_ids, batch, strict=True))
        gone = rng.choice(sorted(live), size=40, replace=False).tolist()
        index.remove(gone)
        for g in gone:
            del live[g]
        article = sorted(live)[start // 20 : start // 20 + 8]  # a whole article withdrawn
        index.remove(article)
        for g in article:
            del live[g]
        corrected = rng.choice(sorted(live), size=5, replace=False).tolist()
        fresh = zipf_corpus(5, seed=start)
        index.add(corrected, fresh)
        live.update(zip(corrected, fresh, strict=True))
    live_ids = np.array(sorted(live), dtype=np.int64)
    assert index.ids.tolist() == live_ids.tolist()
    if mode == "merge":
        index.merge()
    elif mode == "save":  # the saving index goes on being searched, and so does the loaded one
        index.save(tmp_path / "parity.index")
        check(BM25Index.load(tmp_path / "parity.index"), live_ids, [live[i] for i in live_ids], 4)
    check(index, live_ids, [live[i] for i in live_ids.tolist()], seed=2)


@pytest.mark.parametrize("chunk_tokens", [1_000_000, 997])
def test_parity_of_a_streamed_build(
    corpus: tuple[np.ndarray, list[list[str]]], chunk_tokens: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A start-up build (``add_all``: batches streamed, built once), onto passages already
    indexed, in one chunk a batch or in many small ones."""
    monkeypatch.setattr(segment, "_BUILD_CHUNK_TOKENS", chunk_tokens)
    ids, docs = corpus
    index = BM25Index()
    index.add(ids[:500].tolist(), docs[:500])
    joined = [" ".join(d) for d in docs]
    batches = (
        (ids[i : i + 700], TermIds.of_joined(joined[i : i + 700])) for i in range(500, N_DOCS, 700)
    )
    assert index.add_all(batches) == N_DOCS - 500
    check(index, ids, docs, seed=5)
