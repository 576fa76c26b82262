"""The database down or unreachable: at start (retries with backoff, then one clear sentence),
and mid-run (jobs fail, log one line and succeed at their next run; no alert is lost)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.cli import cli
from bot.service import Depeche
from bot.settings import Settings
from bot.telegram import handlers
from bot.telegram.delivery import AlertSender
from retrieval.topics import parse_topic
from storage import alerts as outbox
from storage import db
from storage.db import make_engine, wait_for_database
from tests.helpers import SEEDS, Outage, StubBot, article

CLOSED = "postgresql://nobody@127.0.0.1:1/none"


@pytest.fixture
def outage(postgres_url: str) -> Iterator[tuple[Outage, str]]:
    url = make_url(postgres_url)
    relay = Outage((url.host or "127.0.0.1", url.port or 5432))
    relay.up()
    yield relay, url.set(port=relay.port).render_as_string(hide_password=False)
    relay.down()


# -- at start ----------------------------------------------------------------------------------


def test_the_retries_wait_longer_each_time_and_are_bounded() -> None:
    slept: list[float] = []
    engine = make_engine(CLOSED)
    with pytest.raises(OperationalError):
        wait_for_database(engine, attempts=7, delay=1.0, max_delay=10.0, sleep=slept.append)
    assert slept == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_run_retries_an_unreachable_database_then_says_so_in_one_sentence(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = {
        "DEPECHE_DATABASE_URL": CLOSED,
        "DEPECHE_DATA_DIR": str(tmp_path),
        "DEPECHE_TELEGRAM_TOKEN": "123456:TEST-token",
        "DEPECHE_DB_CONNECT_ATTEMPTS": "3",
        "DEPECHE_DB_RETRY_SECONDS": "0.01",
    }
    with caplog.at_level(logging.WARNING, logger="storage.db"):
        result = CliRunner(env=env).invoke(cli, ["run"])
    assert result.exit_code == 2
    assert "Error: the database is unavailable (" in result.output
    assert "Traceback" not in result.output
    assert "attempt 1 of 3" in caplog.text and "attempt 2 of 3" in caplog.text


def test_one_shot_commands_do_not_wait(tmp_path: Path) -> None:
    env = {"DEPECHE_DATABASE_URL": CLOSED, "DEPECHE_DB_RETRY_SECONDS": "60"}
    for args in (["stats"], ["health"], ["db", "current"], ["db", "upgrade"]):
        result = CliRunner(env=env).invoke(cli, args)
        assert result.exit_code == 2, args
        assert "the database is unavailable" in result.output


@pytest.mark.postgres
def test_a_database_that_comes_up_during_the_retries_is_used(
    outage: tuple[Outage, str], tmp_path: Path
) -> None:
    relay, url = outage
    relay.down()
    threading.Timer(0.5, relay.up).start()
    settings = Settings(
        database_url=url, data_dir=tmp_path, db_connect_attempts=8, db_retry_seconds=0.1
    )
    service = Depeche.open(settings, wait=True)
    assert service.is_empty()
    service.engine.dispose()


# -- mid-run -----------------------------------------------------------------------------------


@pytest.mark.postgres
async def test_an_outage_mid_run_loses_no_alert_and_the_index_catches_up(
    outage: tuple[Outage, str], tmp_path: Path
) -> None:
    relay, url = outage
    service = Depeche.open(Settings(database_url=url, data_dir=tmp_path))
    outbox.add_subscription(engine=service.engine, chat_id=1001, topic=parse_topic("Kremlin"))
    other = Depeche.open(Settings(database_url=url, data_dir=tmp_path / "other"))
    sender = AlertSender(engine=service.engine, digest_threshold=3, settle=timedelta(0))
    bot = StubBot()

    relay.down()
    with pytest.raises(OperationalError) as failure:
        other.ingest_drafts([article(1)])
    assert handlers.database_unavailable(failure.value)
    with pytest.raises(OperationalError):
        await sender.send_due(bot)  # type: ignore[arg-type]
    with pytest.raises(OperationalError):
        service.sync_index()

    relay.up()  # the server is back: the pool reconnects (pre-ping), the jobs run again
    other.ingest_drafts([article(1)])
    assert service.sync_index().added > 0
    assert service.ask("Kremlin réunion").answers
    report = await sender.send_due(bot)  # type: ignore[arg-type]
    assert report.sent == 1 and len(bot.sent) == 1
    assert outbox.alert_counts(engine=service.engine) == {"sent": 1}
    for engine in (service.engine, other.engine):
        engine.dispose()


async def test_the_job_error_handler_logs_one_line_for_an_outage(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Context:
        error = OperationalError("SELECT 1", {}, Exception("connection refused\ndetails"))

    with caplog.at_level(logging.WARNING, logger="bot.telegram.handlers"):
        await handlers.error(None, Context())  # type: ignore[arg-type]
    assert "the database is unavailable (connection refused); will retry" in caplog.text
    assert "Traceback" not in caplog.text


# -- SQLite locked by another process ------------------------------------------------------------


@pytest.fixture
def locked_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "data" / "depeche.db"
    url = f"sqlite:///{path}"
    Depeche.open(Settings(database_url=url, data_dir=tmp_path / "data")).engine.dispose()
    yield url, path


def test_a_locked_sqlite_database_is_one_clear_sentence_and_nothing_is_lost(
    locked_sqlite: tuple[str, Path], tmp_path: Path
) -> None:
    url, path = locked_sqlite
    env = {"DEPECHE_DATABASE_URL": url, "DEPECHE_DATA_DIR": str(tmp_path / "data")}
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        result = CliRunner(env=env).invoke(cli, ["ingest", str(SEEDS)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 2
    assert "the database is unavailable (database is locked)" in result.output
    assert "Nothing was lost" in result.output
    again = CliRunner(env=env).invoke(cli, ["ingest", str(SEEDS)])
    assert again.exit_code == 0 and "1 new" in again.output
    assert "Kremlin" in CliRunner(env=env).invoke(cli, ["ask", "Kremlin"]).output


def test_alerts_wait_out_a_locked_sqlite_database(
    locked_sqlite: tuple[str, Path], tmp_path: Path
) -> None:
    url, path = locked_sqlite
    service = Depeche.open(Settings(database_url=url, data_dir=tmp_path / "data"))
    outbox.add_subscription(engine=service.engine, chat_id=1001, topic=parse_topic("Kremlin"))
    service.ingest_drafts([article(1)])
    sender = AlertSender(engine=service.engine, digest_threshold=3, settle=timedelta(0))
    bot = StubBot()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="locked"):
            asyncio.run(sender.send_due(bot))  # type: ignore[arg-type]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert bot.sent == []
    report = asyncio.run(sender.send_due(bot))  # type: ignore[arg-type]
    assert report.sent == 1
    service.engine.dispose()
