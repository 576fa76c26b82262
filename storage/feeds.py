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
from urllib.parse import urlsplit, urlunsplit
from xml.etree import ElementTree

import feedparser
import listparser
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


# Query parameters whose values are secrets as often as not.
SECRET_PARAMETERS = frozenset(
    {"token", "key", "apikey", "api_key", "access_token", "auth", "password", "secret", "sig"}
)
HIDDEN = "***"


def redact(url: str) -> str:
    """A feed URL fit to show or log: user and password, and secret-looking parameters, hidden.

    The stored URL keeps them (they are needed to fetch the feed).
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return url.split("@")[-1] if "@" in url else url
    netloc = parts.netloc
    if parts.username is not None or parts.password is not None:
        netloc = f"{HIDDEN}@{host}" + (f":{port}" if port is not None else "")
    query = parts.query
    if query:
        pairs = [p.partition("=") for p in query.split("&")]
        query = "&".join(
            f"{name}={HIDDEN}" if sep and name.lower() in SECRET_PARAMETERS else name + sep + value
            for name, sep, value in pairs
        )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def scrub(text: str, url: str) -> str:
    """``text`` (an error message) without the secrets of ``url``."""
    try:
        parts = urlsplit(url)
        secrets = [parts.password, parts.username]
    except ValueError:
        secrets = []
    for secret in secrets:
        if secret and len(secret) > 2:
            text = text.replace(secret, HIDDEN)
    return text.replace(url, redact(url))


def find_feed(*, engine: Engine, url: str) -> Feed | None:
    """The feed registered at this URL, if any."""
    with session_scope(engine) as session:
        return session.exec(select(Feed).where(Feed.url == url)).first()


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


def known_identities(*, engine: Engine, identities: Iterable[str]) -> dict[str, str]:
    """Which of these article identities (entry ids, ``url:`` links) are stored, with the
    content hash of the stored text (a changed entry is then stored again, replacing it)."""
    wanted = list(dict.fromkeys(identities))
    found: dict[str, str] = {}
    with session_scope(engine) as session:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = session.exec(
                select(Article.external_id, Article.content_hash).where(
                    col(Article.external_id).in_(chunk)
                )
            ).all()
            found.update((str(identity), digest) for identity, digest in rows)
    return found


# -- OPML ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpmlFeed:
    """One feed of an OPML subscription list."""

    url: str
    title: str | None


def read_opml(content: bytes) -> list[OpmlFeed]:
    """The feeds of an OPML document (listparser; nested folders flattened)."""
    parsed = listparser.parse(content)  # bytes: parsed as they are, never fetched
    found: dict[str, OpmlFeed] = {}
    for feed in parsed.get("feeds", []):
        url = str(feed.get("url") or "").strip()
        title = str(feed.get("title") or "").strip()
        if url and url not in found:
            found[url] = OpmlFeed(url, title if title and title != url else None)
    if not found:
        problem = parsed.get("bozo_exception")
        raise FeedError(
            "no feed found: not an OPML subscription list" + (f" ({problem})" if problem else "")
        )
    return list(found.values())


def write_opml(feeds: Iterable[Feed], *, title: str = "Dépêche feeds") -> str:
    """An OPML 2.0 document of the feeds, which any feed reader (and ``read_opml``) imports."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    body = ElementTree.SubElement(root, "body")
    for feed in feeds:
        name = feed.source or feed.title or urlsplit(feed.url).hostname or feed.url
        ElementTree.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=feed.url)
    ElementTree.indent(root)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )


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
    known: Callable[[list[str]], Mapping[str, str]] | None = None,
) -> ParsedFeed:
    """Parse an RSS/Atom document into drafts; entries ``known`` reports as stored with the
    same text are skipped (one whose text changed under the same id is a correction: its draft
    replaces the stored article, and its alerts are not sent again).

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
    # Here, not at the top: ingest brings numpy (passage signatures), which `depeche feeds
    # list` and the other quick commands must not load.
    from storage.ingest import content_hash

    stored = dict(known([i for i in identities if i is not None])) if known else {}
    seen: set[str] = set()
    shown = redact(url)
    for number, (entry, identity) in enumerate(zip(entries, identities, strict=True), start=1):
        if identity is not None and identity in seen:
            result.skipped += 1  # the same entry twice in one document
            continue
        try:
            draft = entry_to_draft(entry, source=name, language=language, origin=shown)
        except ValueError as error:
            result.drafts.append(ReaderError(shown, f"entry {number}: {error}"))
            continue
        if identity is not None:
            seen.add(identity)
            if stored.get(identity) == content_hash(draft):
                result.skipped += 1
                continue
        result.drafts.append(draft)
    return result
