"""``depeche feeds``: register, list, remove, poll, import and export RSS/Atom feeds."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from bot.settings import Settings

from bot.cli.common import _database_errors, open_database, open_service, pass_settings

# -- feeds -------------------------------------------------------------------------------------


@click.group()
def feeds() -> None:
    """Manage the RSS/Atom feeds the bot polls (add, list, remove, poll, import, export)."""


@feeds.command("add")
@click.argument("url")
@click.option("--source", default=None, help="Source name for its articles (default: feed title).")
@pass_settings
def feeds_add(settings: Settings, url: str, source: str | None) -> None:
    """Fetch a feed once and register it; the bot then polls it every DEPECHE_FEED_POLL_MINUTES."""
    import asyncio

    from bot.feeds import FeedPoller
    from storage import feeds as feed_store

    with _database_errors():
        service = open_service(settings)
        poller = FeedPoller.from_settings(settings, service)
        try:
            added = asyncio.run(poller.add(url, source=source))
        except feed_store.FeedError as error:
            raise click.ClickException(
                f"cannot add {feed_store.redact(url.strip())}: {error}"
            ) from None
        service.save_index()
    shown = feed_store.redact(added.feed.url)
    if not added.created:
        click.echo(f"already there: [{added.feed.id}] {shown}")
        return
    new = added.poll.new if added.poll else 0
    click.echo(
        f"added: [{added.feed.id}] {shown} — {added.title or 'untitled'}, "
        f"{added.entries} entries, {new} new stored"
    )


@feeds.command("list")
@pass_settings
def feeds_list(settings: Settings) -> None:
    """List the feeds with their last poll, next poll and last error."""
    from bot.chat.render import feed_line
    from storage import feeds as feed_store

    with _database_errors():
        registered = feed_store.list_feeds(engine=open_database(settings))
    if not registered:
        click.echo("No feed yet: depeche feeds add URL")
    for feed in registered:
        click.echo(feed_line(feed))


@feeds.command("remove")
@click.argument("reference", metavar="ID|URL")
@pass_settings
def feeds_remove(settings: Settings, reference: str) -> None:
    """Stop polling a feed (its stored articles stay)."""
    from storage import feeds as feed_store

    with _database_errors():
        removed = feed_store.remove_feed(engine=open_database(settings), reference=reference)
    if removed is None:
        raise click.ClickException(f"no feed {reference!r} (see depeche feeds list)")
    click.echo(f"removed: [{removed.id}] {feed_store.redact(removed.url)}")


@feeds.command("poll")
@click.option("--due", is_flag=True, help="Only the feeds whose next poll time has come.")
@pass_settings
def feeds_poll(settings: Settings, due: bool) -> None:
    """Poll the feeds once now, store new articles and queue their alerts."""
    import asyncio

    from bot.feeds import FeedPoller

    with _database_errors():
        service = open_service(settings)
        poller = FeedPoller.from_settings(settings, service)
        results = asyncio.run(poller.poll(due_only=due))
        service.save_index()
    if not results:
        click.echo("No feed to poll." if not due else "No feed is due.")
    for result in results:
        click.echo(result.summary())
    if results and all(r.status == "failed" for r in results):
        sys.exit(1)


@feeds.command("import")
@click.argument("opml", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_settings
def feeds_import(settings: Settings, opml: Path) -> None:
    """Register the feeds of an OPML file (from another reader); each is polled at the next tick."""
    from storage import feeds as feed_store

    try:
        entries = feed_store.read_opml(opml.read_bytes())
    except feed_store.FeedError as error:
        raise click.ClickException(f"{opml}: {error}") from None
    added = known = refused = 0
    with _database_errors():
        engine = open_database(settings)
        for entry in entries:
            try:
                feed, created = feed_store.add_feed(
                    engine=engine, url=entry.url, source=entry.title
                )
            except feed_store.FeedError as error:
                refused += 1
                click.echo(f"refused: {feed_store.redact(entry.url)}: {error}", err=True)
                continue
            added, known = added + created, known + (not created)
            if created:
                click.echo(f"added: [{feed.id}] {feed_store.redact(feed.url)}")
    click.echo(f"{added} added, {known} already there, {refused} refused")
    if refused and not (added or known):
        sys.exit(1)


@feeds.command("export")
@click.argument("opml", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_settings
def feeds_export(settings: Settings, opml: Path | None) -> None:
    """Write the feeds as OPML, to a file or to standard output (URLs in full: keep it private)."""
    from storage import feeds as feed_store

    with _database_errors():
        document = feed_store.write_opml(feed_store.list_feeds(engine=open_database(settings)))
    if opml is None:
        click.echo(document, nl=False)
    else:
        opml.write_text(document, encoding="utf-8")
        click.echo(f"wrote {document.count('<outline ')} feed(s) to {opml}", err=True)
