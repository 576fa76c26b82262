"""The index sync when ids commit out of order (PostgreSQL with several writers): a passage or
a removal whose transaction took a lower id but committed after a higher one is not missed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.service import Depeche, IdGaps
from bot.settings import Settings
from storage import repository
from storage.ingest import store_draft
from storage.readers import ArticleDraft, blocks_from_body

pytestmark = pytest.mark.postgres


def draft(word: str, *, slug: str, version: int = 1) -> ArticleDraft:
    body = (
        f"<p>Le {word} a survolé Genève lundi, selon les autorités (version {version}).</p>"
        f"<p>Aucun incident n'a été signalé autour du {word}.</p>"
    )
    return ArticleDraft(
        blocks=blocks_from_body(body), source="TEST", slug=slug, title=f"{word} {version}"
    )


@pytest.fixture
def service(postgres_url: str, tmp_path: Path) -> Iterator[Depeche]:
    depeche = Depeche.open(Settings(database_url=postgres_url, data_dir=tmp_path / "data"))
    yield depeche
    depeche.engine.dispose()


def found(service: Depeche, word: str) -> bool:
    return any(word in a.passage.text for a in service.ask(word, k=10).answers)


def test_a_passage_committed_after_a_higher_id_is_still_indexed(service: Depeche) -> None:
    slow = Session(service.engine, expire_on_commit=False)
    stored = store_draft(session=slow, draft=draft("Zeppelin", slug="Z1"))  # ids taken, open
    service.ingest_drafts([draft("Montgolfière", slug="M1")])  # higher ids, committed, synced
    assert found(service, "Montgolfière")
    assert min(stored.added_passage_ids) < service._max_passage_id
    assert not found(service, "Zeppelin")
    slow.commit()
    slow.close()
    changed = service.sync_index()
    assert changed.added == len(stored.added_passage_ids)
    assert found(service, "Zeppelin")
    assert service.sync_index().added == 0  # and only once


def test_a_removal_committed_after_a_higher_one_is_still_applied(service: Depeche) -> None:
    service.ingest_drafts([draft("Zeppelin", slug="Z1"), draft("Montgolfière", slug="M1")])
    slow = Session(service.engine, expire_on_commit=False)
    # A corrected re-send: its removal-log row takes the lower id but commits last.
    store_draft(session=slow, draft=draft("Dirigeable", slug="Z1", version=2))
    service.ingest_drafts([draft("Aérostat", slug="M1", version=2)])
    assert not found(service, "Montgolfière") and found(service, "Aérostat")
    assert found(service, "Zeppelin")
    slow.commit()
    slow.close()
    service.sync_index()
    assert not found(service, "Zeppelin")
    assert found(service, "Dirigeable")


def test_a_rolled_back_gap_is_forgotten_after_the_grace_period() -> None:
    now = [0.0]
    gaps = IdGaps(grace=10, clock=lambda: now[0])
    gaps.note_range(100, 105, [101, 104, 105])
    assert gaps.watched() == [102, 103]
    gaps.found([102])
    now[0] = 11
    assert gaps.watched() == []


def reopened(postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Depeche:
    """The next start, from the saved index and its mark, and without a full id scan."""

    def no_full_scan(**_: object) -> list[int]:
        raise AssertionError("the start read every passage id")

    monkeypatch.setattr(repository, "all_passage_ids", no_full_scan)
    return Depeche.open(Settings(database_url=postgres_url, data_dir=tmp_path / "data"))


def test_a_passage_committed_late_after_the_save_is_found_at_the_next_start(
    service: Depeche, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = Session(service.engine, expire_on_commit=False)
    store_draft(session=slow, draft=draft("Zeppelin", slug="Z1"))  # lower ids, not committed
    service.ingest_drafts([draft("Montgolfière", slug="M1")])
    assert not found(service, "Zeppelin")
    service.save_index()  # saved while the slow transaction is still open
    slow.commit()
    slow.close()
    restarted = reopened(postgres_url, tmp_path, monkeypatch)
    assert found(restarted, "Zeppelin") and found(restarted, "Montgolfière")
    restarted.engine.dispose()


def test_a_removal_committed_late_after_the_save_is_applied_at_the_next_start(
    service: Depeche, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.ingest_drafts([draft("Zeppelin", slug="Z1"), draft("Montgolfière", slug="M1")])
    slow = Session(service.engine, expire_on_commit=False)
    store_draft(session=slow, draft=draft("Dirigeable", slug="Z1", version=2))
    service.ingest_drafts([draft("Aérostat", slug="M1", version=2)])  # a higher removal id
    service.save_index()
    slow.commit()
    slow.close()
    restarted = reopened(postgres_url, tmp_path, monkeypatch)
    assert not found(restarted, "Zeppelin") and found(restarted, "Dirigeable")
    assert not found(restarted, "Montgolfière") and found(restarted, "Aérostat")
    restarted.engine.dispose()
