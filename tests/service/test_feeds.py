"""Feeds: conditional GET, RSS and Atom entries stored as articles, failures that back off.

A local aiohttp server on 127.0.0.1 (tests/feed_server.py) serves the fixtures under
tests/fixtures/feeds; the poller is run directly (its JobQueue timing does not matter here).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, col, select

from bot.cli import cli
from bot.feeds import FeedPoller
from bot.service import Depeche
from bot.settings import Settings
from retrieval.topics import parse_topic
from storage import alerts as outbox
from storage import feeds as feed_store
from storage.models import Alert, Article, Feed, Passage
from tests.feed_server import FeedServer, run_feed_server
from tests.helpers import table_count

LAST_MODIFIED = "Tue, 03 Jun 2025 10:00:00 GMT"


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """Feed documents served on 127.0.0.1."""
    yield from run_feed_server()


def make_poller(service: Depeche, *, timeout: float = 5.0) -> FeedPoller:
    # The feed server is on 127.0.0.1, an address refused unless private ones are allowed.
    return FeedPoller(
        service=service, interval=timedelta(minutes=15), timeout=timeout, allow_private=True
    )


def articles(service: Depeche) -> dict[str, Article]:
    with Session(service.engine) as session:
        return {a.title: a for a in session.exec(select(Article)).all()}


async def test_a_poll_stores_rss_entries_as_articles(
    feed_server: FeedServer, depeche: Depeche
) -> None:
    url = feed_server.serve_file("depeches.rss", "depeches.rss")
    feed, created = feed_store.add_feed(engine=depeche.engine, url=url)
    assert created and feed.next_poll_at is None  # polled at the first chance

    [result] = await make_poller(depeche).poll()

    assert result.status == "updated", result
    # five items: three dispatches, one repeated in the document, one re-sent under another id
    assert (result.new, result.unchanged, result.skipped) == (3, 1, 1)
    stored = articles(depeche)
    assert set(stored) == {
        "Le Kremlin salue les pourparlers d'Istanbul",
        "Nuit de drones sur Kiev",
        "Le Kremlin félicite l'équipe de football",
    }
    kremlin = stored["Le Kremlin salue les pourparlers d'Istanbul"]
    assert kremlin.source == "Dépêches du Léman (test)"  # the feed's title
    assert kremlin.url == "http://127.0.0.1/depeches/leman-001"
    assert kremlin.external_id == "feed:leman-001"
    assert kremlin.language == "fr"
    assert kremlin.published_at is not None
    assert kremlin.published_at.replace(tzinfo=UTC) == datetime(2025, 6, 3, 8, 15, tzinfo=UTC)
    # HTML in entries becomes text: tags and scripts gone, entities decoded
    assert "<" not in kremlin.body and "pwned" not in kremlin.body
    assert "selon Moscou & Kiev" in kremlin.body
    drones = stored["Nuit de drones sur Kiev"]
    assert "Résumé court" not in drones.body  # the full content wins over the summary
    with Session(depeche.engine) as session:
        headings = session.exec(
            select(Passage.heading).where(Passage.article_id == drones.id)
        ).all()
    assert "Défense antiaérienne" in headings
    # and they are searchable at once
    found = depeche.ask("drones Kiev", k=1)
    assert found.answers and found.answers[0].passage.title == "Nuit de drones sur Kiev"

    with Session(depeche.engine) as session:
        polled = session.exec(select(Feed)).one()
    assert polled.title == "Dépêches du Léman (test)"
    assert polled.failures == 0 and polled.last_polled_at is not None
    assert polled.next_poll_at is not None


async def test_atom_entries_with_a_configured_source(
    feed_server: FeedServer, depeche: Depeche
) -> None:
    url = feed_server.serve_file("world.atom", "world.atom", content_type="application/atom+xml")
    feed_store.add_feed(engine=depeche.engine, url=url, source="World Wire")
    [result] = await make_poller(depeche).poll()
    assert result.new == 2, result
    stored = articles(depeche)
    talks = stored["Kremlin calls the Istanbul talks useful"]  # HTML title turned into text
    assert talks.source == "World Wire"
    assert talks.language == "en"
    assert "color: red" not in talks.body and "A ceasefire was not on the agenda" in talks.body
    assert talks.published_at is not None
    assert talks.published_at.replace(tzinfo=UTC) == datetime(2025, 6, 3, 9, 30, tzinfo=UTC)
    fires = stored["Wildfires force evacuations in western Canada"]  # summary only, updated date
    assert fires.body.startswith("Thousands of residents")
    assert fires.published_at is not None


async def test_an_unchanged_feed_answers_304_to_the_conditional_headers(
    feed_server: FeedServer, depeche: Depeche
) -> None:
    url = feed_server.serve_file(
        "depeches.rss", "depeches.rss", etag='"v1"', last_modified=LAST_MODIFIED
    )
    feed_store.add_feed(engine=depeche.engine, url=url)
    poller = make_poller(depeche)
    [first] = await poller.poll()
    assert first.status == "updated"
    assert "If-None-Match" not in feed_server.requests[0].headers

    [second] = await poller.poll(due_only=False)

    assert second.status == "not-modified"
    request = feed_server.requests_for("depeches.rss")[-1]
    assert request.headers["If-None-Match"] == '"v1"'
    assert request.headers["If-Modified-Since"] == LAST_MODIFIED
    assert table_count(depeche, "article") == 3
    with Session(depeche.engine) as session:
        feed = session.exec(select(Feed)).one()
    assert (feed.etag, feed.last_modified) == ('"v1"', LAST_MODIFIED)


async def test_entries_already_stored_are_skipped(
    feed_server: FeedServer, depeche: Depeche
) -> None:
    url = feed_server.serve_file("depeches.rss", "depeches.rss")  # no validators: 200 each time
    feed_store.add_feed(engine=depeche.engine, url=url)
    depeche_subscription(depeche, "Kremlin")
    poller = make_poller(depeche)
    [first] = await poller.poll()
    [again] = await poller.poll(due_only=False)
    assert first.new == 3 and first.alerts_queued == 2
    assert again.status == "updated" and again.new == 0 and again.alerts_queued == 0
    assert again.skipped == 4  # three known entries and the repeated one
    assert table_count(depeche, "article") == 3
    assert table_count(depeche, "alert") == 2


def depeche_subscription(service: Depeche, topic: str, chat_id: int = 42) -> int:
    subscription, _ = outbox.add_subscription(
        engine=service.engine, chat_id=chat_id, topic=parse_topic(topic)
    )
    assert subscription.id is not None
    return subscription.id


async def test_a_poll_queues_alerts_for_matching_subscriptions(
    feed_server: FeedServer, depeche: Depeche
) -> None:
    url = feed_server.serve_file("depeches.rss", "depeches.rss")
    feed_store.add_feed(engine=depeche.engine, url=url)
    subscription_id = depeche_subscription(depeche, "Kremlin -football")
    [result] = await make_poller(depeche).poll()
    assert result.alerts_queued == 1
    with Session(depeche.engine) as session:
        alert = session.exec(select(Alert)).one()
        article = session.get(Article, alert.article_id)
    assert alert.subscription_id == subscription_id and alert.chat_id == 42
    assert alert.status == "pending"
    assert article is not None and article.title.startswith("Le Kremlin salue")


async def test_broken_slow_and_unreachable_feeds_do_not_hold_up_the_others(
    feed_server: FeedServer, depeche: Depeche, caplog: pytest.LogCaptureFixture
) -> None:
    broken = feed_server.serve_file("broken.xml", "broken.xml")
    html = feed_server.serve_file("moved.html", "not-a-feed.html", content_type="text/html")
    slow = feed_server.serve("slow.rss", b"", hang=True)
    failing = feed_server.serve("failing.rss", b"", status=500)
    unreachable = "http://127.0.0.1:1/feed.rss"
    good = feed_server.serve_file("world.atom", "world.atom")
    for url in (broken, html, slow, failing, unreachable, good):
        feed_store.add_feed(engine=depeche.engine, url=url)
    caplog.set_level(logging.WARNING, logger="bot.feeds")

    started = time.monotonic()
    results = {r.url: r for r in await make_poller(depeche, timeout=1.0).poll()}
    elapsed = time.monotonic() - started

    assert elapsed < 4, f"feeds were not polled concurrently with timeouts ({elapsed:.1f} s)"
    assert results[good].status == "updated" and results[good].new == 2
    reasons = {url: results[url].error or "" for url in (broken, html, slow, failing, unreachable)}
    assert "malformed feed" in reasons[broken]
    assert "not an RSS or Atom feed" in reasons[html]
    assert "no answer within 1 s" in reasons[slow]
    assert "HTTP 500" in reasons[failing]
    assert "cannot connect" in reasons[unreachable]
    assert broken in caplog.text and "malformed feed" in caplog.text

    with Session(depeche.engine) as session:
        feeds = {f.url: f for f in session.exec(select(Feed)).all()}
    now = datetime.now(UTC)
    for url in reasons:
        assert feeds[url].failures == 1 and feeds[url].last_error
        next_poll = feeds[url].next_poll_at
        assert next_poll is not None and next_poll.replace(tzinfo=UTC) > now
    assert feeds[good].failures == 0
    assert await make_poller(depeche).poll() == []  # nothing is due again yet


def test_failures_back_off_and_a_success_resets_them(settings: Settings) -> None:
    service = Depeche.open(settings)
    feed, _ = feed_store.add_feed(engine=service.engine, url="http://127.0.0.1:1/feed")
    assert feed.id is not None
    interval = timedelta(minutes=15)
    now = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)
    waits = []
    for _ in range(4):
        retry_at = feed_store.record_failure(
            engine=service.engine, feed_id=feed.id, now=now, error="boom", interval=interval
        )
        assert retry_at is not None
        waits.append(retry_at.replace(tzinfo=UTC) - now)
    assert waits == [interval, interval * 2, interval * 4, interval * 8]
    assert feed_store.backoff(interval, 30) == timedelta(hours=24)
    feed_store.record_success(
        engine=service.engine,
        feed_id=feed.id,
        now=now,
        next_poll_at=now + interval,
        etag=None,
        last_modified=None,
    )
    [again] = feed_store.list_feeds(engine=service.engine)
    assert again.failures == 0 and again.last_error is None
    service.engine.dispose()


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "not a url", "http://"])
def test_a_feed_address_must_be_http(url: str) -> None:
    with pytest.raises(feed_store.FeedError, match="not a feed address"):
        feed_store.check_url(url)


def test_the_feeds_cli(feed_server: FeedServer, database_url: str, tmp_path: Path) -> None:
    run = CliRunner(
        env={
            "DEPECHE_DATABASE_URL": database_url,
            "DEPECHE_DATA_DIR": str(tmp_path / "data"),
            "DEPECHE_FEEDS_ALLOW_PRIVATE": "true",
        }
    )
    url = feed_server.serve_file("depeches.rss", "depeches.rss")

    added = run.invoke(cli, ["feeds", "add", url, "--source", "Léman"])
    assert added.exit_code == 0, added.output
    # fetched once when added: its title, its entries, and what was stored
    assert f"added: [1] {url} — Dépêches du Léman (test), 5 entries, 3 new stored" in added.output
    assert "already there" in run.invoke(cli, ["feeds", "add", url]).output
    refused = run.invoke(cli, ["feeds", "add", "ftp://example.org/x"])
    assert refused.exit_code != 0 and "not a feed address" in refused.output

    listed = run.invoke(cli, ["feeds", "list"])
    assert f"[1] {url} (Léman) polled " in listed.output
    latest = run.invoke(cli, ["latest"])
    assert "Nuit de drones sur Kiev — Léman" in latest.output

    polled = run.invoke(cli, ["feeds", "poll"])
    assert polled.exit_code == 0, polled.output
    assert "0 new, 0 replaced, 5 already stored" in polled.output

    assert "removed: [1]" in run.invoke(cli, ["feeds", "remove", "1"]).output
    missing = run.invoke(cli, ["feeds", "remove", url])
    assert missing.exit_code != 0 and "no feed" in missing.output
    assert "No feed yet" in run.invoke(cli, ["feeds", "list"]).output


def test_ingest_from_the_cli_queues_alerts(database_url: str, tmp_path: Path) -> None:
    run = CliRunner(
        env={"DEPECHE_DATABASE_URL": database_url, "DEPECHE_DATA_DIR": str(tmp_path / "data")}
    )
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data")
    service = Depeche.open(settings)
    depeche_subscription(service, "Kremlin Istanbul")
    source = tmp_path / "wire.jsonl"
    source.write_text(
        '{"title": "Le Kremlin et Istanbul", "body": "Le Kremlin parle d\'Istanbul."}\n'
    )
    first = run.invoke(cli, ["ingest", str(source)])
    assert "1 new" in first.output and "1 alerts queued" in first.output
    second = run.invoke(cli, ["ingest", str(source)])
    assert "1 unchanged" in second.output and "alerts queued" not in second.output
    with Session(service.engine) as session:
        assert len(session.exec(select(col(Alert.id))).all()) == 1
    service.engine.dispose()
