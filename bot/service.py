"""The command logic shared by Telegram, the console chat and the CLI: one object over
storage (the database) and retrieval (the in-memory index), keeping the two in step."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from retrieval.index import BM25Index
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.settings import Settings
from retrieval.analysis import analyze
from retrieval.search import PassageRecord, Results, search
from storage import repository
from storage.db import create_schema, make_engine
from storage.ingest import IngestReport, QueueAlerts, ingest_drafts
from storage.models import Article, Passage
from storage.readers import ArticleDraft, ReaderError, discover, read_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexSync:
    """What one catch-up of the index with the database changed."""

    added: int
    removed: int


class Depeche:
    """Articles in the database, their passages in a BM25 index, and the questions over both."""

    def __init__(
        self,
        *,
        engine: Engine,
        index: BM25Index | None = None,
        index_path: Path | None = None,
        queue_alerts: QueueAlerts | None = None,
    ) -> None:
        self.engine = engine
        self.index = index or BM25Index()
        self.index_path = index_path
        self.queue_alerts = queue_alerts
        # The index is not safe to search while it changes; searches take milliseconds.
        self._lock = threading.RLock()
        self._max_passage_id = int(self.index.ids.max()) if len(self.index) else 0
        self._last_removal_id = 0

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        queue_alerts: QueueAlerts | None = None,
        engine: Engine | None = None,
    ) -> Depeche:
        """Connect to the database, load the saved index and bring it up to date."""
        engine = engine or make_engine(settings.database_url)
        create_schema(engine)
        index = _load_index(settings.index_path)
        service = cls(
            engine=engine, index=index, index_path=settings.index_path, queue_alerts=queue_alerts
        )
        service.reconcile_index()
        return service

    def session(self) -> Session:
        """A new database session."""
        return Session(self.engine, expire_on_commit=False)

    # -- the index ---------------------------------------------------------------------------

    def reconcile_index(self) -> IndexSync:
        """Make the index hold exactly the stored passages (after loading a saved index)."""
        with self.session() as session:
            stored = np.fromiter(session.exec(select(Passage.id)).all(), dtype=np.int64)
            self._last_removal_id = repository.last_removal_id(session=session)
        with self._lock:
            indexed = self.index.ids
            stale = np.setdiff1d(indexed, stored, assume_unique=True)
            missing = np.setdiff1d(stored, indexed, assume_unique=True)
            if len(stale):
                self.index.remove(stale.tolist())
        added = self._index_passages(missing.tolist()) if len(missing) else 0
        with self._lock:
            self._max_passage_id = int(stored.max()) if len(stored) else 0
        if len(stale) or added:
            log.info("index reconciled: %d passages added, %d dropped", added, len(stale))
        return IndexSync(added, len(stale))

    def _index_passages(self, passage_ids: Sequence[int]) -> int:
        added = 0
        wanted = set(passage_ids)
        with self.session() as session:
            after = min(wanted) - 1
            for batch in repository.iter_indexable(session=session, after_id=after):
                chosen = [p for p in batch if p.passage_id in wanted]
                if chosen:
                    docs = [analyze(p.text, "en" if p.language == "en" else "fr") for p in chosen]
                    with self._lock:
                        self.index.add([p.passage_id for p in chosen], docs)
                    added += len(chosen)
        return added

    def sync_index(self) -> IndexSync:
        """Catch up with passages stored or removed since the last sync, by any process."""
        with self.session() as session:
            removals = repository.removals_since(session=session, after_id=self._last_removal_id)
            new_ids: list[int] = []
            docs: list[list[str]] = []
            for batch in repository.iter_indexable(session=session, after_id=self._max_passage_id):
                for p in batch:
                    new_ids.append(p.passage_id)
                    docs.append(analyze(p.text, "en" if p.language == "en" else "fr"))
        removed_ids = [pid for _, pid in removals]
        with self._lock:
            if removed_ids:
                self.index.remove(removed_ids)
                self._last_removal_id = removals[-1][0]
            if new_ids:
                self.index.add(new_ids, docs)
                self._max_passage_id = max(self._max_passage_id, new_ids[-1])
        return IndexSync(len(new_ids), len(removed_ids))

    def save_index(self) -> None:
        """Write the index beside the database so that the next start is fast."""
        if self.index_path is None:
            return
        self.index_path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self.index.save(self.index_path)

    # -- articles in -------------------------------------------------------------------------

    def ingest_drafts(
        self,
        drafts: Iterable[ArticleDraft | ReaderError],
        *,
        on_progress: Callable[[ArticleDraft | ReaderError], None] | None = None,
    ) -> IngestReport:
        """Store drafts, queue their alerts, and make them searchable at once."""
        report = ingest_drafts(
            engine=self.engine,
            drafts=drafts,
            queue_alerts=self.queue_alerts,
            on_progress=on_progress,
        )
        self.sync_index()
        return report

    def ingest_paths(
        self,
        paths: Iterable[Path],
        *,
        on_progress: Callable[[ArticleDraft | ReaderError], None] | None = None,
    ) -> IngestReport:
        """Ingest files and folders (recursively)."""

        def drafts() -> Iterable[ArticleDraft | ReaderError]:
            for found in discover(paths):
                if isinstance(found, ReaderError):
                    yield found
                else:
                    yield from read_file(found)

        return self.ingest_drafts(drafts(), on_progress=on_progress)

    def is_empty(self) -> bool:
        """Whether no article is stored yet."""
        with self.session() as session:
            return session.exec(select(Article.id).limit(1)).first() is None

    # -- questions ---------------------------------------------------------------------------

    def fetch_passages(self, passage_ids: Sequence[int]) -> list[PassageRecord]:
        """Passages and their articles by id (search's window onto storage)."""
        with self.session() as session:
            return repository.get_passage_records(session=session, passage_ids=passage_ids)

    def ask(self, question: str, *, k: int = 3, offset: int = 0) -> Results:
        """The best cited passages for a question, a page at a time."""
        with self._lock:
            return search(question, index=self.index, fetch=self.fetch_passages, k=k, offset=offset)

    def latest(self, limit: int = 5) -> list[Article]:
        """The newest articles."""
        with self.session() as session:
            return repository.latest_articles(session=session, limit=limit)

    def article(self, article_id: int) -> tuple[Article, list[Passage]] | None:
        """An article and its passages, or None."""
        with self.session() as session:
            article = repository.get_article(session=session, article_id=article_id)
            if article is None:
                return None
            return article, repository.get_passages(session=session, article_id=article_id)

    def sources(self) -> list[repository.SourceCount]:
        """Articles per source."""
        with self.session() as session:
            return repository.source_counts(session=session)

    def stats(self) -> repository.Stats:
        """Size of the collection."""
        with self.session() as session:
            return repository.collection_stats(session=session)


def _load_index(path: Path) -> BM25Index | None:
    if not path.exists():
        return None
    try:
        return BM25Index.load(path)
    except Exception as error:  # a truncated or older file is rebuilt, never fatal
        log.warning("saved index %s unreadable (%s); rebuilding it", path, error)
        return None
