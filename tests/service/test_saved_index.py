"""Starting on a saved index: an unchanged database is not read passage by passage, what was
stored or removed since the save is caught up from the mark beside the index, and a repair is
saved so that it happens once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import text

from bot import service as service_module
from bot.service import Depeche, IndexMark
from bot.settings import Settings
from storage import repository
from storage.ingest import ingest_drafts
from tests.helpers import SEEDS, article, table_count


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often the full id scan ran, and how many passages the index took in (their terms read
    or analysed), since the fixture started."""
    counts = {"all_passage_ids": 0, "indexed": 0}

    def counting(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def spy(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return real(*args, **kwargs)

        return spy

    monkeypatch.setattr(
        repository, "all_passage_ids", counting("all_passage_ids", repository.all_passage_ids)
    )
    monkeypatch.setattr(
        service_module, "_index_terms", counting("indexed", service_module._index_terms)
    )
    return counts


@pytest.fixture
def opened(settings: Settings) -> Iterator[Callable[[], Depeche]]:
    """Opens Dépêche as a command does, and closes every one at the end."""
    services: list[Depeche] = []

    def open_() -> Depeche:
        services.append(Depeche.open(settings))
        return services[-1]

    yield open_
    for service in services:
        service.engine.dispose()


def found(service: Depeche, question: str, words: str) -> bool:
    return any(words in answer.passage.text for answer in service.ask(question, k=10).answers)


def store_without_saving(service: Depeche, *drafts: Any) -> None:
    """What an ingest that crashed before saving the index leaves: rows, no saved index."""
    report = ingest_drafts(engine=service.engine, drafts=drafts)
    assert not report.failures


def test_an_unchanged_database_does_not_read_every_passage_id(
    opened: Callable[[], Depeche], settings: Settings
) -> None:
    first = opened()
    first.ingest_paths([SEEDS])
    first.save_index()
    saved = settings.index_path.stat().st_mtime_ns
    counts: dict[str, int] = {}

    def scan_all(**_: Any) -> list[int]:
        counts["scans"] = counts.get("scans", 0) + 1
        return []

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(repository, "all_passage_ids", scan_all)
        again = opened()
        assert "scans" not in counts
        assert len(again.index) == table_count(again, "passage") > 0
        assert found(again, "Kremlin", "Kremlin")
    assert settings.index_path.stat().st_mtime_ns == saved  # nothing to repair, nothing saved


def test_a_crash_left_difference_is_repaired_and_saved_once(
    opened: Callable[[], Depeche], settings: Settings, calls: dict[str, int]
) -> None:
    first = opened()
    first.ingest_drafts([article(1, slug="A1"), article(2, slug="A2")])
    first.save_index()
    replaced = article(1, "<p>Le Kremlin dément toute réunion avec les dirigeables.</p>", slug="A1")
    store_without_saving(first, article(3, "<p>Un zeppelin survole Genève.</p>"), replaced)
    calls.update(all_passage_ids=0, indexed=0)

    repaired = opened()
    assert found(repaired, "zeppelin Genève", "zeppelin")  # stored after the save
    assert found(repaired, "dirigeables", "dirigeables")  # the correction's new text
    assert not found(repaired, "réunion numéro 1", "numéro 1")  # and its old text is gone
    assert len(repaired.index) == table_count(repaired, "passage")
    assert calls["all_passage_ids"] == 0  # caught up from the mark, not by a full scan
    indexed = calls["indexed"]
    assert indexed == 2  # the new article's passage and the correction's
    saved = settings.index_path.stat().st_mtime_ns

    again = opened()
    assert calls["indexed"] == indexed  # the repair was saved: nothing to read again
    assert settings.index_path.stat().st_mtime_ns == saved
    assert found(again, "zeppelin Genève", "zeppelin")
    assert not found(again, "réunion numéro 1", "numéro 1")


def test_an_index_saved_without_a_mark_is_checked_in_full_once(
    opened: Callable[[], Depeche], settings: Settings, calls: dict[str, int]
) -> None:
    first = opened()
    first.ingest_paths([SEEDS])
    first.save_index()
    IndexMark.path_for(settings.index_path).unlink()  # as an index saved by an older Dépêche
    calls.update(all_passage_ids=0)
    opened()
    assert calls["all_passage_ids"] == 1
    assert IndexMark.path_for(settings.index_path).exists()
    opened()
    assert calls["all_passage_ids"] == 1


def test_passages_deleted_behind_the_removal_log_are_found_by_the_count(
    opened: Callable[[], Depeche], calls: dict[str, int]
) -> None:
    first = opened()
    first.ingest_drafts([article(1, slug="A1"), article(2, "<p>Un zeppelin survole Genève.</p>")])
    first.save_index()
    with first.engine.begin() as conn:  # by hand, as a database administrator might
        conn.execute(text("DELETE FROM article WHERE slug = 'A1'"))
    calls.update(all_passage_ids=0)
    checked = opened()
    assert calls["all_passage_ids"] == 1
    assert not found(checked, "Kremlin réunion", "Kremlin")
    assert found(checked, "zeppelin", "zeppelin")
    assert len(checked.index) == table_count(checked, "passage")


def test_a_mark_for_another_index_file_is_not_trusted(
    opened: Callable[[], Depeche], settings: Settings, calls: dict[str, int]
) -> None:
    first = opened()
    first.ingest_drafts([article(1, slug="A1")])
    first.save_index()
    mark = IndexMark.read(settings.index_path)
    first.ingest_drafts([article(2, "<p>Un zeppelin survole Genève.</p>")])
    first.save_index()
    assert mark is not None
    mark.write(settings.index_path)  # a mark left by an earlier save
    calls.update(all_passage_ids=0)
    checked = opened()
    assert calls["all_passage_ids"] == 1
    assert found(checked, "zeppelin", "zeppelin")
    assert len(checked.index) == table_count(checked, "passage")
