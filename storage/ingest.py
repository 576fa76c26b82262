"""Storing drafts as articles and passages: idempotent, with corrected re-sends replacing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from retrieval.analysis import detect_language, fold
from retrieval.duplicates import signature
from retrieval.passages import split_passages
from storage.db import session_scope
from storage.models import Article, Passage, PassageRemoval, utcnow
from storage.readers import ArticleDraft, ReaderError, derive_title


class Outcome(StrEnum):
    """What storing one draft did."""

    NEW = "new"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Stored:
    """The result of storing one draft, with the passage ids the index must add and drop."""

    outcome: Outcome
    article_id: int
    added_passage_ids: tuple[int, ...] = ()
    removed_passage_ids: tuple[int, ...] = ()
    alerts_queued: int = 0


@dataclass
class IngestReport:
    """Counts and failures of a batch, and the articles it stored or replaced."""

    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    failures: list[ReaderError] = field(default_factory=list)
    stored_article_ids: list[int] = field(default_factory=list)
    alerts_queued: int = 0

    @property
    def failed(self) -> int:
        """How many sources or lines could not be ingested."""
        return len(self.failures)

    def record(self, stored: Stored) -> None:
        """Add one stored draft to the report."""
        setattr(self, stored.outcome.value, getattr(self, stored.outcome.value) + 1)
        self.alerts_queued += stored.alerts_queued
        if stored.outcome is not Outcome.UNCHANGED:
            self.stored_article_ids.append(stored.article_id)


# Called inside the storing transaction with the new or replaced article and its passages, so
# that alerts are queued atomically with the article (the outbox); returns how many it queued.
QueueAlerts = Callable[[Session, Article, list[Passage]], int]


def content_hash(draft: ArticleDraft) -> str:
    """A fingerprint of the article text that ignores case, accents and spacing."""
    text = "\n".join(" ".join(fold(b.text).split()) for b in draft.blocks)
    return hashlib.sha256(text.encode()).hexdigest()


def _body(draft: ArticleDraft) -> str:
    return "\n\n".join(b.text for b in draft.blocks)


def store_draft(
    *, session: Session, draft: ArticleDraft, queue_alerts: QueueAlerts | None = None
) -> Stored:
    """Store one draft: unchanged if its text is known, replacing an earlier version of it."""
    digest = content_hash(draft)
    known = session.exec(select(Article).where(Article.content_hash == digest)).first()
    if known is not None:
        return Stored(Outcome.UNCHANGED, known.id or 0)

    identity = draft.identity
    earlier = None
    if identity is not None:
        earlier = session.exec(select(Article).where(Article.external_id == identity)).first()
    body = _body(draft)
    language = draft.language or detect_language(body)
    values: dict[str, Any] = {
        "source": draft.source,
        "slug": draft.slug,
        "external_id": identity,
        "url": draft.url,
        "title": draft.title or derive_title(draft.blocks),
        "language": language,
        "published_at": draft.published_at,
        "published_precision": draft.published_precision,
        "body": body,
        "content_hash": digest,
        "origin": draft.origin,
    }
    removed: list[int] = []
    if earlier is None:
        article = Article(**values)
        outcome = Outcome.NEW
    else:
        article = earlier
        for key, value in values.items():
            setattr(article, key, value)
        article.updated_at = utcnow()
        removed = [
            int(pid)
            for pid in session.exec(select(Passage.id).where(Passage.article_id == article.id))
            if pid is not None
        ]
        session.exec(delete(Passage).where(col(Passage.article_id) == article.id))
        session.add_all(PassageRemoval(passage_id=pid) for pid in removed)
        outcome = Outcome.REPLACED
    session.add(article)
    session.flush()
    assert article.id is not None
    passages = [
        Passage(
            article_id=article.id,
            position=p.position,
            heading=p.heading,
            text=p.text,
            signature=signature(p.text),
        )
        for p in split_passages(draft.blocks)
    ]
    session.add_all(passages)
    session.flush()
    queued = queue_alerts(session, article, passages) if queue_alerts else 0
    return Stored(
        outcome,
        article.id,
        tuple(p.id for p in passages if p.id is not None),
        tuple(removed),
        queued,
    )


def ingest_drafts(
    *,
    engine: Engine,
    drafts: Iterable[ArticleDraft | ReaderError],
    queue_alerts: QueueAlerts | None = None,
    on_progress: Callable[[ArticleDraft | ReaderError], None] | None = None,
) -> IngestReport:
    """Store drafts one transaction each, so that one bad article never loses the others."""
    report = IngestReport()
    for draft in drafts:
        if isinstance(draft, ReaderError):
            report.failures.append(draft)
        else:
            report.record(_store_with_retry(engine, draft, queue_alerts))
        if on_progress is not None:
            on_progress(draft)
    return report


def _store_with_retry(
    engine: Engine, draft: ArticleDraft, queue_alerts: QueueAlerts | None
) -> Stored:
    try:
        with session_scope(engine) as session:
            return store_draft(session=session, draft=draft, queue_alerts=queue_alerts)
    except IntegrityError:
        # Another process stored the same text or slug between our check and our insert; a
        # second attempt sees its row and becomes "unchanged" or "replaced".
        with session_scope(engine) as session:
            return store_draft(session=session, draft=draft, queue_alerts=queue_alerts)
