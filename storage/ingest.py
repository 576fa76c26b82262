"""Storing drafts as articles and passages: idempotent, with corrected re-sends replacing."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from retrieval.analysis import detect_language, fold
from retrieval.duplicates import signature
from retrieval.passages import Block, split_passages
from storage.db import is_sqlite, session_scope
from storage.models import Article, Passage, PassageRemoval, utcnow
from storage.readers import ArticleDraft, ReaderError, derive_title, shorten

log = logging.getLogger(__name__)

# Drafts stored per transaction, each in its own savepoint: one commit per batch is what makes
# ingest fast, the savepoint what keeps one bad record from costing the others.
BATCH_DRAFTS = 200
# Right-to-left and left-to-right overrides and isolates: in a title they reorder what the
# reader sees around it (a link, the source), a known spoofing trick.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_COLUMNS = Article.__table__.c  # type: ignore[attr-defined]


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


class RecordRefused(ValueError):
    """A draft that cannot be stored as it is (the message says why)."""


def _clean(text: str) -> str:
    # A lone surrogate (JSON's "\ud800") cannot be encoded for the database or the hash.
    return _LONE_SURROGATE.sub("\ufffd", text)


def _fitted(value: str | None, column: str) -> str | None:
    if value is None:
        return None
    return shorten(_clean(value), _COLUMNS[column].type.length)


def fit_draft(draft: ArticleDraft) -> ArticleDraft:
    """The draft as it can be stored on either database: lone surrogates replaced, bidi
    controls out of the title, slug, source and title shortened to their columns; a link or an
    id too long to store refuses the record (shortened, it would point elsewhere)."""
    for value, column in ((draft.url, "url"), (draft.identity, "external_id")):
        if value is not None and len(value) > _COLUMNS[column].type.length:
            limit = _COLUMNS[column].type.length
            raise RecordRefused(f"{column.replace('_', ' ')} longer than {limit} characters")
    title = _BIDI_CONTROLS.sub("", draft.title) if draft.title else draft.title
    return replace(
        draft,
        blocks=tuple(Block(_clean(b.text), heading=b.heading) for b in draft.blocks),
        source=_fitted(draft.source, "source") or "unknown",
        title=_fitted(title, "title"),
        slug=_fitted(draft.slug, "slug"),
        url=_clean(draft.url) if draft.url else None,
        origin=_fitted(draft.origin, "origin"),
        external_id=_clean(draft.external_id) if draft.external_id else None,
    )


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
    draft = fit_draft(draft)
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
        "title": draft.title or _BIDI_CONTROLS.sub("", derive_title(draft.blocks)),
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
    # One multi-row INSERT … RETURNING for the article's passages: the ORM's unit of work cost
    # more than the statement (cProfile of an ingest).
    ids = session.execute(
        insert(Passage).returning(col(Passage.id), sort_by_parameter_order=True),
        [p.model_dump(exclude={"id"}) for p in passages],
    ).scalars()
    for passage, passage_id in zip(passages, ids, strict=True):
        passage.id = passage_id
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
    """Store drafts ``BATCH_DRAFTS`` to a transaction, each in its own savepoint.

    A record that fails (refused, or any error storing it) is reported with its file and line
    and costs only itself; a database outage (``OperationalError``) stops the ingest: the
    batches committed before stay stored, and ingesting again is safe.
    """
    report = IngestReport()
    batch: list[ArticleDraft] = []
    for draft in drafts:
        if isinstance(draft, ReaderError):
            report.failures.append(draft)
        else:
            batch.append(draft)
            if len(batch) >= BATCH_DRAFTS:
                _store_batch(engine, batch, queue_alerts, report)
                batch = []
        if on_progress is not None:
            on_progress(draft)
    if batch:
        _store_batch(engine, batch, queue_alerts, report)
    return report


def _store_batch(
    engine: Engine,
    drafts: list[ArticleDraft],
    queue_alerts: QueueAlerts | None,
    report: IngestReport,
) -> None:
    stored: list[Stored] = []
    failures: list[ReaderError] = []
    with session_scope(engine) as session:
        if is_sqlite(engine):
            # pysqlite opens a transaction only before a write: a first SAVEPOINT would start
            # (and its RELEASE commit) one of its own. The write lock is taken once, up front.
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        for draft in drafts:
            try:
                stored.append(_store_in_savepoint(session, draft, queue_alerts))
            except OperationalError:
                raise
            except Exception as error:
                log.debug("draft from %s refused", draft.origin, exc_info=True)
                failures.append(_failure(draft, error))
    # Counted once committed: an outage above loses the whole batch from the report too.
    for one in stored:
        report.record(one)
    report.failures += failures


def _store_in_savepoint(
    session: Session, draft: ArticleDraft, queue_alerts: QueueAlerts | None
) -> Stored:
    try:
        with session.begin_nested():
            return store_draft(session=session, draft=draft, queue_alerts=queue_alerts)
    except IntegrityError:
        # Another process stored the same text or slug between our check and our insert; a
        # second attempt sees its row and becomes "unchanged" or "replaced".
        with session.begin_nested():
            return store_draft(session=session, draft=draft, queue_alerts=queue_alerts)


def _failure(draft: ArticleDraft, error: Exception) -> ReaderError:
    reason = str(getattr(error, "orig", None) or error).strip().split("\n")[0]
    if not isinstance(error, ValueError):
        reason = f"{type(error).__name__}: {reason}"
    return ReaderError(draft.origin or "<draft>", f"not stored: {reason}", line=draft.line)
