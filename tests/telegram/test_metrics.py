"""Prometheus metrics and /healthz on DEPECHE_METRICS_PORT, scraped over 127.0.0.1 from the
application of ``depeche run`` talking to the fake Bot API server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.cli import cli
from bot.metrics import MetricsPortError
from bot.service import Depeche
from bot.settings import Settings
from bot.telegram.app import build_application, metrics_of, poller_of, sender_of
from retrieval.topics import parse_topic
from storage import alerts as outbox
from storage import feeds as feed_store
from tests.fake_bot_api import (
    Chatting,
    FakeBotAPI,
    private_chat,
    start_application,
    stop_application,
    user,
)
from tests.feed_server import FeedServer, run_feed_server
from tests.helpers import SEEDS, Outage, article


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """Feed documents served on 127.0.0.1."""
    yield from run_feed_server()


@pytest.fixture
async def bot(seeded: Depeche, bot_settings: Settings, api: FakeBotAPI) -> AsyncIterator[Chatting]:
    """The bot of ``depeche run`` with its metrics endpoint on a free port."""
    settings = bot_settings.model_copy(
        update={
            "metrics_port": 0,
            "metrics_listen": "127.0.0.1",
            "feeds_allow_private": True,
            # Counters, not burst gathering, are under test: an alert is due as soon as queued.
            "alert_settle_seconds": 0.0,
        }
    )
    application = await start_application(settings, seeded)
    try:
        yield Chatting(api, application, seeded)
    finally:
        await api.end_long_polls()
        await stop_application(application)


def base_url(bot: Chatting) -> str:
    server = metrics_of(bot.app)
    assert server is not None, "DEPECHE_METRICS_PORT set but no metrics server"
    return f"http://127.0.0.1:{server.port}"


async def scrape(bot: Chatting) -> dict[str, float]:
    """Every sample as ``name{label="value"}`` → value."""
    async with httpx.AsyncClient() as client:
        response = await client.get(base_url(bot) + "/metrics")
    assert response.status_code == 200
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


async def healthz(bot: Chatting) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient() as client:
        response = await client.get(base_url(bot) + "/healthz")
    return response.status_code, response.json()


async def eventually_healthy(bot: Chatting) -> dict[str, Any]:
    for _ in range(100):
        status, body = await healthz(bot)
        if status == 200:
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"/healthz never became healthy: {body}")


def moved(before: dict[str, float], after: dict[str, float], name: str) -> float:
    return after.get(name, 0.0) - before.get(name, 0.0)


async def test_a_question_moves_the_question_counter_and_histogram(bot: Chatting) -> None:
    before = await scrape(bot)
    person = user("en")
    await bot.ask(private_chat(person), person, "What did the Kremlin say?")
    await bot.ask(private_chat(person), person, "zyxwvut qwertzuiop")
    after = await scrape(bot)
    assert moved(before, after, 'depeche_questions_total{result="answered"}') == 1
    assert moved(before, after, 'depeche_questions_total{result="unanswered"}') == 1
    assert moved(before, after, "depeche_question_seconds_count") == 2
    assert after["depeche_question_seconds_sum"] > before.get("depeche_question_seconds_sum", 0)
    assert after["depeche_index_passages"] == len(bot.service.index) > 0


async def test_an_alert_moves_queued_depth_and_sent(bot: Chatting) -> None:
    outbox.add_subscription(engine=bot.service.engine, chat_id=4242, topic=parse_topic("Kremlin"))
    before = await scrape(bot)
    bot.service.ingest_drafts([article(1)])
    queued = await scrape(bot)
    assert moved(before, queued, 'depeche_alerts_total{event="queued"}') == 1
    assert moved(before, queued, 'depeche_articles_ingested_total{outcome="new"}') == 1
    assert queued["depeche_outbox_depth"] == 1
    assert queued["depeche_index_passages"] > before["depeche_index_passages"]

    await sender_of(bot.app).send_due(bot.app.bot)  # or the job did: either way, once
    sent = await scrape(bot)
    assert moved(before, sent, 'depeche_alerts_total{event="sent"}') == 1
    assert sent["depeche_outbox_depth"] == 0

    outbox.add_subscription(engine=bot.service.engine, chat_id=4343, topic=parse_topic("Kremlin"))
    bot.api.fail_blocked()
    bot.service.ingest_drafts([article(2)])
    await sender_of(bot.app).send_due(bot.app.bot)  # or the job did: either way, once
    failed = await scrape(bot)
    assert moved(sent, failed, 'depeche_alerts_total{event="failed"}') == 1
    # The blocked chat's alert has left the outbox; the first chat's second one waits out its
    # digest window (it was alerted a moment ago).
    assert failed["depeche_outbox_depth"] == 1


async def test_a_feed_poll_moves_the_poll_and_error_counters(
    bot: Chatting, feed_server: FeedServer
) -> None:
    good = feed_server.serve_file("depeches.rss", "depeches.rss")
    broken = feed_server.serve("failing.rss", b"", status=500)
    for url in (good, broken):
        feed_store.add_feed(engine=bot.service.engine, url=url)
    before = await scrape(bot)
    results = await poller_of(bot.app).poll(due_only=False)
    after = await scrape(bot)
    assert sorted(r.status for r in results) == ["failed", "updated"]
    assert moved(before, after, 'depeche_feed_polls_total{outcome="updated"}') == 1
    assert moved(before, after, 'depeche_feed_polls_total{outcome="failed"}') == 1
    assert moved(before, after, "depeche_feed_errors_total") == 1
    assert moved(before, after, 'depeche_articles_ingested_total{outcome="new"}') == 3


async def test_healthz_reports_every_check(bot: Chatting) -> None:
    body = await eventually_healthy(bot)
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "schema", "index", "updates"}
    assert all(check["ok"] for check in body["checks"].values())


async def test_healthz_is_503_with_the_reason_when_the_schema_is_not_current(
    bot: Chatting,
) -> None:
    await eventually_healthy(bot)
    with bot.service.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    status, body = await healthz(bot)
    assert status == 503
    assert body["checks"]["schema"]["ok"] is False and "0000" in body["reason"]


async def test_healthz_is_503_with_the_reason_when_the_database_is_gone(
    bot: Chatting, settings: Settings
) -> None:
    if bot.service.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's file taken away; PostgreSQL's outage is the next test")
    await eventually_healthy(bot)
    database = Path(make_url(settings.database_url).database or "")
    folder, aside = database.parent, database.parent.with_name("aside")
    bot.service.engine.dispose()
    folder.rename(aside)
    folder.write_text("not a folder")  # the file cannot be opened, nor created again
    try:
        status, body = await healthz(bot)
        # the metrics still answer, without the outbox
        after = await scrape(bot)
    finally:
        folder.unlink()
        aside.rename(folder)
    assert status == 503
    assert body["checks"]["database"]["ok"] is False
    assert "database: unreachable" in body["reason"]
    assert "depeche_outbox_depth" not in after and "depeche_index_passages" in after


async def test_healthz_is_503_while_postgresql_is_cut_off_and_200_once_back(
    postgres_url: str, bot_settings: Settings, api: FakeBotAPI
) -> None:
    if bot_settings.database_url.startswith("sqlite"):
        pytest.skip("runs once, in the PostgreSQL variant")
    target = make_url(postgres_url)
    relay = Outage((target.host or "127.0.0.1", target.port or 5432))
    relay.up()
    relayed = target.set(port=relay.port).render_as_string(hide_password=False)
    settings = bot_settings.model_copy(
        update={"database_url": relayed, "metrics_port": 0, "metrics_listen": "127.0.0.1"}
    )
    service = Depeche.open(settings)
    service.ingest_paths([SEEDS])
    application = await start_application(settings, service)
    bot = Chatting(api, application, service)
    try:
        await eventually_healthy(bot)
        relay.down()
        status, body = await healthz(bot)
        assert status == 503
        assert body["checks"]["database"]["ok"] is False
        assert "database: unreachable" in body["reason"]
        relay.up()
        await eventually_healthy(bot)  # pre-ping: it carries on by itself
    finally:
        relay.up()
        await api.end_long_polls()
        await stop_application(application)
        relay.down()
        service.engine.dispose()


async def test_no_port_no_endpoint(seeded: Depeche, bot_settings: Settings) -> None:
    application = build_application(bot_settings, seeded)
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    try:
        assert metrics_of(application) is None
    finally:
        await application.shutdown()


async def test_depeche_health_asks_the_running_bot(bot: Chatting) -> None:
    await eventually_healthy(bot)
    server = metrics_of(bot.app)
    assert server is not None
    run = CliRunner(env={"DEPECHE_METRICS_PORT": str(server.port)})
    healthy = await asyncio.to_thread(run.invoke, cli, ["health"])
    assert healthy.exit_code == 0, healthy.output
    assert healthy.output.startswith("ok: database answers; schema at ")
    with bot.service.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    unhealthy = await asyncio.to_thread(run.invoke, cli, ["health"])
    assert unhealthy.exit_code == 1 and "unhealthy: schema: at 0000" in unhealthy.output
    await stop_application(bot.app)
    stopped = await asyncio.to_thread(run.invoke, cli, ["health"])
    assert stopped.exit_code == 1 and "the bot does not answer" in stopped.output


async def test_a_metrics_port_in_use_is_said_in_one_sentence(
    seeded: Depeche, bot_settings: Settings
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = bot_settings.model_copy(
            update={"metrics_port": port, "metrics_listen": "127.0.0.1"}
        )
        application = build_application(settings, seeded)
        await application.initialize()
        assert application.post_init is not None
        try:
            with pytest.raises(MetricsPortError, match=f"on 127.0.0.1:{port} .*free port"):
                await application.post_init(application)
        finally:
            await application.shutdown()
