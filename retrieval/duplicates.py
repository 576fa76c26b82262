"""Spotting re-sent text without reading it again: a MinHash signature of a passage's words.

A corrected or re-filed dispatch arrives under another slug with most of its words unchanged.
Two passages are the same text when their sets of folded words overlap by ``SIMILARITY``
(Jaccard). Comparing the word sets at question time meant re-tokenising every candidate of
every question; the signature is worked out once, when the passage is stored, and the share of
equal slots of two signatures estimates their Jaccard similarity (standard error
sqrt(J(1-J)/SLOTS): 0.07 at J = 0.8).
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Sequence

import numpy as np

from retrieval.analysis import fold, words

# Passages sharing this much of their vocabulary are the same text re-sent.
SIMILARITY = 0.8
SLOTS = 32
_rng = np.random.default_rng(20261201)  # fixed: stored signatures must stay comparable
# Multiply-shift hashing: (a*h + b) mod 2**64, its high 32 bits; a odd.
_A = _rng.integers(0, 1 << 63, size=SLOTS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _rng.integers(0, 1 << 63, size=SLOTS, dtype=np.uint64)
_SHIFT = np.uint64(32)
_WORD = re.compile(r"[^\W_]+")
_fold = functools.lru_cache(maxsize=1 << 16)(fold)


def word_set(text: str) -> frozenset[str]:
    """The folded words of a text, as the signature sees them."""
    # Case is folded on the whole text; accents only in the few words that have any.
    return frozenset(w if w.isascii() else _fold(w) for w in _WORD.findall(text.casefold()))


class _WordHashes(dict[str, int]):
    """A case-folded word -> the CRC-32 of its folded form (``word_set``), filled on first sight."""

    def __missing__(self, word: str) -> int:
        folded = word if word.isascii() else _fold(word)
        found = self[word] = zlib.crc32(folded.encode("utf-8", "surrogatepass"))
        return found


_HASHES = _WordHashes()
_MAX_CACHED_HASHES = 1 << 18


def signature(text: str) -> bytes:
    """The passage's MinHash signature (``SLOTS`` 32-bit values), empty for a text without
    words."""
    return signatures([text])[0]


def signatures(texts: Sequence[str]) -> list[bytes]:
    """The signatures of several passages (an article's), with one pass of array arithmetic.

    Each is the minimum, slot by slot, of the hashes of the text's words: a word met twice
    (or two words folding alike) hashes alike, so hashing the words before folding them into a
    set gives the signature of ``word_set``.
    """
    if len(_HASHES) > _MAX_CACHED_HASHES:
        _HASHES.clear()
    found = [set(words(text.casefold())) for text in texts]
    counts = np.fromiter(map(len, found), dtype=np.intp, count=len(found))
    if not counts.any():
        return [b""] * len(texts)
    hashes = np.fromiter(
        (h for words in found for h in map(_HASHES.__getitem__, words)),
        dtype=np.uint64,
        count=int(counts.sum()),
    )
    mixed = (_A[:, None] * hashes[None, :] + _B[:, None]) >> _SHIFT  # wraps around: mod 2**64
    starts = np.cumsum(counts) - counts
    worded = counts > 0
    lowest = np.minimum.reduceat(mixed, starts[worded], axis=1).T.astype("<u4")
    rows = iter(lowest)
    return [next(rows).tobytes() if has_words else b"" for has_words in worded]


def similarity(a: bytes, b: bytes) -> float:
    """The estimated Jaccard similarity of the word sets behind two signatures (0 when either
    is empty or they were made differently)."""
    if not a or len(a) != len(b):
        return 0.0
    left = np.frombuffer(a, dtype="<u4")
    right = np.frombuffer(b, dtype="<u4")
    return float(np.count_nonzero(left == right)) / len(left)


def is_duplicate(a: bytes, b: bytes) -> bool:
    """Whether two passages are the same text re-sent."""
    return similarity(a, b) >= SIMILARITY


def same_words(a: str, b: str) -> bool:
    """The exact check behind a signature's estimate: whether the word sets of two texts overlap
    by ``SIMILARITY``. Run only when the signatures say so, it keeps the estimate's false
    positives (two distinct dispatches about the same event) from hiding an answer."""
    left, right = word_set(a), word_set(b)
    return bool(left and right) and len(left & right) / len(left | right) >= SIMILARITY
