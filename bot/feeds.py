"""Polling RSS and Atom feeds: conditional GET with httpx, parsing and storing off the loop.

``FeedPoller.poll`` fetches every due feed concurrently (at most ``concurrency`` at a time),
each under its own overall timeout, with ``If-None-Match`` / ``If-Modified-Since`` from the
previous answer. A 304 costs nothing more. A 200 is parsed by feedparser and stored in a worker
thread (the event loop keeps answering questions), entries already stored being skipped; the
storing transaction queues the alerts (the service's ``queue_alerts``). A broken, slow or
unreachable feed is logged, its failures counted and its next poll pushed back (doubling, at
most a day); the other feeds are not held up.

Feeds are fetched only from public addresses (``GuardedBackend``, at every connection, so every
redirect too) unless private ones are allowed, and a feed URL's credentials never reach a log
line or a reply (``storage.feeds.redact``). ``FeedPoller.add`` fetches a feed once before
registering it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpcore
import httpx

from bot import metrics
from bot.settings import Settings
from storage import feeds as feed_store
from storage.models import Feed, utcnow

if TYPE_CHECKING:  # a type only: importing the service loads the index (slow CLI start)
    from bot.service import Depeche

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 10 * 1024 * 1024
USER_AGENT = "Depeche/0.1 (news bot; RSS/Atom reader)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
)


@dataclass(frozen=True)
class PollResult:
    """What polling one feed did."""

    feed_id: int
    url: str
    status: str  # "updated", "not-modified" or "failed"
    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed_entries: int = 0
    alerts_queued: int = 0
    error: str | None = None

    def summary(self) -> str:
        """One line for logs and the CLI (credentials in the URL hidden)."""
        shown = feed_store.redact(self.url)
        if self.status == "failed":
            return f"[{self.feed_id}] {shown}: failed ({self.error})"
        if self.status == "not-modified":
            return f"[{self.feed_id}] {shown}: not modified"
        text = (
            f"[{self.feed_id}] {shown}: {self.new} new, {self.replaced} replaced, "
            f"{self.unchanged + self.skipped} already stored"
        )
        if self.failed_entries:
            text += f", {self.failed_entries} unreadable"
        if self.alerts_queued:
            text += f"; {self.alerts_queued} alerts queued"
        return text


class _HideCredentials(logging.Filter):
    """httpx logs each request's URL in full, password and ``token=`` included: hide them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) for a in record.args):
            record.args = tuple(
                feed_store.redact(str(a)) if isinstance(a, httpx.URL) else a for a in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_HideCredentials())


class FeedFetchError(Exception):
    """A feed could not be downloaded (HTTP error, too big, timeout)."""


class AddressRefused(FeedFetchError):
    """The feed's host (or a redirect's) is at an internal address."""


@dataclass(frozen=True)
class AddedFeed:
    """A feed registered after one successful fetch: what it holds, what was stored."""

    feed: Feed
    created: bool
    title: str | None = None
    entries: int = 0
    poll: PollResult | None = None


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def refused_address(address: str | IPAddress) -> str | None:
    """Why a feed may not be fetched from this address (loopback, private...), or None."""
    ip = ipaddress.ip_address(address.split("%")[0] if isinstance(address, str) else address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    if not ip.is_global or ip.is_multicast:
        return "reserved"
    return None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves each host itself, refuses internal addresses, and connects to the address it
    checked (so a second DNS answer cannot differ). Every connection goes through it: redirects
    included. TLS still checks the certificate against the host name."""

    def __init__(
        self,
        refuse: Callable[[str], str | None] = refused_address,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.refuse = refuse
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Connect to the first checked address of ``host``."""
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError as unresolved:
            raise httpcore.ConnectError(f"cannot resolve {host} ({unresolved})") from unresolved
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            reason = self.refuse(address)
            if reason is not None:
                shown = host if host == address else f"{host} ({address})"
                raise AddressRefused(
                    f"{shown} is a {reason} address: feeds at internal addresses are refused "
                    "(DEPECHE_FEEDS_ALLOW_PRIVATE=true allows them)"
                )
        last: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as failed:
                last = failed
        raise last

    async def sleep(self, seconds: float) -> None:
        """As the wrapped backend sleeps."""
        await self.inner.sleep(seconds)


def guarded_transport(
    refuse: Callable[[str], str | None] = refused_address,
) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every connection goes through :class:`GuardedBackend`."""
    transport = httpx.AsyncHTTPTransport()
    # httpx offers no parameter for httpcore's network backend; the pool reads it per connection.
    pool = transport._pool
    assert hasattr(pool, "_network_backend"), "httpcore changed: the feed guard cannot be set"
    pool._network_backend = GuardedBackend(refuse)
    return transport


@dataclass(frozen=True)
class _Fetched:
    status: int
    content: bytes
    headers: dict[str, str]


class FeedPoller:
    """Polls the registered feeds; one per process, shared by the job and the admin commands."""

    def __init__(
        self,
        *,
        service: Depeche,
        interval: timedelta = timedelta(minutes=15),
        timeout: float = 20.0,
        concurrency: int = 8,
        max_bytes: int = MAX_FEED_BYTES,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_private: bool = False,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.service = service
        self.interval = interval
        self.timeout = timeout
        self.concurrency = concurrency
        self.max_bytes = max_bytes
        # Internal addresses are refused unless allowed (or a test brings its own transport).
        self.transport = transport
        self.allow_private = allow_private
        self.clock = clock
        self._running = asyncio.Lock()
        self._storing = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, service: Depeche, **overrides: Any) -> FeedPoller:
        """A poller with the configured interval and per-feed timeout."""
        options: dict[str, Any] = {
            "interval": timedelta(minutes=settings.feed_poll_minutes),
            "timeout": settings.feed_timeout_seconds,
            "allow_private": settings.feeds_allow_private,
        }
        options.update(overrides)
        return cls(service=service, **options)

    async def job(self, context: Any) -> None:
        """The JobQueue callback: poll the due feeds unless a poll is already running."""
        if self._running.locked():
            return
        await self.poll()

    async def poll(self, *, due_only: bool = True) -> list[PollResult]:
        """Poll the due feeds (every feed with ``due_only=False``), concurrently."""
        async with self._running:
            now = self.clock()
            if due_only:
                feeds = await asyncio.to_thread(
                    feed_store.due_feeds, engine=self.service.engine, now=now
                )
            else:
                feeds = await asyncio.to_thread(feed_store.list_feeds, engine=self.service.engine)
            if not feeds:
                return []
            limit = asyncio.Semaphore(self.concurrency)
            async with self._client() as client:

                async def one(feed: Feed) -> PollResult:
                    async with limit:
                        return await self.poll_feed(client, feed)

                results = await asyncio.gather(*(one(f) for f in feeds))
            for result in results:
                metrics.record_feed_poll(result.status)
                level = logging.WARNING if result.status == "failed" else logging.INFO
                log.log(level, "feed %s", result.summary())
            return list(results)

    def _client(self) -> httpx.AsyncClient:
        transport = self.transport
        if transport is None and not self.allow_private:
            transport = guarded_transport()
        return httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=True,
            max_redirects=5,
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
        )

    async def add(
        self, url: str, *, source: str | None = None, added_by: int | None = None
    ) -> AddedFeed:
        """Fetch a feed once and, if it is one, register it and store its entries.

        Raises ``storage.feeds.FeedError`` with the reason (not an http URL, refused address,
        HTTP error, not a feed...) without registering anything. A feed already registered is
        returned as it is.
        """
        engine = self.service.engine
        url = feed_store.check_url(url)
        existing = await asyncio.to_thread(feed_store.find_feed, engine=engine, url=url)
        if existing is not None:
            return AddedFeed(existing, False, existing.title)
        probe = Feed(url=url, source=source)
        try:
            async with self._client() as client, asyncio.timeout(self.timeout):
                fetched = await self._fetch(client, probe)
            preview = await asyncio.to_thread(
                feed_store.parse_feed, fetched.content, url=url, source=source
            )
        except Exception as error:
            raise feed_store.FeedError(
                feed_store.scrub(_describe(error, self.timeout), url)
            ) from None
        feed, created = await asyncio.to_thread(
            feed_store.add_feed, engine=engine, url=url, source=source, added_by=added_by
        )
        assert feed.id is not None
        now = self.clock()
        async with self._storing:
            result, title = await asyncio.to_thread(self._store, feed, fetched)
        await asyncio.to_thread(
            feed_store.record_success,
            engine=engine,
            feed_id=feed.id,
            now=now,
            next_poll_at=now + self.interval,
            etag=fetched.headers.get("etag"),
            last_modified=fetched.headers.get("last-modified"),
            title=title,
        )
        metrics.record_feed_poll(result.status)
        log.info("feed added: %s", result.summary())
        entries = len(preview.drafts) + preview.skipped
        return AddedFeed(feed, created, preview.title, entries, result)

    async def poll_feed(self, client: httpx.AsyncClient, feed: Feed) -> PollResult:
        """Fetch, parse and store one feed; never raises (a failure is recorded and returned)."""
        assert feed.id is not None
        now = self.clock()
        try:
            async with asyncio.timeout(self.timeout):
                fetched = await self._fetch(client, feed)
            etag, last_modified = fetched.headers.get("etag"), fetched.headers.get("last-modified")
            if fetched.status == 304:
                # A 304 may omit the validators: the ones sent stay valid.
                etag, last_modified = etag or feed.etag, last_modified or feed.last_modified
                result, title = PollResult(feed.id, feed.url, "not-modified"), None
            else:
                async with self._storing:  # one feed stored at a time: the index stays in step
                    result, title = await asyncio.to_thread(self._store, feed, fetched)
            # Recorded only after the entries are stored, so a failure refetches them.
            await asyncio.to_thread(
                feed_store.record_success,
                engine=self.service.engine,
                feed_id=feed.id,
                now=now,
                next_poll_at=now + self.interval,
                etag=etag,
                last_modified=last_modified,
                title=title,
            )
            return result
        except Exception as error:  # a feed's failure must never stop the others
            reason = feed_store.scrub(_describe(error, self.timeout), feed.url)
            retry_at = await asyncio.to_thread(
                feed_store.record_failure,
                engine=self.service.engine,
                feed_id=feed.id,
                now=now,
                error=reason,
                interval=self.interval,
            )
            shown = feed_store.redact(feed.url)
            log.warning("feed %s failed (%s); next try at %s", shown, reason, retry_at)
            return PollResult(feed.id, feed.url, "failed", error=reason)

    async def _fetch(self, client: httpx.AsyncClient, feed: Feed) -> _Fetched:
        headers = {}
        if feed.etag:
            headers["If-None-Match"] = feed.etag
        if feed.last_modified:
            headers["If-Modified-Since"] = feed.last_modified
        async with client.stream("GET", feed.url, headers=headers) as response:
            if response.status_code == 304:
                return _Fetched(304, b"", _lower(response.headers))
            if response.status_code >= 400:
                raise FeedFetchError(f"HTTP {response.status_code} {response.reason_phrase}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise FeedFetchError(f"feed larger than {self.max_bytes // 2**20} MiB")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise FeedFetchError(f"feed larger than {self.max_bytes // 2**20} MiB")
                chunks.append(chunk)
            return _Fetched(response.status_code, b"".join(chunks), _lower(response.headers))

    def _store(self, feed: Feed, fetched: _Fetched) -> tuple[PollResult, str | None]:
        """Parse and ingest a downloaded feed (in a worker thread)."""
        assert feed.id is not None
        engine = self.service.engine
        shown = feed_store.redact(feed.url)
        parsed = feed_store.parse_feed(
            fetched.content,
            url=feed.url,
            source=feed.source,
            headers={k: v for k, v in fetched.headers.items() if k == "content-type"},
            known=lambda ids: feed_store.known_identities(engine=engine, identities=ids),
        )
        if parsed.warning:
            log.info("feed %s parsed with a warning: %s", shown, parsed.warning)
        report = self.service.ingest_drafts(parsed.drafts)
        for failure in report.failures:
            log.warning("feed %s: %s", shown, failure.message)
        result = PollResult(
            feed.id,
            feed.url,
            "updated",
            new=report.new,
            replaced=report.replaced,
            unchanged=report.unchanged,
            skipped=parsed.skipped,
            failed_entries=report.failed,
            alerts_queued=report.alerts_queued,
        )
        return result, parsed.title


def _lower(headers: httpx.Headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _describe(error: BaseException, timeout: float) -> str:
    if isinstance(error, TimeoutError | httpx.TimeoutException):
        return f"no answer within {timeout:g} s"
    if isinstance(error, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(error, httpx.ConnectError):
        return f"cannot connect ({error})"
    if isinstance(error, httpx.HTTPError | FeedFetchError | feed_store.FeedError):
        return str(error) or type(error).__name__
    return f"{type(error).__name__}: {error}"
