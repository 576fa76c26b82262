"""Dépêche's BM25 index against rank-bm25, bm25s and tantivy on the synthetic corpus of issue 6.

Run ``python -m benchmarks.bench_search [--quick] [--sizes 10000,100000,1000000]``. Peers that
are not installed are skipped with a note. rank-bm25 scores every passage per query, so on large
corpora only a sample of the queries is timed for it (said in the output); that sample is also
where Dépêche's top-10 is checked against rank-bm25's.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import importlib.util
import os
import platform
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.corpus import Corpus, make_corpus, make_queries
from retrieval.index import BM25Index

K = 10


def _rss() -> int:
    """Resident set size in bytes (Linux /proc; 0 where unavailable)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def _trim() -> None:
    """Collect garbage and hand freed heap back to the OS, so RSS deltas mean something."""
    gc.collect()
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class _PeakRss:
    """Samples RSS in a thread while a block runs; ``peak`` is the largest value seen."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss())
            time.sleep(0.005)

    def __enter__(self) -> _PeakRss:
        self.peak = _rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())


@dataclass
class Row:
    """One engine's figures at one corpus size."""

    engine: str
    passages: int
    build_s: float = float("nan")
    bytes_per_passage: float = float("nan")
    peak_build_bytes_per_passage: float = float("nan")
    p50_ms: float = float("nan")
    p95_ms: float = float("nan")
    add100_ms: float = float("nan")
    timed_queries: int = 0
    notes: list[str] = field(default_factory=list)


class Engine:
    """A search library under test: build, top-k search, optional incremental add."""

    name = "?"
    module: str | None = None

    def available(self) -> bool:
        return self.module is None or importlib.util.find_spec(self.module) is not None

    def build(self, ids: Sequence[int], docs: Sequence[Sequence[str]]) -> None:
        raise NotImplementedError

    def search(self, query: Sequence[str]) -> list[int]:
        raise NotImplementedError

    def add(self, ids: Sequence[int], docs: Sequence[Sequence[str]]) -> None:
        raise NotImplementedError

    def own_bytes(self) -> int | None:
        """The engine's own account of its memory, when it has one."""
        return None


class Depeche(Engine):
    name = "Dépêche"

    def build(self, ids: Sequence[int], docs: Sequence[Sequence[str]]) -> None:
        self.index = BM25Index()
        self.index.add(ids, docs)

    def search(self, query: Sequence[str]) -> list[int]:
        return self.index.search(query, K).ids.tolist()

    def add(self, ids: Sequence[int], docs: Sequence[Sequence[str]]) -> None:
        self.index.add(ids, docs)

    def own_bytes(self) -> int | None:
        return self.index.memory_bytes()


class RankBM25(Engine):
    name = "rank-bm25"
    module = "rank_bm25"

    def build(self, ids: Sequence[int], docs: Sequence[Sequence[str]]) -> None:
        from rank_bm25 import BM25Okapi

        self.ids = np.asarray(ids, dtype=np.int64)
        self.docs = docs
        self.bm25 = BM25Okapi(docs)

    def top(self, query: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Top-k ids and scores under the index's rule: matched passages, ties by smaller id."""
        scores = self.bm25.get_scores(query)
        terms = set(query)
        # Passages with a query term; a zero score can still be a match (idf exactly 0).
        matched = np.flatnonzero(
            np.fromiter((not terms.isdisjoint(d) for d in self.bm25.doc_freqs), bool)
        )
        order = np.lexsort((self.ids[matched], -scores[matched]))[:K]
        return self.ids[matched][order], scores[matched][order]

    def search(self, query: Sequence[str]) -> list[int]:
        scores = self.bm25.get_scores(query)
        best = np.argpartition(-scores, K)[:K]  # what a user of rank-bm25 would time
        return self.ids[best[np.argsort(-scores[best])]].tolist()


class Bm25s(Engine):
    name = "bm25s"
    module = "bm25s"

    def build(self, ids: Sequence[int], docs: Sequence[Sequence[str]]) -> None:
        import bm25s

        self.ids = np.asarray(ids, dtype=np.int64)
        # Its fastest single-thread set-up: the numba backend whenever numba is installed.
        self.retriever = bm25s.BM25(k1=1.5, b=0.75, backend="auto")
        self.retriever.index([list(d) for d in docs], show_progress=False)
        self.note = f"{self.retriever.backend} backend"

    def search(self, query: Sequence[str]) -> list[int]:
        known = [t for t in query if t in self.retriever.vocab_dict]
        if not known:
            return []
        found, _ = self.retriever.retrieve([known], k=K, show_progress=False, n_threads=0)
        return self.ids[found[0]].tolist()


class Tantivy(Engine):
    name = "tantivy"
    module = "tantivy"

    def build(self, ids: Sequence[int], docs: Sequence[Sequence[str]]) -> None:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("id", stored=True, fast=True)
        builder.add_text_field("body", stored=False, tokenizer_name="whitespace")
        self.schema = builder.build()
        self.tantivy = tantivy
        self.idx = tantivy.Index(self.schema)
        self.writer = self.idx.writer(heap_size=512_000_000, num_threads=1)
        self._write(ids, docs)

    def _write(self, ids: Sequence[int], docs: Sequence[Sequence[str]]) -> None:
        for id_, doc in zip(ids, docs, strict=True):
            self.writer.add_document(self.tantivy.Document(id=id_, body=" ".join(doc)))
        self.writer.commit()
        self.writer.wait_merging_threads()
        self.writer = self.idx.writer(heap_size=512_000_000, num_threads=1)
        self.idx.reload()
        self.searcher = self.idx.searcher()

    def search(self, query: Sequence[str]) -> list[int]:
        tv = self.tantivy
        q = tv.Query.boolean_query(
            [(tv.Occur.Should, tv.Query.term_query(self.schema, "body", t)) for t in query]
        )
        result = self.searcher.search(q, K)
        return [self.searcher.doc(addr)["id"][0] for _, addr in result.hits]

    def add(self, ids: Sequence[int], docs: Sequence[Sequence[str]]) -> None:
        self._write(ids, docs)


def _percentiles(times: list[float]) -> tuple[float, float]:
    ms = np.array(times) * 1e3
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def _time_queries(search: Callable[[Sequence[str]], Any], queries: list[list[str]]) -> list[float]:
    for q in queries[: min(5, len(queries))]:  # warm caches and lazy statistics
        search(q)
    times = []
    for q in queries:
        start = time.perf_counter()
        search(q)
        times.append(time.perf_counter() - start)
    return times


def run_engine(
    engine: Engine, corpus: Corpus, queries: list[list[str]], *, incremental: bool
) -> Row:
    """Build, time the queries, then time adding 100 passages (and the first search after)."""
    n = len(corpus.ids)
    row = Row(engine.name, n)
    _trim()
    before = _rss()
    with _PeakRss() as peak:
        start = time.perf_counter()
        engine.build(corpus.ids, corpus.docs)
        row.build_s = time.perf_counter() - start
    _trim()
    own = engine.own_bytes()
    rss = _rss() - before
    row.bytes_per_passage = (own if own is not None else rss) / n
    row.peak_build_bytes_per_passage = (peak.peak - before) / n
    if own is not None:
        row.notes.append(f"RSS grew {rss / n:.0f} B/passage")
    times = _time_queries(engine.search, queries)
    row.p50_ms, row.p95_ms = _percentiles(times)
    row.timed_queries = len(queries)
    if incremental:
        start = time.perf_counter()
        engine.add(corpus.extra_ids, corpus.extra_docs)
        engine.search(queries[0])
        row.add100_ms = (time.perf_counter() - start) * 1e3
    return row


def check_parity(index: BM25Index, ref: RankBM25, queries: list[list[str]]) -> tuple[int, float]:
    """(queries whose top-10 ids equal rank-bm25's, largest score difference seen)."""
    same, worst = 0, 0.0
    for q in queries:
        want_ids, want_scores = ref.top(q)
        hits = index.search(q, K)
        same += hits.ids.tolist() == want_ids.tolist()
        if len(hits.scores) == len(want_scores):
            worst = max(worst, float(np.max(np.abs(hits.scores - want_scores), initial=0.0)))
        else:
            worst = float("inf")
    return same, worst


def startup(index: BM25Index, query: Sequence[str]) -> tuple[float, float, int]:
    """(save s, load-and-first-search s, file bytes) through a temporary file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.index"
        start = time.perf_counter()
        index.save(path)
        saved = time.perf_counter() - start
        start = time.perf_counter()
        loaded = BM25Index.load(path)
        loaded.search(query, K)
        ready = time.perf_counter() - start
        return saved, ready, path.stat().st_size


def batched_build(corpus: Corpus, batch: int = 5_000) -> tuple[float, float]:
    """(total s, slowest add s) building by adds of ``batch`` passages, as the bot catches up."""
    index = BM25Index()
    slowest = 0.0
    start = time.perf_counter()
    for at in range(0, len(corpus.ids), batch):
        one = time.perf_counter()
        index.add(corpus.ids[at : at + batch], corpus.docs[at : at + batch])
        slowest = max(slowest, time.perf_counter() - one)
    return time.perf_counter() - start, slowest


def time_merge(index: BM25Index, corpus: Corpus, query: Sequence[str]) -> float:
    """Seconds to fold the delta (the extra passages and some removals) into the main segment."""
    index.add(corpus.extra_ids, corpus.extra_docs)
    index.remove(corpus.ids[:100])
    start = time.perf_counter()
    index.merge()
    index.search(query, K)
    elapsed = time.perf_counter() - start
    index.remove(corpus.extra_ids)
    index.add(corpus.ids[:100], corpus.docs[:100])
    return elapsed


def bench_size(n: int, queries: list[list[str]], rank_sample: int, out: list[Row]) -> None:
    print(f"\n== {n:,} passages ==", flush=True)
    start = time.perf_counter()
    corpus = make_corpus(n)
    print(f"corpus generated in {time.perf_counter() - start:.1f} s", flush=True)
    rows: list[Row] = []
    dep = Depeche()
    rows.append(run_engine(dep, corpus, queries, incremental=True))
    saved, ready, size = startup(dep.index, queries[0])
    rows[0].notes.append(
        f"save {saved:.2f} s, load + first search {ready * 1e3:.0f} ms, "
        f"file {size / n:.0f} B/passage"
    )
    index = dep.index
    index.remove(corpus.extra_ids)  # back to the corpus rank-bm25 is built on
    merged = time_merge(index, corpus, queries[0])
    rows[0].notes.append(f"merge of delta and removals into main + first search {merged:.2f} s")
    print(_fmt_row(rows[0]), flush=True)
    _trim()
    total, slowest = batched_build(corpus)
    rows[0].notes.append(
        f"built by adds of 5,000 passages: {total:.1f} s, slowest add {slowest * 1e3:.0f} ms"
    )
    _trim()

    sample = queries[:rank_sample]
    peers: list[tuple[Engine, list[list[str]], bool]] = [
        (RankBM25(), sample, False),
        (Bm25s(), queries, False),
        (Tantivy(), queries, True),
    ]
    for engine, qs, incremental in peers:
        if not engine.available():
            print(f"{engine.name}: not installed, skipped (pip install {engine.module})")
            continue
        row = run_engine(engine, corpus, qs, incremental=incremental)
        if isinstance(engine, RankBM25):
            if len(qs) < len(queries):
                row.notes.append(f"timed on a sample of {len(qs)} of {len(queries)} queries")
            same, worst = check_parity(index, engine, sample)
            verdict = "identical" if same == len(sample) else "DIFFERENT"
            row.notes.append(
                f"Dépêche top-{K} {verdict} on {same}/{len(sample)} sampled queries, "
                f"largest score difference {worst:.1e}"
            )
        if isinstance(engine, Bm25s):
            row.notes.append(engine.note)
        if not incremental:
            row.notes.append("no incremental add (rebuild)")
        rows.append(row)
        print(_fmt_row(row), flush=True)
        del engine
        _trim()
    out.extend(rows)


def _fmt(value: float, spec: str) -> str:
    return "n/a" if value != value else format(value, spec)


HEADER = (
    f"{'engine':<10} {'passages':>9} {'build s':>8} {'B/pass.':>8} {'peak B/p':>9} "
    f"{'p50 ms':>8} {'p95 ms':>8} {'add-100 ms':>10} {'p50 vs us':>9} {'p95 vs us':>9}"
)


def _fmt_row(row: Row, ours: Row | None = None) -> str:
    ratio50 = ratio95 = float("nan")
    if ours is not None and ours is not row:
        ratio50, ratio95 = row.p50_ms / ours.p50_ms, row.p95_ms / ours.p95_ms
    return (
        f"{row.engine:<10} {row.passages:>9,} {_fmt(row.build_s, '.1f'):>8} "
        f"{_fmt(row.bytes_per_passage, '.0f'):>8} "
        f"{_fmt(row.peak_build_bytes_per_passage, '.0f'):>9} "
        f"{_fmt(row.p50_ms, '.3f'):>8} {_fmt(row.p95_ms, '.3f'):>8} "
        f"{_fmt(row.add100_ms, '.1f'):>10} {_fmt(ratio50, '.1f'):>9} {_fmt(ratio95, '.1f'):>9}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI (< 1 minute)")
    parser.add_argument("--sizes", default=None, help="comma-separated passage counts")
    parser.add_argument("--queries", type=int, default=None, help="200 (100 with --quick)")
    args = parser.parse_args(argv)
    if args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
    else:
        sizes = [10_000, 20_000] if args.quick else [10_000, 100_000, 1_000_000]
    queries = make_queries(args.queries or (100 if args.quick else 200))
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, NumPy {np.__version__}; top-{K}, one thread"
    )
    rows: list[Row] = []
    for n in sizes:
        # rank-bm25 costs ~1 µs per passage and query: time a sample on large corpora.
        rank_sample = min(len(queries), max(20, 2_000_000 // n))
        bench_size(n, queries, rank_sample, rows)
    print("\n" + HEADER)
    for n in sizes:
        group = [r for r in rows if r.passages == n]
        ours = next(r for r in group if r.engine == Depeche.name)
        for row in group:
            print(_fmt_row(row, ours))
    print("\nB/pass.: memory held per passage (Dépêche: its arrays and vocabulary; peers: RSS).")
    print("peak B/p: RSS growth per passage at the peak of the build. 'vs us': peer / Dépêche.")
    for row in rows:
        for note in row.notes:
            print(f"- {row.engine} at {row.passages:,}: {note}")
    print()
    for line in goal_lines(rows):
        print(line)


# Issue 14's index goals, against tantivy in the same run.
GOAL_MAX_BYTES_PER_PASSAGE = 200


def goal_lines(rows: list[Row]) -> list[str]:
    """Per size: Dépêche's p50 and memory as ratios to tantivy's, and the memory goal."""
    out = []
    for n in sorted({r.passages for r in rows}):
        ours = next(r for r in rows if r.passages == n and r.engine == Depeche.name)
        peer = next((r for r in rows if r.passages == n and r.engine == Tantivy.name), None)
        if peer is None:
            continue
        p50 = ours.p50_ms / peer.p50_ms
        p95 = ours.p95_ms / peer.p95_ms
        memory = ours.bytes_per_passage
        verdict = "met" if p50 <= 1 and memory <= GOAL_MAX_BYTES_PER_PASSAGE else "NOT met"
        out.append(
            f"goal at {n:,}: p50 Dépêche/tantivy x{p50:.2f} (<= 1), p95 x{p95:.2f}; "
            f"{memory:.0f} B/passage (<= {GOAL_MAX_BYTES_PER_PASSAGE}; tantivy "
            f"{peer.bytes_per_passage:.0f}): {verdict}"
        )
    return out


if __name__ == "__main__":
    main()
