"""The command logic shared by Telegram, the console chat and the CLI: one object over
storage (the database) and retrieval (the in-memory index), keeping the two in step."""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import cast

import numpy as np
from sqlalchemy.engine import Engine

from bot import metrics
from bot.saved_index import (
    IdGaps,
    IndexMark,
    database_name,
    file_identity,
    load_index,
)
from bot.settings import Settings
from retrieval.expand import load_word_lists
from retrieval.fields import ANALYSIS_VERSION, pack_terms, unpack_terms
from retrieval.filters import (
    Filters,
    ParsedQuestion,
    Period,
    in_period,
    local_today,
    parse_filters,
)
from retrieval.index import BM25Index, TermIds
from retrieval.question import read_question
from retrieval.search import PassageRecord, Results, Scope, search
from retrieval.topics import parse_topic
from storage import repository
from storage.alert_queue import alert_queue
from storage.chat_language import ChatLanguages
from storage.db import make_engine, prepare_schema, wait_for_database
from storage.ingest import IngestReport, OpenAlertQueue, ingest_drafts
from storage.models import Article, Passage, utcnow
from storage.passage_terms import analysed, save_terms
from storage.readers import ArticleDraft, ReaderError, discover, read_file, with_defaults

log = logging.getLogger(__name__)


# Articles matching a topic (/latest TOPIC, /trend) are looked for among the passages that best
# match its words, this many at most; within a period or from sources, only among those.
TOPIC_DEPTH = 20_000
# Up to this many articles passing a question's filters, the search is limited to their passages
# (listed by storage); beyond, each hit is checked against the filters instead.
FILTER_SCAN_ARTICLES = 2_000
# Nothing in a question's period: the newest of this many best passages outside it is named.
NEWEST_MATCH_DEPTH = 200
# Result numbers (/article N) are remembered for this many chats, the least recent forgotten.
MAX_NUMBERED_CHATS = 10_000
# At start the index holds what was committed; ids missing just below the newest may still be
# in flight in another process, so the newest RECONCILE_GAP_WINDOW ids are watched too.
RECONCILE_GAP_WINDOW = 1_000


class ResultNumbers:
    """For each chat, the article behind each number of its last answer or list (/article N).

    A new answer replaces a chat's numbers; its next pages add to them. Kept in memory: after
    a restart ``/article N`` asks for a question first (``/article #id`` always works).
    """

    def __init__(self, max_chats: int = MAX_NUMBERED_CHATS) -> None:
        self.max_chats = max_chats
        self._chats: OrderedDict[int | None, dict[int, int]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, chat: int | None, numbers: dict[int, int], *, page: bool = False) -> None:
        """Number → article id for a chat's new answer (``page``: another page of the last)."""
        with self._lock:
            known = self._chats.pop(chat, {}) if page else {}
            self._chats[chat] = {**known, **numbers}
            while len(self._chats) > self.max_chats:
                self._chats.popitem(last=False)

    def article_id(self, chat: int | None, number: int) -> int | None:
        """The article shown as result ``number`` in the chat's last answer, if any."""
        with self._lock:
            return self._chats.get(chat, {}).get(number)


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
        queue_alerts: OpenAlertQueue | None = None,
        mark: IndexMark | None = None,
        timezone: str = "Europe/Paris",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.timezone = timezone
        self.clock = clock
        self._known_sources: list[repository.SourceCount] | None = None
        self.numbers = ResultNumbers()
        self.index = index or BM25Index()
        self.index_path = index_path
        self.queue_alerts = queue_alerts
        # What the loaded index was saved with (None: unknown, so check every passage id).
        self._mark = mark
        # The index is not safe to search while it changes; searches take milliseconds.
        self._lock = threading.RLock()
        self._max_passage_id = int(self.index.ids.max()) if len(self.index) else 0
        self._last_removal_id = 0
        self._passage_gaps = IdGaps()
        self._removal_gaps = IdGaps()
        # One sync at a time (the timed job and an ingest may both ask): two would add twice.
        self._sync_lock = threading.Lock()
        self.chat_languages = ChatLanguages(engine)  # what each chat chose with /lang

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        queue_alerts: OpenAlertQueue | None = None,
        engine: Engine | None = None,
        wait: bool = False,
    ) -> Depeche:
        """Connect to the database, load the saved index and bring it up to date.

        Stored articles queue their alerts in the same transaction (``storage.alert_queue``'s outbox
        hook, unless another ``queue_alerts`` is given): every front gets the same service.

        The schema is brought to the newest migration (unless ``settings.auto_migrate`` is
        off); a database newer than this code raises ``storage.db.SchemaError``. With ``wait``
        (the long-running bot), an unreachable database is retried
        ``settings.db_connect_attempts`` times with a doubling delay before the
        ``OperationalError`` is raised.
        """
        engine = engine or make_engine(settings.database_url)
        if wait:
            wait_for_database(
                engine, attempts=settings.db_connect_attempts, delay=settings.db_retry_seconds
            )
        prepare_schema(engine, upgrade=settings.auto_migrate)
        index, mark = load_index(settings.index_path, database=database_name(engine))
        service = cls(
            engine=engine,
            index=index,
            index_path=settings.index_path,
            queue_alerts=queue_alerts or alert_queue,
            mark=mark,
            timezone=settings.timezone,
        )
        service.reconcile_index()
        return service

    # -- the index ---------------------------------------------------------------------------

    def reconcile_index(self) -> IndexSync:
        """Make the index hold exactly the stored passages (after loading a saved index).

        With the mark the index was saved with, only what was stored or removed since is read,
        then the passage count is compared; without a mark, or when the count disagrees, every
        stored passage id is compared with the index. A repaired index is saved, so that a
        crash-left difference (an ingest that stored but never saved) is read once, not at
        every start.
        """
        with self._sync_lock:
            mark, self._mark = self._mark, None
            changes = self._catch_up_from(mark) if mark is not None else None
            # Saved unless the saved index was right: the next start then takes the short way.
            repaired = changes is None or bool(changes.added or changes.removed)
            if changes is None:
                changes = self._reconcile_all()
            if repaired:
                self._save_locked()
        if changes.added or changes.removed:
            log.info(
                "index reconciled: %d passages added, %d dropped", changes.added, changes.removed
            )
        return changes

    def _catch_up_from(self, mark: IndexMark) -> IndexSync | None:
        """Sync from where the saved index stood; None when the result disagrees with the
        database's passage count (then only a full comparison can tell what differs)."""
        with self._lock:
            self._max_passage_id = mark.max_passage_id
            self._last_removal_id = mark.last_removal_id
        # What may have been in flight at the save (see IdGaps) is looked up once more: the
        # newest ids the index lacks, and the newest removals, applied again if they exist.
        low = max(mark.max_passage_id - RECONCILE_GAP_WINDOW, 0)
        indexed = self.index.ids
        self._passage_gaps = IdGaps(grace=self._passage_gaps.grace)
        self._passage_gaps.note_range(low, mark.max_passage_id, indexed[indexed > low].tolist())
        self._removal_gaps = IdGaps(grace=self._removal_gaps.grace)
        self._removal_gaps.note_range(
            max(mark.last_removal_id - RECONCILE_GAP_WINDOW, 0), mark.last_removal_id, ()
        )
        changes = self._sync()
        stored = repository.count_passages(engine=self.engine)
        if stored != len(self.index):
            log.info(
                "saved index holds %d passages, the database %d: checking every id",
                len(self.index),
                stored,
            )
            return None
        return changes

    def _reconcile_all(self) -> IndexSync:
        """Compare every stored passage id with the index, and fix the difference."""
        # The removal log first: a removal committed after this read is then seen by the
        # next sync, whether or not its passage was in the list read below.
        last_removal = repository.last_removal_id(engine=self.engine)
        recent_removals = repository.removals_since(
            engine=self.engine, after_id=max(last_removal - RECONCILE_GAP_WINDOW, 0)
        )
        # Sorted here: the database lists them in no set order (PostgreSQL: as rows were
        # written), and the streamed build below takes them ascending.
        stored = np.sort(np.array(repository.all_passage_ids(engine=self.engine), np.int64))
        with self._lock:
            indexed = self.index.ids
            stale = np.setdiff1d(indexed, stored, assume_unique=True)
            missing = np.setdiff1d(stored, indexed, assume_unique=True)
            if len(stale):
                self.index.remove(stale.tolist())
        added = self._index_passages(missing) if len(missing) else 0
        newest = int(stored.max()) if len(stored) else 0
        self._passage_gaps = IdGaps(grace=self._passage_gaps.grace)
        self._passage_gaps.note_range(
            max(newest - RECONCILE_GAP_WINDOW, 0),
            newest,
            stored[stored > newest - RECONCILE_GAP_WINDOW].tolist(),
        )
        self._removal_gaps = IdGaps(grace=self._removal_gaps.grace)
        self._removal_gaps.note_range(
            max(last_removal - RECONCILE_GAP_WINDOW, 0),
            last_removal,
            [rid for rid, _ in recent_removals],
        )
        with self._lock:
            self._max_passage_id = newest
            self._last_removal_id = last_removal
        self._known_sources = None
        return IndexSync(added, len(stale))

    def _index_passages(self, passage_ids: np.ndarray) -> int:
        """Index these stored passages (ids ascending) in one build (``BM25Index.add_all``),
        streamed from the database: their stored terms, read from the passage table alone.
        Passages without terms of this analysis (stored before they were kept, or by another
        analysis) are analysed, and their terms stored, so that the next build reads them."""
        engine = self.engine

        def batches() -> Iterator[tuple[np.ndarray, TermIds]]:
            after = int(passage_ids[0]) - 1
            for ids, terms in repository.iter_stored_terms(engine=engine, after_id=after):
                id_arr = np.asarray(ids, np.int64)
                at = np.minimum(np.searchsorted(passage_ids, id_arr), len(passage_ids) - 1)
                wanted = passage_ids[at] == id_arr
                if not wanted.all():
                    keep = np.flatnonzero(wanted).tolist()
                    id_arr, terms = id_arr[keep], [terms[i] for i in keep]
                if None in terms:  # the slow way: analysed
                    yield self._analyse_stale(id_arr, terms)
                else:
                    yield id_arr, TermIds.of_joined(cast(list[str], terms))

        with self._lock:
            return self.index.add_all(batches())

    def _analyse_stale(
        self, ids: np.ndarray, terms: list[str | None]
    ) -> tuple[np.ndarray, TermIds]:
        """A batch whose passages without stored terms (None) are analysed, and their terms
        stored; those deleted meanwhile are left out."""
        stale = [pid for pid, packed in zip(ids.tolist(), terms, strict=True) if packed is None]
        found = repository.indexable_by_ids(engine=self.engine, passage_ids=stale)
        fresh = {p.passage_id: _index_terms(p) for p in found}
        save_terms(engine=self.engine, terms={i: pack_terms(d) for i, d in fresh.items()})
        docs = [
            (pid, unpack_terms(packed) if packed is not None else fresh.get(pid))
            for pid, packed in zip(ids.tolist(), terms, strict=True)
        ]
        kept = [(pid, doc) for pid, doc in docs if doc is not None]
        return np.array([pid for pid, _ in kept], np.int64), TermIds.of([d for _, d in kept])

    def sync_index(self) -> IndexSync:
        """Catch up with passages stored or removed since the last sync, by any process.

        Passages and removals committed late (after higher ids were seen: PostgreSQL with
        several writers) are found through the gaps they left (see ``IdGaps``).
        """
        with self._sync_lock:
            return self._sync()

    def _sync(self) -> IndexSync:
        engine = self.engine
        # Removals before passages: a passage removed in between is then either not read below
        # or removed by the next sync, never kept for good.
        removals = repository.removals_since(engine=engine, after_id=self._last_removal_id)
        late_removals = []
        if len(self._removal_gaps):
            late_removals = repository.removals_by_ids(
                engine=engine, removal_ids=self._removal_gaps.watched()
            )
        fresh: list[repository.IndexablePassage] = []
        for batch in repository.iter_indexable(engine=engine, after_id=self._max_passage_id):
            fresh += batch
        late: list[repository.IndexablePassage] = []
        if len(self._passage_gaps):
            late = repository.indexable_by_ids(
                engine=engine, passage_ids=self._passage_gaps.watched()
            )
        if late:
            log.debug("%d passage(s) committed late picked up", len(late))
        self._removal_gaps.found(rid for rid, _ in late_removals)
        if removals:
            self._removal_gaps.note_range(
                self._last_removal_id, removals[-1][0], (rid for rid, _ in removals)
            )
        self._passage_gaps.found(p.passage_id for p in late)
        if fresh:
            self._passage_gaps.note_range(
                self._max_passage_id, fresh[-1].passage_id, (p.passage_id for p in fresh)
            )
        removed_ids = [pid for _, pid in removals + late_removals]
        if late:
            with self._lock:
                known = np.isin([p.passage_id for p in late], self.index.ids)
            late = [p for p, is_known in zip(late, known, strict=True) if not is_known]
        chosen = late + fresh
        docs = [_index_terms(p) for p in chosen]
        with self._lock:
            before = len(self.index)
            if removed_ids:  # ids no longer indexed (removed twice, never added) are ignored
                self.index.remove(removed_ids)
            dropped = before - len(self.index)
            if removals:
                self._last_removal_id = removals[-1][0]
            if chosen:
                self.index.add([p.passage_id for p in chosen], docs)
            if fresh:
                self._max_passage_id = max(self._max_passage_id, fresh[-1].passage_id)
        if chosen or dropped:
            self._known_sources = None  # a new source, or a corrected one
        return IndexSync(len(chosen), dropped)

    def index_size(self) -> int:
        """Passages in the search index (read without the lock: an int, for metrics)."""
        return len(self.index)

    def save_index(self) -> None:
        """Write the index beside the database, with its mark, so that the next start is fast."""
        with self._sync_lock:
            self._save_locked()

    def _save_locked(self) -> None:
        # Under the sync lock: the mark's ids then say exactly what the saved index holds.
        path = self.index_path
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # A name of its own, so that two processes saving at once never write the same file.
        tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}")
        with self._lock:
            self.index.save(tmp)
            passages, newest, last_removal = (
                len(self.index),
                self._max_passage_id,
                self._last_removal_id,
            )
        os.replace(tmp, path)
        size, mtime_ns, inode = file_identity(path) or (0, 0, 0)
        IndexMark(
            database=database_name(self.engine),
            passages=passages,
            max_passage_id=newest,
            last_removal_id=last_removal,
            index_size=size,
            index_mtime_ns=mtime_ns,
            index_inode=inode,
            analysis=ANALYSIS_VERSION,
        ).write(path)

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
        metrics.record_ingest(report)
        self.sync_index()
        return report

    def ingest_paths(
        self,
        paths: Iterable[Path],
        *,
        on_progress: Callable[[ArticleDraft | ReaderError], None] | None = None,
        source: str | None = None,
        language: str | None = None,
        published: tuple[datetime, str] | None = None,
    ) -> IngestReport:
        """Ingest files and folders (recursively); ``source``, ``language`` and ``published``
        (date, precision) are given to the articles whose files carry none."""

        def drafts() -> Iterable[ArticleDraft | ReaderError]:
            for found in discover(paths):
                if isinstance(found, ReaderError):
                    yield found
                    continue
                for draft in read_file(found):
                    if isinstance(draft, ReaderError):
                        yield draft
                    else:
                        yield with_defaults(
                            draft, source=source, language=language, published=published
                        )

        return self.ingest_drafts(drafts(), on_progress=on_progress)

    def is_empty(self) -> bool:
        """Whether no article is stored yet."""
        return not repository.has_articles(engine=self.engine)

    # -- questions ---------------------------------------------------------------------------

    def fetch_passages(self, passage_ids: Sequence[int]) -> list[PassageRecord]:
        """Passages and their articles by id (search's window onto storage)."""
        return repository.get_passage_records(engine=self.engine, passage_ids=passage_ids)

    def warm_up(self) -> None:
        """Load the names and word lists questions are read with (about half a second), ahead
        of the first question."""
        load_word_lists()

    def read_question(self, question: str, *, now: datetime | None = None) -> ParsedQuestion:
        """A question's date phrase and ``source:`` filters, and the words left to search."""
        today = local_today(now or self.clock(), self.timezone)
        known = [s.source for s in self.sources()]
        return parse_filters(question, today=today, known_sources=known)

    @metrics.timed_question
    def ask(
        self, question: str, *, k: int = 3, offset: int = 0, now: datetime | None = None
    ) -> Results:
        """The best cited passages for a question, a page at a time, within its filters."""
        parsed = self.read_question(question, now=now)
        filters = parsed.filters
        scope = Scope(filters)
        if filters.sources:
            known = {s.source.lower() for s in self.sources()}
            unknown = tuple(s for s in filters.sources if s.lower() not in known)
            if unknown:
                scope = Scope(filters, unknown, tuple(s.source for s in self.sources()))
                return Results(question, (), (), offset, scope=scope)
        results = self._search(parsed.text, filters, k=k, offset=offset, scope=scope)
        if filters.period is None or not results.terms:
            return replace(results, question=question)
        # A later page follows what the first page did.
        first = results if offset == 0 else self._search(parsed.text, filters, k=k, scope=scope)
        if not first.answers:
            results = self._widened(parsed, k=k, offset=offset, scope=scope)
        elif not first.answered:
            # The period holds only related passages: a question's date often names the event,
            # reported later; passages of other dates that answer are shown, and said to be.
            wider = self._widened(parsed, k=k, offset=0, scope=scope)
            if wider.answered:
                scope = replace(wider.scope, unanswered_in_period=True)
                page = (
                    wider if offset == 0 else self._widened(parsed, k=k, offset=offset, scope=scope)
                )
                results = replace(page, scope=scope)
        return replace(results, question=question)

    def _search(
        self, text: str, filters: Filters, *, k: int, offset: int = 0, scope: Scope
    ) -> Results:
        candidates, keep = self._restriction(filters)
        return search(
            text,
            index=self.index,
            fetch=self.fetch_passages,
            k=k,
            offset=offset,
            candidates=candidates,
            keep=keep,
            scope=scope,
            guard=self._lock,
        )

    def _widened(self, parsed: ParsedQuestion, *, k: int, offset: int, scope: Scope) -> Results:
        """Nothing matches in the question's period: the best matches from any date, the date
        phrase searched as words. A question's dates often name the events, not the day of
        the dispatch ("How much did Opel lose in 2016?" is answered in February 2017)."""
        assert parsed.filters.period is not None
        sources = parsed.filters.sources
        newest = self._newest_match(parsed.text, sources)
        scope = replace(scope, newest_outside=newest, widened=newest is not None)
        if newest is None:
            return self._search(parsed.text, parsed.filters, k=k, offset=offset, scope=scope)
        text = f"{parsed.text} {parsed.filters.period.phrase}"
        return self._search(text, Filters(sources=sources), k=k, offset=offset, scope=scope)

    def _restriction(
        self, filters: Filters
    ) -> tuple[np.ndarray | None, Callable[[PassageRecord], bool] | None]:
        """How search honours the filters: the candidate passage ids when few articles pass
        them, else a check of each hit (listing half the collection would cost more)."""
        if not filters:
            return None, None
        period, sources = filters.period, filters.sources
        broad = repository.filter_exceeds(
            engine=self.engine,
            period=period,
            sources=sources,
            timezone=self.timezone,
            limit=FILTER_SCAN_ARTICLES,
        )
        if not broad:
            ids = repository.filtered_passage_ids(
                engine=self.engine, period=period, sources=sources, timezone=self.timezone
            )
            return ids, None
        wanted = {s.lower() for s in sources}
        timezone = self.timezone

        def keep(record: PassageRecord) -> bool:
            if wanted and record.source.lower() not in wanted:
                return False
            return period is None or in_period(
                record.published_at, record.published_precision, period, timezone
            )

        return None, keep

    def _newest_match(self, text: str, sources: Sequence[str]) -> PassageRecord | None:
        """The newest of the best passages matching ``text`` at any date (from ``sources``)."""
        candidates = None
        if sources:
            candidates = repository.filtered_passage_ids(
                engine=self.engine, period=None, sources=sources, timezone=self.timezone
            )
        terms = list(read_question(text).terms)
        with self._lock:
            hits = self.index.search(terms, NEWEST_MATCH_DEPTH, candidates=candidates)
        records = self.fetch_passages([int(i) for i in hits.ids])
        dated = [r for r in records if r.published_at is not None]
        return max(dated, key=lambda r: (r.published_at, r.passage_id), default=None)

    def latest(self, limit: int = 5, *, topic: str | None = None) -> list[Article]:
        """The newest articles; with ``topic``, the newest of those matching it (all its words,
        as a subscription's topic)."""
        if not topic:
            return repository.latest_articles(engine=self.engine, limit=limit)
        return repository.latest_articles(
            engine=self.engine,
            limit=limit,
            article_ids=[a.article_id for a in self.articles_matching(topic)],
        )

    def articles_matching(
        self,
        topic_text: str,
        *,
        period: Period | None = None,
        sources: Sequence[str] = (),
    ) -> list[repository.ArticleText]:
        """The articles matching a topic as a subscription does (every word, phrases, OR,
        -excluded), within a period and sources; ``TopicError`` when it does not parse."""
        topic = parse_topic(topic_text)
        candidates = None
        if period is not None or sources:
            candidates = repository.filtered_passage_ids(
                engine=self.engine, period=period, sources=sources, timezone=self.timezone
            )
            if not len(candidates):
                return []
        with self._lock:
            hits = self.index.search(sorted(topic.terms), TOPIC_DEPTH, candidates=candidates)
        passage_ids = [int(i) for i in hits.ids]
        article_ids = {r.article_id for r in self.fetch_passages(passage_ids)}
        texts = repository.article_texts(engine=self.engine, article_ids=list(article_ids))
        return [
            a
            for a in texts
            if topic.matches([a.title, *a.passages], "en" if a.language == "en" else "fr")
        ]

    def article(self, article_id: int) -> tuple[Article, list[Passage]] | None:
        """An article and its passages, or None."""
        article = repository.get_article(engine=self.engine, article_id=article_id)
        if article is None:
            return None
        return article, repository.get_passages(engine=self.engine, article_id=article_id)

    def sources(self) -> list[repository.SourceCount]:
        """Articles per source (kept between index syncs that change nothing)."""
        known = self._known_sources
        if known is None:
            known = self._known_sources = repository.source_counts(engine=self.engine)
        return known

    def stats(self) -> repository.Stats:
        """Size of the collection."""
        return repository.collection_stats(engine=self.engine)


def _index_terms(passage: repository.IndexablePassage) -> list[str]:
    """The passage's stored terms when this analysis made them, else analysed now."""
    if passage.terms is not None:
        return passage.terms
    return analysed(passage.text, passage.language, title=passage.title, lead=passage.lead)
