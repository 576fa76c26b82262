"""RSS and Atom feeds: the feed table's repository, and feed entries turned into drafts.

Fetching is the bot's business (``bot.feeds``, async); everything here is synchronous and meant
to run off the event loop: parsing a downloaded document with feedparser, and turning each
entry into an ``ArticleDraft`` (text from the entry's content or summary, HTML turned into
paragraphs, the entry id or link as identity, the published date, the source).
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import feedparser
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.db import session_scope
from storage.html import html_to_blocks, looks_like_html
from storage.models import MAX_ERROR_CHARS, Article, Feed, as_utc, utcnow
from storage.readers import (
    MAX_TITLE_CHARS,
    ArticleDraft,
    ReaderError,
    blocks_from_body,
    derive_title,
    shorten,
)

log = logging.getLogger(__name__)

# A feed entry dated further ahead than this is taken to be wrong (see ``entry_to_draft``).
FUTURE_TOLERANCE = timedelta(days=1)


MAX_BACKOFF = timedelta(hours=24)


class FeedError(ValueError):
    """A feed URL that cannot be added, or a document that is not a feed."""


# -- the feed table ----------------------------------------------------------------------------


def check_url(url: str) -> str:
    """A feed URL, trimmed, or ``FeedError`` if it is not an absolute http(s) URL."""
    url = url.strip().strip("<>")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FeedError(f"not a feed address: {url!r} (use an http:// or https:// URL)")
    if len(url) > 2000:
        raise FeedError("that address is too long")
    return url


def add_feed(
    *, engine: Engine, url: str, source: str | None = None, added_by: int | None = None
) -> tuple[Feed, bool]:
    """Register a feed (polled at once); returns it and whether it is new."""
    url = check_url(url)
    with session_scope(engine) as session:
        existing = session.exec(select(Feed).where(Feed.url == url)).first()
        if existing is not None:
            return existing, False
        feed = Feed(
            url=url,
            source=source.strip()[:100] if source and source.strip() else None,
            added_by=added_by,
            next_poll_at=None,
        )
        session.add(feed)
        session.flush()
        return feed, True


def list_feeds(*, engine: Engine) -> list[Feed]:
    """Every feed, oldest first."""
    with session_scope(engine) as session:
        return list(session.exec(select(Feed).order_by(col(Feed.id))).all())


def get_feed(*, engine: Engine, feed_id: int) -> Feed | None:
    """One feed by id."""
    with session_scope(engine) as session:
        return session.get(Feed, feed_id)


def remove_feed(*, engine: Engine, reference: str) -> Feed | None:
    """Remove a feed by id or URL; its stored articles stay. The removed feed, or None."""
    reference = reference.strip().lstrip("#")
    with session_scope(engine) as session:
        feed = None
        if reference.isdigit():
            feed = session.get(Feed, int(reference))
        if feed is None:
            feed = session.exec(select(Feed).where(Feed.url == reference.strip("<>"))).first()
        if feed is None:
            return None
        session.delete(feed)
        return feed


def mark_all_due(*, engine: Engine) -> int:
    """Make every feed due now (an administrator's "poll now"); how many feeds there are."""
    with session_scope(engine) as session:
        feeds = session.exec(select(Feed)).all()
        for feed in feeds:
            feed.next_poll_at = None
            session.add(feed)
        return len(feeds)


def due_feeds(*, engine: Engine, now: datetime) -> list[Feed]:
    """Feeds whose next poll time has come (or that were never polled)."""
    with session_scope(engine) as session:
        feeds = session.exec(select(Feed).order_by(col(Feed.id))).all()
    return [f for f in feeds if f.next_poll_at is None or as_utc(f.next_poll_at) <= now]


def record_success(
    *,
    engine: Engine,
    feed_id: int,
    now: datetime,
    next_poll_at: datetime,
    etag: str | None,
    last_modified: str | None,
    title: str | None = None,
) -> None:
    """A poll that worked (200 or 304): remember the validators, reset the failures."""
    with session_scope(engine) as session:
        feed = session.get(Feed, feed_id)
        if feed is None:
            return
        feed.etag = etag[:500] if etag else None
        feed.last_modified = last_modified[:100] if last_modified else None
        if title:
            feed.title = shorten(title, 500)
        feed.last_polled_at = now
        feed.next_poll_at = next_poll_at
        feed.failures = 0
        feed.last_error = None
        session.add(feed)


def backoff(interval: timedelta, failures: int) -> timedelta:
    """How long to wait after ``failures`` failed polls in a row: doubling, at most a day."""
    return min(interval * 2 ** max(0, failures - 1), max(MAX_BACKOFF, interval))


def record_failure(
    *, engine: Engine, feed_id: int, now: datetime, error: str, interval: timedelta
) -> datetime | None:
    """A poll that failed: count it, keep the reason, and back off. The next poll time."""
    with session_scope(engine) as session:
        feed = session.get(Feed, feed_id)
        if feed is None:
            return None
        feed.failures += 1
        feed.last_error = error[:MAX_ERROR_CHARS]
        feed.last_polled_at = now
        feed.next_poll_at = now + backoff(interval, feed.failures)
        session.add(feed)
        return feed.next_poll_at


def known_identities(*, engine: Engine, identities: Iterable[str]) -> set[str]:
    """Which of these article identities (entry ids, ``url:`` links) are already stored."""
    wanted = list(dict.fromkeys(identities))
    found: set[str] = set()
    with session_scope(engine) as session:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found.update(
                str(i)
                for i in session.exec(
                    select(Article.external_id).where(col(Article.external_id).in_(chunk))
                ).all()
            )
    return found


# -- documents and entries ---------------------------------------------------------------------


@dataclass
class ParsedFeed:
    """A downloaded feed: its title and language, and its entries as drafts or errors."""

    title: str | None
    language: str | None
    drafts: list[ArticleDraft | ReaderError] = field(default_factory=list)
    skipped: int = 0
    warning: str | None = None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    if looks_like_html(value):
        return " ".join(b.text for b in html_to_blocks(value))
    return " ".join(value.split())


def _language(value: Any) -> str | None:
    if isinstance(value, str) and value[:2].lower() in ("fr", "en"):
        return value[:2].lower()
    return None


def _entry_body(entry: Mapping[str, Any]) -> str:
    for content in entry.get("content") or []:
        value = content.get("value") if isinstance(content, Mapping) else None
        if isinstance(value, str) and value.strip():
            return value
    for key in ("summary", "description"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def _entry_date(entry: Mapping[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def entry_identity(entry: Mapping[str, Any]) -> str | None:
    """What identifies an entry across polls: ``feed:<id>``, else ``url:<link>`` (as drafts)."""
    entry_id = entry.get("id")
    if isinstance(entry_id, str) and entry_id.strip():
        return f"feed:{entry_id.strip()}"[:2000]
    link = entry.get("link")
    if isinstance(link, str) and link.strip():
        return f"url:{link.strip()}"
    return None


def entry_to_draft(
    entry: Mapping[str, Any],
    *,
    source: str,
    language: str | None = None,
    origin: str,
) -> ArticleDraft:
    """An article from one feed entry; ``ValueError`` when it carries no text at all."""
    title = _text(entry.get("title"))
    body = _entry_body(entry)
    blocks = blocks_from_body(body) if body else ()
    if not blocks and title:
        blocks = blocks_from_body(title)  # a headline-only feed: the headline is the text
    if not blocks:
        raise ValueError("entry has no title, content or summary")
    link = entry.get("link")
    entry_id = entry.get("id")
    published = _entry_date(entry)
    now = utcnow()
    if published is not None and published > now + FUTURE_TOLERANCE:
        # A clock or time-zone mistake in the feed: dated next week, it would head /latest
        # until then. Its arrival is the best date there is.
        log.warning(
            "%s: entry %r dated %s, in the future; stored with its ingest time",
            origin,
            title[:80],
            published.isoformat(),
        )
        published = now
    return ArticleDraft(
        blocks=blocks,
        source=source[:100] or "feed",
        title=shorten(title, MAX_TITLE_CHARS * 2) if title else derive_title(blocks),
        url=link.strip() if isinstance(link, str) and link.strip() else None,
        language=_language(entry.get("language")) or language,
        published_at=published,
        published_precision="time",
        origin=origin,
        external_id=f"feed:{entry_id.strip()}"[:2000]
        if isinstance(entry_id, str) and entry_id.strip()
        else None,
    )


def parse_feed(
    content: bytes,
    *,
    url: str,
    source: str | None = None,
    headers: Mapping[str, str] | None = None,
    known: Callable[[list[str]], set[str]] | None = None,
) -> ParsedFeed:
    """Parse an RSS/Atom document into drafts; entries ``known`` reports as stored are skipped.

    Raises ``FeedError`` when the document is not a feed at all (an HTML page, XML too broken
    to yield any entry).
    """
    parsed = feedparser.parse(content, response_headers=dict(headers or {}))
    meta = parsed.get("feed", {})
    entries = parsed.get("entries", [])
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not entries and not parsed.get("version"):
        raise FeedError("not an RSS or Atom feed (no channel or entries found)")
    if not entries and problem is not None:
        raise FeedError(f"malformed feed ({type(problem).__name__}: {problem})")
    title = _text(meta.get("title")) or None
    host = urlsplit(url).hostname or "feed"
    name = (source or title or host).strip()[:100]
    language = _language(meta.get("language"))
    result = ParsedFeed(title=title, language=language)
    if problem is not None:
        result.warning = f"{type(problem).__name__}: {problem}"
    identities = [entry_identity(e) for e in entries]
    stored = known([i for i in identities if i is not None]) if known else set()
    for number, (entry, identity) in enumerate(zip(entries, identities, strict=True), start=1):
        if identity is not None and identity in stored:
            result.skipped += 1
            continue
        if identity is not None:
            stored.add(identity)  # the same entry twice in one document
        try:
            result.drafts.append(entry_to_draft(entry, source=name, language=language, origin=url))
        except ValueError as error:
            result.drafts.append(ReaderError(url, f"entry {number}: {error}"))
    return result
