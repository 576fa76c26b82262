"""A local HTTP server on 127.0.0.1 serving feed documents, for the feed tests.

It runs in its own thread and event loop, so that synchronous code under test (the CLI's
``asyncio.run``) and async tests can both use it. Each route answers with its body and an
ETag / Last-Modified, honours ``If-None-Match`` / ``If-Modified-Since`` with a 304, and can be
made to fail (a status), redirect (a 3xx status and ``location``) or hang (``hang=True``,
released at shutdown). Every request's headers are recorded.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"


@dataclass
class Route:
    """What a path answers."""

    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    status: int = 200
    hang: bool = False
    location: str | None = None  # with a 3xx status: where it redirects


@dataclass
class Request:
    """One recorded request."""

    path: str
    headers: dict[str, str]


@dataclass
class FeedServer:
    """The running server: its base URL, its routes and the requests it saw."""

    base_url: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def url(self, path: str) -> str:
        """The full URL of a path on this server."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def serve(self, path: str, body: bytes | str, **options: object) -> str:
        """Answer ``path`` with ``body``; returns its URL."""
        data = body.encode() if isinstance(body, str) else body
        self.routes["/" + path.lstrip("/")] = Route(data, **options)  # type: ignore[arg-type]
        return self.url(path)

    def serve_file(self, path: str, name: str, **options: object) -> str:
        """Answer ``path`` with a fixture from tests/fixtures/feeds."""
        return self.serve(path, (FEEDS / name).read_bytes(), **options)

    def requests_for(self, path: str) -> list[Request]:
        """The requests made for one path, oldest first."""
        return [r for r in self.requests if r.path == "/" + path.lstrip("/")]


def _app(server: FeedServer, release: asyncio.Event) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        server.requests.append(Request(request.path, dict(request.headers)))
        route = server.routes.get(request.path)
        if route is None:
            return web.Response(status=404, text="no such feed")
        if route.hang:
            await release.wait()
            return web.Response(status=503)
        if route.location is not None:
            return web.Response(status=route.status, headers={"Location": route.location})
        if route.status != 200:
            return web.Response(status=route.status, text="failure")
        headers = {}
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        fresh = (route.etag and request.headers.get("If-None-Match") == route.etag) or (
            route.last_modified and request.headers.get("If-Modified-Since") == route.last_modified
        )
        if fresh:
            return web.Response(status=304, headers=headers)
        headers["Content-Type"] = route.content_type
        return web.Response(body=route.body, headers=headers)

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handle)
    return app


def run_feed_server() -> Iterator[FeedServer]:
    """A feed server on 127.0.0.1 until the generator is closed (use it in a fixture)."""
    server = FeedServer()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    state: dict[str, object] = {}

    async def start() -> None:
        release = asyncio.Event()
        runner = web.AppRunner(_app(server, release), shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        server.base_url = f"http://127.0.0.1:{port}"
        state.update(runner=runner, release=release)
        ready.set()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=run, name="feed-server", daemon=True)
    thread.start()
    assert ready.wait(10), "the feed server did not start"
    try:
        yield server
    finally:

        async def stop() -> None:
            state["release"].set()  # type: ignore[attr-defined]
            await state["runner"].cleanup()  # type: ignore[attr-defined]

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
