"""The saved index beside the database and how the service keeps it honest: the mark that says
what a saved file holds, and the ids a sync skipped that may still commit (``IdGaps``)."""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from retrieval.fields import ANALYSIS_VERSION
from retrieval.index import BM25Index

log = logging.getLogger(__name__)

# On PostgreSQL ids come from a sequence when a row is inserted, not when it commits: the
# transaction that took passage id 100 may commit after the one that took 101, so a sync that
# has seen 101 cannot take "id > 101" as everything new. The ids it skipped are gaps, looked up
# again at every sync until they appear or GAP_GRACE_SECONDS pass (by then their transaction has
# rolled back, or their passage was deleted before any sync saw it). Ingest transactions last
# milliseconds; ten minutes is a wide margin. The same holds for the removal log.
GAP_GRACE_SECONDS = 600.0

# More missing ids than this at once (a huge rolled-back batch) are not all watched.
MAX_GAPS = 200_000


class IdGaps:
    """Ids skipped by a sync, each watched until it appears or its grace period ends."""

    def __init__(
        self, *, grace: float = GAP_GRACE_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.grace = grace
        self._clock = clock
        self._since: dict[int, float] = {}

    def __len__(self) -> int:
        return len(self._since)

    def __contains__(self, item: int) -> bool:
        return item in self._since

    def note_range(self, low: int, high: int, seen: Iterable[int]) -> None:
        """Watch the ids in (low, high] that are not in ``seen``."""
        if high <= low:
            return
        missing = set(range(low + 1, high + 1)) - set(seen) if high - low <= MAX_GAPS else set()
        if high - low > MAX_GAPS:
            log.warning("%d ids skipped at once; only the newest are watched", high - low)
            missing = set(range(high - MAX_GAPS + 1, high + 1)) - set(seen)
        now = self._clock()
        for item in missing:
            self._since.setdefault(item, now)
        if len(self._since) > MAX_GAPS:
            for item in sorted(self._since)[: len(self._since) - MAX_GAPS]:
                del self._since[item]

    def watched(self) -> list[int]:
        """The ids still worth looking up (expired ones are forgotten)."""
        deadline = self._clock() - self.grace
        for item in [i for i, since in self._since.items() if since < deadline]:
            del self._since[item]
        return sorted(self._since)

    def found(self, ids: Iterable[int]) -> None:
        """Stop watching these ids: they have appeared."""
        for item in ids:
            self._since.pop(item, None)


@dataclass(frozen=True)
class IndexMark:
    """What a saved index holds, written beside it (``depeche.index.json``).

    The next start reads only what the database gained since (passages above
    ``max_passage_id``, removals above ``last_removal_id``) instead of every passage id. The
    file's identity (size, modification time, inode) ties the mark to the one index file it
    describes: a mark left by another save, or an index without a mark, means a full check.
    """

    database: str
    passages: int
    max_passage_id: int
    last_removal_id: int
    index_size: int
    index_mtime_ns: int
    index_inode: int
    # Which text analysis made the terms: an index made by another one is rebuilt, not reused.
    analysis: int

    @staticmethod
    def path_for(index_path: Path) -> Path:
        return index_path.with_name(index_path.name + ".json")

    @classmethod
    def read(cls, index_path: Path) -> IndexMark | None:
        """The mark beside an index file, or None when absent or unreadable."""
        try:
            fields = json.loads(cls.path_for(index_path).read_text(encoding="utf-8"))
            return cls(**{name: fields[name] for name in cls.__dataclass_fields__})
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, index_path: Path) -> None:
        path = self.path_for(index_path)
        tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
        tmp.write_text(json.dumps(asdict(self)), encoding="utf-8")
        os.replace(tmp, path)

    def describes(self, file: tuple[int, int, int] | None, database: str) -> bool:
        """Whether this mark was written for that index file (``_file_identity``) and that
        database."""
        return database == self.database and file == (
            self.index_size,
            self.index_mtime_ns,
            self.index_inode,
        )


def database_name(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def file_identity(path: Path) -> tuple[int, int, int] | None:
    """Size, modification time and inode: what changes when the file is replaced."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def load_index(path: Path, *, database: str) -> tuple[BM25Index | None, IndexMark | None]:
    """The saved index and its mark; the mark only if it describes the very file loaded."""
    before = file_identity(path)
    if before is None:
        return None, None
    mark = IndexMark.read(path)
    if mark is None or mark.analysis != ANALYSIS_VERSION:
        log.info("saved index %s has no mark of this text analysis; rebuilding it", path)
        return None, None
    try:
        index = BM25Index.load(path)
    except Exception as error:  # a truncated or older file is rebuilt, never fatal
        log.warning("saved index %s unreadable (%s); rebuilding it", path, error)
        return None, None
    if file_identity(path) != before or not mark.describes(before, database):
        return index, None  # no mark, or the file was replaced while it was read
    return index, (mark if mark.passages == len(index) else None)
