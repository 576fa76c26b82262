"""Several bot processes on one database, as real OS processes: what one ingests another finds
after a sync, and alerts claimed by two senders at once are claimed (and sent) once each.

Runs on SQLite and, above all, on PostgreSQL (``DEPECHE_TEST_POSTGRES_URL``), where the claim
uses ``SELECT ... FOR UPDATE SKIP LOCKED`` and ids can commit out of order.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, insert, select, text

from bot.service import Depeche
from bot.settings import Settings
from storage.db import make_engine
from storage.models import Alert, Article, Chat, Subscription, utcnow
from storage.repository import as_utc
from tests.helpers import ROOT, SEEDS

# Process B: open Dépêche, say "ready", then sync and search until the question is answered.
SEARCHER = """
import json, sys, time
from bot.service import Depeche
from bot.settings import load_settings
service = Depeche.open(load_settings())
print("ready", flush=True)
deadline = time.monotonic() + 30
syncs = 0
while time.monotonic() < deadline:
    service.sync_index()
    syncs += 1
    answers = service.ask(sys.argv[1], k=3).answers
    if answers:
        print(json.dumps({"found_at": time.time(), "syncs": syncs,
                          "text": answers[0].passage.text}), flush=True)
        sys.exit(0)
    time.sleep(float(sys.argv[2]))
print(json.dumps({"found_at": None, "syncs": syncs}), flush=True)
sys.exit(1)
"""

# An alert sender: wait for the common start, then claim, "send" and mark sent until none is due.
SENDER = """
import json, sys, time
from datetime import timedelta
from storage import alerts as outbox
from storage.db import make_engine
from storage.models import utcnow
engine = make_engine(sys.argv[1])
worker = sys.argv[2]
with engine.connect():
    pass
print("ready", flush=True)
start = float(sys.stdin.readline())
time.sleep(max(0.0, start - time.time()))
claimed, empty = [], 0
while empty < 3:
    due = outbox.due_chats(engine=engine, now=utcnow())
    batch = outbox.claim_chat_alerts(engine=engine, worker=worker,
                                     chat_ids=[d.chat_id for d in due], now=utcnow(),
                                     lease=timedelta(minutes=2), per_chat=5)
    if not batch:
        empty += 1
        time.sleep(0.02)
        continue
    empty = 0
    time.sleep(0.01)  # the Telegram round trip
    claimed += [a.id for a in batch]
    outbox.mark_sent(engine=engine, alert_ids=[a.id for a in batch])
print(json.dumps(claimed), flush=True)
"""


def _env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEPECHE_")}
    env.update(
        DEPECHE_DATABASE_URL=database_url,
        DEPECHE_DATA_DIR=str(data_dir),
        PYTHONPATH=str(ROOT),
    )
    return env


def test_a_passage_ingested_by_one_process_is_found_by_another(
    database_url: str, tmp_path: Path
) -> None:
    Depeche.open(Settings(database_url=database_url, data_dir=tmp_path)).engine.dispose()
    searcher = subprocess.Popen(
        [sys.executable, "-c", SEARCHER, "Kremlin Istanbul", "0.1"],
        env=_env(database_url, tmp_path / "b"),
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert searcher.stdout is not None
        assert searcher.stdout.readline().strip() == "ready"
        ingest = subprocess.run(
            [sys.executable, "-m", "bot.cli", "ingest", str(SEEDS)],
            env=_env(database_url, tmp_path / "a"),
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
        )
        assert ingest.returncode == 0, ingest.stderr
        assert "1 new" in ingest.stdout
        out, _ = searcher.communicate(timeout=60)
    finally:
        searcher.kill()
    result = json.loads(out.strip().splitlines()[-1])
    assert result["found_at"] is not None, "process B never found what process A stored"
    # The passage naming Istanbul also knows its article's lead, which names the Kremlin.
    assert "Kremlin" in result["text"] or "Istanbul" in result["text"]
    engine = make_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(select(func.max(Article.ingested_at))).scalar_one()
    engine.dispose()
    # ingested_at is set just before the storing transaction commits: an upper bound on the lag.
    lag = result["found_at"] - as_utc(stored).timestamp()
    print(
        f"\ncatch-up across processes: {lag * 1000:.0f} ms from storing to found (sync every 0.1 s)"
    )
    assert lag < 5


def _queue_alerts(service: Depeche, count: int) -> None:
    service.ingest_paths([SEEDS])
    now = utcnow()
    with service.engine.begin() as connection:
        article_id = connection.execute(text("SELECT min(id) FROM article")).scalar_one()
        connection.execute(
            insert(Chat), [{"id": -100123, "type": "group", "paused": False, "created_at": now}]
        )
        connection.execute(
            insert(Subscription),
            [{"chat_id": -100123, "topic": f"topic {i}", "created_at": now} for i in range(count)],
        )
        subscription_ids = connection.execute(text("SELECT id FROM subscription")).scalars()
        connection.execute(
            insert(Alert),
            [
                {
                    "subscription_id": sid,
                    "article_id": article_id,
                    "chat_id": -100123,
                    "status": "pending",
                    "attempts": 0,
                    "due_at": now,
                    "created_at": now,
                }
                for sid in subscription_ids
            ],
        )


def test_two_senders_claiming_at_once_never_take_the_same_alert(
    database_url: str, tmp_path: Path
) -> None:
    service = Depeche.open(Settings(database_url=database_url, data_dir=tmp_path))
    _queue_alerts(service, 200)
    senders = [
        subprocess.Popen(
            [sys.executable, "-c", SENDER, database_url, name],
            env=_env(database_url, tmp_path / name),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        )
        for name in ("worker-a", "worker-b")
    ]
    for sender in senders:
        assert sender.stdout is not None
        assert sender.stdout.readline().strip() == "ready"
    start = time.time() + 0.3  # both begin claiming at this moment
    for sender in senders:
        assert sender.stdin is not None
        sender.stdin.write(f"{start}\n")
        sender.stdin.flush()
    claims = []
    for sender in senders:
        out, _ = sender.communicate(timeout=90)
        assert sender.returncode == 0
        claims.append(json.loads(out.strip().splitlines()[-1]))
    a, b = (set(c) for c in claims)
    assert len(a) == len(claims[0]) and len(b) == len(claims[1])  # nobody claimed twice
    assert not a & b, f"claimed by both: {sorted(a & b)}"
    with service.engine.connect() as connection:
        all_ids = set(connection.execute(text("SELECT id FROM alert")).scalars())
        statuses = dict(
            connection.execute(text("SELECT status, count(*) FROM alert GROUP BY status")).all()
        )
    assert a | b == all_ids  # and none was left behind
    assert statuses == {"sent": 200}
    assert a and b, "both processes should have claimed some (they ran concurrently)"
    print(f"\nclaims: worker-a {len(a)}, worker-b {len(b)}, none twice")
    service.engine.dispose()
