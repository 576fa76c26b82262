"""Feeds an administrator cannot turn against the bot's network, whose secrets stay hidden,
whose corrections replace what was stored, and that travel as OPML."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from bot.cli import cli
from bot.feeds import FeedPoller, guarded_transport, refused_address
from bot.service import Depeche
from retrieval.topics import parse_topic
from storage import alerts as outbox
from storage import feeds as feed_store
from storage.models import Article
from tests.feed_server import FeedServer, run_feed_server
from tests.helpers import table_count


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """Feed documents served on 127.0.0.1."""
    yield from run_feed_server()


def rss(*items: tuple[str, str, str]) -> str:
    """An RSS document of (guid, title, description) items."""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>http://news.test/{guid}</link>"
        f"<description>{text}</description></item>"
        for guid, title, text in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        f"<link>http://news.test/</link>{entries}</channel></rss>"
    )


# -- internal addresses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped: the same host
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("fe80::1%eth0", "link-local"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.10", "private"),
        ("fd00::1", "private"),
        ("0.0.0.0", "private"),
        ("100.64.0.1", "reserved"),  # carrier-grade NAT
        ("224.0.0.1", "reserved"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_which_addresses_are_refused(address: str, reason: str | None) -> None:
    assert refused_address(address) == reason


async def test_a_feed_at_a_loopback_address_or_name_is_refused(
    feed_server: FeedServer, depeche: Depeche
) -> None:
    url = feed_server.serve_file("depeches.rss", "depeches.rss")
    poller = FeedPoller(service=depeche, timeout=5.0)  # private addresses not allowed
    for address in (url, url.replace("127.0.0.1", "localhost")):  # a name resolved first
        with pytest.raises(feed_store.FeedError, match="loopback address"):
            await poller.add(address)
    assert feed_store.list_feeds(engine=depeche.engine) == []
    assert feed_server.requests == []  # refused before connecting

    allowed = FeedPoller(service=depeche, timeout=5.0, allow_private=True)
    added = await allowed.add(url)
    assert added.created and added.poll is not None and added.poll.new == 3


async def test_a_registered_feed_redirecting_inside_is_refused_at_each_poll(
    feed_server: FeedServer, depeche: Depeche
) -> None:
    # The test's "public" address is the feed server's; 127.0.0.2 stands for the inside.
    def refuse(address: str) -> str | None:
        return None if address == "127.0.0.1" else refused_address(address)

    feed_server.serve_file("depeches.rss", "depeches.rss")
    url = feed_server.serve("moved.rss", b"", status=302, location=feed_server.url("depeches.rss"))
    poller = FeedPoller(service=depeche, timeout=5.0, transport=guarded_transport(refuse))
    assert (await poller.add(url)).created  # a redirect to an allowed address is followed

    inside = feed_server.url("depeches.rss").replace("127.0.0.1", "127.0.0.2")
    feed_server.serve("moved.rss", b"", status=302, location=inside)
    [result] = await poller.poll(due_only=False)
    assert result.status == "failed"
    assert result.error is not None and "127.0.0.2 is a loopback address" in result.error
    [feed] = feed_store.list_feeds(engine=depeche.engine)
    assert feed.failures == 1 and "loopback" in (feed.last_error or "")


# -- credentials -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:s3cret@feeds.test/rss", "https://***@feeds.test/rss"),
        ("https://user@feeds.test:8443/rss", "https://***@feeds.test:8443/rss"),
        ("https://feeds.test/rss?token=abc&lang=fr", "https://feeds.test/rss?token=***&lang=fr"),
        ("https://feeds.test/rss?lang=fr", "https://feeds.test/rss?lang=fr"),
    ],
)
def test_credentials_are_hidden(url: str, shown: str) -> None:
    assert feed_store.redact(url) == shown


async def test_credentials_never_reach_the_list_or_the_log(
    depeche: Depeche, caplog: pytest.LogCaptureFixture
) -> None:
    url = "http://editor:hunter22@127.0.0.1:1/private.rss?key=abcdef"
    feed_store.add_feed(engine=depeche.engine, url=url)
    caplog.set_level(logging.DEBUG)
    poller = FeedPoller(service=depeche, timeout=2.0, allow_private=True)
    [result] = await poller.poll()
    assert result.status == "failed"
    runner = CliRunner(
        env={"DEPECHE_DATABASE_URL": str(depeche.engine.url.render_as_string(False))}
    )
    listed = runner.invoke(cli, ["feeds", "list"])
    shown = "\n".join([caplog.text, result.summary(), listed.output, result.error or ""])
    assert "http://***@127.0.0.1:1/private.rss?key=***" in listed.output
    assert "hunter22" not in shown and "abcdef" not in shown and "editor" not in shown
    [stored] = feed_store.list_feeds(engine=depeche.engine)
    assert stored.url == url  # kept whole: the poll needs them


async def test_credentials_are_used_but_not_logged_when_the_feed_answers(
    feed_server: FeedServer, depeche: Depeche, caplog: pytest.LogCaptureFixture
) -> None:
    feed_server.serve_file("private.rss", "depeches.rss")
    url = feed_server.url("private.rss?key=abcdef").replace("//", "//editor:hunter22@", 1)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # the CLI quiets it, process-wide
    added = await FeedPoller(service=depeche, timeout=5.0, allow_private=True).add(url)
    assert added.poll is not None and added.poll.new == 3
    [request] = feed_server.requests_for("private.rss")
    assert request.headers["Authorization"].startswith("Basic ")  # the credentials were sent
    ours = "\n".join(  # the bot's and httpx's lines (not the test server's access log)
        r.getMessage() for r in caplog.records if not r.name.startswith("aiohttp")
    )
    assert "HTTP Request: GET http://***@127.0.0.1:" in ours  # httpx's own line, hidden
    assert "hunter22" not in ours and "abcdef" not in ours and "editor" not in ours
    with Session(depeche.engine) as session:
        origins = {a.origin for a in session.exec(select(Article)).all()}
    assert all(o and "hunter22" not in o and "abcdef" not in o for o in origins)


# -- corrected entries ---------------------------------------------------------------------------


async def test_a_corrected_entry_replaces_the_article_without_a_second_alert(
    feed_server: FeedServer, depeche: Depeche
) -> None:
    outbox.add_subscription(engine=depeche.engine, chat_id=42, topic=parse_topic("Kremlin"))
    first = rss(("a-1", "Le Kremlin répond", "Le Kremlin a répondu lundi à Kiev."))
    url = feed_server.serve("wire.rss", first)
    poller = FeedPoller(service=depeche, interval=timedelta(minutes=15), allow_private=True)
    await poller.add(url)

    corrected = rss(("a-1", "Le Kremlin répond", "Le Kremlin a répondu mardi à Kiev."))
    feed_server.serve("wire.rss", corrected)
    [result] = await poller.poll(due_only=False)
    assert (result.new, result.replaced, result.alerts_queued) == (0, 1, 0), result
    with Session(depeche.engine) as session:
        [stored] = session.exec(select(Article)).all()
    assert "mardi" in stored.body and "lundi" not in stored.body
    assert table_count(depeche, "alert") == 1
    assert [a.passage.article_id for a in depeche.ask("mardi Kremlin").answers] == [stored.id]
    assert not depeche.ask("lundi").answers

    [unchanged] = await poller.poll(due_only=False)  # the same text again: skipped
    assert (unchanged.replaced, unchanged.skipped) == (0, 1)


# -- fetched once when added -------------------------------------------------------------------


async def test_a_feed_that_cannot_be_read_is_not_added(
    feed_server: FeedServer, depeche: Depeche
) -> None:
    page = feed_server.serve_file("page.html", "not-a-feed.html", content_type="text/html")
    poller = FeedPoller(service=depeche, timeout=5.0, allow_private=True)
    with pytest.raises(feed_store.FeedError, match="not an RSS or Atom feed"):
        await poller.add(page)
    with pytest.raises(feed_store.FeedError, match="HTTP 404"):
        await poller.add(feed_server.url("nothing-here.rss"))
    assert feed_store.list_feeds(engine=depeche.engine) == []


# -- OPML ----------------------------------------------------------------------------------------


OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Newsroom</title></head><body>
  <outline text="Suisse">
    <outline type="rss" text="Le Temps" xmlUrl="https://www.letemps.ch/rss"/>
    <outline type="rss" text="RTS Info" xmlUrl="https://www.rts.ch/info/rss"/>
  </outline>
  <outline type="rss" text="Broken" xmlUrl="ftp://example.org/feed"/>
  <outline type="rss" text="Le Temps again" xmlUrl="https://www.letemps.ch/rss"/>
</body></opml>
"""


def test_opml_import_and_export_round_trip(database_url: str, tmp_path: Path) -> None:
    run = CliRunner(
        env={"DEPECHE_DATABASE_URL": database_url, "DEPECHE_DATA_DIR": str(tmp_path / "data")}
    )
    source = tmp_path / "feeds.opml"
    source.write_text(OPML, encoding="utf-8")

    imported = run.invoke(cli, ["feeds", "import", str(source)])
    assert imported.exit_code == 0, imported.output
    assert "2 added, 0 already there, 1 refused" in imported.output
    assert "refused: ftp://example.org/feed" in imported.output
    again = run.invoke(cli, ["feeds", "import", str(source)])
    assert "0 added, 2 already there, 1 refused" in again.output
    listed = run.invoke(cli, ["feeds", "list"]).output
    assert "https://www.letemps.ch/rss (Le Temps) never polled" in listed

    exported = run.invoke(cli, ["feeds", "export"])
    assert exported.exit_code == 0
    assert [(f.url, f.title) for f in feed_store.read_opml(exported.output.encode())] == [
        ("https://www.letemps.ch/rss", "Le Temps"),
        ("https://www.rts.ch/info/rss", "RTS Info"),
    ]
    target = tmp_path / "out.opml"
    assert run.invoke(cli, ["feeds", "export", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == exported.output

    not_opml = tmp_path / "notes.txt"
    not_opml.write_text("just some notes", encoding="utf-8")
    failed = run.invoke(cli, ["feeds", "import", str(not_opml)])
    assert failed.exit_code != 0 and "not an OPML subscription list" in failed.output
