"""BM25Index: passages under integer ids, kept up to date and searchable by exact BM25Okapi.

Layout: a main segment plus a small delta segment that takes new passages and is folded into
the main one when it grows (on a background thread once main is large; positions do not move
then, so nothing waits for it). Removal marks passages dead; explicit merges, saves and many
removals drop them. Nothing score-dependent is stored, so scores stay exact while N, avgdl and
average_idf drift.

Concurrency: one call at a time (the caller holds a lock, as ``bot.service`` does). The index's
own thread, the background fold, only reads postings that no call changes, and its result is
adopted by the next call.
"""

from __future__ import annotations

import itertools
import math
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.index import store
from retrieval.index.maxscore import (
    NO_HITS,
    Hits,
    Scorer,
    bm25_tf_part,
    floored_idf,
    maxscore,
    plan,
    query_terms,
    tf_part_table,
    top,
)
from retrieval.index.packed import PackedSegment, is_consistent, pack
from retrieval.index.segment import (
    Builder,
    Segment,
    TermIds,
    Vocab,
    build,
    compact,
    merge,
)

# The delta segment is folded into the main one past this many postings or 1/_DELTA_RATIO of
# main: each add copies the delta (a larger one costs every add more) and each fold copies
# main (a smaller delta folds more often; folds cost ~(1 + _DELTA_RATIO) x main in total).
_DELTA_MIN_POSTINGS = 1 << 17
_DELTA_RATIO = 16
# Folds into a main segment this large run on a thread (they take ~1 s at 1M passages) while
# additions go on into a fresh delta; smaller ones are done on the spot.
_BACKGROUND_FOLD_POSTINGS = 1 << 22


def _fold(main: Segment | PackedSegment, delta: Segment, n_terms: int) -> PackedSegment:
    """Main with the delta's runs appended, packed (delta positions come after main's)."""
    return pack(merge(main.unpack(), delta, n_terms))


def _len_dtype(lens: np.ndarray) -> type[np.unsignedinteger[Any]] | type[np.int32]:
    """The narrowest type for passage token counts (most passages are under 256 tokens)."""
    longest = int(lens.max(initial=0))
    if longest <= 0xFF:
        return np.uint8
    return np.uint16 if longest <= 0xFFFF else np.int32


def _fits(values: np.ndarray, dtype: np.dtype[Any]) -> np.ndarray:
    """Per value, whether ``dtype`` (an integer type) holds it."""
    info = np.iinfo(dtype)
    return (values >= info.min) & (values <= info.max)


def _grow(array: np.ndarray, size: int, fill: int | bool = 0) -> np.ndarray:
    """``array`` with room for at least ``size`` items (amortised: grows by an eighth)."""
    if len(array) >= size:
        return array
    # Headroom even after a bulk build, so the next small add does not copy everything.
    capacity = max(size + size // 16, len(array) + len(array) // 8) + 16
    out = np.full(capacity, fill, dtype=array.dtype)
    out[: len(array)] = array
    return out


class BM25Index:
    """Passages (token lists under integer ids) searchable by exact BM25Okapi, kept up to date."""

    def __init__(self, *, k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25) -> None:
        self.k1 = float(k1)
        self.b = float(b)
        self.epsilon = float(epsilon)
        self._vocab = Vocab()
        # Per term: live document frequency, and bounds for pruning (largest tf, shortest
        # passage ever seen); removals leave the bounds loose but still valid.
        self._df = np.zeros(0, np.int32)
        self._max_tf = np.zeros(0, np.int32)
        self._min_len = np.zeros(0, np.int32)
        # Per position (a passage's slot in the postings): id, token count, alive.
        self._pos_ids = np.zeros(0, np.int32)  # widened to int64 when an id needs it
        self._lens = np.zeros(0, np.uint8)  # widened when a longer passage comes
        self._alive = np.zeros(0, bool)
        self._n_pos = 0
        self._n_main = 0
        self._main: Segment | PackedSegment = Segment.empty()
        self._delta = Segment.empty()
        # While a background fold runs: the delta being folded, and where its positions end.
        self._frozen: Segment | None = None
        self._frozen_end = 0
        self._fold: tuple[threading.Thread, list[PackedSegment]] | None = None
        self._main_order: np.ndarray | None = None  # argsort of main ids when not ascending
        self._delta_pos: dict[int, int] = {}
        self._delta_sorted: tuple[np.ndarray, np.ndarray] | None = None  # delta ids, positions
        self._n_live = 0
        self._n_dead = 0
        self._total_len = 0
        self._idf: np.ndarray | None = None
        self._norm_of_len: np.ndarray | None = None
        self._tf_part: np.ndarray | None = None

    # -- size and membership -------------------------------------------------------------------

    def __len__(self) -> int:
        return self._n_live

    def __contains__(self, id: object) -> bool:
        if not isinstance(id, int | np.integer):
            return False
        return bool(self._positions(np.array([id], np.int64))[0] >= 0)

    @property
    def ids(self) -> np.ndarray:
        """Ids of the live passages, ascending."""
        n = self._n_pos
        return np.sort(self._pos_ids[:n][self._alive[:n]]).astype(np.int64)

    @property
    def terms(self) -> Mapping[str, int]:
        """Every term the index has seen, in the order it first saw them (ids only grow; a
        term may no longer be in a live passage: its idf says so)."""
        return self._vocab

    @property
    def vocabulary_size(self) -> int:
        """Terms in at least one live passage."""
        return int(np.count_nonzero(self._df[: len(self._vocab)]))

    def memory_bytes(self) -> int:
        """Approximate bytes held: arrays (mapped ones included), vocabulary and caches."""
        segments = [self._main, self._delta, *((self._frozen,) if self._frozen else ())]
        arrays = [a for seg in segments for a in seg.arrays()]
        arrays += [self._df, self._max_tf, self._min_len, self._pos_ids, self._lens]
        arrays.append(self._alive)
        arrays += [a for a in (self._idf, self._norm_of_len, self._main_order) if a is not None]
        total = sum(a.nbytes for a in arrays)
        total += sys.getsizeof(self._vocab) + sys.getsizeof(self._delta_pos)
        # Each term: its string, and its id unless CPython caches small ints.
        total += sum(map(sys.getsizeof, self._vocab)) + 32 * max(0, len(self._vocab) - 257)
        return total

    def _positions(self, ids: np.ndarray) -> np.ndarray:
        """Live position of each id, -1 for ids not indexed."""
        out = np.full(len(ids), -1, np.int64)
        if len(ids) == 0 or self._n_live == 0:
            return out
        n_main = self._n_main
        if n_main:
            main_ids = self._pos_ids[:n_main]
            order = self._main_order
            keys = main_ids if order is None else main_ids[order]
            # Compare in the keys' own type (searching int32 keys for int64 ids would copy
            # them all); an id outside that type's range is not indexed.
            fits = _fits(ids, keys.dtype)
            wanted = np.where(fits, ids, 0).astype(keys.dtype, copy=False)
            # Main may hold a dead copy of a re-added id (background folds keep dead passages);
            # the last of equal ids is the newest copy, the only one that can be alive.
            j = np.maximum(np.searchsorted(keys, wanted, side="right") - 1, 0)
            pos = j if order is None else order[j]
            found = (keys[j] == wanted) & self._alive[pos] & fits
            out[found] = pos[found]
        if self._delta_pos:
            if len(ids) <= 64:
                get = self._delta_pos.get
                for i, id_ in enumerate(ids.tolist()):
                    p = get(id_)
                    if p is not None:
                        out[i] = p
            else:  # many ids (a date filter's candidates): one vectorised lookup
                keys, where = self._delta_lookup()
                j = np.minimum(np.searchsorted(keys, ids), len(keys) - 1)
                found = keys[j] == ids
                out[found] = where[j[found]]
        return out

    def _delta_lookup(self) -> tuple[np.ndarray, np.ndarray]:
        """The live delta passages' ids, ascending, and their positions (cached)."""
        if self._delta_sorted is None:
            keys = np.fromiter(self._delta_pos.keys(), np.int64, len(self._delta_pos))
            where = np.fromiter(self._delta_pos.values(), np.int64, len(self._delta_pos))
            order = np.argsort(keys)
            self._delta_sorted = (keys[order], where[order])
        return self._delta_sorted

    # -- updates -------------------------------------------------------------------------------

    def add(self, ids: Sequence[int], docs: Sequence[Sequence[str]]) -> None:
        """Index passages (analysed token lists); re-adding an existing id replaces it."""
        self._finish_fold(wait=False)
        if len(ids) != len(docs):
            raise ValueError(f"{len(ids)} ids for {len(docs)} documents")
        if len(ids) == 0:
            return
        id_arr = np.asarray(ids, dtype=np.int64).reshape(-1)
        uniq, first_from_end = np.unique(id_arr[::-1], return_index=True)
        if len(uniq) < len(id_arr):  # the same id twice in one batch: the last one wins
            keep = np.sort(len(id_arr) - 1 - first_from_end)
            id_arr = id_arr[keep]
            docs = [docs[i] for i in keep.tolist()]
        self.remove(id_arr)
        seg, lens = build(docs, self._n_pos, self._vocab, self._bump_terms)
        self._append(id_arr, seg, lens)

    def add_all(self, batches: Iterable[tuple[Sequence[int] | np.ndarray, TermIds]]) -> int:
        """Index passages given batch after batch in one build (a start-up build of the whole
        collection); returns how many. Ids must ascend across the batches and none be indexed
        already (``ValueError`` otherwise, with nothing added).

        The same index as ``add`` of each batch, but only the batches' compact postings are
        kept while they come (not their token lists), each batch is interned term by term
        (``TermIds``: it may come from another process), and the postings are laid out once
        instead of folding a growing delta again and again.
        """
        self._finish_fold(wait=False)
        builder = Builder(self._n_pos, self._vocab)
        id_parts: list[np.ndarray] = []
        last = None
        try:
            for ids, docs in batches:
                if len(ids) != len(docs):
                    raise ValueError(f"{len(ids)} ids for {len(docs)} documents")
                id_arr = np.asarray(ids, dtype=np.int64).reshape(-1)
                if not len(id_arr):
                    continue
                ascending = last is None or id_arr[0] > last
                if not ascending or (np.diff(id_arr) <= 0).any():
                    raise ValueError("ids must ascend across the batches")
                if (self._positions(id_arr) >= 0).any():
                    raise ValueError("ids already indexed")
                builder.add_term_ids(docs)
                id_parts.append(id_arr)
                last = int(id_arr[-1])
        finally:
            # Terms interned by an abandoned build still need their (empty) statistics.
            self._bump_terms(len(self._vocab), *(np.zeros(0, np.int32),) * 4)
        if not id_parts:
            return 0
        seg, lens = builder.finish(self._bump_terms)
        self._append(np.concatenate(id_parts), seg, lens)
        return int(sum(map(len, id_parts)))

    def _append(self, id_arr: np.ndarray, seg: Segment, lens: np.ndarray) -> None:
        """Take built passages (positions from ``_n_pos`` on) into the delta, folding it when
        it has grown."""
        base = self._n_pos
        n = len(id_arr)
        if not _fits(id_arr, self._pos_ids.dtype).all():
            self._pos_ids = self._pos_ids.astype(np.int64)
        self._pos_ids = _grow(self._pos_ids, base + n)
        self._lens = _grow(self._lens.astype(_len_dtype(lens), copy=False), base + n)
        self._alive = _grow(self._alive, base + n, False)
        self._pos_ids[base : base + n] = id_arr
        self._lens[base : base + n] = lens
        self._alive[base : base + n] = True
        self._n_pos = base + n
        self._n_live += n
        self._total_len += int(lens.sum())
        self._delta = merge(self._delta, seg, len(self._vocab))
        self._invalidate()
        grown = len(self._delta) > max(_DELTA_MIN_POSTINGS, len(self._main) // _DELTA_RATIO)
        if grown and self._fold is None and len(self._main) < _BACKGROUND_FOLD_POSTINGS:
            self._fold_delta()  # cheap, and a bulk build skips the id -> position dict below
            return
        self._delta_pos.update(zip(id_arr.tolist(), range(base, base + n), strict=True))
        self._delta_sorted = None
        if grown and self._fold is None:
            self._start_fold()

    def remove(self, ids: Iterable[int]) -> None:
        """Drop passages by id; unknown ids are ignored."""
        self._finish_fold(wait=False)
        if self._n_live == 0:
            return
        id_arr = np.asarray(ids if isinstance(ids, Sequence | np.ndarray) else list(ids), np.int64)
        pos = self._positions(id_arr.reshape(-1))
        pos = np.unique(pos[pos >= 0])
        if len(pos) == 0:
            return
        self._alive[pos] = False
        self._n_live -= len(pos)
        self._n_dead += len(pos)
        self._total_len -= int(self._lens[pos].sum())
        dead = np.zeros(self._n_pos, bool)
        dead[pos] = True
        lo, hi = int(pos[0]), int(pos[-1])
        if (pos < self._n_main).any():  # the costly scan: main holds nearly every posting
            self._forget_df(self._main, dead, lo, hi)
        for seg in (self._frozen, self._delta):
            if seg is not None and len(seg):
                self._forget_df(seg, dead, lo, hi)
        for p in pos[pos >= self._n_main].tolist():
            self._delta_pos.pop(int(self._pos_ids[p]), None)
        self._delta_sorted = None
        self._invalidate()
        if self._n_dead > max(1024, self._n_pos // 8):
            self._fold_delta()

    def _forget_df(self, seg: Segment | PackedSegment, dead: np.ndarray, lo: int, hi: int) -> None:
        """Take the ``dead`` passages (positions ``lo``..``hi``) out of document frequencies."""
        counts = seg.dead_postings(dead, lo, hi, self._n_pos)
        self._df[: len(counts)] -= counts.astype(np.int32)

    def _invalidate(self) -> None:
        self._idf = None
        self._norm_of_len = None

    def _bump_terms(
        self,
        n_terms: int,
        terms: np.ndarray,
        counts: np.ndarray,
        max_tf: np.ndarray,
        min_len: np.ndarray,
    ) -> None:
        self._df = _grow(self._df, n_terms)
        self._max_tf = _grow(self._max_tf, n_terms)
        self._min_len = _grow(self._min_len, n_terms, np.iinfo(np.int32).max)
        self._df[terms] += counts.astype(np.int32)
        self._max_tf[terms] = np.maximum(self._max_tf[terms], max_tf)
        self._min_len[terms] = np.minimum(self._min_len[terms], min_len)

    def merge(self) -> None:
        """Fold recent additions and removals into the main segment (save does it too)."""
        self._fold_delta()

    def _start_fold(self) -> None:
        """Fold the delta into main on a thread; positions stay, so nothing else moves."""
        main, frozen, n_terms = self._main, self._delta, len(self._vocab)
        self._frozen, self._frozen_end = frozen, self._n_pos
        self._delta = Segment.empty()
        result: list[PackedSegment] = []
        thread = threading.Thread(
            target=lambda: result.append(_fold(main, frozen, n_terms)),
            name="bm25-fold",
            daemon=True,
        )
        self._fold = (thread, result)
        thread.start()

    def _finish_fold(self, *, wait: bool) -> None:
        """Adopt a finished background fold (waiting for it if ``wait``)."""
        if self._fold is None:
            return
        thread, result = self._fold
        if thread.is_alive():
            if not wait:
                return
            thread.join()
        assert self._frozen is not None
        # No result means the thread failed (say, out of memory): fold here and let it raise.
        main = result[0] if result else _fold(self._main, self._frozen, len(self._vocab))
        self._main, self._frozen, self._fold = main, None, None
        self._n_main = self._frozen_end
        self._delta_pos = {i: p for i, p in self._delta_pos.items() if p >= self._n_main}
        self._delta_sorted = None
        self._sort_main_ids()

    def _sort_main_ids(self) -> None:
        main_ids = self._pos_ids[: self._n_main]
        ascending = self._n_main < 2 or bool(np.all(main_ids[1:] > main_ids[:-1]))
        self._main_order = None if ascending else np.argsort(main_ids, kind="stable")

    def _fold_delta(self) -> None:
        """Fold the delta into the main segment, dropping dead passages and renumbering."""
        self._finish_fold(wait=True)
        n_terms = len(self._vocab)
        n = self._n_pos
        main, delta = self._main.unpack(), self._delta
        if self._n_dead:
            alive = self._alive[:n]
            new_pos = (np.cumsum(alive, dtype=np.int64) - 1).astype(np.int32)
            main = compact(main, alive, new_pos, n_terms)
            delta = compact(delta, alive, new_pos, n_terms)
            self._pos_ids = self._pos_ids[:n][alive].copy()
            self._lens = self._lens[:n][alive].copy()
            self._alive = np.ones(len(self._pos_ids), bool)
            self._n_pos = len(self._pos_ids)
            self._n_dead = 0
        self._main = _fold(main, delta, n_terms)
        self._delta = Segment.empty()
        self._invalidate()  # the length normalisers are per position, and positions moved
        self._n_main = self._n_pos
        self._delta_pos = {}
        self._delta_sorted = None
        self._sort_main_ids()

    # -- scoring -------------------------------------------------------------------------------

    def _stats(self) -> tuple[np.ndarray, np.ndarray]:
        """(idf per term id, length normaliser per token count), recomputed after any change."""
        if self._idf is None or self._norm_of_len is None:
            self._idf = floored_idf(self._df[: len(self._vocab)], self._n_live, self.epsilon)
            avgdl = self._total_len / self._n_live if self._total_len else 1.0
            longest = int(self._lens[: self._n_pos].max(initial=0))
            lengths = np.arange(longest + 1, dtype=np.float64)
            # Indexed by a passage's length: 8 bytes per distinct length, not per passage.
            self._norm_of_len = self.k1 * (1 - self.b + self.b * lengths / avgdl)
            max_tf = int(self._max_tf[: len(self._vocab)].max(initial=0))
            self._tf_part = tf_part_table(self.k1, self._norm_of_len, max_tf)
        return self._idf, self._norm_of_len

    def _query_terms(
        self, query: Sequence[str], weights: Mapping[str, float] | None = None
    ) -> list[tuple[int, float]]:
        return query_terms(query, weights, self._vocab, self._df)

    def _segments(self) -> tuple[Segment | PackedSegment, ...]:
        segments = (self._main, *((self._frozen,) if self._frozen else ()), self._delta)
        return tuple(seg for seg in segments if len(seg))

    def _scorer(self) -> tuple[np.ndarray, Scorer]:
        idf, norm_of_len = self._stats()
        return idf, Scorer(self.k1, self._lens, norm_of_len, self._tf_part, self._segments())

    def search(
        self,
        query: Sequence[str],
        k: int = 10,
        *,
        weights: Mapping[str, float] | None = None,
        candidates: np.ndarray | None = None,
    ) -> Hits:
        """The ``k`` best passages containing at least one query term (ties: smaller id first).

        ``weights`` multiplies each query term's BM25 contribution (default 1.0; say, less for
        expansion terms than for the user's own words). ``candidates``, a sorted array of
        passage ids, restricts the search to those passages (ids not indexed are ignored).
        """
        self._finish_fold(wait=False)
        if k <= 0 or not query or self._n_live == 0:
            return NO_HITS
        terms = self._query_terms(query, weights)
        if not terms:
            return NO_HITS
        idf, scorer = self._scorer()
        weighted = [(tid, times * float(idf[tid])) for tid, times in terms]
        allowed: np.ndarray | None = None
        if candidates is not None:
            pos = self._positions(np.asarray(candidates, dtype=np.int64).reshape(-1))
            pos = np.unique(pos[pos >= 0])
            if len(pos) == 0:
                return NO_HITS
            postings = sum(scorer.run_length(tid) for tid, _ in terms)
            # Few candidates: look each up in every run (a binary search each) rather than
            # walk the runs; many: walk them as usual and keep only the candidates.
            if len(pos) * 8 <= postings:
                scores, matched = scorer.score_positions(weighted, pos)
                return top(self._pos_ids, pos[matched], scores[matched], k)
            allowed = np.zeros(self._n_pos, bool)
            allowed[pos] = True
        elif self._n_dead:
            allowed = self._alive
        order, rest = plan(weighted, self._bounds(weighted))
        cand, scores = maxscore(scorer, order, rest, k, allowed)
        return top(self._pos_ids, cand, scores, k)

    def _bounds(self, weighted: Sequence[tuple[int, float]]) -> list[float]:
        """Each term's largest possible contribution to a passage (from its largest tf and
        shortest passage, which stay valid whatever the collection statistics)."""
        avgdl = self._total_len / self._n_live if self._total_len else 1.0
        k1, b = self.k1, self.b
        return [
            weight * bm25_tf_part(float(self._max_tf[tid]), float(self._min_len[tid]), avgdl, k1, b)
            for tid, weight in weighted
        ]

    def idf(self, terms: Iterable[str]) -> dict[str, float]:
        """The idf each term scores with now (floors applied); 0 for a term in no live passage."""
        if self._n_live == 0:
            return {t: 0.0 for t in terms}
        idf, _ = self._stats()
        get = self._vocab.get  # not [], which would add the term to the vocabulary
        weights = {}
        for t in terms:
            tid = get(t)
            weights[t] = float(idf[tid]) if tid is not None and self._df[tid] > 0 else 0.0
        return weights

    def pooled_idf(self, terms: Iterable[str]) -> float:
        """The idf the terms would score with as one term held by every passage holding any of
        them (a word with its other-language forms: "Chine" and "China"). A passage holding
        two of them counts twice, which errs towards the common; past half the passages, where
        rank-bm25's formula turns negative, it is the idf of the most common term. 0 when none
        is in a live passage."""
        get = self._vocab.get
        found = {tid for t in terms if (tid := get(t)) is not None and self._df[tid] > 0}
        if not found:
            return 0.0
        n = self._n_live
        df = min(sum(int(self._df[tid]) for tid in found), n)
        pooled = math.log(n - df + 0.5) - math.log(df + 0.5)
        return pooled if pooled > 0 else min(float(self._stats()[0][tid]) for tid in found)

    def get_scores(
        self,
        query: Sequence[str],
        ids: Sequence[int] | np.ndarray,
        *,
        weights: Mapping[str, float] | None = None,
    ) -> np.ndarray:
        """Exact (weighted) BM25 scores of the given passages (KeyError for an id not indexed)."""
        id_arr = np.asarray(ids, dtype=np.int64).reshape(-1)
        pos = self._positions(id_arr)
        if (pos < 0).any():
            raise KeyError(int(id_arr[np.flatnonzero(pos < 0)[0]]))
        terms = self._query_terms(query, weights)
        if not terms or len(pos) == 0:
            return np.zeros(len(pos), np.float64)
        idf, scorer = self._scorer()
        weighted = [(tid, times * float(idf[tid])) for tid, times in terms]
        return scorer.score_positions(weighted, pos)[0]

    # -- persistence ---------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the index to one file (atomically), loadable with :meth:`load`."""
        self._finish_fold(wait=True)
        main_is_all = (
            isinstance(self._main, PackedSegment)
            and not (len(self._delta) or self._n_dead)
            and self._n_main == self._n_pos
            and len(self._main.ptr) == len(self._vocab) + 1
        )
        if not main_is_all:  # else main is saved as it is, not unpacked and packed again
            self._fold_delta()
        main = self._main if isinstance(self._main, PackedSegment) else pack(self._main)
        n_terms = len(self._vocab)
        n = self._n_pos
        fields = {
            "k1": self.k1,
            "b": self.b,
            "epsilon": self.epsilon,
            "n_live": self._n_live,
            "total_len": self._total_len,
        }
        arrays = {
            "ptr": main.ptr,
            "tfs": main.tfs,
            "loc": main.loc,
            "offs": main.offs,
            "skips": main.skips,
            "wide": main.wide,
            "pos_ids": self._pos_ids[:n],
            "lens": self._lens[:n],
            "df": self._df[:n_terms],
            "max_tf": self._max_tf[:n_terms],
            "min_len": self._min_len[:n_terms],
            **store.encode_terms(list(self._vocab)),
        }
        store.write(Path(path), fields, arrays)

    @classmethod
    def load(cls, path: Path) -> BM25Index:
        """Open a saved index; the postings stay memory-mapped from the file, read-only."""
        path = Path(path)
        header, arrays = store.read(path)
        index = cls(k1=header["k1"], b=header["b"], epsilon=header["epsilon"])
        index._vocab = Vocab(zip(store.decode_terms(arrays), itertools.count()))
        index._df = np.array(arrays["df"], np.int32)
        index._max_tf = np.array(arrays["max_tf"], np.int32)
        index._min_len = np.array(arrays["min_len"], np.int32)
        n = len(arrays["pos_ids"])
        index._pos_ids = _grow(np.zeros(0, arrays["pos_ids"].dtype), n)
        index._pos_ids[:n] = arrays["pos_ids"]
        index._lens = _grow(np.zeros(0, arrays["lens"].dtype), n)
        index._lens[:n] = arrays["lens"]
        index._alive = _grow(np.zeros(0, bool), n, False)
        index._alive[:n] = True
        index._n_pos = index._n_main = n
        index._n_live = int(header["n_live"])
        index._total_len = int(header["total_len"])
        main = PackedSegment(
            *(arrays[name] for name in ("ptr", "tfs", "loc", "offs", "skips", "wide"))
        )
        consistent = (
            index._n_live == n
            and len(main.ptr) == len(index._vocab) + 1
            and len(index._df) == len(index._vocab)
            and is_consistent(main)
        )
        if not consistent:
            raise ValueError(f"{path} is inconsistent")
        index._main = main
        index._sort_main_ids()
        return index
