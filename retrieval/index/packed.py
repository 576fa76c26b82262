"""The main segment's postings packed: positions as 16-bit offsets in blocks of 16.

A term with many postings ("narrow") keeps, per block of ``BLOCK`` consecutive postings, the
first position as a 32-bit skip and every position as its 16-bit offset from that skip: 2.25
bytes a posting instead of 4. Its run is padded to whole blocks (padding reads ``_PAD``, which
no real offset equals), so block ``j`` of a run starting at ``offs[loc]`` has its skip at
``skips[loc // BLOCK + j]``. A term whose postings are few or spread too far apart for 16 bits
("wide") keeps plain 32-bit positions. Term frequencies stay one array in posting order, as in
:class:`~retrieval.index.segment.Segment`, so ``ptr`` means the same in both.

Decoding is exact (positions are integers), so scores do not change; only the layout does.
Packing and unpacking go a few million postings at a time to bound their temporaries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from retrieval.index import segment
from retrieval.index.segment import Segment, dead_hits

BLOCK = 16  # _count_below reads a block's 16 comparisons as two 8-byte words
_PAD = 0xFFFF  # real offsets are below it: a block spans fewer than 0xFFFF positions
_CHUNK_POSTINGS = 1 << 20  # 8 MB per int64 temporary
_POPCOUNT = getattr(np, "bitwise_count", None)
_UNSIGNED = {4: np.dtype(np.uint32), 8: np.dtype(np.uint64)}  # by the byte width of a position


class PackedSegment:
    """Postings of ``ptr``/``tfs`` as a Segment, positions packed (see the module)."""

    __slots__ = ("loc", "offs", "ptr", "skips", "tfs", "wide")

    def __init__(
        self,
        ptr: np.ndarray,
        tfs: np.ndarray,
        loc: np.ndarray,
        offs: np.ndarray,
        skips: np.ndarray,
        wide: np.ndarray,
    ) -> None:
        self.ptr = ptr
        self.tfs = tfs
        # Per term: where its run starts, in offs (>= 0, narrow) or in wide (~start, < 0).
        self.loc = loc
        self.offs = offs
        self.skips = skips
        self.wide = wide

    def __len__(self) -> int:
        return len(self.tfs)

    def arrays(self) -> tuple[np.ndarray, ...]:
        return self.ptr, self.tfs, self.loc, self.offs, self.skips, self.wide

    def run_length(self, tid: int) -> int:
        if tid + 1 >= len(self.ptr):
            return 0
        return int(self.ptr[tid + 1]) - int(self.ptr[tid])

    def gather(self, tids: Sequence[int]) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """The runs of terms ``tids`` one after another: positions (int32), term frequencies,
        and each term's posting count (0 where it has none here).

        The packed runs are decoded together (their blocks gathered, then one addition of the
        skips), so a query pays a handful of array operations, not a handful per term.
        """
        ptr, loc, n_ptr = self.ptr, self.loc, len(self.ptr)
        spans = [(int(ptr[t]), int(ptr[t + 1])) if t + 1 < n_ptr else (0, 0) for t in tids]
        counts = [hi - lo for lo, hi in spans]
        starts = [int(loc[t]) if hi > lo else 0 for t, (lo, hi) in zip(tids, spans, strict=True)]
        offs_parts, skip_parts = [], []
        for (lo, hi), at in zip(spans, starts, strict=True):
            if hi > lo and at >= 0:
                blocks = -(-(hi - lo) // BLOCK)
                offs_parts.append(self.offs[at : at + blocks * BLOCK])
                skip_parts.append(self.skips[at // BLOCK : at // BLOCK + blocks])
        narrow = np.empty(0, np.int32)
        if offs_parts:
            offs = np.concatenate(offs_parts) if len(offs_parts) > 1 else offs_parts[0]
            skips = np.concatenate(skip_parts) if len(skip_parts) > 1 else skip_parts[0]
            narrow = np.add(offs.reshape(-1, BLOCK), skips[:, None], dtype=np.int32).ravel()
        # In term order: each narrow run is a prefix of its padded slots in ``narrow``.
        docs_parts, tf_parts = [], []
        cursor = 0
        for (lo, hi), at in zip(spans, starts, strict=True):
            n = hi - lo
            if n == 0:
                continue
            if at >= 0:
                docs_parts.append(narrow[cursor : cursor + n])
                cursor += -(-n // BLOCK) * BLOCK
            else:
                docs_parts.append(self.wide[~at : ~at + n])
            tf_parts.append(self.tfs[lo:hi])
        if len(docs_parts) == 1:
            return docs_parts[0], tf_parts[0], counts
        if not docs_parts:
            return narrow, self.tfs[:0], counts
        return np.concatenate(docs_parts), np.concatenate(tf_parts), counts

    def lookup(self, tid: int, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Which of the positions ``pos`` term ``tid`` occurs at (indices into ``pos``), and
        its term frequencies there; None when none."""
        if tid + 1 >= len(self.ptr):
            return None
        lo, hi = int(self.ptr[tid]), int(self.ptr[tid + 1])
        if lo == hi:
            return None
        at = int(self.loc[tid])
        if at < 0:
            docs = self.wide[~at : ~at + hi - lo]
            j = np.searchsorted(docs, pos)
            j[j == len(docs)] = 0
            where = np.flatnonzero(docs[j] == pos)
        else:
            first = at // BLOCK
            skips = self.skips[first : first + -(-(hi - lo) // BLOCK)]
            block = skips.searchsorted(pos, side="right")
            block -= 1
            np.maximum(block, 0, out=block)
            rel = pos - skips.take(block)
            # Only a candidate within 16 bits past its block's skip can be in the block (one
            # before the run's first skip comes out negative: huge, as unsigned).
            near = np.flatnonzero(rel.view(_UNSIGNED[rel.dtype.itemsize]) < _PAD)
            block = block.take(near)
            # Each candidate's block, as a row of 16 sorted offsets: where it would go in the
            # row (how many offsets are below it) is where it is, if it is there at all.
            rows = self.offs.reshape(-1, BLOCK).take(block + first, axis=0)
            want = rel.take(near).astype(np.uint16)
            lane = _count_below(rows, want)
            np.minimum(lane, BLOCK - 1, out=lane)
            slot = np.arange(0, len(near) * BLOCK, BLOCK)
            slot += lane
            hit = rows.ravel().take(slot) == want
            where = near[hit]
            j = block[hit] * BLOCK + lane[hit]
        if len(where) == 0:
            return None
        return where, self.tfs[lo + j[where] if at < 0 else lo + j]

    def dead_postings(self, dead: np.ndarray, lo: int, hi: int, n_pos: int) -> np.ndarray:
        """Per term, how many of its postings here are at ``dead`` positions (all in lo..hi)."""
        n_terms = len(self.ptr) - 1
        counts = np.zeros(n_terms, np.int64)
        step = max(BLOCK, segment.SCAN_STEP // BLOCK * BLOCK)
        offs, skips = self.offs, self.skips

        def narrow_parts() -> Iterator[tuple[int, np.ndarray]]:
            for at in range(0, len(offs), step):
                block = offs[at : at + step].reshape(-1, BLOCK)
                first = at // BLOCK
                docs = np.add(block, skips[first : first + len(block), None], dtype=np.int32)
                # Padding decodes past the real positions: keep it in range, drop it below.
                np.minimum(docs, np.int32(len(dead) - 1), out=docs)
                yield at, docs.ravel()

        slots = dead_hits(narrow_parts(), dead, lo, hi, n_pos)
        slots = slots[offs[slots] != _PAD]  # padding decodes to a position too: not a posting
        terms = np.flatnonzero(self.loc >= 0)
        if len(slots):
            owner = terms[np.searchsorted(self.loc[terms], slots, side="right") - 1]
            counts += np.bincount(owner, minlength=n_terms)
        wide = self.wide
        parts = ((at, wide[at : at + step]) for at in range(0, len(wide), step))
        spots = dead_hits(parts, dead, lo, hi, n_pos)
        if len(spots):
            terms = np.flatnonzero(self.loc < 0)
            starts = ~self.loc[terms]  # ascending with the term id, like the narrow starts
            owner = terms[np.searchsorted(starts, spots, side="right") - 1]
            counts += np.bincount(owner, minlength=n_terms)
        return counts

    def position_chunks(self) -> Iterator[tuple[int, np.ndarray]]:
        """(first posting, positions) of consecutive slices covering every posting in order."""
        for t0, t1 in _term_chunks(self.ptr):
            yield int(self.ptr[t0]), self._decode(t0, t1)

    def unpack(self) -> Segment:
        """The same postings as a plain segment (int32 positions)."""
        docs = np.empty(len(self.tfs), np.int32)
        for start, part in self.position_chunks():
            docs[start : start + len(part)] = part
        return Segment(self.ptr, docs, self.tfs)

    def _decode(self, t0: int, t1: int) -> np.ndarray:
        """Positions of the postings of terms t0..t1-1, in order."""
        lens, index = _run_index(self.ptr, t0, t1)
        at = np.repeat(self.loc[t0:t1], lens)
        out = np.empty(len(index), np.int32)
        narrow = at >= 0
        slot = at[narrow] + index[narrow]
        out[narrow] = self.offs[slot] + self.skips[slot // BLOCK]
        wide = ~narrow
        out[wide] = self.wide[~at[wide] + index[wide]]
        return out


def _count_below(rows: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Per row of ``BLOCK`` offsets, how many are below ``want``'s value for the row."""
    below = np.less(rows, want[:, None])
    if _POPCOUNT is None:  # NumPy < 2
        return np.count_nonzero(below, axis=1)
    # 16 bools are two 8-byte words of 0/1 bytes: a popcount each beats a reduction by row.
    counts = _POPCOUNT(below.view(np.uint64))
    return counts[:, 0] + counts[:, 1]


def _term_chunks(ptr: np.ndarray) -> Iterator[tuple[int, int]]:
    """Ranges of terms holding about ``_CHUNK_POSTINGS`` postings each (one huge term alone)."""
    n_terms = len(ptr) - 1
    t0 = 0
    while t0 < n_terms:
        t1 = int(np.searchsorted(ptr, int(ptr[t0]) + _CHUNK_POSTINGS, side="right")) - 1
        t1 = min(max(t1, t0 + 1), n_terms)
        yield t0, t1
        t0 = t1


def _run_index(ptr: np.ndarray, t0: int, t1: int) -> tuple[np.ndarray, np.ndarray]:
    """Run lengths of terms t0..t1-1, and each of their postings' index within its run."""
    lens = np.diff(ptr[t0 : t1 + 1])
    total = int(ptr[t1] - ptr[t0])
    index = np.arange(total, dtype=np.int64)
    index -= np.repeat(ptr[t0:t1] - ptr[t0], lens)
    return lens, index


def _narrow_terms(seg: Segment) -> np.ndarray:
    """Per term, whether its run can be packed: padding to whole blocks costs less than the
    16-bit offsets save, and every block spans less than 16 bits."""
    runs = np.diff(seg.ptr)
    padded = -(-runs // BLOCK) * BLOCK
    out = 9 * padded < 16 * runs  # 2.25 B per padded slot against 4 B per posting
    for t0, t1 in _term_chunks(seg.ptr):
        lens = runs[t0:t1]
        if not out[t0:t1].any():
            continue
        blocks = -(-lens // BLOCK)
        base = int(seg.ptr[t0])
        first_block = np.cumsum(blocks) - blocks
        n_blocks = int(blocks.sum())
        in_run = np.arange(n_blocks, dtype=np.int64) - np.repeat(first_block, blocks)
        start = np.repeat(seg.ptr[t0:t1] - base, blocks) + in_run * BLOCK
        end = np.minimum(start + BLOCK, np.repeat(seg.ptr[t0 + 1 : t1 + 1] - base, blocks)) - 1
        docs = seg.docs[base : int(seg.ptr[t1])]
        span = docs[end].astype(np.int64) - docs[start]
        has = blocks > 0
        widest = np.zeros(t1 - t0, np.int64)
        widest[has] = np.maximum.reduceat(span, first_block[has])
        out[t0:t1] &= widest < _PAD
    return out


def pack(seg: Segment) -> PackedSegment:
    """``seg``'s postings packed (positions exact; see the module)."""
    ptr = seg.ptr
    runs = np.diff(ptr)
    narrow = _narrow_terms(seg)
    padded = np.where(narrow, -(-runs // BLOCK) * BLOCK, 0)
    plain = np.where(narrow, 0, runs)
    loc = np.cumsum(padded) - padded
    wide_at = np.cumsum(plain) - plain
    loc[~narrow] = ~wide_at[~narrow]
    offs = np.full(int(padded.sum()), _PAD, np.uint16)
    skips = np.empty(len(offs) // BLOCK, np.int32)
    wide = np.empty(int(plain.sum()), np.int32)
    for t0, t1 in _term_chunks(ptr):
        lens, index = _run_index(ptr, t0, t1)
        docs = seg.docs[int(ptr[t0]) : int(ptr[t1])]
        at = np.repeat(loc[t0:t1], lens)
        is_narrow = at >= 0
        slot = at[is_narrow] + index[is_narrow]
        narrow_docs = docs[is_narrow]
        heads = slot % BLOCK == 0
        skips[slot[heads] // BLOCK] = narrow_docs[heads]
        offs[slot] = narrow_docs - skips[slot // BLOCK]
        is_wide = ~is_narrow
        wide[~at[is_wide] + index[is_wide]] = docs[is_wide]
    return PackedSegment(ptr, seg.tfs, loc, offs, skips, wide)


def is_consistent(seg: PackedSegment) -> bool:
    """Whether a loaded segment's arrays fit together (lengths and run locations)."""
    n_terms = len(seg.ptr) - 1
    if len(seg.loc) != n_terms or int(seg.ptr[-1]) != len(seg.tfs):
        return False
    if len(seg.offs) != len(seg.skips) * BLOCK:
        return False
    runs = np.diff(seg.ptr)
    narrow = seg.loc >= 0
    ends = np.where(narrow, seg.loc + -(-runs // BLOCK) * BLOCK, ~seg.loc + runs)
    limit = np.where(narrow, len(seg.offs), len(seg.wide))
    return bool(np.all(ends <= limit) and np.all(seg.loc[narrow] % BLOCK == 0))
