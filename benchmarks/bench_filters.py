"""How long a question's filters take to turn into candidate passage ids (storage's query),
at a given collection size, against reading every passage id (the baseline) in the same run.

    python -m benchmarks.bench_filters --passages 1000000

Articles are spread over two years (one in ten dated only to its month, one in ten with a
publication time) across five sources, five passages each; the database is SQLite in a
temporary folder (or ``--database-url``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bot.service import FILTER_SCAN_ARTICLES
from retrieval.filters import Period
from storage import repository
from storage.db import make_engine, prepare_schema
from storage.models import Article, Passage

SOURCES = ("AFP", "Reuters", "ATS", "AP", "DPA")
PASSAGES_PER_ARTICLE = 5
FIRST_DAY = datetime(2024, 1, 1, tzinfo=UTC)
DAYS = 730


def fill(engine: object, passages: int) -> None:
    articles = passages // PASSAGES_PER_ARTICLE
    batch = 20_000
    with engine.begin() as conn:  # type: ignore[attr-defined]
        for start in range(0, articles, batch):
            rows = []
            for n in range(start, min(start + batch, articles)):
                precision = "month" if n % 10 == 0 else "time" if n % 10 == 1 else "day"
                at = FIRST_DAY + timedelta(days=n * DAYS // articles, hours=n % 24)
                if precision == "month":
                    at = at.replace(day=1, hour=0)
                elif precision == "day":
                    at = at.replace(hour=0)
                rows.append(
                    {
                        "id": n + 1,
                        "source": SOURCES[n % len(SOURCES)],
                        "title": f"article {n}",
                        "language": "fr",
                        "published_at": at,
                        "published_precision": precision,
                        "body": "x",
                        "content_hash": f"{n:064d}",
                        "ingested_at": at,
                        "updated_at": at,
                    }
                )
            conn.execute(insert(Article), rows)
            conn.execute(
                insert(Passage),
                [
                    {"article_id": r["id"], "position": p, "text": "x"}
                    for r in rows
                    for p in range(PASSAGES_PER_ARTICLE)
                ],
            )


def timed(function: Callable[[], object], repeat: int = 5) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        began = time.perf_counter()
        found = function()
        times.append(time.perf_counter() - began)
        size = len(found)  # type: ignore[arg-type]
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        prepare_schema(engine, upgrade=True)
        began = time.perf_counter()
        fill(engine, args.passages)
        print(f"{args.passages:,} passages stored in {time.perf_counter() - began:.1f} s")
        baseline, total = timed(lambda: repository.all_passage_ids(engine=engine))
        print(f"{'every passage id (baseline)':42} {baseline * 1000:8.1f} ms  {total:>9,} ids")
        today = date(2025, 12, 15)
        cases = {
            "yesterday": Period(today - timedelta(days=1), today - timedelta(days=1), "hier"),
            "this week": Period(today - timedelta(days=today.weekday()), today, "week"),
            "in June 2025 (a month)": Period(date(2025, 6, 1), date(2025, 6, 30), "juin"),
            "in 2025 (half the collection)": Period(date(2025, 1, 1), date(2025, 12, 31), "2025"),
        }
        for name, period in cases.items():
            for sources in ((), ("AFP",)):
                label = name + (" + source:AFP" if sources else "")
                seconds, size = timed(
                    lambda p=period, s=sources: repository.filtered_passage_ids(
                        engine=engine, period=p, sources=s, timezone="Europe/Paris"
                    )
                )
                decide, _ = timed(
                    lambda p=period, s=sources: [
                        repository.filter_exceeds(
                            engine=engine,
                            period=p,
                            sources=s,
                            timezone="Europe/Paris",
                            limit=FILTER_SCAN_ARTICLES,
                        )
                    ]
                )
                print(
                    f"{label:42} {seconds * 1000:8.1f} ms  {size:>9,} ids"
                    f"  ({seconds / baseline:.2f}× the baseline);"
                    f" broad or narrow decided in {decide * 1000:.1f} ms"
                )
        engine.dispose()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
