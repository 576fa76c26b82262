"""Read queries over articles and passages, keyword-only and typed.

Like every storage function (``storage.alerts``, ``storage.feeds``), each takes ``*, engine``
and is its own unit of work: callers hold no session, and the async fronts can hand any of them
to a worker thread as they are.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import numpy as np
import sqlalchemy
from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from retrieval.fields import ANALYSIS_VERSION, unpack_terms
from retrieval.filters import Period, day_bounds
from retrieval.search import PassageRecord
from storage.db import session_scope
from storage.models import Article, Passage, PassageRemoval, as_utc
from storage.passage_terms import indexed_text

INDEX_BATCH = 5_000


_RECORD_COLUMNS = (
    col(Passage.id),
    col(Passage.article_id),
    col(Passage.position),
    col(Passage.heading),
    col(Passage.text),
    col(Article.language),
    col(Article.title),
    col(Article.source),
    col(Article.slug),
    col(Article.url),
    col(Article.published_at),
    col(Article.published_precision),
    col(Passage.signature),
)


# Built once: constructing the statement (a bound value per id) cost about as much as running
# it, for every question. The ids go in as one expanding parameter.
_RECORDS_BY_ID = (
    sqlalchemy.select(*_RECORD_COLUMNS)
    .join(Article, col(Article.id) == Passage.article_id)
    .where(col(Passage.id).in_(sqlalchemy.bindparam("ids", expanding=True)))
)


def get_passage_records(*, engine: Engine, passage_ids: Sequence[int]) -> list[PassageRecord]:
    """The passages with these ids and their articles, in no particular order.

    One primary-key query of plain columns: it runs for every question, and building ORM
    objects cost more than the query itself.
    """
    if not passage_ids:
        return []
    with engine.connect() as connection:
        rows = connection.execute(_RECORDS_BY_ID, {"ids": list(passage_ids)}).all()
    return [
        PassageRecord(
            passage_id=cast(int, pid),
            article_id=article_id,
            position=position,
            heading=heading,
            text=text,
            language="en" if language == "en" else "fr",
            title=title,
            source=source,
            slug=slug,
            url=url,
            published_at=as_utc(published_at),
            published_precision=precision,
            signature=signed or b"",
        )
        for (
            pid,
            article_id,
            position,
            heading,
            text,
            language,
            title,
            source,
            slug,
            url,
            published_at,
            precision,
            signed,
        ) in rows
    ]


@dataclass(frozen=True)
class IndexablePassage:
    """What the index needs of a passage: its id, language and text, and its article's title
    and lead (first passage), which are indexed with it (``retrieval.fields``); ``terms``, its
    stored index terms when this analysis made them (else None: analyse it)."""

    passage_id: int
    language: str
    text: str
    title: str = ""
    lead: str = ""
    terms: list[str] | None = None


_Lead = aliased(Passage)


def _indexable_rows(
    where: ColumnElement[bool],
) -> sqlalchemy.Select[int | None, str | None, str, str, str, str, str | None, int | None]:
    return (
        sqlalchemy.select(
            col(Passage.id),
            col(Passage.heading),
            col(Passage.text),
            col(Article.language),
            col(Article.title),
            col(_Lead.text),
            col(Passage.terms),
            col(Passage.analysis),
        )
        .join(Article, col(Article.id) == Passage.article_id)
        .outerjoin(_Lead, (col(_Lead.article_id) == Article.id) & (col(_Lead.position) == 0))
        .where(where)
        .order_by(col(Passage.id))
    )


def _indexable(rows: Sequence[Any]) -> list[IndexablePassage]:
    return [
        IndexablePassage(
            cast(int, pid),
            language,
            indexed_text(heading, text),
            title,
            lead or "",
            unpack_terms(terms) if terms is not None and analysis == ANALYSIS_VERSION else None,
        )
        for pid, heading, text, language, title, lead, terms, analysis in rows
    ]


def iter_indexable(
    *, engine: Engine, after_id: int = 0, batch: int = INDEX_BATCH
) -> Iterator[list[IndexablePassage]]:
    """All passages with an id above ``after_id``, in id order, a batch at a time."""
    with session_scope(engine) as session:
        last = after_id
        while True:
            rows = session.execute(_indexable_rows(col(Passage.id) > last).limit(batch)).all()
            if not rows:
                return
            yield _indexable(rows)
            last = cast(int, rows[-1][0])


def iter_stored_terms(
    *, engine: Engine, after_id: int = 0, batch: int = INDEX_BATCH
) -> Iterator[tuple[list[int], list[str | None]]]:
    """The ids of every passage above ``after_id``, in id order, a batch at a time, with
    their stored index terms (``retrieval.fields.pack_terms``); None for terms this analysis
    did not make (``indexable_by_ids`` gives what analysing them needs). What a start-up
    build reads: one table, no text."""
    query = sqlalchemy.select(col(Passage.id), col(Passage.terms), col(Passage.analysis))
    current = ANALYSIS_VERSION
    last = after_id
    with engine.connect() as connection:
        while True:
            rows = connection.execute(
                query.where(col(Passage.id) > last).order_by(col(Passage.id)).limit(batch)
            ).all()
            if not rows:
                return
            ids = [cast(int, row[0]) for row in rows]
            yield ids, [terms if analysis == current else None for _, terms, analysis in rows]
            last = ids[-1]


def _chunks(ids: Sequence[int], size: int = 1_000) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def indexable_by_ids(*, engine: Engine, passage_ids: Sequence[int]) -> list[IndexablePassage]:
    """The passages among these ids that exist now, in id order (late commits, see
    ``bot.service.IdGaps``)."""
    with session_scope(engine) as session:
        found: list[IndexablePassage] = []
        for chunk in _chunks(sorted(passage_ids)):
            rows = session.execute(_indexable_rows(col(Passage.id).in_(chunk))).all()
            found += _indexable(rows)
        return found


def removals_by_ids(*, engine: Engine, removal_ids: Sequence[int]) -> list[tuple[int, int]]:
    """(removal id, passage id) of the removals among these ids that exist now."""
    with session_scope(engine) as session:
        found: list[tuple[int, int]] = []
        for chunk in _chunks(sorted(removal_ids)):
            rows = session.exec(
                select(col(PassageRemoval.id), PassageRemoval.passage_id)
                .where(col(PassageRemoval.id).in_(chunk))
                .order_by(col(PassageRemoval.id))
            ).all()
            found += [(cast(int, rid), pid) for rid, pid in rows]
        return found


def removals_since(*, engine: Engine, after_id: int) -> list[tuple[int, int]]:
    """(removal id, passage id) of passages removed after the removal ``after_id``."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(col(PassageRemoval.id), PassageRemoval.passage_id)
            .where(col(PassageRemoval.id) > after_id)
            .order_by(col(PassageRemoval.id))
        ).all()
        return [(cast(int, rid), pid) for rid, pid in rows]


def last_removal_id(*, engine: Engine) -> int:
    """The id of the newest passage removal, 0 when none."""
    with session_scope(engine) as session:
        newest = session.exec(select(func.coalesce(func.max(col(PassageRemoval.id)), 0))).one()
        return int(cast(int, newest))


def period_clause(period: Period, timezone: str) -> Any:
    """Articles published in the period, each as precisely as its date is known (the rule of
    ``retrieval.filters.in_period``, which a test holds this to).

    A publication time (feeds) is compared in ``timezone``. A calendar date is stored at
    midnight UTC; one known only to its month or year at midnight on the 1st of it, so those
    are matched as the few month (or year) starts the period touches: index look-ups, where a
    range from the 1st of the year would walk half the index for "yesterday".
    """
    start_at, end_at = day_bounds(period, timezone)
    start = datetime(period.start.year, period.start.month, period.start.day, tzinfo=UTC)
    end = datetime(period.end.year, period.end.month, period.end.day, tzinfo=UTC)
    end += timedelta(days=1)
    months = [
        datetime(year, month, 1, tzinfo=UTC)
        for year in range(period.start.year, period.end.year + 1)
        for month in range(1, 13)
        if (period.start.year, period.start.month) <= (year, month)
        and (year, month) <= (period.end.year, period.end.month)
    ]
    years = [datetime(y, 1, 1, tzinfo=UTC) for y in range(period.start.year, period.end.year + 1)]
    at, precision = col(Article.published_at), col(Article.published_precision)
    return or_(
        and_(at >= start_at, at < end_at, precision == "time"),
        and_(at >= start, at < end, precision == "day"),
        and_(at.in_(months), precision == "month"),
        and_(at.in_(years), precision == "year"),
    )


def sources_clause(sources: Sequence[str]) -> Any:
    """Articles from any of these sources, whatever their case."""
    return func.lower(col(Article.source)).in_([s.lower() for s in sources])


def filtered_passage_ids(
    *, engine: Engine, period: Period | None, sources: Sequence[str], timezone: str
) -> np.ndarray:
    """The sorted ids of the passages whose article is in the period and from the sources
    (either may be absent): the candidates a filtered question is searched among."""
    query = select(col(Passage.id)).join(Article, col(Article.id) == Passage.article_id)
    if period is not None:
        query = query.where(period_clause(period, timezone))
    if sources:
        query = query.where(sources_clause(sources))
    # Core, not the ORM session: a broad period is many thousands of plain integers. (Each
    # precision's range is indexable on its own: SQLite walks the index once per range.)
    with engine.connect() as conn:
        ids = np.fromiter(conn.execute(query).scalars(), dtype=np.int64)
    ids.sort()
    return ids


def filter_exceeds(
    *, engine: Engine, period: Period | None, sources: Sequence[str], timezone: str, limit: int
) -> bool:
    """Whether more than ``limit`` articles are in the period and from the sources (the
    query stops at ``limit + 1``)."""
    query = select(col(Article.id))
    if period is not None:
        query = query.where(period_clause(period, timezone))
    if sources:
        query = query.where(sources_clause(sources))
    with engine.connect() as conn:
        return len(conn.execute(query.limit(limit + 1)).all()) > limit


def latest_articles(
    *,
    engine: Engine,
    limit: int = 5,
    article_ids: Sequence[int] | None = None,
) -> list[Article]:
    """The most recently published (then ingested) articles, among ``article_ids`` if given."""
    with session_scope(engine) as session:
        query = select(Article)
        if article_ids is not None:
            query = query.where(col(Article.id).in_(list(article_ids)))
        return list(
            session.exec(
                query.order_by(
                    col(Article.published_at).desc().nulls_last(),
                    col(Article.ingested_at).desc(),
                    col(Article.id).desc(),
                ).limit(limit)
            ).all()
        )


def get_article(*, engine: Engine, article_id: int) -> Article | None:
    """One article by id."""
    with session_scope(engine) as session:
        return session.get(Article, article_id)


def get_passages(*, engine: Engine, article_id: int) -> list[Passage]:
    """An article's passages in reading order."""
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(Passage)
                .where(Passage.article_id == article_id)
                .order_by(col(Passage.position))
            ).all()
        )


@dataclass(frozen=True)
class SourceCount:
    """A source and how many articles it has, with its newest date."""

    source: str
    articles: int
    newest: datetime | None


def source_counts(*, engine: Engine) -> list[SourceCount]:
    """Articles per source, largest first."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(Article.source, func.count(), func.max(Article.published_at))
            .group_by(Article.source)
            .order_by(func.count().desc(), Article.source)
        ).all()
        return [SourceCount(source, int(n), as_utc(newest)) for source, n, newest in rows]


@dataclass(frozen=True)
class Stats:
    """The size of the collection."""

    articles: int
    passages: int
    sources: int
    oldest: datetime | None
    newest: datetime | None


def collection_stats(*, engine: Engine) -> Stats:
    """Counts of articles, passages and sources, and the published date range."""
    with session_scope(engine) as session:
        articles, sources, oldest, newest = session.exec(
            select(
                func.count(col(Article.id)),
                func.count(func.distinct(Article.source)),
                func.min(Article.published_at),
                func.max(Article.published_at),
            )
        ).one()
        passages = session.exec(select(func.count(col(Passage.id)))).one()
        return Stats(int(articles), int(passages), int(sources), as_utc(oldest), as_utc(newest))


def all_passage_ids(*, engine: Engine) -> list[int]:
    """The id of every stored passage."""
    with engine.connect() as connection:  # plain rows: a million ORM rows cost seconds
        return cast(
            list[int], connection.execute(sqlalchemy.select(col(Passage.id))).scalars().all()
        )


def count_passages(*, engine: Engine) -> int:
    """How many passages are stored."""
    with session_scope(engine) as session:
        return int(session.exec(select(func.count(col(Passage.id)))).one())


def has_articles(*, engine: Engine) -> bool:
    """Whether any article is stored."""
    with session_scope(engine) as session:
        return session.exec(select(Article.id).limit(1)).first() is not None


@dataclass(frozen=True)
class ArticleText:
    """An article's title, language, date and passages, to match a topic against."""

    article_id: int
    title: str
    language: str
    source: str
    published_at: datetime | None
    published_precision: str
    passages: tuple[str, ...]


def article_texts(*, engine: Engine, article_ids: Sequence[int]) -> list[ArticleText]:
    """These articles with their passages' text in reading order (in article id order)."""
    found: list[ArticleText] = []
    with session_scope(engine) as session:
        for chunk in _chunks(sorted(set(article_ids))):
            articles = session.exec(select(Article).where(col(Article.id).in_(chunk))).all()
            rows = session.exec(
                select(Passage.article_id, Passage.heading, Passage.text)
                .where(col(Passage.article_id).in_(chunk))
                .order_by(col(Passage.article_id), col(Passage.position))
            ).all()
            texts: dict[int, list[str]] = {}
            for article_id, heading, text in rows:
                texts.setdefault(article_id, []).append(f"{heading}\n{text}" if heading else text)
            found += [
                ArticleText(
                    a.id or 0,
                    a.title,
                    a.language,
                    a.source,
                    as_utc(a.published_at),
                    a.published_precision,
                    tuple(texts.get(a.id or 0, ())),
                )
                for a in sorted(articles, key=lambda a: a.id or 0)
            ]
    return found
