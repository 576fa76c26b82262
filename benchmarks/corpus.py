"""Deterministic synthetic corpus and queries of issue 6: Zipf vocabulary, ~60-token passages."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

VOCAB = 200_000
ZIPF_S = 1.1
MEAN_LEN = 60


@dataclass(frozen=True)
class Corpus:
    """Passages (token lists) under ids, plus passages held back to time additions."""

    ids: list[int]
    docs: list[list[str]]
    extra_ids: list[int]
    extra_docs: list[list[str]]


def term(rank: int) -> str:
    """The token of vocabulary rank ``rank`` (0 is the most frequent)."""
    return f"w{rank}"


def _draw_docs(rng: np.random.Generator, n: int, words: np.ndarray, cdf: np.ndarray) -> list:
    lens = np.clip(rng.normal(MEAN_LEN, 15, size=n).round(), 8, 140).astype(np.int64)
    ranks = np.searchsorted(cdf, rng.random(int(lens.sum())), side="right")
    tokens = words[np.minimum(ranks, len(words) - 1)]
    bounds = np.cumsum(lens)[:-1].tolist()
    return [part.tolist() for part in np.split(tokens, bounds)]


def make_corpus(n: int, *, n_extra: int = 100, seed: int = 6) -> Corpus:
    """``n`` passages (ids 1..n), and ``n_extra`` more to add afterwards."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, VOCAB + 1, dtype=np.float64) ** ZIPF_S
    cdf = np.cumsum(p / p.sum())
    words = np.array([term(r) for r in range(VOCAB)], dtype=object)
    docs = _draw_docs(rng, n + n_extra, words, cdf)
    ids = list(range(1, n + n_extra + 1))
    return Corpus(ids[:n], docs[:n], ids[n:], docs[n:])


def make_queries(n: int = 200, *, seed: int = 60) -> list[list[str]]:
    """2-5 terms of ranks 200-20,000; about 30% also carry one common term of rank 10-200."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        ranks = rng.integers(200, 20_000, size=int(rng.integers(2, 6))).tolist()
        if rng.random() < 0.3:
            ranks.insert(int(rng.integers(0, len(ranks) + 1)), int(rng.integers(10, 200)))
        out.append([term(r) for r in ranks])
    return out
