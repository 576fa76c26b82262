"""End to end and start-up (issue 6): a question through the bot, and opening a large database.

Builds an SQLite database of N synthetic passages (rows inserted directly: ingest is not what
is measured), then prints:

- start-up: ``Depeche.open`` cold (no saved index: everything analysed and indexed), warm (the
  saved index loaded and checked against the database), and warm with 100 passages stored since
  the save;
- questions: the time from a private message reaching the fake Bot API server to the bot's
  ``sendMessage`` arriving there (the application of ``depeche run``, polling over real HTTP on
  127.0.0.1), against ``Depeche.ask`` alone on the same questions in the same run.

    python -m benchmarks.bench_end_to_end [--quick] [--passages N] [--questions Q]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TypeVar

from sqlalchemy import insert

from benchmarks.corpus import make_corpus, make_queries
from bot.service import Depeche
from bot.settings import Settings
from retrieval.duplicates import signature
from storage.models import Article, Passage
from tests.fake_bot_api import (
    FakeBotAPI,
    make_message,
    make_private_chat,
    make_user,
    settings_for,
    start_application,
    stop_application,
)

PASSAGES_PER_ARTICLE = 8
T = TypeVar("T")


def fill(service: Depeche, docs: list[list[str]], *, first_article: int = 1) -> None:
    """Store passages as articles of PASSAGES_PER_ARTICLE passages, straight into the tables."""
    now = datetime.now(UTC)
    articles, passages = [], []
    for start in range(0, len(docs), PASSAGES_PER_ARTICLE):
        number = first_article + start // PASSAGES_PER_ARTICLE
        chunk = [" ".join(d) for d in docs[start : start + PASSAGES_PER_ARTICLE]]
        articles.append(
            {
                "id": number,
                "source": "BENCH",
                "title": f"Synthetic dispatch {number}",
                "language": "en",
                "published_at": now,
                "published_precision": "day",
                "body": "\n\n".join(chunk),
                "content_hash": f"bench-{number}",
                "ingested_at": now,
                "updated_at": now,
            }
        )
        passages += [
            {
                "article_id": number,
                "position": i,
                "heading": None,
                "text": text,
                "signature": signature(text),
            }
            for i, text in enumerate(chunk)
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


async def through_the_bot(
    settings: Settings, service: Depeche, questions: list[str]
) -> list[float]:
    """Seconds from each pushed question to the bot's answer, one question at a time."""
    async with FakeBotAPI() as api:
        application = await start_application(settings_for(settings, api), service)
        person = make_user()
        chat = make_private_chat(person)
        latencies = []
        try:
            for n, question in enumerate(questions, start=1):
                start = time.perf_counter()
                await api.push({"message": make_message(chat, person, question)})
                await api.wait_for("sendMessage", n, timeout=30, chat_id=chat["id"])
                latencies.append(time.perf_counter() - start)
        finally:
            await stop_application(application)
    return latencies


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k passages, 50 questions")
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    passages = 10_000 if args.quick else args.passages
    count = 50 if args.quick else args.questions

    corpus = make_corpus(passages, n_extra=100)
    questions = [" ".join(q) for q in make_queries(count)]
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), database_url=f"sqlite:///{folder}/bench.db")
        empty = Depeche.open(settings)
        fill(empty, corpus.docs)
        empty.engine.dispose()

        cold, service = timed(lambda: Depeche.open(settings))
        service.save_index()
        service.engine.dispose()
        warm, service = timed(lambda: Depeche.open(settings))
        fill(service, corpus.extra_docs, first_article=passages // PASSAGES_PER_ARTICLE + 10)
        service.engine.dispose()
        stale, service = timed(lambda: Depeche.open(settings))
        assert len(service.index) == passages + len(corpus.extra_docs)

        direct = []
        for question in questions:
            seconds, _ = timed(partial(service.ask, question, k=3))
            direct.append(seconds)
        bot = asyncio.run(through_the_bot(settings, service, questions))

    print(f"\nDépêche end to end, {passages:,} passages on SQLite, {count} questions\n")
    print("| measure | seconds |")
    print("|---|--:|")
    print(f"| start-up, cold (build the index from the database) | {cold:.2f} |")
    print(f"| start-up, warm (load the saved index, check it) | {warm:.2f} |")
    print(f"| start-up, warm + 100 passages stored since the save | {stale:.2f} |")
    print("\n| path | p50 ms | p95 ms |")
    print("|---|--:|--:|")
    for name, values in (("Depeche.ask alone", direct), ("question through the bot", bot)):
        p50, p95 = percentile(values, 50) * 1000, percentile(values, 95) * 1000
        print(f"| {name} | {p50:.1f} | {p95:.1f} |")
    overhead = statistics.median(bot) / statistics.median(direct)
    print(f"\nthe bot's answer takes {overhead:.1f}x the search alone at the median")


if __name__ == "__main__":
    main()
