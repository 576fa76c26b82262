"""Exact BM25 scoring and top-k by MaxScore over the postings of a query's terms.

Impacts are computed at query time from tf and the passage's length normaliser, so nothing
score-dependent is stored. MaxScore: the terms with the largest upper bounds are scored in full
(walking their runs), the rest are looked up only for passages that can still reach the top k.
Every contribution is positive (idfs are floored above 0, weights are > 0), so an upper bound
per term (from its largest tf and shortest passage) bounds what it can add to any passage.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

_EMPTY_IDS = np.empty(0, dtype=np.int64)
_EMPTY_SCORES = np.empty(0, dtype=np.float64)


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


# Term id -> its (positions, tfs) runs, one per segment holding it.
Runs = Callable[[int], list[tuple[np.ndarray, np.ndarray]]]
# Term id, positions -> per segment holding it: (indices into the positions it occurs at, tfs).
Lookups = Callable[[int, np.ndarray], list[tuple[np.ndarray, np.ndarray]]]


@dataclass(frozen=True)
class Scorer:
    """What scoring needs of the index for one query: parameters, statistics and postings."""

    k1: float
    norm: np.ndarray  # length normaliser per position: k1 * (1 - b + b * len / avgdl)
    runs: Runs
    lookups: Lookups

    def impacts(self, weight: float, tfs: np.ndarray, norm: np.ndarray) -> np.ndarray:
        """``weight * tf * (k1 + 1) / (tf + norm)`` per posting."""
        tf = tfs.astype(np.float64)
        out = tf * (self.k1 + 1)
        out /= tf + norm
        out *= weight
        return out

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
            for where, tfs in self.lookups(tid, pos):
                scores[where] += self.impacts(weight, tfs, self.norm[pos[where]])
                matched[where] = True
        return scores, matched


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
    acc: np.ndarray,
    mark: np.ndarray,
    allowed: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Positions and scores of the top-k candidates (possibly more, ties included).

    ``acc`` and ``mark`` are zeroed scratch arrays over positions, left zeroed; ``allowed``
    (per position), when given, limits the results to those positions.
    """
    touched: list[np.ndarray] = []
    try:
        return _maxscore_into(scorer, plan, rest, k, acc, mark, allowed, touched)
    finally:  # leave the scratch arrays zeroed for the next search
        for docs in touched:
            acc[docs] = 0.0
            mark[docs] = False


def _maxscore_into(
    scorer: Scorer,
    plan: list[tuple[float, int, float]],
    rest: list[float],
    k: int,
    acc: np.ndarray,
    mark: np.ndarray,
    allowed: np.ndarray | None,
    touched: list[np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """MaxScore proper; every position it accumulates into is listed in ``touched``."""
    norm = scorer.norm
    theta = 0.0
    slack = 0.0
    done = len(plan)
    for i, (_, tid, weight) in enumerate(plan):
        if i and rest[i] < theta - slack:
            done = i
            break
        for docs, tfs in scorer.runs(tid):
            acc[docs] += scorer.impacts(weight, tfs, norm[docs])
            fresh = docs[~mark[docs]]
            mark[fresh] = True
            touched.append(fresh)
        # theta (the k-th best partial score) can only prune what is left if it may exceed
        # the bound of the remaining terms; it never can while that bound tops everything.
        if i + 1 < len(plan) and rest[i + 1] < rest[0] - rest[i + 1]:
            cand = np.concatenate(touched)
            if allowed is not None:
                cand = cand[allowed[cand]]
            if len(cand) >= k:
                partial = acc[cand]
                theta = float(np.partition(partial, len(partial) - k)[len(partial) - k])
                slack = 1e-9 * (1.0 + abs(theta))
    seen = np.concatenate(touched) if touched else _EMPTY_IDS
    cand = seen if allowed is None else seen[allowed[seen]]
    if done == len(plan):
        return cand, acc[cand]
    cand = cand[acc[cand] + rest[done] >= theta - slack]
    cand.sort()
    scores, _ = scorer.score_positions([(t, w) for _, t, w in plan[done:]], cand, acc[cand])
    return cand, scores


def top(pos_ids: np.ndarray, cand: np.ndarray, scores: np.ndarray, k: int) -> Hits:
    """The ``k`` best of the candidate positions as ids, best first, ties by smaller id."""
    if len(cand) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= kth
        cand, scores = cand[keep], scores[keep]
    ids = pos_ids[cand]
    order = np.lexsort((ids, -scores))[:k]
    return Hits(ids[order], scores[order])
