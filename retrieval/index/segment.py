"""Postings segments: per-term runs of passage positions and term frequencies, in CSR form.

A segment is built from analysed passages (interned through the index's vocabulary), merged
with another whose positions come after its own, compacted when passages are dropped, and
scanned for the terms of removed passages. Positions are slots in the index's per-passage
arrays, not passage ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

import numpy as np

# Tokens interned per build step: bounds the temporaries of building to ~40 MB.
_BUILD_CHUNK_TOKENS = 1_000_000
# Postings scanned per slice when a removal looks for the passages' terms.
SCAN_STEP = 1 << 20

# Called with (vocabulary size, terms, postings per term, largest tf, shortest passage).
TermStatsSink = Callable[[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]


class Vocab(dict[str, int]):
    """Term -> id; an unseen term gets the next id (lets interning run at C speed via map)."""

    def __missing__(self, term: str) -> int:
        tid = len(self)
        self[term] = tid
        return tid


class Segment:
    """Postings in CSR form: ``docs[ptr[t]:ptr[t + 1]]`` are term t's positions, ascending."""

    __slots__ = ("docs", "ptr", "tfs")

    def __init__(self, ptr: np.ndarray, docs: np.ndarray, tfs: np.ndarray) -> None:
        self.ptr = ptr
        self.docs = docs
        self.tfs = tfs

    @classmethod
    def empty(cls) -> Segment:
        return cls(np.zeros(1, np.int64), np.empty(0, np.int32), np.empty(0, np.uint8))

    def __len__(self) -> int:
        return len(self.docs)

    def arrays(self) -> tuple[np.ndarray, ...]:
        """Every array the segment holds (for accounting its memory)."""
        return self.ptr, self.docs, self.tfs

    def run_length(self, tid: int) -> int:
        """How many postings term ``tid`` has here."""
        if tid + 1 >= len(self.ptr):
            return 0
        return int(self.ptr[tid + 1]) - int(self.ptr[tid])

    def gather(self, tids: Sequence[int]) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """The runs of terms ``tids`` one after another: positions, term frequencies, and
        each term's posting count (0 where it has none here)."""
        ptr, n_ptr = self.ptr, len(self.ptr)
        spans = [(int(ptr[t]), int(ptr[t + 1])) if t + 1 < n_ptr else (0, 0) for t in tids]
        counts = [hi - lo for lo, hi in spans]
        if len(spans) == 1:
            lo, hi = spans[0]
            return self.docs[lo:hi], self.tfs[lo:hi], counts
        docs = np.concatenate([self.docs[lo:hi] for lo, hi in spans])
        return docs, np.concatenate([self.tfs[lo:hi] for lo, hi in spans]), counts

    def lookup(self, tid: int, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Which of the positions ``pos`` term ``tid`` occurs at here (indices into ``pos``),
        and its term frequencies there; None when none."""
        if tid + 1 >= len(self.ptr):
            return None
        lo, hi = int(self.ptr[tid]), int(self.ptr[tid + 1])
        if lo == hi:
            return None
        docs = self.docs[lo:hi]
        j = np.searchsorted(docs, pos)
        j[j == len(docs)] = 0
        where = np.flatnonzero(docs[j] == pos)
        if len(where) == 0:
            return None
        return where, self.tfs[lo:hi][j[where]]

    def unpack(self) -> Segment:
        return self

    def dead_postings(self, dead: np.ndarray, lo: int, hi: int, n_pos: int) -> np.ndarray:
        """Per term, how many of its postings here are at ``dead`` positions (all in lo..hi)."""
        n_terms = len(self.ptr) - 1
        docs = self.docs
        parts = ((at, docs[at : at + SCAN_STEP]) for at in range(0, len(docs), SCAN_STEP))
        hits = dead_hits(parts, dead, lo, hi, n_pos)
        terms = np.searchsorted(self.ptr, hits, side="right") - 1
        return np.bincount(terms, minlength=n_terms)

    def padded_ptr(self, n_terms: int) -> np.ndarray:
        """``ptr`` extended to a vocabulary of ``n_terms`` (new terms have empty runs)."""
        if len(self.ptr) == n_terms + 1:
            return self.ptr
        out = np.empty(n_terms + 1, np.int64)
        out[: len(self.ptr)] = self.ptr
        out[len(self.ptr) :] = self.ptr[-1]
        return out


def tf_dtype(max_tf: int) -> type[np.unsignedinteger[Any]]:
    if max_tf <= 0xFF:
        return np.uint8
    if max_tf <= 0xFFFF:
        return np.uint16
    return np.uint32


def merge(base: Segment, extra: Segment, n_terms: int) -> Segment:
    """Append ``extra``'s runs after ``base``'s, term by term (extra's positions are larger)."""
    if len(extra) == 0:
        return Segment(base.padded_ptr(n_terms), base.docs, base.tfs)
    if len(base) == 0:
        return Segment(extra.padded_ptr(n_terms), extra.docs, extra.tfs)
    bptr, eptr = base.padded_ptr(n_terms), extra.padded_ptr(n_terms)
    at = np.repeat(bptr[1:], np.diff(eptr))
    tf_type = np.result_type(base.tfs.dtype, extra.tfs.dtype)
    docs = np.insert(base.docs, at, extra.docs)
    tfs = np.insert(base.tfs.astype(tf_type, copy=False), at, extra.tfs.astype(tf_type))
    return Segment(bptr + eptr, docs, tfs)


def compact(seg: Segment, alive: np.ndarray, new_pos: np.ndarray, n_terms: int) -> Segment:
    """``seg`` without the postings of dead positions, renumbered by ``new_pos``."""
    if len(seg) == 0:
        return seg
    keep = alive[seg.docs]
    if keep.all():
        return Segment(seg.ptr, new_pos[seg.docs], seg.tfs)
    gone = np.flatnonzero(~keep)
    terms = np.searchsorted(seg.ptr, gone, side="right") - 1
    ptr = seg.padded_ptr(n_terms).copy()
    drop = np.bincount(terms, minlength=n_terms)
    ptr[1:] -= np.cumsum(drop)
    docs = new_pos[seg.docs[keep]]
    return Segment(ptr, docs, seg.tfs[keep])


def dead_hits(
    parts: Iterable[tuple[int, np.ndarray]], dead: np.ndarray, lo: int, hi: int, n_pos: int
) -> np.ndarray:
    """Indices (``start`` of a part + offset in it) of the positions that are ``dead``.

    ``parts`` are (start, positions) slices; every dead position is within ``lo``..``hi``.
    """
    # No forward index (it would cost ~180 B/passage): scan the postings, a slice at a time
    # into reused buffers. Passages removed together are usually one article, i.e. adjacent
    # positions: then a range test (two SIMD passes) beats a gather from ``dead``.
    narrow = (hi - lo) * 4 < n_pos
    shifted = np.empty(0, np.int32)
    flag = np.empty(0, bool)
    hits: list[np.ndarray] = []
    for start, part in parts:
        n = len(part)
        if n > len(flag):
            shifted, flag = np.empty(n, np.int32), np.empty(n, bool)
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
    return np.concatenate(hits) if hits else np.empty(0, np.int64)


@dataclass(frozen=True)
class TermIds:
    """Passages as ids into their own term list (not an index's vocabulary): passage ``i``'s
    tokens are ``terms[t]`` for its ``lens[i]`` entries of ``tokens``, passage after passage.
    A batch in this form is interned term by term, not token by token."""

    terms: list[str]
    tokens: np.ndarray  # int32
    lens: np.ndarray  # int32

    @classmethod
    def of(cls, docs: Sequence[Sequence[str]]) -> TermIds:
        """Passages given as token lists."""
        local = Vocab()
        n_tok = sum(map(len, docs))
        tokens = np.fromiter(map(local.__getitem__, chain.from_iterable(docs)), np.int32, n_tok)
        return cls(list(local), tokens, np.fromiter(map(len, docs), np.int32, len(docs)))

    @classmethod
    def of_joined(cls, texts: Sequence[str]) -> TermIds:
        """Passages given as their tokens joined by single spaces (``""``: no token), as
        ``[t.split(" ") if t else [] for t in texts]`` but with one split and one lookup a
        token, and no list a passage."""
        local = Vocab()
        words = " ".join(t for t in texts if t).split(" ") if any(texts) else []
        tokens = np.fromiter(map(local.__getitem__, words), np.int32, len(words))
        lens = np.fromiter((t.count(" ") + 1 if t else 0 for t in texts), np.int32, len(texts))
        return cls(list(local), tokens, lens)

    def __len__(self) -> int:
        return len(self.lens)


@dataclass(frozen=True)
class _Chunk:
    """Postings of a run of passages being built: terms present, run lengths, offsets, tfs,
    and per term its largest tf and the shortest passage it occurs in."""

    first: int
    terms: np.ndarray
    counts: np.ndarray
    local: np.ndarray
    tfs: np.ndarray
    max_tf: np.ndarray
    min_len: np.ndarray


class Builder:
    """Postings of passages given a batch at a time, laid out as one segment at the end.

    Each batch is interned and inverted as it comes, chunk by chunk to bound the temporaries;
    only its compact postings (3 bytes each) are kept, not its token lists. So a start-up
    build can stream the whole collection from the database and build once, without folding
    a delta again and again. ``capacity`` (tokens, when known) stages the postings in two
    arrays allocated up front: one mapping the OS takes back whole once the segment is built
    (many small arrays would stay resident in the heap, so the peak would be the staging plus
    the segment plus that).
    """

    def __init__(self, base: int, vocab: Vocab, *, capacity: int = 0) -> None:
        self.base = base
        self.vocab = vocab
        self.n_docs = 0
        self._chunks: list[_Chunk] = []
        self._lens: list[np.ndarray] = []
        self._stage = (np.empty(capacity, np.uint16), np.empty(capacity, np.uint8))
        self._staged = 0

    def add(self, docs: Sequence[Sequence[str]]) -> None:
        """Intern and invert a batch of passages (positions follow the previous batch's)."""
        intern = self.vocab.__getitem__
        lens = np.fromiter(map(len, docs), dtype=np.int32, count=len(docs))
        doc_iter = iter(docs)

        def tokens(n_docs: int, _: int, n_tok: int) -> np.ndarray:
            chunk = chain.from_iterable(islice(doc_iter, n_docs))
            return np.fromiter(map(intern, chunk), np.int32, n_tok)

        self._add(lens, tokens)

    def add_term_ids(self, batch: TermIds) -> None:
        """Invert a batch of passages given as ids into their own term list: only its
        distinct terms are interned, its tokens renumbered at once."""
        remap = np.fromiter(map(self.vocab.__getitem__, batch.terms), np.int32, len(batch.terms))
        ids = remap[batch.tokens]
        self._add(batch.lens, lambda _, before, n_tok: ids[before : before + n_tok])

    def _add(self, lens: np.ndarray, tokens: Callable[[int, int, int], np.ndarray]) -> None:
        """Invert passages of these token counts, chunk by chunk; ``tokens(passages, tokens
        before, tokens)`` gives each chunk's term ids, in order."""
        cum = np.cumsum(lens, dtype=np.int64)
        start = 0
        while start < len(lens):
            tokens_before = int(cum[start - 1]) if start else 0
            stop = int(np.searchsorted(cum, tokens_before + _BUILD_CHUNK_TOKENS, side="right"))
            # Positions within a chunk are held as uint16 until the final scatter.
            stop = min(max(stop, start + 1), start + 0xFFFF)
            n_docs = stop - start
            clens = lens[start:stop]
            n_tok = int(cum[stop - 1]) - tokens_before
            key = tokens(n_docs, tokens_before, n_tok).astype(np.int64)
            key *= n_docs
            key += np.repeat(np.arange(n_docs, dtype=np.int64), clens)
            key.sort()
            if n_tok:
                first = self.base + self.n_docs + start
                self._chunks.append(self._invert(key, n_docs, clens, first))
            del key
            start = stop
        self.n_docs += len(lens)
        self._lens.append(lens)

    def finish(self, bump: TermStatsSink) -> tuple[Segment, np.ndarray]:
        """The segment of every batch, and the passages' token counts; ``bump`` hears each
        chunk's per-term statistics (only now: a build abandoned midway changed none)."""
        n_terms = len(self.vocab)
        for chunk in self._chunks:
            bump(n_terms, chunk.terms, chunk.counts, chunk.max_tf, chunk.min_len)
        lens = np.concatenate(self._lens) if self._lens else np.zeros(0, np.int32)
        chunks, self._chunks, self._lens = self._chunks, [], []
        segment = _concat_chunks(chunks, n_terms)
        self._stage = (np.empty(0, np.uint16), np.empty(0, np.uint8))
        return segment, lens

    def _staging(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Room for ``n`` postings: in the staging arrays while they last, else new arrays."""
        at = self._staged
        if at + n > len(self._stage[0]):
            return np.empty(n, np.uint16), np.empty(n, np.uint8)
        self._staged += n
        return self._stage[0][at : at + n], self._stage[1][at : at + n]

    def _invert(self, key: np.ndarray, n_docs: int, clens: np.ndarray, first: int) -> _Chunk:
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
        local, staged_tfs = self._staging(len(ukey))
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
        top_tf = int(tf.max())
        if top_tf <= 0xFF:
            tfs = staged_tfs
            tfs[:] = tf
        else:  # a term repeated 256+ times in one passage: rare, kept apart at its width
            tfs = tf.astype(tf_dtype(top_tf))
        max_tf = np.maximum.reduceat(tfs, run_starts)
        min_len = np.minimum.reduceat(clens[local], run_starts)
        return _Chunk(first, uterm, counts, local, tfs, max_tf, min_len)


def build(
    docs: Sequence[Sequence[str]], base: int, vocab: Vocab, bump: TermStatsSink
) -> tuple[Segment, np.ndarray]:
    """Intern and invert ``docs`` (positions from ``base``), chunk by chunk to bound memory.

    Returns the segment and the passages' token counts; ``bump`` hears each chunk's per-term
    statistics."""
    builder = Builder(base, vocab, capacity=sum(map(len, docs)))
    builder.add(docs)
    return builder.finish(bump)


def _concat_chunks(chunks: list[_Chunk], n_terms: int) -> Segment:
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
    return Segment(ptr, docs, tfs)
