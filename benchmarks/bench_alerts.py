"""Alert delivery under a burst (issue 13): ``make bench-alerts``.

50 chats follow 20 topics each; one ingest then stores 200 articles, each matching one topic of
every chat (10,000 alerts). The sender is ``depeche run`` itself, in its own process, talking
over HTTP to the fake Bot API server (tests/fake_bot_api.py) which accepts what Telegram
accepts — 30 messages a second overall, one a second per chat — and answers 429
``retry_after`` beyond. Printed per run: the time from the start of the ingest until every
alert was delivered, messages per chat, articles shown twice to a chat, and alerts lost (queued
but never shown), on SQLite and on PostgreSQL (when ``DEPECHE_TEST_POSTGRES_URL`` is set), and
again with the sender killed (``kill -9``) mid-delivery and started again.

    python -m benchmarks.bench_alerts [--chats 50] [--topics 20] [--articles 200]
                                      [--timeout 120] [--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.service import Depeche
from bot.settings import Settings
from retrieval.topics import parse_topic
from storage import alerts as outbox
from storage.readers import ArticleDraft, blocks_from_body
from tests.fake_bot_api import TOKEN, FakeBotAPI, RateLimits

WORDS = (
    "harbour tramway bridge museum stadium library market airport canal vineyard "
    "glacier orchard foundry brewery lighthouse observatory quarry railway aqueduct cathedral"
).split()
CITIES = "Lyon Nantes Lille Brest Nice Metz Dijon Tours Reims Caen".split()
_TITLE = re.compile(r'<a href="https://bench\.invalid/(\d+)">')


def draft(n: int, topics: int) -> ArticleDraft:
    """Article ``n``: about the topic word ``n % topics``, in words of its own."""
    word, city = WORDS[n % topics], CITIES[n % len(CITIES)]
    body = (
        f"<p>The {word} of {city} reopened on day {n} after months of works, the city said, "
        f"and {n + 40} visitors queued at the {word} gates.</p>"
        f"<p>Officials in {city} expect the {word} to draw crowds all summer ({n}).</p>"
    )
    return ArticleDraft(
        blocks=blocks_from_body(body),
        source="BENCH",
        title=f"{city}'s {word} reopens after works (day {n})",
        url=f"https://bench.invalid/{n}",
        language="en",
    )


@dataclass
class Run:
    database: str
    kill: bool
    seconds: float | None  # None: not all delivered before the timeout
    delivered: int
    expected: int
    messages: list[int]  # per chat
    duplicates: int
    lost: int
    refused: int  # 429s answered by the server

    def row(self) -> str:
        took = (
            f"{self.seconds:.1f}"
            if self.seconds is not None
            else f"> timeout ({self.delivered:,} delivered)"
        )
        per_chat = f"{min(self.messages)}-{max(self.messages)}" if self.messages else "0"
        name = self.database + (", kill -9 mid-delivery" if self.kill else "")
        return (
            f"| {name} | {took} | {self.expected:,} | {per_chat} | {self.duplicates} | "
            f"{self.lost} | {self.refused} |"
        )


def shown(api: FakeBotAPI, chat_ids: list[int]) -> tuple[Counter[tuple[int, int]], list[int]]:
    """(chat, article) pairs shown in accepted messages, with how often; messages per chat."""
    seen: Counter[tuple[int, int]] = Counter()
    messages = []
    for chat_id in chat_ids:
        delivered = [m for m in api.delivered(chat_id) if "bench.invalid" in str(m["text"])]
        messages.append(len(delivered))
        for message in delivered:
            for number in _TITLE.findall(html.unescape(str(message["text"]))):
                seen[(chat_id, int(number))] += 1
    return seen, messages


def start_sender(settings: Settings, api: FakeBotAPI, log: Path) -> subprocess.Popen[bytes]:
    """``depeche run`` in its own process, pointed at the fake server."""
    env = {
        **os.environ,
        "DEPECHE_DATABASE_URL": settings.database_url,
        "DEPECHE_DATA_DIR": str(settings.data_dir),
        "DEPECHE_TELEGRAM_TOKEN": TOKEN,
        "DEPECHE_TELEGRAM_API_URL": api.api_url,
        "DEPECHE_SEED_ON_EMPTY": "false",
        "DEPECHE_LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"], env=env, stdout=out, stderr=out
        )


async def one_run(settings: Settings, args: argparse.Namespace, *, kill: bool) -> Run:
    service = Depeche.open(settings)
    chat_ids = [1_000 + n for n in range(args.chats)]
    for chat_id in chat_ids:
        for word in WORDS[: args.topics]:
            outbox.add_subscription(engine=service.engine, chat_id=chat_id, topic=parse_topic(word))
    log = settings.data_dir / "sender.log"
    async with FakeBotAPI(limits=RateLimits()) as api:
        sender = start_sender(settings, api, log)
        try:
            while not any(method == "getUpdates" for method, _ in api.stamps):
                await asyncio.sleep(0.1)  # the bot has started
            started = time.monotonic()
            drafts = [draft(n, args.topics) for n in range(args.articles)]
            report = await asyncio.to_thread(service.ingest_drafts, drafts)
            expected = report.alerts_queued
            ingest_seconds = time.monotonic() - started
            killed = False
            finished: float | None = None
            while time.monotonic() - started < args.timeout:
                # Progress from the database, in a thread: parsing every message here would
                # stall this event loop, which is the Bot API server's.
                counts = await asyncio.to_thread(outbox.alert_counts, engine=service.engine)
                if kill and not killed and counts.get("sent", 0) >= expected // 3:
                    sender.send_signal(signal.SIGKILL)
                    sender.wait()
                    killed = True
                    sender = start_sender(settings, api, log)
                if counts.get("sent", 0) + counts.get("undeliverable", 0) >= expected:
                    finished = time.monotonic() - started
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(2)  # anything sent twice late is counted too
        finally:
            sender.send_signal(signal.SIGKILL)
            sender.wait()
        seen, messages = shown(api, chat_ids)
        refused = sum(1 for d in api.calls_to("sendMessage") if d.get("_failed"))
    service.engine.dispose()
    print(
        f"  ({settings.database_url.split(':')[0]}{', kill' if kill else ''}: ingest "
        f"{ingest_seconds:.1f} s, {expected:,} alerts queued)",
        flush=True,
    )
    return Run(
        database="SQLite" if "sqlite" in settings.database_url else "PostgreSQL",
        kill=kill,
        seconds=finished,
        delivered=len(seen),
        expected=expected,
        messages=messages,
        duplicates=sum(count - 1 for count in seen.values()),
        lost=expected - len(seen),
        refused=refused,
    )


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    from tests.helpers import postgres_schema_url

    url = os.environ.get("DEPECHE_TEST_POSTGRES_URL", "").strip()
    if not url:
        raise SystemExit("DEPECHE_TEST_POSTGRES_URL is not set")
    yield from postgres_schema_url(url)  # type: ignore[misc]


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--topics", type=int, default=20)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=120.0)
    default = "sqlite,postgresql" if os.environ.get("DEPECHE_TEST_POSTGRES_URL") else "sqlite"
    parser.add_argument("--databases", default=default)
    parser.add_argument("--no-kill", action="store_true", help="skip the kill -9 runs")
    args = parser.parse_args()

    runs = []
    for kind in args.databases.split(","):
        for kill in (False, True) if not args.no_kill else (False,):
            with tempfile.TemporaryDirectory() as folder, database(kind, Path(folder)) as url:
                settings = Settings(data_dir=Path(folder), database_url=url)
                runs.append(asyncio.run(one_run(settings, args, kill=kill)))
    print(
        f"\nAlert burst: {args.chats} chats x {args.topics} topics, {args.articles} matching "
        "articles, fake Bot API accepting 30 msg/s (1/s per chat)\n"
    )
    print("| run | delivered in s | alerts | messages per chat | shown twice | lost | 429s |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    for run in runs:
        print(run.row())


if __name__ == "__main__":
    main()
