"""Ingest: idempotent, corrected re-sends replace, bad files never stop a batch."""

from __future__ import annotations

import json
from pathlib import Path

from bot.service import Depeche
from tests.helpers import SEEDS, table_count

DISPATCH = """ date 2025-06-04 Le Kremlin a salué mercredi des négociations {word} à Istanbul entre
Russes et Ukrainiens, selon un communiqué publié dans la soirée à Moscou.

Iouri Ouchakov a confirmé que les deux délégations resteraient en contact permanent.

/ATS2191
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_ingesting_the_same_files_twice_stores_them_once(service: Depeche) -> None:
    first = service.ingest_paths([SEEDS])
    second = service.ingest_paths([SEEDS])
    assert (first.new, first.unchanged) == (1, 0)
    assert (second.new, second.replaced, second.unchanged) == (0, 0, 1)
    assert table_count(service, "article") == 1
    assert table_count(service, "passage") == len(service.index)


def test_a_resent_dispatch_under_another_name_is_stored_once(
    service: Depeche, tmp_path: Path
) -> None:
    write(tmp_path / "a", "one.txt", DISPATCH.format(word="utiles"))
    write(tmp_path / "b", "copy-of-one.txt", DISPATCH.format(word="utiles"))
    report = service.ingest_paths([tmp_path])
    assert (report.new, report.unchanged) == (1, 1)
    assert table_count(service, "article") == 1


def test_a_corrected_resend_replaces_the_earlier_version(service: Depeche, tmp_path: Path) -> None:
    service.ingest_paths([write(tmp_path, "v1.txt", DISPATCH.format(word="utiles"))])
    assert service.ask("négociations utiles Istanbul").answers
    report = service.ingest_paths([write(tmp_path, "v2.txt", DISPATCH.format(word="fructueuses"))])
    assert (report.new, report.replaced) == (0, 1)
    assert table_count(service, "article") == 1
    # The old wording is gone from the answers, the new one is found.
    old = service.ask("utiles")
    assert not old.answers
    new = service.ask("fructueuses")
    assert new.answers and "fructueuses" in new.answers[0].passage.text
    assert len(service.index) == table_count(service, "passage")


def test_repeats_and_resends_within_one_batch_are_stored_as_if_one_by_one(
    service: Depeche, tmp_path: Path
) -> None:
    def record(n: int, word: str, identity: str) -> str:
        body = DISPATCH.format(word=word).removeprefix(" date 2025-06-04 ").split("/ATS")[0]
        return json.dumps({"title": f"Dépêche {n}", "body": body, "id": identity})

    lines = [
        record(1, "utiles", "x"),
        record(2, "utiles", "y"),  # the same text again: unchanged
        record(3, "fructueuses", "x"),  # a corrected re-send of the first
        record(4, "cordiales", "z"),
    ]
    report = service.ingest_paths([write(tmp_path, "batch.jsonl", "\n".join(lines))])
    assert (report.new, report.unchanged, report.replaced, report.failed) == (2, 1, 1, 0)
    assert table_count(service, "article") == 2
    assert not service.ask("utiles").answers
    assert service.ask("fructueuses").answers and service.ask("cordiales").answers
    assert len(service.index) == table_count(service, "passage")


def test_bad_files_are_reported_and_the_rest_is_ingested(service: Depeche, tmp_path: Path) -> None:
    write(tmp_path, "good.txt", DISPATCH.format(word="utiles"))
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me".encode("latin-1"))
    write(tmp_path, "empty.md", "")
    write(
        tmp_path,
        "mixed.jsonl",
        json.dumps(
            {"title": "Kyiv", "body": "Kyiv said the drones came at night.", "language": "en"}
        )
        + "\n{broken\n",
    )
    report = service.ingest_paths([tmp_path])
    assert report.new == 2
    assert report.failed == 3
    messages = sorted(str(f) for f in report.failures)
    assert any("latin1.txt" in m and "not UTF-8" in m for m in messages)
    assert any("empty.md" in m and "no article text" in m for m in messages)
    assert any("mixed.jsonl, line 2" in m for m in messages)
    assert service.ask("drones at night").answers


def test_html_in_article_text_is_stored_as_text(service: Depeche, tmp_path: Path) -> None:
    record = {
        "title": "Alerte <script>x</script>",
        "body": "<p>Le Kremlin &amp; Kiev.</p><script>document.write('pirate')</script>"
        "<p>Suite longue du texte.</p>",
        "language": "fr",
    }
    service.ingest_paths([write(tmp_path, "h.jsonl", json.dumps(record))])
    (article,) = service.latest(5)
    assert "<" not in article.body and "pirate" not in article.body
    assert "Le Kremlin & Kiev." in article.body


def test_stats_count_articles_passages_and_sources(seeded: Depeche) -> None:
    stats = seeded.stats()
    assert (stats.articles, stats.sources) == (1, 1)
    assert stats.passages == len(seeded.index) >= 5
    assert stats.oldest is not None and stats.oldest.year == 2025 and stats.oldest.month == 6
