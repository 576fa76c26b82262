"""What an operator watches: Prometheus metrics and ``/healthz``, on ``DEPECHE_METRICS_PORT``.

The counters and the histogram live here, one each, and are bumped by one-liners where things
happen (a question answered, an ingest stored, an alert sent, a feed polled). Values that are
state rather than events — the outbox's depth, the index's size — are read at scrape time by
:class:`ServiceCollector`, so they are never stale. :class:`MetricsServer` serves both, plus the
health check, from one small threaded HTTP server (``depeche run`` starts it only when the port
is set); scrapes never touch the event loop.

The metrics are created without a registry and added to each server's own registry, so that
several bots in one process (the tests) each have their own endpoint over the same counters.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ParamSpec, Protocol, TypeVar
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import ThreadingWSGIServer, make_wsgi_app
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage import alerts as outbox
from storage import repository
from storage.db import schema_state

log = logging.getLogger(__name__)

QUESTIONS = Counter(
    "depeche_questions",
    "Questions answered (and result pages shown), by whether any passage matched.",
    ["result"],
    registry=None,
)
QUESTION_SECONDS = Histogram(
    "depeche_question_seconds",
    "Time to find the cited passages of a question.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=None,
)
ALERTS = Counter(
    "depeche_alerts",
    "Alerts queued (a stored article matched a subscription), sent, or failed for good.",
    ["event"],
    registry=None,
)
FEED_POLLS = Counter(
    "depeche_feed_polls",
    "Feed polls, by outcome (updated, not-modified, failed).",
    ["outcome"],
    registry=None,
)
FEED_ERRORS = Counter("depeche_feed_errors", "Feed polls that failed.", registry=None)
ARTICLES = Counter(
    "depeche_articles_ingested",
    "Articles stored, by outcome (new, replaced, unchanged, failed).",
    ["outcome"],
    registry=None,
)
ALL: tuple[Collector, ...] = (
    QUESTIONS,
    QUESTION_SECONDS,
    ALERTS,
    FEED_POLLS,
    FEED_ERRORS,
    ARTICLES,
)

P = ParamSpec("P")
R = TypeVar("R")


# -- the one-liners ----------------------------------------------------------------------------


def timed_question(function: Callable[P, R]) -> Callable[P, R]:
    """Decorate the search of a question: its latency, and whether it found anything."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.perf_counter()
        results = function(*args, **kwargs)
        QUESTION_SECONDS.observe(time.perf_counter() - started)
        QUESTIONS.labels("answered" if getattr(results, "answers", None) else "unanswered").inc()
        return results

    return wrapper


def record_ingest(report: Any) -> None:
    """Count what an ingest report stored, and the alerts it queued."""
    for outcome in ("new", "replaced", "unchanged", "failed"):
        if count := int(getattr(report, outcome, 0)):
            ARTICLES.labels(outcome).inc(count)
    if queued := int(getattr(report, "alerts_queued", 0)):
        ALERTS.labels("queued").inc(queued)


def record_alerts(report: Any) -> None:
    """Count the alerts a send round delivered and those given up (``SendReport``)."""
    if sent := int(getattr(report, "sent", 0)):
        ALERTS.labels("sent").inc(sent)
    if failed := int(getattr(report, "undeliverable", 0)):
        ALERTS.labels("failed").inc(failed)


def record_feed_poll(status: str) -> None:
    """Count one feed poll (``PollResult.status``)."""
    FEED_POLLS.labels(status).inc()
    if status == "failed":
        FEED_ERRORS.inc()


# -- read at scrape time -----------------------------------------------------------------------


class Watched(Protocol):
    """What the metrics and the health check read from the service."""

    engine: Engine

    def index_size(self) -> int:
        """Passages in the search index."""
        ...


class ServiceCollector(Collector):
    """The index's size and the outbox's contents, read when Prometheus scrapes."""

    def __init__(self, service: Watched) -> None:
        self.service = service

    def collect(self) -> Iterable[Metric]:
        """One gauge each; the outbox is left out while the database does not answer."""
        passages = GaugeMetricFamily(
            "depeche_index_passages", "Passages in the search index of this process."
        )
        passages.add_metric([], self.service.index_size())
        yield passages
        try:
            counts = outbox.alert_counts(engine=self.service.engine)
        except Exception as error:  # a scrape must answer even when the database does not
            log.debug("outbox not read for the metrics: %s", error)
            return
        depth = GaugeMetricFamily(
            "depeche_outbox_depth", "Alerts waiting in the outbox (pending, all processes)."
        )
        depth.add_metric([], counts.get(outbox.PENDING, 0))
        yield depth


# -- health ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One line of the health report."""

    name: str
    ok: bool
    detail: str


class Heartbeat:
    """Beaten by a job on the bot's event loop: its age says whether the loop still runs."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last: float | None = None

    def beat(self) -> None:
        """The loop is alive now."""
        self._last = self._clock()

    def age(self) -> float | None:
        """Seconds since the last beat, or None before the first."""
        return None if self._last is None else self._clock() - self._last


def health_checks(service: Watched, *, loop_alive: Callable[[], tuple[bool, str]]) -> list[Check]:
    """Database reachable, schema current, index ready, update loop alive — in that order."""
    checks: list[Check] = []
    try:
        with service.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks.append(Check("database", True, "answers"))
    except Exception as error:
        checks.append(Check("database", False, f"unreachable ({_first_line(error)})"))
        checks.append(Check("schema", False, "unknown: the database does not answer"))
    else:
        try:
            state = schema_state(service.engine)
            if state.up_to_date:
                checks.append(Check("schema", True, f"at {state.current}"))
            else:
                checks.append(
                    Check("schema", False, f"at {state.current or 'none'}, code at {state.head}")
                )
        except Exception as error:
            checks.append(Check("schema", False, f"unreadable ({_first_line(error)})"))
    size = service.index_size()
    if size:
        checks.append(Check("index", True, f"{size} passages"))
    else:
        try:
            empty = not repository.has_articles(engine=service.engine)
        except Exception:
            empty = False
        checks.append(
            Check("index", empty, "empty, as the database" if empty else "empty, not loaded")
        )
    alive, detail = loop_alive()
    checks.append(Check("updates", alive, detail))
    return checks


def _first_line(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(error).__name__


# -- the HTTP endpoint -------------------------------------------------------------------------


class MetricsPortError(RuntimeError):
    """The metrics port cannot be listened on (in use, not allowed)."""


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes every few seconds would flood the log."""


class MetricsServer:
    """``/metrics`` (any other path too, as prometheus-client does) and ``/healthz``."""

    def __init__(
        self,
        service: Watched,
        *,
        loop_alive: Callable[[], tuple[bool, str]],
        listen: str = "0.0.0.0",
        port: int = 0,
    ) -> None:
        self.service = service
        self.loop_alive = loop_alive
        self.registry = CollectorRegistry(auto_describe=True)
        for collector in ALL:
            self.registry.register(collector)
        self.registry.register(ServiceCollector(service))
        self._metrics_app = make_wsgi_app(self.registry)
        try:
            self._server = make_server(
                listen, port, self._app, ThreadingWSGIServer, handler_class=_QuietHandler
            )
        except OSError as error:
            raise MetricsPortError(
                f"cannot serve the metrics on {listen}:{port} ({error.strerror or error}); "
                "set DEPECHE_METRICS_PORT to a free port, or unset it"
            ) from None
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics", daemon=True
        )

    @property
    def port(self) -> int:
        """The port it listens on (the chosen one when started with port 0)."""
        return int(self._server.server_port)

    def start(self) -> MetricsServer:
        """Serve in a background thread."""
        self._thread.start()
        log.info("metrics and /healthz on port %d", self.port)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        if environ.get("PATH_INFO") != "/healthz":
            yield from self._metrics_app(environ, start_response)
            return
        checks = health_checks(self.service, loop_alive=self.loop_alive)
        healthy = all(c.ok for c in checks)
        body = {
            "status": "ok" if healthy else "unhealthy",
            "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
        }
        failing = "; ".join(f"{c.name}: {c.detail}" for c in checks if not c.ok)
        if failing:
            body["reason"] = failing
        start_response(
            "200 OK" if healthy else "503 Service Unavailable",
            [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
        )
        yield json.dumps(body, ensure_ascii=False).encode()
