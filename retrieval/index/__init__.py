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

Modules: ``segment`` (postings: building, merging, compacting), ``maxscore`` (exact scoring
and top-k search), ``store`` (the saved file), ``bm25_index`` (the index kept up to date:
membership, additions, removals, folds, statistics).
"""

from retrieval.index.bm25_index import BM25Index
from retrieval.index.maxscore import Hits
from retrieval.index.segment import TermIds

__all__ = ["BM25Index", "Hits", "TermIds"]
