"""Read queries over articles and passages, keyword-only and typed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import func
from sqlmodel import Session, col, select

from retrieval.search import PassageRecord
from storage.models import Article, Passage, PassageRemoval

INDEX_BATCH = 5_000


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _record(passage: Passage, article: Article) -> PassageRecord:
    return PassageRecord(
        passage_id=passage.id or 0,
        article_id=article.id or 0,
        position=passage.position,
        heading=passage.heading,
        text=passage.text,
        language="en" if article.language == "en" else "fr",
        title=article.title,
        source=article.source,
        slug=article.slug,
        url=article.url,
        published_at=as_utc(article.published_at),
        published_precision=article.published_precision,
    )


def get_passage_records(*, session: Session, passage_ids: Sequence[int]) -> list[PassageRecord]:
    """The passages with these ids and their articles, in no particular order."""
    if not passage_ids:
        return []
    rows = session.exec(
        select(Passage, Article)
        .join(Article, col(Article.id) == Passage.article_id)
        .where(col(Passage.id).in_(list(passage_ids)))
    ).all()
    return [_record(p, a) for p, a in rows]


@dataclass(frozen=True)
class IndexablePassage:
    """What the index needs of a passage: its id, language and the text to analyse."""

    passage_id: int
    language: str
    text: str


def iter_indexable(
    *, session: Session, after_id: int = 0, batch: int = INDEX_BATCH
) -> Iterator[list[IndexablePassage]]:
    """All passages with an id above ``after_id``, in id order, a batch at a time."""
    last = after_id
    while True:
        rows = session.exec(
            select(col(Passage.id), Passage.heading, Passage.text, Article.language)
            .join(Article, col(Article.id) == Passage.article_id)
            .where(col(Passage.id) > last)
            .order_by(col(Passage.id))
            .limit(batch)
        ).all()
        if not rows:
            return
        yield [
            IndexablePassage(cast(int, pid), language, f"{heading}\n{text}" if heading else text)
            for pid, heading, text, language in rows
        ]
        last = cast(int, rows[-1][0])


def _chunks(ids: Sequence[int], size: int = 1_000) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def indexable_by_ids(*, session: Session, passage_ids: Sequence[int]) -> list[IndexablePassage]:
    """The passages among these ids that exist now, in id order (late commits, see
    ``bot.service.IdGaps``)."""
    found: list[IndexablePassage] = []
    for chunk in _chunks(sorted(passage_ids)):
        rows = session.exec(
            select(col(Passage.id), Passage.heading, Passage.text, Article.language)
            .join(Article, col(Article.id) == Passage.article_id)
            .where(col(Passage.id).in_(chunk))
            .order_by(col(Passage.id))
        ).all()
        found += [
            IndexablePassage(cast(int, pid), language, f"{heading}\n{text}" if heading else text)
            for pid, heading, text, language in rows
        ]
    return found


def removals_by_ids(*, session: Session, removal_ids: Sequence[int]) -> list[tuple[int, int]]:
    """(removal id, passage id) of the removals among these ids that exist now."""
    found: list[tuple[int, int]] = []
    for chunk in _chunks(sorted(removal_ids)):
        rows = session.exec(
            select(col(PassageRemoval.id), PassageRemoval.passage_id)
            .where(col(PassageRemoval.id).in_(chunk))
            .order_by(col(PassageRemoval.id))
        ).all()
        found += [(cast(int, rid), pid) for rid, pid in rows]
    return found


def removals_since(*, session: Session, after_id: int) -> list[tuple[int, int]]:
    """(removal id, passage id) of passages removed after the removal ``after_id``."""
    rows = session.exec(
        select(col(PassageRemoval.id), PassageRemoval.passage_id)
        .where(col(PassageRemoval.id) > after_id)
        .order_by(col(PassageRemoval.id))
    ).all()
    return [(cast(int, rid), pid) for rid, pid in rows]


def last_removal_id(*, session: Session) -> int:
    """The id of the newest passage removal, 0 when none."""
    newest = session.exec(select(func.coalesce(func.max(col(PassageRemoval.id)), 0))).one()
    return int(cast(int, newest))


def latest_articles(*, session: Session, limit: int = 5) -> list[Article]:
    """The most recently published (then ingested) articles."""
    return list(
        session.exec(
            select(Article)
            .order_by(
                col(Article.published_at).desc().nulls_last(),
                col(Article.ingested_at).desc(),
                col(Article.id).desc(),
            )
            .limit(limit)
        ).all()
    )


def get_article(*, session: Session, article_id: int) -> Article | None:
    """One article by id."""
    return session.get(Article, article_id)


def get_passages(*, session: Session, article_id: int) -> list[Passage]:
    """An article's passages in reading order."""
    return list(
        session.exec(
            select(Passage).where(Passage.article_id == article_id).order_by(col(Passage.position))
        ).all()
    )


@dataclass(frozen=True)
class SourceCount:
    """A source and how many articles it has, with its newest date."""

    source: str
    articles: int
    newest: datetime | None


def source_counts(*, session: Session) -> list[SourceCount]:
    """Articles per source, largest first."""
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


def collection_stats(*, session: Session) -> Stats:
    """Counts of articles, passages and sources, and the published date range."""
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
