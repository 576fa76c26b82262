"""The outbox hook of ``storage.ingest``: alerts queued with the articles they are about.

Inside the transaction that stores a batch of articles, ``alert_queue`` loads the active
subscriptions once and compiles their topics; each stored article then gets one ``Alert`` row
per subscription it matches, in the same transaction, so an article is never stored without
its alerts (nor alerts without their article). ``storage.alerts`` claims and settles them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from retrieval.topics import AnalysedText, TopicMatcher, cached_topic, compile_topics
from storage.alerts import PENDING
from storage.models import Alert, Chat, Subscription, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subscribers:
    """The active subscriptions with their topics compiled: loaded once per ingest batch, in
    its transaction (``storage.ingest``'s ``AlertQueue``).

    Subscriptions of paused chats are left out; each distinct topic is matched once per
    article, whatever the number of chats following it.
    """

    matcher: TopicMatcher
    # For each topic of the matcher, the (subscription id, chat id) following it.
    followers: tuple[tuple[tuple[int, int], ...], ...]

    @classmethod
    def load(cls, session: Session) -> Subscribers:
        """The active subscriptions now."""
        rows = session.exec(
            select(Subscription.id, Subscription.chat_id, Subscription.topic)
            .outerjoin(Chat, col(Chat.id) == Subscription.chat_id)
            .where(or_(col(Chat.paused).is_(None), col(Chat.paused).is_(False)))
            .order_by(col(Subscription.id))
        ).all()
        by_text: dict[str, list[tuple[int, int]]] = {}
        for subscription_id, chat_id, text in rows:
            if subscription_id is not None and cached_topic(text) is not None:
                by_text.setdefault(text, []).append((subscription_id, chat_id))
        topics = [topic for text in by_text if (topic := cached_topic(text)) is not None]
        return cls(compile_topics(topics), tuple(tuple(f) for f in by_text.values()))

    def queue(self, session: Session, articles: Sequence[tuple[int, AnalysedText]]) -> int:
        """Queue one alert per subscription matching each (article id, analysed article), in
        one statement; returns how many were queued.

        A subscription already alerted about an article (an earlier version of it) is not
        queued again.
        """
        # In the order they were queued one by one: article by article, by subscription id.
        found = [
            (subscription_id, article_id, chat_id)
            for article_id, text in articles
            for subscription_id, chat_id in sorted(
                f for topic in self.matcher.matching(text) for f in self.followers[topic]
            )
        ]
        if not found:
            return 0
        now = utcnow()
        connection = session.connection()
        dialect = connection.dialect
        # Alerts are an ingest's most numerous rows: the driver's own executemany gets plain
        # tuples (SQLAlchemy's processed each row's parameters, 18 µs a row against 8 on SQLite,
        # and on PostgreSQL sent one statement of thousands of parameters that psycopg parsed
        # for 60% of an ingest); the time is formatted once, as SQLAlchemy stores it. Both
        # drivers count the rows an executemany inserted.
        to_stored = _ALERT_TIME.dialect_impl(dialect).bind_processor(dialect)
        stamp = to_stored(now) if to_stored else now
        rows = [(s, a, c, PENDING, stamp, stamp) for s, a, c in found]
        placeholder = "?" if dialect.paramstyle == "qmark" else "%s"
        queued = int(connection.exec_driver_sql(_QUEUE.format(p=placeholder), rows).rowcount)
        log.debug("%d alert(s) queued for %d article(s)", queued, len(articles))
        return queued


_ALERT_TIME = Alert.__table__.c.due_at.type  # type: ignore[attr-defined]
_QUEUE = (
    "INSERT INTO alert (subscription_id, article_id, chat_id, status, attempts, due_at, "
    "created_at) VALUES ({p}, {p}, {p}, {p}, 0, {p}, {p}) "
    "ON CONFLICT (subscription_id, article_id) DO NOTHING"
)


def alert_queue(session: Session) -> Subscribers:
    """The outbox hook of ``storage.ingest`` (``OpenAlertQueue``): the subscriptions of a batch."""
    return Subscribers.load(session)
