"""Packed postings: exactly the positions and tfs of the plain segment, whatever the runs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.index import BM25Index, bm25_index
from retrieval.index.packed import BLOCK, PackedSegment, is_consistent, pack
from retrieval.index.segment import Segment

# A run is built from gaps between positions: small gaps make blocks that fit 16 bits, gaps
# of thousands make blocks that span more (the run stays wide), and long runs of either mix.
gaps = st.lists(st.integers(1, 9_000) | st.integers(1, 40), min_size=0, max_size=120)


def segment_from(runs: list[list[int]], seed: int) -> Segment:
    rng = np.random.default_rng(seed)
    docs = [np.cumsum(np.asarray(g, np.int64)) - 1 for g in runs]
    ptr = np.zeros(len(runs) + 1, np.int64)
    np.cumsum([len(d) for d in docs], out=ptr[1:])
    flat = np.concatenate([np.zeros(0, np.int64), *docs]).astype(np.int32)
    tfs = rng.integers(1, 6, size=len(flat)).astype(np.uint8)
    return Segment(ptr, flat, tfs)


@settings(max_examples=60, deadline=None)
@given(runs=st.lists(gaps, min_size=1, max_size=6), seed=st.integers(0, 1_000))
def test_packing_keeps_every_posting(runs: list[list[int]], seed: int) -> None:
    plain = segment_from(runs, seed)
    packed = pack(plain)
    assert is_consistent(packed)
    unpacked = packed.unpack()
    np.testing.assert_array_equal(unpacked.docs, plain.docs)
    np.testing.assert_array_equal(unpacked.tfs, plain.tfs)
    top = int(plain.docs.max(initial=0)) + 3
    rng = np.random.default_rng(seed)
    probe = np.unique(np.concatenate([plain.docs, rng.integers(0, top, 50)])).astype(np.int64)
    # Runs gathered one term at a time, several at once in any order, and past the vocabulary.
    tids = list(range(len(runs)))
    for chosen in [[t] for t in tids] + [tids, tids[::-1], [*tids, len(runs) + 4]]:
        want, got = plain.gather(chosen), packed.gather(chosen)
        assert got[2] == want[2] == [plain.run_length(t) for t in chosen]
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
        assert got[0].dtype == np.int32
    for tid in tids:
        assert packed.run_length(tid) == plain.run_length(tid)
        want_hits, got_hits = plain.lookup(tid, probe), packed.lookup(tid, probe)
        assert (want_hits is None) == (got_hits is None)
        if want_hits is not None and got_hits is not None:
            np.testing.assert_array_equal(got_hits[0], want_hits[0])
            np.testing.assert_array_equal(got_hits[1], want_hits[1])
    dead = np.zeros(top, bool)
    dead[rng.integers(0, top, 20)] = True
    lo, hi = int(np.flatnonzero(dead)[0]), int(np.flatnonzero(dead)[-1])
    np.testing.assert_array_equal(
        packed.dead_postings(dead, lo, hi, top), plain.dead_postings(dead, lo, hi, top)
    )


def test_dense_runs_pack_and_spread_ones_stay_wide() -> None:
    dense = [1] * 200  # 200 adjacent positions
    spread = [70_000] * 40  # every block would span more than 16 bits
    short = [3] * 5  # too few postings to pay for padding to a block of 16
    packed = pack(segment_from([dense, spread, short], seed=0))
    assert packed.loc.tolist()[0] >= 0
    assert packed.loc.tolist()[1] < 0 and packed.loc.tolist()[2] < 0
    assert len(packed.offs) == -(-200 // BLOCK) * BLOCK
    assert packed.offs.nbytes + packed.skips.nbytes < 200 * 4  # less than plain positions


@pytest.fixture(scope="module")
def big_corpus() -> tuple[list[int], list[list[str]]]:
    """80,000 passages, past 16-bit positions: rare, sparse, clustered and common words."""
    rng = np.random.default_rng(11)
    docs = []
    for i in range(80_000):
        doc = [f"w{r}" for r in rng.integers(0, 400, size=rng.integers(1, 6)).tolist()]
        if i % 1_500 == 0:
            doc.append("sparse")  # one passage in 1,500: blocks fit 16 bits
        if i % 5_000 == 0:
            doc.append("spread")  # one in 5,000: blocks do not, the run stays wide
        if 60_000 <= i < 60_400:
            doc += ["cluster"] * int(rng.integers(1, 4))  # positions past 65,535
        docs.append(doc)
    return list(range(5, 5 + 3 * len(docs), 3)), docs


def test_packed_main_answers_as_the_plain_delta(
    big_corpus: tuple[list[int], list[list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, docs = big_corpus
    packed = BM25Index()
    packed.add(ids, docs)
    assert isinstance(packed._main, PackedSegment) and (packed._main.loc >= 0).any()
    monkeypatch.setattr(bm25_index, "_DELTA_MIN_POSTINGS", 1 << 40)  # never folded: plain
    plain = BM25Index()
    for at in range(0, len(ids), 20_000):
        plain.add(ids[at : at + 20_000], docs[at : at + 20_000])
    assert not isinstance(plain._main, PackedSegment) and len(plain._main) == 0
    gone = ids[59_990:60_100]  # a removal across the clustered run
    for index in (packed, plain):
        index.remove(gone)
    queries = [["sparse"], ["spread", "w3"], ["cluster", "sparse", "w7"], ["w1", "w2", "w399"]]
    for query in queries:
        for k in (1, 10, 500):
            a, b = packed.search(query, k), plain.search(query, k)
            assert a.ids.tolist() == b.ids.tolist(), (query, k)
            np.testing.assert_allclose(a.scores, b.scores, rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        packed.get_scores(["cluster", "w5"], ids[60_100:60_300]),
        plain.get_scores(["cluster", "w5"], ids[60_100:60_300]),
        rtol=0,
        atol=1e-9,
    )
