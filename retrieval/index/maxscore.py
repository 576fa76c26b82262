"""Exact BM25 scoring and top-k by MaxScore over the postings of a query's terms.

Impacts are computed at query time from tf and the passage's length normaliser, so nothing
score-dependent is stored. MaxScore: the terms with the largest upper bounds are scored in full
(walking their runs), the rest are looked up only for passages that can still reach the top k.
Every contribution is positive (idfs are floored above 0, weights are > 0), so an upper bound
per term (from its largest tf and shortest passage) bounds what it can add to any passage.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

_EMPTY_IDS = np.empty(0, dtype=np.int64)
_EMPTY_SCORES = np.empty(0, dtype=np.float64)
# Walking a run costs about as much per posting as looking a candidate up in it costs per
# candidate, twice over (measured at 1M passages): below that ratio the terms are walked.
_WALK_OR_LOOK = 2
# Impacts come from a (tf, length) table when it has at most this many cells (512 kB).
_TABLE_CELLS = 1 << 16


@dataclass(frozen=True)
class Hits:
    """Search results: passage ids, best first, and their BM25 scores."""

    ids: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


NO_HITS = Hits(_EMPTY_IDS, _EMPTY_SCORES)


def query_terms(
    query: Sequence[str],
    weights: Mapping[str, float] | None,
    vocab: Mapping[str, int],
    df: np.ndarray,
) -> list[tuple[int, float]]:
    """(term id, summed weight of its query tokens) for terms with live postings, in order.

    A token weighs ``weights.get(token, 1.0)`` (duplicates count again); terms weighing 0 are
    left out, as if absent from the query.
    """
    counts: dict[int, float] = {}
    get = vocab.get  # not [], which would add the term to the vocabulary
    for token in query:
        w = 1.0 if weights is None else float(weights.get(token, 1.0))
        if not (w >= 0.0 and math.isfinite(w)):
            # MaxScore's bounds assume every term adds a non-negative amount.
            raise ValueError(f"query term {token!r} has weight {w}: weights must be >= 0")
        tid = get(token)
        if tid is not None and w > 0.0 and df[tid] > 0:
            counts[tid] = counts.get(tid, 0.0) + w
    return list(counts.items())


def floored_idf(df: np.ndarray, n_live: int, epsilon: float) -> np.ndarray:
    """Per term, rank-bm25's idf with its floor (and the tiny-corpus rule: see the package)."""
    n = float(n_live)
    dff = df.astype(np.float64)
    idf = np.log(n - dff + 0.5) - np.log(dff + 0.5)
    present = df > 0
    n_present = int(np.count_nonzero(present))
    average_idf = float(idf[present].sum()) / n_present if n_present else 0.0
    floor = epsilon * average_idf
    if floor > 0:
        idf[idf < 0] = floor
    else:  # tiny-corpus rule: every matched term adds a positive amount
        floor = epsilon * abs(average_idf) or epsilon
        idf[idf <= 0] = floor
    return idf


def bm25_tf_part(tf: float, length: float, avgdl: float, k1: float, b: float) -> float:
    """``tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgdl))``, for one posting."""
    return tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgdl))


class Postings(Protocol):
    """A segment's postings as scoring reads them (``Segment``, ``PackedSegment``)."""

    def run_length(self, tid: int) -> int:
        """How many postings term ``tid`` has here."""
        ...

    def gather(self, tids: Sequence[int]) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """The terms' runs one after another (positions, tfs) and each term's count."""
        ...

    def lookup(self, tid: int, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Which of ``pos`` the term occurs at (indices into ``pos``) and its tfs there."""
        ...


class Scorer:
    """What scoring needs of the index for one query: parameters, statistics and postings."""

    __slots__ = ("k1", "lens", "norm_of_len", "segments", "tf_part")

    def __init__(
        self,
        k1: float,
        lens: np.ndarray,
        norm_of_len: np.ndarray,
        tf_part: np.ndarray | None,
        segments: Sequence[Postings],
    ) -> None:
        self.k1 = k1
        self.lens = lens  # token count per position
        self.norm_of_len = norm_of_len  # k1 * (1 - b + b * len / avgdl) by length
        self.tf_part = tf_part  # tf * (k1 + 1) / (tf + norm) by tf * len(norm_of_len) + length
        self.segments = segments  # those holding postings, positions ascending between them

    def run_length(self, tid: int) -> int:
        """How many postings term ``tid`` has, over every segment."""
        return sum(seg.run_length(tid) for seg in self.segments)

    def impacts(self, weight: float | np.ndarray, tfs: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """``weight * tf * (k1 + 1) / (tf + norm)`` per posting at positions ``docs`` (one
        weight, or one per posting)."""
        lens = self.lens.take(docs)
        if self.tf_part is not None:
            # Looked up, not computed: the same operations made the table, so the same bits.
            cell = np.multiply(tfs, len(self.norm_of_len), dtype=np.intp)
            cell += lens
            out = self.tf_part.take(cell)
        else:
            tf = tfs.astype(np.float64)
            out = tf * (self.k1 + 1)
            out /= tf + self.norm_of_len.take(lens)
        out *= weight
        return out

    def walk(
        self, terms: Sequence[tuple[int, float]], allowed: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """Every posting of the (term id, weight) pairs, at ``allowed`` positions if given:
        positions, weighted impacts, and how many ascending runs they come in (term by term
        in each segment, the terms in the order given)."""
        weights = [w for _, w in terms]
        tids = [t for t, _ in terms]
        parts = [seg.gather(tids) for seg in self.segments]
        runs = sum(map(bool, itertools.chain.from_iterable(p[2] for p in parts)))
        weight: float | np.ndarray
        if len(parts) == 1:
            docs, tfs, counts = parts[0]
            weight = weights[0] if len(weights) == 1 else np.repeat(weights, counts)
        else:
            docs = np.concatenate([p[0] for p in parts])
            tfs = np.concatenate([p[1] for p in parts])
            weight = np.concatenate([np.repeat(weights, p[2]) for p in parts])
        if allowed is not None:
            keep = allowed.take(docs)
            docs, tfs = docs[keep], tfs[keep]
            if isinstance(weight, np.ndarray):
                weight = weight[keep]
        return docs, self.impacts(weight, tfs, docs), runs

    def score_positions(
        self,
        terms: Sequence[tuple[int, float]],
        pos: np.ndarray,
        scores: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores of the passages at ``pos`` for (term id, weight) pairs (added to ``scores``
        when given), and whether each holds one of the terms."""
        if scores is None:
            scores = np.zeros(len(pos), np.float64)
        matched = np.zeros(len(pos), bool)
        for tid, weight in terms:
            for seg in self.segments:
                found = seg.lookup(tid, pos)
                if found is not None:
                    where, tfs = found
                    scores[where] += self.impacts(weight, tfs, pos[where])
                    matched[where] = True
        return scores, matched


def tf_part_table(k1: float, norm_of_len: np.ndarray, max_tf: int) -> np.ndarray | None:
    """``tf * (k1 + 1) / (tf + norm)`` for every tf up to ``max_tf`` and every length, flat;
    None when that would be large."""
    if (max_tf + 1) * len(norm_of_len) > _TABLE_CELLS:
        return None
    tf = np.arange(max_tf + 1, dtype=np.float64)[:, None]
    out = tf * (k1 + 1)
    out = out / (tf + norm_of_len[None, :])
    return out.ravel()


def plan(
    terms: Sequence[tuple[int, float]],
    bounds: Sequence[float],
) -> tuple[list[tuple[float, int, float]], list[float]]:
    """(bound, term id, weight) by decreasing bound, and the sum of the bounds from each on."""
    order = sorted(
        ((bound, tid, weight) for (tid, weight), bound in zip(terms, bounds, strict=True)),
        key=lambda p: -p[0],
    )
    rest = [0.0] * (len(order) + 1)
    for i in range(len(order) - 1, -1, -1):
        rest[i] = rest[i + 1] + order[i][0]
    return order, rest


def maxscore(
    scorer: Scorer,
    plan: list[tuple[float, int, float]],
    rest: list[float],
    k: int,
    allowed: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Positions and scores of the top-k candidates (possibly more, ties included).

    ``allowed`` (per position), when given, limits the results to those positions.

    The terms scored in full are merged run by run into one sorted array of positions and
    their partial scores: a query touches a few thousand postings, and merging them costs
    less than scattering into an array over every passage (each posting a cache miss).
    """
    docs = np.empty(0, np.int32)
    scores = np.empty(0, np.float64)
    n = len(plan)
    lengths = [scorer.run_length(t) for _, t, _ in plan]
    after = [0] * (n + 1)  # postings of the terms from each on
    for i in range(n - 1, -1, -1):
        after[i] = after[i + 1] + lengths[i]
    done = 0
    while done < n:
        # Stop scoring in full once the remaining terms cannot lift a passage none of the
        # terms so far holds into the top k, unless their runs are so short that walking them
        # costs less than looking the candidates up in them.
        if done and after[done] > _WALK_OR_LOOK * len(docs) and _can_stop(scores, rest[done], k):
            break
        # The next terms are walked together (one merge) up to the first point where a stop
        # could pay: the terms walked can outscore the rest's bounds, and the rest's runs are
        # long next to the postings walked (which bound the candidates).
        stop = done + 1
        walked = len(docs) + lengths[done]
        while stop < n and (
            rest[0] - rest[stop] <= rest[stop] or after[stop] <= _WALK_OR_LOOK * walked
        ):
            walked += lengths[stop]
            stop += 1
        more, impacts, runs = scorer.walk([(t, w) for _, t, w in plan[done:stop]], allowed)
        docs, scores = _merge_sum(docs, scores, more, impacts, runs)
        done = stop
    if done == len(plan) or len(docs) == 0:
        return docs, scores
    # Passages without a term scored in full score at most rest[done] < theta: not in the
    # top k. Of the others, only those that can still reach theta are looked up.
    theta = _kth(scores, k)
    keep = scores + rest[done] >= theta - _slack(theta)
    docs = docs[keep]
    scores, _ = scorer.score_positions([(t, w) for _, t, w in plan[done:]], docs, scores[keep])
    return docs, scores


def _kth(scores: np.ndarray, k: int) -> float:
    """The k-th largest of ``scores`` (at least k of them)."""
    return float(np.partition(scores, len(scores) - k)[len(scores) - k])


def _slack(theta: float) -> float:
    """Float tolerance on pruning comparisons: sums in another order may differ by ulps."""
    return 1e-9 * (1.0 + abs(theta))


def _can_stop(scores: np.ndarray, rest: float, k: int) -> bool:
    """Whether k passages already beat ``rest``, the most the remaining terms can add to a
    passage: then theta (the k-th best score) exceeds it, and passages none of the terms
    scored so far hold cannot make the top k."""
    if len(scores) < k:
        return False
    return int(np.count_nonzero(scores > rest + _slack(rest))) >= k


def _merge_sum(
    docs: np.ndarray, scores: np.ndarray, more: np.ndarray, impacts: np.ndarray, runs: int
) -> tuple[np.ndarray, np.ndarray]:
    """Union of ascending ``docs`` and ``more`` (``runs`` ascending runs one after another),
    the scores of a position in both added up."""
    if len(more) == 0:
        return docs, scores
    if len(docs) == 0 and runs <= 1:
        return more, impacts
    both = np.concatenate((docs, more)) if len(docs) else more
    # A stable sort of sorted runs is a merge of them (timsort); a position in several runs
    # comes out once per run, in run order.
    order = both.argsort(kind="stable")
    both = both.take(order)
    summed = (np.concatenate((scores, impacts)) if len(docs) else impacts).take(order)
    new = np.empty(len(both), bool)
    new[0] = True
    np.not_equal(both[1:], both[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    if len(starts) == len(both):  # no position twice
        return both, summed
    # Every passage holding the same terms has them summed in the same order (term order,
    # segment by segment), so equal scores stay equal and ties fall to the smaller id.
    return both.take(starts), np.add.reduceat(summed, starts)


def top(pos_ids: np.ndarray, cand: np.ndarray, scores: np.ndarray, k: int) -> Hits:
    """The ``k`` best of the candidate positions as ids, best first, ties by smaller id."""
    if len(cand) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= kth
        cand, scores = cand[keep], scores[keep]
    ids = pos_ids.take(cand).astype(np.int64, copy=False)
    order = np.lexsort((ids, -scores))[:k]
    return Hits(ids[order], scores[order])
