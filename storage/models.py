"""Every table of Dépêche, in one module so that no model imports another module's model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

# Errors kept on a row (an alert's, a feed's) are cut to this many characters.
MAX_ERROR_CHARS = 500


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


class Article(SQLModel, table=True):
    """A stored news article; its passages are what search returns."""

    __table_args__ = (
        UniqueConstraint("source", "slug", name="uq_article_source_slug"),
        Index("ix_article_published_at", "published_at"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True, max_length=100)
    slug: str | None = Field(default=None, max_length=100)
    # What identifies a dispatch across re-sends: "ATS:ATS2191", a feed entry id or an URL.
    external_id: str | None = Field(default=None, unique=True, max_length=2000)
    url: str | None = Field(default=None, max_length=2000)
    title: str = Field(max_length=500)
    language: str = Field(max_length=8)
    published_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    # How much of published_at is known: "year", "month", "day" or "time" (the seed: "month").
    published_precision: str = Field(default="day", max_length=8)
    body: str = Field(sa_type=Text)
    content_hash: str = Field(unique=True, max_length=64)
    origin: str | None = Field(default=None, max_length=2000)
    ingested_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Passage(SQLModel, table=True):
    """A paragraph-sized piece of an article, under its intertitle."""

    # Ids are never reused (SQLite would reuse the highest deleted one without AUTOINCREMENT):
    # the search index and the removal log identify passages by id across processes.
    __table_args__ = (
        Index("ix_passage_article_position", "article_id", "position"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(
        sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), nullable=False)
    )
    position: int
    heading: str | None = Field(default=None, max_length=500)
    text: str = Field(sa_type=Text)
    # Its words' MinHash (retrieval.duplicates), made once when stored: search spots a re-sent
    # text without reading the passage again.
    signature: bytes | None = Field(default=None, sa_type=LargeBinary)
    # Its index terms (``retrieval.fields.pack_terms``), analysed once when stored, and the
    # ``ANALYSIS_VERSION`` that made them: a cold start reads them instead of analysing every
    # passage again; terms of another analysis (or none) are analysed afresh.
    terms: str | None = Field(default=None, sa_type=Text)
    analysis: int | None = Field(default=None)


class PassageRemoval(SQLModel, table=True):
    """A passage deleted by a corrected re-send, so that every process's index drops it too."""

    __tablename__ = "passage_removal"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    passage_id: int = Field(index=True)
    removed_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Chat(SQLModel, table=True):
    """A Telegram chat the bot has talked with; paused chats receive no alerts."""

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    type: str = Field(default="private", max_length=20)
    title: str | None = Field(default=None, max_length=300)
    # The interface language the chat chose with /lang; None: each user's Telegram language.
    language_code: str | None = Field(default=None, max_length=16)
    paused: bool = Field(default=False)
    paused_reason: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    # Alert controls (/mute, /quiet, /digest): times of day are "HH:MM" in ``timezone`` (an IANA
    # name; None: DEPECHE_TIMEZONE). Alerts held by them go out as one digest when released.
    muted_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    quiet_start: str | None = Field(default=None, max_length=5)
    quiet_end: str | None = Field(default=None, max_length=5)
    daily_digest_at: str | None = Field(default=None, max_length=5)
    timezone: str | None = Field(default=None, max_length=64)
    # When the chat was last sent an alert or digest (the digest window runs from there).
    alerted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class Subscription(SQLModel, table=True):
    """A chat's standing question: new articles matching ``topic`` are alerted to it."""

    __table_args__ = (UniqueConstraint("chat_id", "topic", name="uq_subscription_chat_topic"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    topic: str = Field(max_length=500)
    created_by: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Alert(SQLModel, table=True):
    """The outbox: one row per (subscription, article), written with the article, sent later."""

    __table_args__ = (
        UniqueConstraint("subscription_id", "article_id", name="uq_alert_subscription_article"),
        Index("ix_alert_status_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(
        sa_column=Column(Integer, ForeignKey("subscription.id", ondelete="CASCADE"), nullable=False)
    )
    article_id: int = Field(
        sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), nullable=False)
    )
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    # "pending", "sent" or "undeliverable".
    status: str = Field(default="pending", max_length=20)
    attempts: int = Field(default=0)
    due_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    sent_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Feed(SQLModel, table=True):
    """An RSS or Atom feed polled for new articles, with what conditional GET needs."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True, max_length=2000)
    title: str | None = Field(default=None, max_length=500)
    source: str | None = Field(default=None, max_length=100)
    etag: str | None = Field(default=None, max_length=500)
    last_modified: str | None = Field(default=None, max_length=100)
    last_polled_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    next_poll_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    failures: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=500)
    added_by: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
