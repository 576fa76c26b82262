"""End to end (issue 14): a question through the bot, start-up, ingest and a burst.

``make bench-bot`` runs 10k and 1M passages (``--quick``: 10k and 100k). For each size it builds
an SQLite database of synthetic passages (rows inserted directly), then measures:

- start-up: ``Depeche.open`` cold (no saved index: everything analysed and indexed) and warm
  (the saved index loaded and checked against the database);
- questions: ``Depeche.ask`` alone, and the time from a private message reaching the fake Bot
  API server to the bot's ``sendMessage`` arriving there (``depeche run`` in its own process,
  polling over real HTTP on 127.0.0.1), one question at a time;
- at the larger size, a burst: 300 questions from 50 chats pushed at once, until all answered.

Ingest: ``depeche ingest``'s path (``Depeche.ingest_paths``) over JSON Lines articles of
1-2 kB with 100 subscriptions stored, on SQLite (and PostgreSQL with ``--postgres URL``).

It ends with one line: ``end-to-end: bot p50 10k=… ms 1M=… ms (x…); ask p50 1M=… ms p95 … ms;
cold start 1M=… s; warm start 1M=… s; ingest=… articles/s; burst 300 questions=… s``.

    python -m benchmarks.bench_end_to_end [--quick] [--sizes 10000,1000000] [--postgres URL]
        [--only ingest|startup]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import signal
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TypeVar

from sqlalchemy import insert, update

from benchmarks.bench_alerts import start_sender
from benchmarks.corpus import make_corpus, make_queries
from bot.saved_index import IndexMark
from bot.service import Depeche
from bot.settings import Settings
from retrieval.duplicates import signature
from retrieval.fields import ANALYSIS_VERSION
from retrieval.passages import PassageText
from retrieval.topics import parse_topic
from storage.alerts import add_subscription
from storage.models import Article, Passage
from storage.passage_terms import article_terms
from tests.fake_bot_api import FakeBotAPI, make_message, make_private_chat, make_user
from tests.helpers import SEEDS, postgres_schema_url

PASSAGES_PER_ARTICLE = 8
T = TypeVar("T")


def fill(service: Depeche, docs: list[list[str]], *, first_article: int = 1) -> None:
    """Store passages as articles of PASSAGES_PER_ARTICLE passages, straight into the tables."""
    now = datetime.now(UTC)
    articles, passages = [], []
    for start in range(0, len(docs), PASSAGES_PER_ARTICLE):
        number = first_article + start // PASSAGES_PER_ARTICLE
        chunk = [" ".join(d) for d in docs[start : start + PASSAGES_PER_ARTICLE]]
        title = f"Synthetic dispatch {number}"
        articles.append(
            {
                "id": number,
                "source": "BENCH",
                "title": title,
                "language": "en",
                "published_at": now,
                "published_precision": "day",
                "body": "\n\n".join(chunk),
                "content_hash": f"bench-{number}",
                "ingested_at": now,
                "updated_at": now,
            }
        )
        # Terms analysed as ingest stores them (storage.passage_terms).
        split = [PassageText(i, None, text) for i, text in enumerate(chunk)]
        terms = article_terms(split, title=title, language="en")
        passages += [
            {
                "article_id": number,
                "position": i,
                "heading": None,
                "text": text,
                "signature": signature(text),
                "terms": packed,
                "analysis": ANALYSIS_VERSION,
            }
            for (i, text), packed in zip(enumerate(chunk), terms, strict=True)
        ]
    with service.engine.begin() as conn:
        conn.execute(insert(Article), articles)
        conn.execute(insert(Passage), passages)


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Seconds an action takes, and its result."""
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@asynccontextmanager
async def running_bot(settings: Settings, api: FakeBotAPI) -> AsyncIterator[None]:
    """``depeche run`` in its own process against the server, as deployed: the server's work
    (parsing, checking, recording every call) is not done on the bot's event loop, nor under
    its GIL, so the bot is timed alone. Ready once it polls."""
    with tempfile.TemporaryDirectory() as folder:
        bot = start_sender(settings, api, Path(folder) / "bot.log")
        try:
            while not any(method == "getUpdates" for method, _ in api.stamps):
                if bot.poll() is not None:
                    raise RuntimeError((Path(folder) / "bot.log").read_text()[-2000:])
                await asyncio.sleep(0.05)
            yield
        finally:
            bot.send_signal(signal.SIGKILL)  # nothing to keep: the index was saved before
            bot.wait()


async def through_the_bot(settings: Settings, questions: list[str]) -> list[float]:
    """Seconds from each pushed question to the bot's answer, one question at a time (after
    ten not timed: the new process's first answers load what it caches)."""
    async with FakeBotAPI() as api, running_bot(settings, api):
        person = make_user()
        chat = make_private_chat(person)
        latencies = []
        for n, question in enumerate([*questions[:10], *questions], start=1):
            start = time.perf_counter()
            await api.push({"message": make_message(chat, person, question)})
            await api.wait_for("sendMessage", n, timeout=30, chat_id=chat["id"])
            latencies.append(time.perf_counter() - start)
    return latencies[10:]


async def burst(settings: Settings, questions: list[str], *, chats: int = 50) -> float:
    """Seconds from pushing all ``questions`` at once (from ``chats`` chats) to the last answer."""
    async with FakeBotAPI() as api, running_bot(settings, api):
        people = [make_user() for _ in range(chats)]
        warm = make_user()
        await api.push({"message": make_message(make_private_chat(warm), warm, questions[0])})
        await api.wait_for("sendMessage", 1, timeout=30)
        start = time.perf_counter()
        for n, question in enumerate(questions):
            person = people[n % chats]
            chat = make_private_chat(person)
            await api.push({"message": make_message(chat, person, question)})
        await api.wait_for("sendMessage", len(questions) + 1, timeout=120)
        return time.perf_counter() - start


@dataclass(frozen=True)
class SizeRun:
    """What one collection size measured."""

    passages: int
    cold: float
    warm: float
    direct: list[float]
    bot: list[float]
    burst: float | None


def start_up(settings: Settings, passages: int) -> tuple[float, float, Depeche]:
    """Seconds of a cold start (no saved index: every passage read and indexed) and of a warm
    one (the index the cold start saved, with its mark), and the warm service."""
    # The empty index saved when the database was made would turn the cold start into a
    # catch-up from it (``_sync``), not the build of a start without a saved index.
    settings.index_path.unlink(missing_ok=True)
    IndexMark.path_for(settings.index_path).unlink(missing_ok=True)
    # The bench's own corpus (a million token lists) is no part of a start: out of the
    # garbage collector's full passes while timing (they cost a start ~7 s CPU at 1M).
    gc.collect()
    gc.freeze()
    cold, service = timed(lambda: Depeche.open(settings))
    service.save_index()
    service.engine.dispose()
    warm, service = timed(lambda: Depeche.open(settings))
    gc.unfreeze()
    assert len(service.index) == passages
    return cold, warm, service


def filled_database(folder: str, docs: list[list[str]]) -> Settings:
    """An SQLite database in ``folder`` holding ``docs`` as passages, closed again."""
    settings = Settings(data_dir=Path(folder), database_url=f"sqlite:///{folder}/bench.db")
    empty = Depeche.open(settings)
    fill(empty, docs)
    # Closed, so that SQLite checkpoints the fill's write-ahead log into the database.
    empty.engine.dispose()
    return settings


def startup_only(sizes: list[int]) -> None:
    """``--only startup``: per size, cold and warm starts, a warm start with 100 passages
    stored since the save, and a cold start of a database whose passages have no stored
    terms (stored before migration 0004: every passage analysed, and its terms stored)."""
    print("| passages | cold s | warm s | warm +100 passages s | cold, terms analysed s |")
    print("|--:|--:|--:|--:|--:|")
    for passages in sizes:
        corpus = make_corpus(passages, n_extra=100)
        with tempfile.TemporaryDirectory() as folder:
            settings = filled_database(folder, corpus.docs)
            cold, warm, service = start_up(settings, passages)
            fill(service, corpus.extra_docs, first_article=passages // PASSAGES_PER_ARTICLE + 2)
            service.engine.dispose()
            added, service = timed(partial(Depeche.open, settings))
            assert len(service.index) == passages + len(corpus.extra_docs)
            with service.engine.begin() as conn:
                conn.execute(update(Passage).values(terms=None, analysis=None))
            service.engine.dispose()
            settings.index_path.unlink()
            analysed, service = timed(partial(Depeche.open, settings))
            service.engine.dispose()
        print(f"| {passages:,} | {cold:.2f} | {warm:.2f} | {added:.2f} | {analysed:.2f} |")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


def run_size(passages: int, questions: list[str], *, with_burst: bool) -> SizeRun:
    """Build a database of ``passages`` and time start-up, questions and (maybe) a burst."""
    corpus = make_corpus(passages, n_extra=100)
    with tempfile.TemporaryDirectory() as folder:
        settings = filled_database(folder, corpus.docs)
        cold, warm, service = start_up(settings, passages)
        for question in questions[:10]:
            service.ask(question, k=3)
        direct = [timed(partial(service.ask, q, k=3))[0] for q in questions]
        service.engine.dispose()
        del service  # the bot's process loads its own copy of the index
        bot = asyncio.run(through_the_bot(settings, questions))
        burst_seconds = None
        if with_burst:
            many = [questions[n % len(questions)] for n in range(300)]
            burst_seconds = asyncio.run(burst(settings, many))
    return SizeRun(passages, cold, warm, direct, bot, burst_seconds)


def ingest_files(folder: Path, articles: int, *, seed: int = 14) -> list[Path]:
    """JSON Lines files of news-like articles of 1-2 kB, French and English, no two alike."""
    rng = random.Random(seed)
    seed_text = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    words = [w for w in seed_text.split() if w.isalpha()]
    english = (
        "officials said talks would resume next week while the ministry denied any agreement "
        "on prices energy exports sanctions elections parliament budget strike police"
    ).split()
    paths = []
    for file_number in range(0, articles, 1_000):
        path = folder / f"batch-{file_number:06d}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for n in range(file_number, min(articles, file_number + 1_000)):
                vocabulary = english if n % 3 == 0 else words
                paragraphs = [
                    " ".join(rng.choice(vocabulary) for _ in range(rng.randint(25, 45))) + "."
                    for _ in range(rng.randint(4, 7))
                ]
                record = {
                    "title": " ".join(rng.choice(vocabulary) for _ in range(8)),
                    "body": "\n\n".join(paragraphs) + f" ({uuid.UUID(int=rng.getrandbits(128))})",
                    "source": rng.choice(["AFP", "ATS", "Reuters", "AP"]),
                    "url": f"https://news.example/{n}",
                    "published": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}",
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def ingest_rate(database_url: str, files: list[Path], articles: int) -> float:
    """Articles a second through ``Depeche.ingest_paths`` with 100 subscriptions (50 chats)."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), database_url=database_url)
        service = Depeche.open(settings)
        topics = ["Kremlin", "Ukraine OR Russie", '"cessez-le-feu"', "sanctions", "elections"]
        for chat in range(50):
            for topic in (topics[chat % 5], f"{topics[(chat + 2) % 5]} -football"):
                add_subscription(
                    engine=service.engine, chat_id=1000 + chat, topic=parse_topic(topic)
                )
        seconds, report = timed(lambda: service.ingest_paths(files))
        assert report.new == articles and not report.failures, report.failures[:3]
        service.engine.dispose()
    return articles / seconds


def main() -> None:
    """Run the benchmark, print its tables and the one-line summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k passages")
    parser.add_argument("--sizes", help="comma-separated passage counts (default 10k,1M)")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--articles", type=int, default=3_000, help="articles to ingest")
    parser.add_argument("--postgres", help="also time ingest on this PostgreSQL URL")
    parser.add_argument("--only", choices=["ingest", "startup"], help="run only this part")
    args = parser.parse_args()
    default = "10000,100000" if args.quick else "10000,1000000"
    sizes = [int(n) for n in (args.sizes or default).split(",")]
    questions = [" ".join(q) for q in make_queries(args.questions)]
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores shared)")
    if args.only == "startup":
        startup_only(sizes)
        return

    with tempfile.TemporaryDirectory() as folder:
        files = ingest_files(Path(folder), args.articles)
        rate = ingest_rate(f"sqlite:///{folder}/ingest.db", files, args.articles)
        pg_rate = None
        if args.postgres:
            with contextmanager(postgres_schema_url)(args.postgres) as url:
                pg_rate = ingest_rate(url, files, args.articles)
    print(f"\ningest, {args.articles:,} articles of 1-2 kB, 100 subscriptions")
    print(f"| SQLite | {rate:,.0f} articles/s |")
    if pg_rate is not None:
        print(f"| PostgreSQL | {pg_rate:,.0f} articles/s |")
    if args.only == "ingest":
        print(f"\nload average after: {os.getloadavg()[0]:.2f}")
        postgres = f"; PostgreSQL={pg_rate:,.0f} articles/s" if pg_rate is not None else ""
        print(f"ingest: SQLite={rate:,.0f} articles/s{postgres}")
        return

    runs = [run_size(n, questions, with_burst=n == max(sizes)) for n in sizes]
    print(f"\nDépêche end to end on SQLite, {len(questions)} questions one at a time\n")
    print("| passages | cold s | warm s | ask p50 ms | ask p95 ms | bot p50 ms | bot p95 ms |")
    print("|--:|--:|--:|--:|--:|--:|--:|")
    for run in runs:
        ask50, ask95 = percentile(run.direct, 50) * 1e3, percentile(run.direct, 95) * 1e3
        bot50, bot95 = percentile(run.bot, 50) * 1e3, percentile(run.bot, 95) * 1e3
        print(
            f"| {run.passages:,} | {run.cold:.1f} | {run.warm:.2f} | {ask50:.2f} | {ask95:.2f} "
            f"| {bot50:.1f} | {bot95:.1f} |"
        )
    small, large = runs[0], runs[-1]
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    bot_small = statistics.median(small.bot) * 1e3
    bot_large = statistics.median(large.bot) * 1e3
    print(
        f"end-to-end: bot p50 {label(small.passages)}={bot_small:.1f} ms "
        f"{label(large.passages)}={bot_large:.1f} ms (x{bot_large / bot_small:.2f}); "
        f"ask p50 {label(large.passages)}={percentile(large.direct, 50) * 1e3:.2f} ms "
        f"p95 {percentile(large.direct, 95) * 1e3:.2f} ms; "
        f"cold start {label(large.passages)}={large.cold:.1f} s; "
        f"warm start {label(large.passages)}={large.warm:.2f} s; ingest={rate:,.0f} articles/s; "
        f"burst 300 questions={large.burst:.2f} s"
    )


def label(passages: int) -> str:
    """10000 -> 10k, 1000000 -> 1M."""
    if passages >= 1_000_000 and passages % 1_000_000 == 0:
        return f"{passages // 1_000_000}M"
    return f"{passages // 1_000}k" if passages % 1_000 == 0 else str(passages)


if __name__ == "__main__":
    main()
