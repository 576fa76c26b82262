"""Ingest never loses the batch: one bad record costs only itself, on SQLite and PostgreSQL.

Each bad JSON Lines record below is reported with its file and line, and every good record
around it is stored; only a database outage stops an ingest (tests/service).
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bot.service import Depeche
from retrieval.topics import parse_topic
from storage import alerts as outbox
from storage.alerts import add_subscription
from storage.ingest import fit_draft
from storage.readers import ArticleDraft, ReaderError, parse_jsonl, parse_markdown, parse_wire
from tests.helpers import table_count

BODY = "Le Kremlin a salué mercredi des négociations à Istanbul entre Russes et Ukrainiens."


def good(n: int, **extra: object) -> dict[str, object]:
    return {"title": f"Dépêche {n}", "body": f"{BODY} Numéro {n}.", "source": "AFP", **extra}


def test_bad_records_are_refused_one_by_one_and_the_rest_is_stored(
    service: Depeche, tmp_path: Path
) -> None:
    deep = '{"body": ' + "[" * 100_000 + "]" * 100_000 + "}"
    lines = [
        json.dumps(good(1)),
        json.dumps(good(2, published="9999-12-31T23:00:00-05:00")),  # overflows moving to UTC
        deep,
        json.dumps(good(3, published="1850-01-01")),
        json.dumps(good(4, url="https://example.org/" + "a" * 2_100)),
        json.dumps(good(5, id="x" * 2_100)),
        json.dumps(good(6)),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = service.ingest_paths([path])
    assert report.new == 2
    where = {(f.origin, f.line) for f in report.failures}
    assert where == {(str(path), n) for n in (2, 3, 4, 5, 6)}
    messages = {f.line: f.message for f in report.failures}
    assert "1900-2100" in messages[2] and "1900-2100" in messages[4]
    assert "nested too deeply" in messages[3]
    assert "url longer than 2000" in messages[5]
    assert "external id longer than 2000" in messages[6]
    assert service.stats().articles == 2


def test_a_record_the_database_refuses_amid_a_batch_costs_only_itself(
    service: Depeche, tmp_path: Path
) -> None:
    """The batch's new articles go in together; the database refusing one (its source and
    slug are another dispatch's) makes them go in one by one, and only that one is lost."""
    add_subscription(engine=service.engine, chat_id=7, topic=parse_topic("Kremlin"))
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps(good(0, slug="S1", id="a")) + "\n", encoding="utf-8")
    assert service.ingest_paths([first]).new == 1
    lines = [good(1), good(2), good(3, slug="S1", id="b"), good(4), good(5)]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in lines) + "\n", encoding="utf-8")
    report = service.ingest_paths([path])
    assert (report.new, report.alerts_queued) == (4, 4)
    assert [(f.origin, f.line) for f in report.failures] == [(str(path), 3)]
    assert "not stored" in report.failures[0].message
    assert service.stats().articles == 5
    assert outbox.alert_counts(engine=service.engine) == {"pending": 5}
    found = {a.passage.text for a in service.ask("Numéro 4", k=10).answers}
    assert any("Numéro 4." in t for t in found) and not any("Numéro 3." in t for t in found)
    assert table_count(service, "passage") == len(service.index)


def test_values_too_long_for_their_columns_are_shortened_and_odd_unicode_kept_readable(
    service: Depeche, tmp_path: Path
) -> None:
    record = good(
        1,
        slug="S" * 300,
        source="AGENCE " * 40,
        title="\u202eevil title\u202c " + "long " * 200 + "\ud800",
    )
    record["body"] = f"{BODY} Un caractère cassé : \ud800."
    path = tmp_path / "odd.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")  # ensure_ascii keeps \ud800
    report = service.ingest_paths([path])
    assert (report.new, report.failed) == (1, 0), report.failures
    with service.engine.connect() as connection:
        slug, source, title, body = connection.execute(
            text("SELECT slug, source, title, body FROM article")
        ).one()
    assert len(slug) <= 100 and len(source) <= 100 and len(title) <= 500
    assert title.startswith("evil title") and "\u202e" not in title
    assert "\ufffd" in body
    assert service.ask("Kremlin négociations").answers


def test_a_title_holding_bidi_overrides_is_stored_without_them() -> None:
    draft = ArticleDraft(blocks=parse_markdown(BODY).blocks, title="Paris \u202egpj.exe\u202c")
    assert fit_draft(draft).title == "Paris gpj.exe"


_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=()) | st.sampled_from('\ud800{}[]"\n/#'),
    max_size=300,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT)
def test_readers_never_raise_on_any_text(text: str) -> None:
    """Whatever a file holds, a reader returns drafts or errors naming it; it never raises."""
    for outcome in parse_jsonl(text, origin="fuzz.jsonl"):
        assert isinstance(outcome, ArticleDraft | ReaderError)
        if isinstance(outcome, ArticleDraft):
            fit_draft(outcome)
    for reader in (parse_wire, parse_markdown):
        try:
            fit_draft(reader(text, origin="fuzz.txt"))
        except ReaderError as error:
            assert error.origin == "fuzz.txt"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(
        st.dictionaries(
            st.sampled_from(["title", "body", "url", "source", "published", "slug", "id"]),
            st.one_of(_TEXT, st.integers(), st.none(), st.lists(st.integers(), max_size=2)),
        ),
        max_size=4,
    )
)
def test_json_records_of_any_shape_are_read_or_refused_per_line(
    records: list[dict[str, object]],
) -> None:
    text = "\n".join(json.dumps(r) for r in records)
    outcomes = list(parse_jsonl(text, origin="fuzz.jsonl"))
    assert len(outcomes) == len(records)
    for number, outcome in enumerate(outcomes, start=1):
        assert outcome.line == number
