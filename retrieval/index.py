"""In-memory BM25 index over analysed passages: exact BM25Okapi scores, fast exact top-k.

Scores are those of rank-bm25 0.2.2 ``BM25Okapi`` (k1=1.5, b=0.75, epsilon=0.25) over the live
passages: ``idf(t) = log(N - n_t + 0.5) - log(n_t + 0.5)``; ``average_idf`` is the mean idf over
the vocabulary (terms in at least one live passage, negative idfs included); terms whose idf is
negative get ``epsilon * average_idf``; a passage scores, for every query token (duplicates count
again), ``idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avgdl))``.

Tiny-corpus rule (a product decision, the one departure from rank-bm25): on tiny corpora the
floor ``epsilon * average_idf`` is <= 0 (one article of a few passages sharing most words, or a
single passage where every idf is negative), which would rank passages with *more* matches
*lower*. So when ``epsilon * average_idf <= 0``, terms with idf <= 0 (0 included: it would add
nothing) are floored at ``epsilon * abs(average_idf)`` instead (at ``epsilon`` if that is 0 too)
and every matched term adds a positive amount. When ``epsilon * average_idf > 0`` the scores are
rank-bm25's exactly.

Layout: a main segment (CSR: per-term runs of passage positions and term frequencies) plus a
small delta segment that takes new passages and is folded into the main one when it grows (on a
background thread once main is large; positions do not move then, so nothing waits for it).
Removal marks passages dead; explicit merges, saves and many removals drop them. Nothing
score-dependent is stored, so scores stay exact while N, avgdl and average_idf drift: impacts are
computed at query time from tf and length. Search is MaxScore over terms: the terms with the
largest upper bounds are scored in full, the rest are looked up only for passages that can still
reach the top k (bounds from each term's largest tf and shortest passage, which stay valid
whatever the collection statistics).

Concurrency: one call at a time (the caller holds a lock, as ``bot.service`` does). The index's
own thread, the background fold, only reads postings that no call changes, and its result is
adopted by the next call.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any

import numpy as np

_EMPTY_IDS = np.empty(0, dtype=np.int64)
_EMPTY_SCORES = np.empty(0, dtype=np.float64)
# Tokens interned per build step: bounds the temporaries of building to ~40 MB.
_BUILD_CHUNK_TOKENS = 1_000_000
# The delta segment is folded into the main one past this many postings or 1/_DELTA_RATIO of
# main: each add copies the delta (a larger one costs every add more) and each fold copies
# main (a smaller delta folds more often; folds cost ~(1 + _DELTA_RATIO) x main in total).
_DELTA_MIN_POSTINGS = 1 << 17
_DELTA_RATIO = 16
# Folds into a main segment this large run on a thread (they take ~1 s at 1M passages) while
# additions go on into a fresh delta; smaller ones are done on the spot.
_BACKGROUND_FOLD_POSTINGS = 1 << 22
# Postings scanned per slice when a removal looks for the passages' terms.
_SCAN_STEP = 1 << 20
_MAGIC = b"DEPBM25\x01"
_ALIGN = 64


@dataclass(frozen=True)
class Hits:
    """Search results: passage ids, best first, and their BM25 scores."""

    ids: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


class _Vocab(dict[str, int]):
    """Term -> id; an unseen term gets the next id (lets interning run at C speed via map)."""

    def __missing__(self, term: str) -> int:
        tid = len(self)
        self[term] = tid
        return tid


class _Segment:
    """Postings in CSR form: ``docs[ptr[t]:ptr[t + 1]]`` are term t's positions, ascending."""

    __slots__ = ("docs", "ptr", "tfs")

    def __init__(self, ptr: np.ndarray, docs: np.ndarray, tfs: np.ndarray) -> None:
        self.ptr = ptr
        self.docs = docs
        self.tfs = tfs

    @classmethod
    def empty(cls) -> _Segment:
        return cls(np.zeros(1, np.int64), np.empty(0, np.int32), np.empty(0, np.uint8))

    def __len__(self) -> int:
        return len(self.docs)

    def run(self, tid: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Term ``tid``'s positions and term frequencies, or None when it has none here."""
        if tid + 1 >= len(self.ptr):
            return None
        lo, hi = int(self.ptr[tid]), int(self.ptr[tid + 1])
        if lo == hi:
            return None
        return self.docs[lo:hi], self.tfs[lo:hi]

    def padded_ptr(self, n_terms: int) -> np.ndarray:
        """``ptr`` extended to a vocabulary of ``n_terms`` (new terms have empty runs)."""
        if len(self.ptr) == n_terms + 1:
            return self.ptr
        out = np.empty(n_terms + 1, np.int64)
        out[: len(self.ptr)] = self.ptr
        out[len(self.ptr) :] = self.ptr[-1]
        return out


def _tf_dtype(max_tf: int) -> type[np.unsignedinteger[Any]]:
    if max_tf <= 0xFF:
        return np.uint8
    if max_tf <= 0xFFFF:
        return np.uint16
    return np.uint32


def _merge(base: _Segment, extra: _Segment, n_terms: int) -> _Segment:
    """Append ``extra``'s runs after ``base``'s, term by term (extra's positions are larger)."""
    if len(extra) == 0:
        return _Segment(base.padded_ptr(n_terms), base.docs, base.tfs)
    if len(base) == 0:
        return _Segment(extra.padded_ptr(n_terms), extra.docs, extra.tfs)
    bptr, eptr = base.padded_ptr(n_terms), extra.padded_ptr(n_terms)
    at = np.repeat(bptr[1:], np.diff(eptr))
    tf_type = np.result_type(base.tfs.dtype, extra.tfs.dtype)
    docs = np.insert(base.docs, at, extra.docs)
    tfs = np.insert(base.tfs.astype(tf_type, copy=False), at, extra.tfs.astype(tf_type))
    return _Segment(bptr + eptr, docs, tfs)


def _grow(array: np.ndarray, size: int, fill: int | bool = 0) -> np.ndarray:
    """``array`` with room for at least ``size`` items (amortised: grows by an eighth)."""
    if len(array) >= size:
        return array
    # Headroom even after a bulk build, so the next small add does not copy everything.
    capacity = max(size + size // 16, len(array) + len(array) // 8) + 16
    out = np.full(capacity, fill, dtype=array.dtype)
    out[: len(array)] = array
    return out


@dataclass(frozen=True)
class _Chunk:
    """Postings of a run of passages being built: terms present, run lengths, offsets, tfs."""

    first: int
    terms: np.ndarray
    counts: np.ndarray
    local: np.ndarray
    tfs: np.ndarray


def _concat_chunks(chunks: list[_Chunk], n_terms: int) -> _Segment:
    """One CSR segment from per-chunk postings; within a term, chunks stay in order."""
    totals = np.zeros(n_terms, np.int64)
    for c in chunks:
        totals[c.terms] += c.counts
    ptr = np.zeros(n_terms + 1, np.int64)
    np.cumsum(totals, out=ptr[1:])
    del totals
    tf_type = np.result_type(np.uint8, *(c.tfs.dtype for c in chunks))
    docs = np.empty(int(ptr[-1]), np.int32)
    tfs = np.empty(int(ptr[-1]), tf_type)
    cursor = ptr[:-1].copy()
    while chunks:
        c = chunks.pop(0)  # freed as we go: peak memory stays near the final size
        run_start = np.cumsum(c.counts) - c.counts
        dest = np.repeat(cursor[c.terms] - run_start, c.counts)
        dest += np.arange(len(c.local), dtype=np.int64)
        docs[dest] = c.local
        docs[dest] += c.first
        tfs[dest] = c.tfs
        cursor[c.terms] += c.counts
    return _Segment(ptr, docs, tfs)


class BM25Index:
    """Passages (token lists under integer ids) searchable by exact BM25Okapi, kept up to date."""

    def __init__(self, *, k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25) -> None:
        self.k1 = float(k1)
        self.b = float(b)
        self.epsilon = float(epsilon)
        self._vocab = _Vocab()
        # Per term: live document frequency, and bounds for pruning (largest tf, shortest
        # passage ever seen); removals leave the bounds loose but still valid.
        self._df = np.zeros(0, np.int32)
        self._max_tf = np.zeros(0, np.int32)
        self._min_len = np.zeros(0, np.int32)
        # Per position (a passage's slot in the postings): id, token count, alive.
        self._pos_ids = np.zeros(0, np.int64)
        self._lens = np.zeros(0, np.int32)
        self._alive = np.zeros(0, bool)
        self._n_pos = 0
        self._n_main = 0
        self._main = _Segment.empty()
        self._delta = _Segment.empty()
        # While a background fold runs: the delta being folded, and where its positions end.
        self._frozen: _Segment | None = None
        self._frozen_end = 0
        self._fold: tuple[threading.Thread, list[_Segment]] | None = None
        self._main_order: np.ndarray | None = None  # argsort of main ids when not ascending
        self._delta_pos: dict[int, int] = {}
        self._delta_sorted: tuple[np.ndarray, np.ndarray] | None = None  # delta ids, positions
        self._n_live = 0
        self._n_dead = 0
        self._total_len = 0
        self._idf: np.ndarray | None = None
        self._norm: np.ndarray | None = None
        self._acc = np.zeros(0, np.float64)
        self._mark = np.zeros(0, bool)
        self._scratch_lock = threading.Lock()

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
        return np.sort(self._pos_ids[:n][self._alive[:n]])

    @property
    def vocabulary_size(self) -> int:
        """Terms in at least one live passage."""
        return int(np.count_nonzero(self._df[: len(self._vocab)]))

    def memory_bytes(self) -> int:
        """Approximate bytes held: arrays (mapped ones included), vocabulary and caches."""
        arrays = [
            self._main.ptr, self._main.docs, self._main.tfs,
            self._delta.ptr, self._delta.docs, self._delta.tfs,
            *((self._frozen.ptr, self._frozen.docs, self._frozen.tfs) if self._frozen else ()),
            self._df, self._max_tf, self._min_len, self._pos_ids, self._lens, self._alive,
            self._acc, self._mark,
        ]  # fmt: skip
        arrays += [a for a in (self._idf, self._norm, self._main_order) if a is not None]
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
            # Main may hold a dead copy of a re-added id (background folds keep dead passages);
            # the last of equal ids is the newest copy, the only one that can be alive.
            j = np.maximum(np.searchsorted(keys, ids, side="right") - 1, 0)
            pos = j if order is None else order[j]
            found = (keys[j] == ids) & self._alive[pos]
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
        base = self._n_pos
        seg, lens = self._build(docs, base)
        n = len(id_arr)
        self._pos_ids = _grow(self._pos_ids, base + n)
        self._lens = _grow(self._lens, base + n)
        self._alive = _grow(self._alive, base + n, False)
        self._pos_ids[base : base + n] = id_arr
        self._lens[base : base + n] = lens
        self._alive[base : base + n] = True
        self._n_pos = base + n
        self._n_live += n
        self._total_len += int(lens.sum())
        self._delta = _merge(self._delta, seg, len(self._vocab))
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

    def _forget_df(self, seg: _Segment, dead: np.ndarray, lo: int, hi: int) -> None:
        """Take the ``dead`` passages (positions ``lo``..``hi``) out of document frequencies."""
        # No forward index (it would cost ~180 B/passage): scan the postings, a slice at a time
        # into reused buffers. Passages removed together are usually one article, i.e. adjacent
        # positions: then a range test (two SIMD passes) beats a gather from ``dead``.
        docs = seg.docs
        if len(docs) == 0:
            return
        step = min(len(docs), _SCAN_STEP)
        shifted = np.empty(step, np.int32)
        flag = np.empty(step, bool)
        narrow = (hi - lo) * 4 < self._n_pos
        hits: list[np.ndarray] = []
        for start in range(0, len(docs), step):
            part = docs[start : start + step]
            n = len(part)
            if narrow:
                np.subtract(part, np.int32(lo), out=shifted[:n])
                np.less_equal(shifted[:n].view(np.uint32), np.uint32(hi - lo), out=flag[:n])
                idx = np.flatnonzero(flag[:n])
                idx = idx[dead[part[idx]]]
            else:
                np.take(dead, part, out=flag[:n])
                idx = np.flatnonzero(flag[:n])
            if len(idx):
                hits.append(idx + start)
        if not hits:
            return
        terms = np.searchsorted(seg.ptr, np.concatenate(hits), side="right") - 1
        counts = np.bincount(terms, minlength=len(seg.ptr) - 1)
        self._df[: len(counts)] -= counts.astype(np.int32)

    def _invalidate(self) -> None:
        self._idf = None
        self._norm = None

    def _build(self, docs: Sequence[Sequence[str]], base: int) -> tuple[_Segment, np.ndarray]:
        """Intern and invert ``docs`` (positions from ``base``), chunk by chunk to bound memory."""
        vocab = self._vocab
        intern = vocab.__getitem__
        lens = np.fromiter(map(len, docs), dtype=np.int32, count=len(docs))
        chunks: list[_Chunk] = []
        start = 0
        doc_iter = iter(docs)
        cum = np.cumsum(lens, dtype=np.int64)
        # Chunks' postings are staged in two arrays big enough for every token: one mapping that
        # the OS takes back whole once the segment is built (many small arrays would stay
        # resident in the heap, so the peak would be the staging plus the segment plus that).
        total = int(cum[-1]) if len(cum) else 0
        stage = (np.empty(total, np.uint16), np.empty(total, np.uint8))
        staged = 0
        while start < len(docs):
            tokens_before = int(cum[start - 1]) if start else 0
            stop = int(np.searchsorted(cum, tokens_before + _BUILD_CHUNK_TOKENS, side="right"))
            # Positions within a chunk are held as uint16 until the final scatter.
            stop = min(max(stop, start + 1), start + 0xFFFF)
            n_docs = stop - start
            clens = lens[start:stop]
            n_tok = int(cum[stop - 1]) - tokens_before
            chunk_docs = list(islice(doc_iter, n_docs))
            key = np.fromiter(map(intern, chain.from_iterable(chunk_docs)), np.int32, n_tok)
            del chunk_docs
            key = key.astype(np.int64)
            key *= n_docs
            key += np.repeat(np.arange(n_docs, dtype=np.int64), clens)
            key.sort()
            if n_tok:
                chunks.append(self._invert(key, n_docs, clens, base + start, stage, staged))
                staged += len(chunks[-1].local)
            del key
            start = stop
        del stage
        return _concat_chunks(chunks, len(vocab)), lens

    def _invert(
        self,
        key: np.ndarray,
        n_docs: int,
        clens: np.ndarray,
        first: int,
        stage: tuple[np.ndarray, np.ndarray],
        staged: int,
    ) -> _Chunk:
        """Postings of one chunk from its sorted ``term * n_docs + local position`` keys."""
        new = np.empty(len(key), bool)
        new[0] = True
        np.not_equal(key[1:], key[:-1], out=new[1:])
        starts = np.flatnonzero(new)
        del new
        tf = np.diff(starts, append=len(key))
        ukey = key[starts]
        del starts
        term = ukey // n_docs
        ukey -= term * n_docs
        local = stage[0][staged : staged + len(ukey)]
        local[:] = ukey
        del ukey
        tb = np.empty(len(term), bool)
        tb[0] = True
        np.not_equal(term[1:], term[:-1], out=tb[1:])
        run_starts = np.flatnonzero(tb)
        del tb
        uterm = term[run_starts].astype(np.int32)
        del term
        counts = np.diff(run_starts, append=len(local)).astype(np.int32)
        max_tf = np.maximum.reduceat(tf, run_starts)
        min_len = np.minimum.reduceat(clens[local], run_starts)
        self._bump_terms(len(self._vocab), uterm, counts, max_tf, min_len)
        top_tf = int(max_tf.max())
        if top_tf <= 0xFF:
            tfs = stage[1][staged : staged + len(tf)]
            tfs[:] = tf
        else:  # a term repeated 256+ times in one passage: rare, kept apart at its width
            tfs = tf.astype(_tf_dtype(top_tf))
        return _Chunk(first, uterm, counts, local, tfs)

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
        self._delta = _Segment.empty()
        result: list[_Segment] = []
        thread = threading.Thread(
            target=lambda: result.append(_merge(main, frozen, n_terms)),
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
        main = result[0] if result else _merge(self._main, self._frozen, len(self._vocab))
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
        main, delta = self._main, self._delta
        if self._n_dead:
            alive = self._alive[:n]
            new_pos = (np.cumsum(alive, dtype=np.int64) - 1).astype(np.int32)
            main = self._compact(main, alive, new_pos, n_terms)
            delta = self._compact(delta, alive, new_pos, n_terms)
            self._pos_ids = self._pos_ids[:n][alive].copy()
            self._lens = self._lens[:n][alive].copy()
            self._alive = np.ones(len(self._pos_ids), bool)
            self._n_pos = len(self._pos_ids)
            self._n_dead = 0
        self._main = _merge(main, delta, n_terms)
        self._delta = _Segment.empty()
        self._invalidate()  # the length normalisers are per position, and positions moved
        self._n_main = self._n_pos
        self._delta_pos = {}
        self._delta_sorted = None
        self._sort_main_ids()
        self._acc = np.zeros(0, np.float64)
        self._mark = np.zeros(0, bool)

    @staticmethod
    def _compact(seg: _Segment, alive: np.ndarray, new_pos: np.ndarray, n_terms: int) -> _Segment:
        if len(seg) == 0:
            return seg
        keep = alive[seg.docs]
        if keep.all():
            return _Segment(seg.ptr, new_pos[seg.docs], seg.tfs)
        gone = np.flatnonzero(~keep)
        terms = np.searchsorted(seg.ptr, gone, side="right") - 1
        ptr = seg.padded_ptr(n_terms).copy()
        drop = np.bincount(terms, minlength=n_terms)
        ptr[1:] -= np.cumsum(drop)
        docs = new_pos[seg.docs[keep]]
        return _Segment(ptr, docs, seg.tfs[keep])

    # -- scoring -------------------------------------------------------------------------------

    def _stats(self) -> tuple[np.ndarray, np.ndarray]:
        """(idf per term id, length normaliser per position), recomputed after any change."""
        if self._idf is None or self._norm is None:
            n_terms = len(self._vocab)
            df = self._df[:n_terms].astype(np.float64)
            n = float(self._n_live)
            idf = np.log(n - df + 0.5) - np.log(df + 0.5)
            present = self._df[:n_terms] > 0
            n_present = int(np.count_nonzero(present))
            average_idf = float(idf[present].sum()) / n_present if n_present else 0.0
            floor = self.epsilon * average_idf
            if floor > 0:
                idf[idf < 0] = floor
            else:  # tiny-corpus rule: every matched term adds a positive amount
                floor = self.epsilon * abs(average_idf) or self.epsilon
                idf[idf <= 0] = floor
            self._idf = idf
            avgdl = self._total_len / n if self._total_len else 1.0
            lens = self._lens[: self._n_pos]
            self._norm = self.k1 * (1 - self.b + self.b * lens / avgdl)
        return self._idf, self._norm

    def _query_terms(
        self, query: Sequence[str], weights: Mapping[str, float] | None = None
    ) -> list[tuple[int, float]]:
        """(term id, summed weight of its query tokens) for terms with live postings, in order.

        A token weighs ``weights.get(token, 1.0)`` (duplicates count again); terms weighing 0
        are left out, as if absent from the query.
        """
        counts: dict[int, float] = {}
        get = self._vocab.get
        for token in query:
            w = 1.0 if weights is None else float(weights.get(token, 1.0))
            if not (w >= 0.0 and math.isfinite(w)):
                # MaxScore's bounds assume every term adds a non-negative amount.
                raise ValueError(f"query term {token!r} has weight {w}: weights must be >= 0")
            tid = get(token)
            if tid is not None and w > 0.0 and self._df[tid] > 0:
                counts[tid] = counts.get(tid, 0.0) + w
        return list(counts.items())

    def _runs(self, tid: int) -> list[tuple[np.ndarray, np.ndarray]]:
        segments = (
            (self._main, self._delta)
            if self._frozen is None
            else (self._main, self._frozen, self._delta)
        )
        return [r for r in (seg.run(tid) for seg in segments) if r is not None]

    def _scratch(self) -> tuple[np.ndarray, np.ndarray]:
        if len(self._acc) < self._n_pos:
            self._acc = np.zeros(self._n_pos + self._n_pos // 8 + 64, np.float64)
            self._mark = np.zeros(len(self._acc), bool)
        return self._acc, self._mark

    def _impacts(self, weight: float, tfs: np.ndarray, norm: np.ndarray) -> np.ndarray:
        tf = tfs.astype(np.float64)
        out = tf * (self.k1 + 1)
        out /= tf + norm
        out *= weight
        return out

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
            return Hits(_EMPTY_IDS, _EMPTY_SCORES)
        terms = self._query_terms(query, weights)
        if not terms:
            return Hits(_EMPTY_IDS, _EMPTY_SCORES)
        idf, norm = self._stats()
        allowed: np.ndarray | None = None
        if candidates is not None:
            pos = self._positions(np.asarray(candidates, dtype=np.int64).reshape(-1))
            pos = np.unique(pos[pos >= 0])
            if len(pos) == 0:
                return Hits(_EMPTY_IDS, _EMPTY_SCORES)
            postings = sum(len(docs) for tid, _ in terms for docs, _ in self._runs(tid))
            # Few candidates: look each up in every run (a binary search each) rather than
            # walk the runs; many: walk them as usual and keep only the candidates.
            if len(pos) * 8 <= postings:
                scores, matched = self._score_positions(terms, pos, idf, norm)
                return self._top(pos[matched], scores[matched], k)
            allowed = np.zeros(self._n_pos, bool)
            allowed[pos] = True
        k1, b = self.k1, self.b
        avgdl = self._total_len / self._n_live if self._total_len else 1.0
        # Upper bound of each term's contribution to any passage.
        plan: list[tuple[float, int, float]] = []
        for tid, times in terms:
            weight = times * float(idf[tid])
            tf_hi = float(self._max_tf[tid])
            len_lo = float(self._min_len[tid])
            bound = weight * (tf_hi * (k1 + 1) / (tf_hi + k1 * (1 - b + b * len_lo / avgdl)))
            plan.append((bound, tid, weight))
        plan.sort(key=lambda p: -p[0])
        rest = [0.0] * (len(plan) + 1)
        for i in range(len(plan) - 1, -1, -1):
            rest[i] = rest[i + 1] + plan[i][0]
        # Defence in depth: should a caller ever search concurrently, the shared scratch arrays
        # go to one search and the others get their own.
        if self._scratch_lock.acquire(blocking=False):
            try:
                return self._maxscore(plan, rest, k, norm, *self._scratch(), allowed)
            finally:
                self._scratch_lock.release()
        n = self._n_pos
        scratch = np.zeros(n, np.float64), np.zeros(n, bool)
        return self._maxscore(plan, rest, k, norm, *scratch, allowed)

    def _maxscore(
        self,
        plan: list[tuple[float, int, float]],
        rest: list[float],
        k: int,
        norm: np.ndarray,
        acc: np.ndarray,
        mark: np.ndarray,
        allowed: np.ndarray | None = None,
    ) -> Hits:
        """Score the terms with the largest bounds in full, look the others up where needed.

        ``allowed`` (per position) limits the results to those positions, all of them live.
        """
        alive = allowed if allowed is not None else self._alive if self._n_dead else None
        touched: list[np.ndarray] = []
        try:
            return self._maxscore_into(plan, rest, k, norm, acc, mark, alive, touched)
        finally:  # leave the scratch arrays zeroed for the next search
            for docs in touched:
                acc[docs] = 0.0
                mark[docs] = False

    def _maxscore_into(
        self,
        plan: list[tuple[float, int, float]],
        rest: list[float],
        k: int,
        norm: np.ndarray,
        acc: np.ndarray,
        mark: np.ndarray,
        alive: np.ndarray | None,
        touched: list[np.ndarray],
    ) -> Hits:
        """MaxScore proper; every position it accumulates into is listed in ``touched``."""
        theta = 0.0
        slack = 0.0
        done = len(plan)
        for i, (_, tid, weight) in enumerate(plan):
            if i and rest[i] < theta - slack:
                done = i
                break
            for docs, tfs in self._runs(tid):
                acc[docs] += self._impacts(weight, tfs, norm[docs])
                fresh = docs[~mark[docs]]
                mark[fresh] = True
                touched.append(fresh)
            # theta (the k-th best partial score) can only prune what is left if it may exceed
            # the bound of the remaining terms; it never can while that bound tops everything.
            if i + 1 < len(plan) and rest[i + 1] < rest[0] - rest[i + 1]:
                cand = np.concatenate(touched)
                if alive is not None:
                    cand = cand[alive[cand]]
                if len(cand) >= k:
                    partial = acc[cand]
                    theta = float(np.partition(partial, len(partial) - k)[len(partial) - k])
                    slack = 1e-9 * (1.0 + abs(theta))
        seen = np.concatenate(touched) if touched else _EMPTY_IDS
        cand = seen if alive is None else seen[alive[seen]]
        if done < len(plan):
            cand = cand[acc[cand] + rest[done] >= theta - slack]
            cand.sort()
            scores = acc[cand]
            for _, tid, weight in plan[done:]:
                for docs, tfs in self._runs(tid):
                    j = np.searchsorted(docs, cand)
                    j[j == len(docs)] = 0
                    hit = docs[j] == cand
                    if hit.any():
                        where = np.flatnonzero(hit)
                        scores[where] += self._impacts(weight, tfs[j[where]], norm[cand[where]])
        else:
            scores = acc[cand]
        return self._top(cand, scores, k)

    def _top(self, cand: np.ndarray, scores: np.ndarray, k: int) -> Hits:
        if len(cand) > k:
            kth = np.partition(scores, len(scores) - k)[len(scores) - k]
            keep = scores >= kth
            cand, scores = cand[keep], scores[keep]
        ids = self._pos_ids[cand]
        order = np.lexsort((ids, -scores))[:k]
        return Hits(ids[order], scores[order])

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
        idf, norm = self._stats()
        return self._score_positions(terms, pos, idf, norm)[0]

    def _score_positions(
        self,
        terms: list[tuple[int, float]],
        pos: np.ndarray,
        idf: np.ndarray,
        norm: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores of the passages at ``pos``, and whether each holds a query term."""
        scores = np.zeros(len(pos), np.float64)
        matched = np.zeros(len(pos), bool)
        for tid, times in terms:
            weight = times * float(idf[tid])
            for docs, tfs in self._runs(tid):
                j = np.searchsorted(docs, pos)
                j[j == len(docs)] = 0
                where = np.flatnonzero(docs[j] == pos)
                scores[where] += self._impacts(weight, tfs[j[where]], norm[pos[where]])
                matched[where] = True
        return scores, matched

    # -- persistence ---------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the index to one file (atomically), loadable with :meth:`load`."""
        path = Path(path)
        self._fold_delta()
        n_terms = len(self._vocab)
        terms = list(self._vocab)
        blob = "".join(terms).encode("utf-8")
        term_ends = np.cumsum([len(t) for t in terms], dtype=np.int64)
        n = self._n_pos
        arrays: dict[str, np.ndarray] = {
            "ptr": self._main.padded_ptr(n_terms),
            "docs": self._main.docs,
            "tfs": self._main.tfs,
            "pos_ids": self._pos_ids[:n],
            "lens": self._lens[:n],
            "df": self._df[:n_terms],
            "max_tf": self._max_tf[:n_terms],
            "min_len": self._min_len[:n_terms],
            "term_ends": term_ends,
            "terms": np.frombuffer(blob, np.uint8),
        }
        layout: dict[str, Any] = {}
        offset = 0
        for name, arr in arrays.items():
            layout[name] = {"offset": offset, "dtype": arr.dtype.str, "shape": [len(arr)]}
            offset += -(-arr.nbytes // _ALIGN) * _ALIGN
        header = json.dumps(
            {
                "k1": self.k1,
                "b": self.b,
                "epsilon": self.epsilon,
                "n_live": self._n_live,
                "total_len": self._total_len,
                "arrays": layout,
            }
        ).encode()
        head_len = -(-(len(_MAGIC) + 8 + len(header)) // _ALIGN) * _ALIGN
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(_MAGIC)
            f.write(len(header).to_bytes(8, "little"))
            f.write(header)
            f.write(b"\0" * (head_len - len(_MAGIC) - 8 - len(header)))
            for arr in arrays.values():
                data = np.ascontiguousarray(arr)
                f.write(data.data)
                f.write(b"\0" * (-data.nbytes % _ALIGN))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> BM25Index:
        """Open a saved index; the postings stay memory-mapped from the file, read-only."""
        path = Path(path)
        with open(path, "rb") as f:
            if f.read(len(_MAGIC)) != _MAGIC:
                raise ValueError(f"{path} is not a saved BM25 index")
            size = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(size))
        head_len = -(-(len(_MAGIC) + 8 + size) // _ALIGN) * _ALIGN
        raw = np.memmap(path, dtype=np.uint8, mode="r")
        arrays: dict[str, np.ndarray] = {}
        for name, spec in header["arrays"].items():
            dtype = np.dtype(spec["dtype"])
            start = head_len + spec["offset"]
            stop = start + dtype.itemsize * spec["shape"][0]
            if stop > len(raw):
                raise ValueError(f"{path} is truncated")
            arrays[name] = raw[start:stop].view(dtype)
        index = cls(k1=header["k1"], b=header["b"], epsilon=header["epsilon"])
        text = bytes(arrays["terms"]).decode("utf-8")
        ends = arrays["term_ends"].tolist()
        starts = [0, *ends][: len(ends)]
        index._vocab = _Vocab(
            zip(
                (text[a:z] for a, z in zip(starts, ends, strict=True)),
                range(len(ends)),
                strict=True,
            )
        )
        index._df = np.array(arrays["df"], np.int32)
        index._max_tf = np.array(arrays["max_tf"], np.int32)
        index._min_len = np.array(arrays["min_len"], np.int32)
        n = len(arrays["pos_ids"])
        index._pos_ids = _grow(np.zeros(0, np.int64), n)
        index._pos_ids[:n] = arrays["pos_ids"]
        index._lens = _grow(np.zeros(0, np.int32), n)
        index._lens[:n] = arrays["lens"]
        index._alive = _grow(np.zeros(0, bool), n, False)
        index._alive[:n] = True
        index._n_pos = index._n_main = n
        index._n_live = int(header["n_live"])
        index._total_len = int(header["total_len"])
        ptr = arrays["ptr"]
        consistent = (
            index._n_live == n
            and len(ptr) == len(index._vocab) + 1
            and int(ptr[-1]) == len(arrays["docs"]) == len(arrays["tfs"])
            and len(index._df) == len(index._vocab)
        )
        if not consistent:
            raise ValueError(f"{path} is inconsistent")
        index._main = _Segment(ptr, arrays["docs"], arrays["tfs"])
        index._sort_main_ids()
        return index
