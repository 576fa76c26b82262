"""Storing drafts as articles and passages: idempotent, with corrected re-sends replacing.

Drafts go in ``BATCH_DRAFTS`` to a transaction. Each is first worked out without the database
(``prepare``: fitted to the columns, hashed, its language detected, cut into passages with
their signatures and topic terms, each passage analysed once); the batch's new articles then go
in together, with one multi-row statement for the articles, one for their passages and one for
their alerts, in a savepoint. Should that savepoint fail, its drafts are stored again one by
one, each in a savepoint of its own: one bad record costs only itself.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Table, delete, func, insert, update
from sqlalchemy import select as sql_select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session, col

from retrieval.analysis import Language, detect_language, fold
from retrieval.duplicates import signatures
from retrieval.fields import ANALYSIS_VERSION
from retrieval.passages import Block, split_passages
from retrieval.topics import AnalysedText, analyse_article, analyse_sequence
from storage.db import is_sqlite, session_scope
from storage.models import Article, Passage, PassageRemoval, utcnow
from storage.passage_terms import article_terms
from storage.readers import ArticleDraft, ReaderError, derive_title, shorten

log = logging.getLogger(__name__)

# Drafts stored per transaction: one commit and a few multi-row statements per batch are what
# make ingest fast, the savepoints what keep one bad record from costing the others.
BATCH_DRAFTS = 200
# Right-to-left and left-to-right overrides and isolates: in a title they reorder what the
# reader sees around it (a link, the source), a known spoofing trick.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# The tables themselves: statements on them skip the ORM's bulk layer (a third of an insert's
# cost in a profile).
_ARTICLES: Table = Article.__table__  # type: ignore[attr-defined]
_PASSAGES: Table = Passage.__table__  # type: ignore[attr-defined]
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


class AlertQueue(Protocol):
    """Queues the alerts of stored articles inside the storing transaction, so that they are
    written atomically with their articles (the outbox)."""

    def queue(self, session: Session, articles: Sequence[tuple[int, AnalysedText]]) -> int:
        """Queue the alerts of these (article id, analysed article); how many it queued."""
        ...


# Opened once per batch, inside its transaction (``storage.alerts.alert_queue`` loads the
# subscriptions then).
OpenAlertQueue = Callable[[Session], AlertQueue]


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


@dataclass(frozen=True)
class PreparedPassage:
    """A passage ready to store, analysed once: its duplicate signature, and its terms for
    topic matching (``retrieval.topics.analyse_sequence``)."""

    position: int
    heading: str | None
    text: str
    signature: bytes
    topic_terms: tuple[str, ...]
    # Its index terms (``storage.passage_terms``): the index reads them, at start and at every
    # sync, instead of analysing the passage again.
    index_terms: str | None = None

    def row(self, article_id: int) -> dict[str, Any]:
        """Its row in the passage table."""
        return {
            "article_id": article_id,
            "position": self.position,
            "heading": self.heading,
            "text": self.text,
            "signature": self.signature,
            "terms": self.index_terms,
            "analysis": ANALYSIS_VERSION,
        }


@dataclass(frozen=True)
class Prepared:
    """A draft worked out before the database is asked anything: its article row, its
    passages and what topics are matched against."""

    values: dict[str, Any]
    passages: tuple[PreparedPassage, ...]
    topics: AnalysedText

    @property
    def digest(self) -> str:
        """Its content hash."""
        return str(self.values["content_hash"])

    @property
    def identity(self) -> str | None:
        """What ties its re-sends together (``ArticleDraft.identity``)."""
        return self.values["external_id"]

    def unique_keys(self) -> list[tuple[str, object]]:
        """The values the article table holds unique: two drafts sharing one are stored one
        after the other, the second seeing the first."""
        found: list[tuple[str, object]] = [("hash", self.digest)]
        if self.identity is not None:
            found.append(("identity", self.identity))
        if self.values["slug"] is not None:
            found.append(("slug", (self.values["source"], self.values["slug"])))
        return found


def prepare(draft: ArticleDraft, digest: str) -> Prepared:
    """Work out a fitted draft (``fit_draft``) whose text is new: its language (detected
    when the source says none), title, passages with their signatures, and topic terms."""
    body = _body(draft)
    language = draft.language or detect_language(body)
    title = draft.title or _BIDI_CONTROLS.sub("", derive_title(draft.blocks))
    now = utcnow()
    values: dict[str, Any] = {
        "source": draft.source,
        "slug": draft.slug,
        "external_id": draft.identity,
        "url": draft.url,
        "title": title,
        "language": language,
        "published_at": draft.published_at,
        "published_precision": draft.published_precision,
        "body": body,
        "content_hash": digest,
        "origin": draft.origin,
        "ingested_at": now,
        "updated_at": now,
    }
    analysis: Language = "en" if language == "en" else "fr"
    split = split_passages(draft.blocks)
    # Each passage is analysed here once; what it yields is stored or matched from here on.
    signed = signatures([p.text for p in split])
    indexed = article_terms(split, title=title, language=language)
    passages = tuple(
        PreparedPassage(
            p.position, p.heading, p.text, sig, analyse_sequence(p.text, analysis), terms
        )
        for p, sig, terms in zip(split, signed, indexed, strict=True)
    )
    topics = analyse_article(title, ((p.heading, p.topic_terms) for p in passages), analysis)
    return Prepared(values, passages, topics)


def _insert_returning_ids(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows (all with the same keys) with one executemany; their ids in the rows' order.

    SQLite: a plain executemany, the ids read after it. The ingest holds the write lock
    (``BEGIN IMMEDIATE``), and SQLite gives each new row one more than the largest id so far, so
    the rows got the last ``len(rows)`` ids in order (SQLAlchemy's RETURNING in parameter order
    ran one INSERT per row: a tenth of an ingest). PostgreSQL: psycopg's own executemany with
    RETURNING, which pipelines one short statement; SQLAlchemy's one statement of thousands of
    parameters cost psycopg more to parse, client-side, than the server to run (no column of
    these tables has a bind processor on psycopg: the values go as they are).
    """
    if not rows:
        return []
    connection = session.connection()
    if connection.dialect.name == "sqlite" and "id" not in rows[0]:
        highest = sql_select(func.max(table.c.id))
        before = connection.execute(highest).scalar() or 0
        connection.execute(insert(table), rows)
        last = int(connection.execute(highest).scalar() or 0)
        if last - len(rows) >= before:
            return list(range(last - len(rows) + 1, last + 1))
        raise RuntimeError(f"{table.name}: {len(rows)} rows inserted but ids end at {last}")
    if connection.dialect.driver != "psycopg":
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [int(i) for i in connection.execute(statement, rows).scalars()]
    names = list(rows[0])
    sql = (
        f"INSERT INTO {table.name} ({', '.join(names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))}) RETURNING id"
    )
    ids: list[int] = []
    dbapi = connection.dialect.loaded_dbapi
    try:
        with connection.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
            cursor.executemany(sql, [tuple(row[n] for n in names) for row in rows], returning=True)
            while True:
                ids += [int(found[0]) for found in cursor.fetchall()]
                if not cursor.nextset():
                    return ids
    except dbapi.Error as error:
        # Raised as SQLAlchemy would: an outage stays an OperationalError (it stops the
        # ingest), a duplicate an IntegrityError (retried once).
        raise DBAPIError.instance(sql, None, error, dbapi.Error) from error


def _insert_new(
    session: Session, batch: Sequence[Prepared], alerts: AlertQueue | None
) -> tuple[list[Stored], int]:
    """Insert new articles, their passages and their alerts with three statements; returns
    what was stored, and how many alerts were queued."""
    if not batch:
        return [], 0
    article_ids = _insert_returning_ids(session, _ARTICLES, [p.values for p in batch])
    rows = [
        passage.row(article_id)
        for prepared, article_id in zip(batch, article_ids, strict=True)
        for passage in prepared.passages
    ]
    passage_ids = iter(_insert_returning_ids(session, _PASSAGES, rows))
    stored = [
        Stored(Outcome.NEW, article_id, tuple(next(passage_ids) for _ in prepared.passages))
        for prepared, article_id in zip(batch, article_ids, strict=True)
    ]
    return stored, _queue(session, alerts, zip(article_ids, batch, strict=True))


def _queue(
    session: Session, alerts: AlertQueue | None, stored: Iterable[tuple[int, Prepared]]
) -> int:
    if alerts is None:
        return 0
    return alerts.queue(session, [(article_id, p.topics) for article_id, p in stored])


def _known_ids(session: Session, column: Any, values: Iterable[str]) -> dict[str, int]:
    """Article id by value of a unique column, for the values already stored."""
    wanted = sorted(set(values))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            sql_select(column, col(Article.id)).where(column.in_(wanted[start : start + 500]))
        )
        found.update((value, int(article_id)) for value, article_id in rows)
    return found


def store_draft(
    *, session: Session, draft: ArticleDraft, queue_alerts: AlertQueue | None = None
) -> Stored:
    """Store one draft: unchanged if its text is known, replacing an earlier version of it."""
    draft = fit_draft(draft)
    return _store_prepared(session, prepare(draft, content_hash(draft)), queue_alerts)


def _store_prepared(session: Session, prepared: Prepared, alerts: AlertQueue | None) -> Stored:
    """Store one prepared draft on its own, seeing every article stored before it."""
    known = _known_ids(session, col(Article.content_hash), [prepared.digest])
    if prepared.digest in known:
        return Stored(Outcome.UNCHANGED, known[prepared.digest])
    identity = prepared.identity
    earlier = {}
    if identity is not None:
        earlier = _known_ids(session, col(Article.external_id), [identity])
    if identity not in earlier:
        (stored,), queued = _insert_new(session, [prepared], alerts)
        return replace(stored, alerts_queued=queued)
    article_id = earlier[identity]
    values = {k: v for k, v in prepared.values.items() if k != "ingested_at"}
    session.execute(update(Article).where(col(Article.id) == article_id).values(**values))
    removed = [
        int(pid)
        for pid in session.execute(
            sql_select(col(Passage.id)).where(col(Passage.article_id) == article_id)
        ).scalars()
    ]
    session.execute(delete(Passage).where(col(Passage.article_id) == article_id))
    if removed:
        session.execute(
            insert(PassageRemoval), [{"passage_id": pid, "removed_at": utcnow()} for pid in removed]
        )
    passage_ids = _insert_returning_ids(
        session, _PASSAGES, [p.row(article_id) for p in prepared.passages]
    )
    queued = _queue(session, alerts, [(article_id, prepared)])
    return Stored(Outcome.REPLACED, article_id, tuple(passage_ids), tuple(removed), queued)


def ingest_drafts(
    *,
    engine: Engine,
    drafts: Iterable[ArticleDraft | ReaderError],
    queue_alerts: OpenAlertQueue | None = None,
    on_progress: Callable[[ArticleDraft | ReaderError], None] | None = None,
) -> IngestReport:
    """Store drafts ``BATCH_DRAFTS`` to a transaction.

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
    open_queue: OpenAlertQueue | None,
    report: IngestReport,
) -> None:
    """Store a batch in one transaction.

    The drafts whose text, identity and slug are new and appear once in the batch go in
    together, in one savepoint; the others (corrected re-sends, repeats within the batch) one
    by one after them, each in its own savepoint, seeing what was stored before. Should the
    savepoint of the new ones fail, they too are stored one by one: a bad record costs only
    itself.
    """
    results: dict[int, Stored | ReaderError] = {}
    with session_scope(engine) as session:
        if is_sqlite(engine):
            # pysqlite opens a transaction only before a write: a first SAVEPOINT would start
            # (and its RELEASE commit) one of its own. The write lock is taken once, up front.
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        alerts = open_queue(session) if open_queue is not None else None
        fitted: dict[int, tuple[ArticleDraft, str]] = {}
        for n, draft in enumerate(drafts):
            try:
                fit = fit_draft(draft)
                fitted[n] = (fit, content_hash(fit))
            except Exception as error:
                results[n] = _refused(draft, error)
        known = _known_ids(session, col(Article.content_hash), (d for _, d in fitted.values()))
        pending: dict[int, Prepared] = {}
        for n, (fit, digest) in fitted.items():
            if digest in known:
                results[n] = Stored(Outcome.UNCHANGED, known[digest])
                continue
            try:
                pending[n] = prepare(fit, digest)
            except Exception as error:
                results[n] = _refused(drafts[n], error)
        earlier = _known_ids(
            session,
            col(Article.external_id),
            (i for p in pending.values() if (i := p.identity) is not None),
        )
        shared = Counter(key for p in pending.values() for key in p.unique_keys())
        together = [
            n
            for n, p in pending.items()
            if p.identity not in earlier and all(shared[key] == 1 for key in p.unique_keys())
        ]
        chosen = frozenset(together)
        alone = [n for n in pending if n not in chosen]
        queued = 0
        try:
            with session.begin_nested():
                stored, queued_together = _insert_new(
                    session, [pending[n] for n in together], alerts
                )
        except OperationalError:
            raise
        except Exception:
            log.debug("batch refused, storing its drafts one by one", exc_info=True)
            alone = sorted(alone + together)
        else:
            results.update(zip(together, stored, strict=True))
            queued = queued_together
        for n in alone:
            try:
                results[n] = _store_in_savepoint(session, pending[n], alerts)
            except OperationalError:
                raise
            except Exception as error:
                results[n] = _refused(drafts[n], error)
    # Counted once committed: an outage above loses the whole batch from the report too.
    report.alerts_queued += queued
    for n in sorted(results):
        result = results[n]
        if isinstance(result, ReaderError):
            report.failures.append(result)
        else:
            report.record(result)


def _store_in_savepoint(session: Session, prepared: Prepared, alerts: AlertQueue | None) -> Stored:
    try:
        with session.begin_nested():
            return _store_prepared(session, prepared, alerts)
    except IntegrityError:
        # Another process stored the same text or slug between our check and our insert; a
        # second attempt sees its row and becomes "unchanged" or "replaced".
        with session.begin_nested():
            return _store_prepared(session, prepared, alerts)


def _refused(draft: ArticleDraft, error: Exception) -> ReaderError:
    log.debug("draft from %s refused", draft.origin, exc_info=True)
    reason = str(getattr(error, "orig", None) or error).strip().split("\n")[0]
    if not isinstance(error, ValueError):
        reason = f"{type(error).__name__}: {reason}"
    return ReaderError(draft.origin or "<draft>", f"not stored: {reason}", line=draft.line)
