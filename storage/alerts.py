"""Chats, subscriptions and the alert outbox.

``storage.alert_queue`` writes the outbox rows in the transaction that stores their articles.
The sender (``bot.telegram.delivery``) then claims due rows with a lease, sends them and marks
each sent in its own commit right after Telegram accepts it. The unique (subscription, article)
constraint means a re-ingested or corrected article is never alerted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Update, delete, func, or_, update
from sqlalchemy import select as sql_select
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from retrieval.topics import Topic, cached_topic
from storage.chats import AlertControls, ensure_chat
from storage.db import is_sqlite, session_scope
from storage.models import (
    MAX_ERROR_CHARS,
    Alert,
    Article,
    Chat,
    Passage,
    Subscription,
    as_utc,
    utcnow,
)

log = logging.getLogger(__name__)


PENDING = "pending"
SENT = "sent"
UNDELIVERABLE = "undeliverable"
# The error of a pending alert held back (mute, quiet hours, daily digest, digest window).
HELD = "held for a digest"
MAX_SUBSCRIPTIONS_PER_CHAT = 20


class SubscriptionError(ValueError):
    """A subscription that cannot be added (too many for the chat)."""


def _utc(value: datetime) -> datetime:
    return as_utc(value).astimezone(UTC)


def _language(article: Article) -> str:
    return "en" if article.language == "en" else "fr"


# -- claiming and settling ---------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimedAlert:
    """An outbox row this worker may send until its lease runs out."""

    id: int
    subscription_id: int
    article_id: int
    chat_id: int
    attempts: int
    created_at: datetime
    error: str | None = None


@dataclass(frozen=True)
class DueChat:
    """A chat with due, unclaimed alerts: how many, when the first and last were queued, when
    it was last alerted, its language and alert controls."""

    chat_id: int
    count: int
    first_queued: datetime
    last_queued: datetime
    alerted_at: datetime | None
    chat_type: str
    language_code: str | None
    controls: AlertControls


def _due(now: datetime) -> list[Any]:
    return [
        col(Alert.status) == PENDING,
        col(Alert.due_at) <= now,
        or_(col(Alert.claimed_until).is_(None), col(Alert.claimed_until) < now),
    ]


def due_chats(*, engine: Engine, now: datetime) -> list[DueChat]:
    """Every chat with due alerts, the one waiting longest first (one grouped query)."""
    now = _utc(now)
    with session_scope(engine) as session:
        rows = session.execute(
            sql_select(
                col(Alert.chat_id),
                func.count(),
                func.min(col(Alert.created_at)),
                func.max(col(Alert.created_at)),
                func.min(col(Alert.id)),
            )
            .where(*_due(now))
            .group_by(col(Alert.chat_id))
        ).all()
        chats = {
            c.id: c
            for c in session.exec(
                select(Chat).where(col(Chat.id).in_([int(r[0]) for r in rows]))
            ).all()
        }
    found = []
    oldest: dict[int, int] = {}
    for chat_id, count, first, last, first_id in rows:
        oldest[int(chat_id)] = int(first_id)
        chat = chats.get(int(chat_id))
        found.append(
            DueChat(
                chat_id=int(chat_id),
                count=int(count),
                first_queued=_utc(first),
                last_queued=_utc(last),
                alerted_at=as_utc(chat.alerted_at) if chat else None,
                chat_type=chat.type if chat else "private",
                language_code=chat.language_code if chat else None,
                controls=AlertControls.of(chat),
            )
        )
    return sorted(found, key=lambda d: (d.first_queued, oldest[d.chat_id]))


def claim_chat_alerts(
    *,
    engine: Engine,
    worker: str,
    chat_ids: Sequence[int],
    now: datetime,
    lease: timedelta,
    per_chat: int,
) -> list[ClaimedAlert]:
    """Claim the due alerts of each chat (its oldest ``per_chat``) for ``worker``, in one
    transaction, until the lease runs out.

    On PostgreSQL the rows are locked with ``FOR UPDATE SKIP LOCKED``, so concurrent workers
    claim disjoint sets; on SQLite each ``UPDATE`` is atomic (writers are serialised).
    """
    now = _utc(now)
    claimed: list[ClaimedAlert] = []
    with session_scope(engine) as session:
        for chat_id in chat_ids:
            candidates = (
                select(col(Alert.id))
                .where(col(Alert.chat_id) == chat_id, *_due(now))
                .order_by(col(Alert.id))
                .limit(per_chat)
            )
            if not is_sqlite(engine):
                candidates = candidates.with_for_update(skip_locked=True)
            rows = session.execute(
                update(Alert)
                .where(col(Alert.id).in_(candidates.scalar_subquery()))
                .values(claimed_by=worker, claimed_until=now + lease)
                .returning(
                    col(Alert.id),
                    col(Alert.subscription_id),
                    col(Alert.article_id),
                    col(Alert.chat_id),
                    col(Alert.attempts),
                    col(Alert.created_at),
                    col(Alert.error),
                )
            ).all()
            claimed += [
                ClaimedAlert(
                    int(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4]), _utc(r[5]), r[6]
                )
                for r in rows
            ]
    return sorted(claimed, key=lambda a: a.id)


def hold_alerts(
    *, engine: Engine, chat_id: int, now: datetime, until: datetime, queued_from: datetime | None
) -> int:
    """Hold a chat's due alerts (those queued since ``queued_from``, or all) until ``until``:
    muted, quiet hours, a daily digest or the digest window. Released, they go out together."""
    conditions = [col(Alert.chat_id) == chat_id, *_due(_utc(now))]
    if queued_from is not None:
        conditions.append(col(Alert.created_at) >= _utc(queued_from))
    with session_scope(engine) as session:
        result = session.execute(
            update(Alert)
            .where(*conditions)
            .values(due_at=_utc(until), claimed_by=None, claimed_until=None, error=HELD)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def release_held(*, engine: Engine, chat_id: int, now: datetime | None = None) -> int:
    """Make a chat's held alerts due now (after /unmute, /quiet off, /digest off)."""
    with session_scope(engine) as session:
        result = session.execute(
            update(Alert)
            .where(
                col(Alert.chat_id) == chat_id,
                col(Alert.status) == PENDING,
                col(Alert.error) == HELD,
            )
            .values(due_at=_utc(now or utcnow()))
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def release_claims_of(*, engine: Engine, is_dead: Callable[[str], bool]) -> int:
    """Hand back the alerts claimed by workers ``is_dead`` says are gone (killed processes on
    this host), without waiting for their lease to run out."""
    with session_scope(engine) as session:
        workers = session.exec(
            select(Alert.claimed_by)
            .where(col(Alert.status) == PENDING, col(Alert.claimed_by).is_not(None))
            .distinct()
        ).all()
        dead = [w for w in workers if w is not None and is_dead(w)]
        if not dead:
            return 0
        result = session.execute(
            update(Alert)
            .where(col(Alert.claimed_by).in_(dead), col(Alert.status) == PENDING)
            .values(claimed_by=None, claimed_until=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _settling(alert_ids: Sequence[int], status: str, **values: object) -> Update:
    """The statement closing pending alerts as ``status`` (sent or undeliverable), releasing
    their claim."""
    return (
        update(Alert)
        .where(col(Alert.id).in_(list(alert_ids)), col(Alert.status) == PENDING)
        .values(status=status, claimed_by=None, claimed_until=None, **values)
    )


def _settle(*, engine: Engine, alert_ids: Sequence[int], status: str, **values: object) -> int:
    """Close pending alerts as ``status``; how many were still pending."""
    if not alert_ids:
        return 0
    with session_scope(engine) as session:
        result = session.execute(_settling(alert_ids, status, **values))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def mark_sent(
    *,
    engine: Engine,
    alert_ids: Sequence[int],
    now: datetime | None = None,
    chat_id: int | None = None,
) -> int:
    """Record that Telegram accepted these alerts (one commit, right after the send), and when
    ``chat_id`` was alerted."""
    when = _utc(now or utcnow())
    if not alert_ids:
        return 0
    with session_scope(engine) as session:
        result = session.execute(_settling(alert_ids, SENT, sent_at=when, error=None))
        if chat_id is not None:
            session.execute(update(Chat).where(col(Chat.id) == chat_id).values(alerted_at=when))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def mark_undeliverable(*, engine: Engine, alert_ids: Sequence[int], reason: str) -> int:
    """Give up on these alerts, saying why."""
    return _settle(
        engine=engine,
        alert_ids=alert_ids,
        status=UNDELIVERABLE,
        error=reason[:MAX_ERROR_CHARS],
    )


@dataclass(frozen=True)
class RetryOutcome:
    """What a failed attempt did: alerts rescheduled, and those given up on."""

    rescheduled: list[int]
    given_up: list[int]


def retry_later(
    *,
    engine: Engine,
    alert_ids: Sequence[int],
    reason: str,
    now: datetime,
    base_delay: timedelta,
    max_delay: timedelta,
    max_attempts: int,
) -> RetryOutcome:
    """Count a failed attempt: push ``due_at`` back (doubling), or give up after the last."""
    rescheduled: list[int] = []
    given_up: list[int] = []
    with session_scope(engine) as session:
        alerts = session.exec(
            select(Alert).where(col(Alert.id).in_(list(alert_ids)), col(Alert.status) == PENDING)
        ).all()
        for alert in alerts:
            assert alert.id is not None
            alert.attempts += 1
            alert.claimed_by = None
            alert.claimed_until = None
            alert.error = reason[:MAX_ERROR_CHARS]
            if alert.attempts >= max_attempts:
                alert.status = UNDELIVERABLE
                alert.error = f"gave up after {alert.attempts} attempts: {reason}"[:MAX_ERROR_CHARS]
                given_up.append(alert.id)
            else:
                delay = min(base_delay * 2 ** (alert.attempts - 1), max_delay)
                alert.due_at = _utc(now) + delay
                rescheduled.append(alert.id)
            session.add(alert)
    return RetryOutcome(rescheduled, given_up)


def postpone(
    *, engine: Engine, alert_ids: Sequence[int], until: datetime, reason: str | None = None
) -> int:
    """Release alerts until a later time without counting an attempt (flood wait, digests)."""
    if not alert_ids:
        return 0
    with session_scope(engine) as session:
        result = session.execute(
            update(Alert)
            .where(col(Alert.id).in_(list(alert_ids)), col(Alert.status) == PENDING)
            .values(due_at=_utc(until), claimed_by=None, claimed_until=None, error=reason)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def release_claims(*, engine: Engine, worker: str) -> int:
    """Hand back the unsent alerts ``worker`` still holds (on a clean shutdown)."""
    with session_scope(engine) as session:
        result = session.execute(
            update(Alert)
            .where(col(Alert.claimed_by) == worker, col(Alert.status) == PENDING)
            .values(claimed_by=None, claimed_until=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class AlertContent:
    """What an alert message needs: the subscription's topic and the article with its passages."""

    alert: ClaimedAlert
    topic: str
    title: str
    url: str | None
    source: str
    slug: str | None
    language: str
    published_at: datetime | None
    published_precision: str
    passages: tuple[tuple[str | None, str], ...]


def load_alert_contents(
    *, engine: Engine, alerts: Sequence[ClaimedAlert]
) -> dict[int, AlertContent]:
    """The topic and article of each claimed alert, by alert id (gone ones are left out)."""
    if not alerts:
        return {}
    article_ids = sorted({a.article_id for a in alerts})
    subscription_ids = sorted({a.subscription_id for a in alerts})
    with session_scope(engine) as session:
        articles = {
            a.id: a
            for a in session.exec(select(Article).where(col(Article.id).in_(article_ids))).all()
        }
        topics = dict(
            session.exec(
                select(Subscription.id, Subscription.topic).where(
                    col(Subscription.id).in_(subscription_ids)
                )
            ).all()
        )
        passages: dict[int, list[tuple[str | None, str]]] = {}
        for passage in session.exec(
            select(Passage)
            .where(col(Passage.article_id).in_(article_ids))
            .order_by(col(Passage.article_id), col(Passage.position))
        ).all():
            passages.setdefault(passage.article_id, []).append((passage.heading, passage.text))
    contents = {}
    for alert in alerts:
        article = articles.get(alert.article_id)
        topic = topics.get(alert.subscription_id)
        if article is None or topic is None:
            continue
        contents[alert.id] = AlertContent(
            alert=alert,
            topic=topic,
            title=article.title,
            url=article.url,
            source=article.source,
            slug=article.slug,
            language=_language(article),
            published_at=as_utc(article.published_at),
            published_precision=article.published_precision,
            passages=tuple(passages.get(alert.article_id, [])),
        )
    return contents


def alert_counts(*, engine: Engine) -> dict[str, int]:
    """Alerts per status, for stats and tests."""
    with session_scope(engine) as session:
        rows = session.exec(select(Alert.status, func.count()).group_by(col(Alert.status))).all()
    return {status: int(count) for status, count in rows}


# -- chats -------------------------------------------------------------------------------------


def pause_chat(*, engine: Engine, chat_id: int, reason: str) -> int:
    """Stop alerting a chat (blocked, kicked, gone); its pending alerts become undeliverable.

    Returns how many pending alerts were given up.
    """
    with session_scope(engine) as session:
        chat = ensure_chat(session, chat_id)
        chat.paused = True
        chat.paused_reason = reason[:300]
        session.add(chat)
        result = session.execute(
            update(Alert)
            .where(col(Alert.chat_id) == chat_id, col(Alert.status) == PENDING)
            .values(
                status=UNDELIVERABLE,
                claimed_by=None,
                claimed_until=None,
                error=f"chat paused: {reason}"[:MAX_ERROR_CHARS],
            )
        )
        given_up = int(result.rowcount or 0)  # type: ignore[attr-defined]
    log.info("chat %s paused (%s); %d pending alert(s) dropped", chat_id, reason, given_up)
    return given_up


def resume_chat(*, engine: Engine, chat_id: int) -> bool:
    """Alert a paused chat again (``/start``, or the bot added back); True if it was paused."""
    with session_scope(engine) as session:
        chat = session.get(Chat, chat_id)
        if chat is None or not chat.paused:
            return False
        chat.paused = False
        chat.paused_reason = None
        session.add(chat)
    log.info("chat %s resumed", chat_id)
    return True


def chat_is_paused(*, engine: Engine, chat_id: int) -> bool:
    """Whether alerts to this chat are paused."""
    with session_scope(engine) as session:
        chat = session.get(Chat, chat_id)
        return bool(chat and chat.paused)


def chat_state(*, engine: Engine, chat_id: int) -> Chat | None:
    """The stored chat (paused or not), or None."""
    with session_scope(engine) as session:
        return session.get(Chat, chat_id)


def migrate_chat(*, engine: Engine, old_chat_id: int, new_chat_id: int) -> int:
    """Move a group's subscriptions and pending alerts to its new supergroup id.

    A topic the new chat already follows is merged into that subscription. Returns how many
    subscriptions moved.
    """
    if old_chat_id == new_chat_id:
        return 0
    with session_scope(engine) as session:
        old = session.get(Chat, old_chat_id)
        new = ensure_chat(
            session,
            new_chat_id,
            chat_type="supergroup",
            title=old.title if old is not None else None,
        )
        if old is not None:
            new.paused, new.paused_reason = old.paused, old.paused_reason
        session.add(new)
        existing = {
            s.topic: s
            for s in session.exec(
                select(Subscription).where(col(Subscription.chat_id) == new_chat_id)
            ).all()
        }
        moved = 0
        for subscription in session.exec(
            select(Subscription).where(col(Subscription.chat_id) == old_chat_id)
        ).all():
            twin = existing.get(subscription.topic)
            if twin is None:
                subscription.chat_id = new_chat_id
                session.add(subscription)
                moved += 1
            else:
                # Keep the twin; its alerts for articles this one was alerted about stay unique.
                known = select(Alert.article_id).where(col(Alert.subscription_id) == twin.id)
                session.execute(
                    update(Alert)
                    .where(
                        col(Alert.subscription_id) == subscription.id,
                        col(Alert.article_id).not_in(known),
                    )
                    .values(subscription_id=twin.id)
                )
                session.execute(delete(Alert).where(col(Alert.subscription_id) == subscription.id))
                session.delete(subscription)
        session.flush()
        session.execute(
            update(Alert)
            .where(col(Alert.chat_id) == old_chat_id)
            .values(chat_id=new_chat_id, claimed_by=None, claimed_until=None)
        )
        if old is not None:
            session.delete(old)
    log.info("chat %s migrated to %s: %d subscription(s) moved", old_chat_id, new_chat_id, moved)
    return moved


# -- subscriptions -----------------------------------------------------------------------------


def list_subscriptions(*, engine: Engine, chat_id: int) -> list[Subscription]:
    """A chat's subscriptions, oldest first."""
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(Subscription)
                .where(col(Subscription.chat_id) == chat_id)
                .order_by(col(Subscription.id))
            ).all()
        )


def _key(text: str) -> str:
    topic = cached_topic(text)
    return topic.key if topic is not None else text.casefold()


def add_subscription(
    *,
    engine: Engine,
    chat_id: int,
    topic: Topic,
    created_by: int | None = None,
    chat_type: str | None = None,
    chat_title: str | None = None,
    limit: int = MAX_SUBSCRIPTIONS_PER_CHAT,
) -> tuple[Subscription, bool]:
    """Subscribe a chat to a topic; returns the subscription and whether it is new.

    The same topic (ignoring case and accents) is not added twice. Raises
    ``SubscriptionError`` when the chat already has ``limit`` subscriptions. The chat's row is
    locked first (``_ensure_chat``), so concurrent subscribes of one chat are counted one after
    the other and the limit holds.
    """
    with session_scope(engine) as session:
        ensure_chat(session, chat_id, chat_type=chat_type, title=chat_title)
        current = session.exec(
            select(Subscription).where(col(Subscription.chat_id) == chat_id)
        ).all()
        for subscription in current:
            if _key(subscription.topic) == topic.key:
                return subscription, False
        if len(current) >= limit:
            raise SubscriptionError(
                f"This chat already follows {len(current)} topics, the most it can; "
                "remove one with /unsubscribe first."
            )
        subscription = Subscription(chat_id=chat_id, topic=topic.text, created_by=created_by)
        session.add(subscription)
        session.flush()
        return subscription, True


def remove_subscription(*, engine: Engine, chat_id: int, reference: str) -> Subscription | None:
    """Remove a chat's subscription by its id or its topic; the removed one, or None.

    Its pending alerts go with it (nothing more is sent for a topic the chat dropped).
    """
    reference = reference.strip().lstrip("#")
    with session_scope(engine) as session:
        current = session.exec(
            select(Subscription).where(col(Subscription.chat_id) == chat_id)
        ).all()
        chosen = None
        if reference.isdigit():
            chosen = next((s for s in current if s.id == int(reference)), None)
        if chosen is None and reference:
            wanted = _key(reference)
            chosen = next((s for s in current if _key(s.topic) == wanted), None)
        if chosen is None:
            return None
        session.execute(delete(Alert).where(col(Alert.subscription_id) == chosen.id))
        session.delete(chosen)
        return chosen
