"""The CLI's side of news in time: ingest --source/--date, front matter, first-line titles,
ask --json's filters, latest --topic and trend --out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli


@pytest.fixture
def run(tmp_path: Path) -> CliRunner:
    return CliRunner(env={"DEPECHE_DATA_DIR": str(tmp_path / "data"), "DEPECHE_DATABASE_URL": ""})


def test_ingest_source_and_date_for_files_that_carry_none(run: CliRunner, tmp_path: Path) -> None:
    plain = tmp_path / "note.txt"
    plain.write_text(
        "Zeppelin over Brest\n\nA zeppelin flew over the harbour of Brest on Monday.\n",
        encoding="utf-8",
    )
    result = run.invoke(
        cli, ["ingest", "--source", "Ouest", "--language", "en", "--date", "2025-06-04", str(plain)]
    )
    assert result.exit_code == 0, result.output
    listed = run.invoke(cli, ["latest"]).output
    # the first line is the title, and the citation is whole
    assert "Zeppelin over Brest — Ouest · 4 June 2025" in listed
    found = json.loads(run.invoke(cli, ["ask", "--json", "zeppelin Brest"]).output)
    assert not found["results"][0]["text"].startswith("Zeppelin over Brest")
    bad = run.invoke(cli, ["ingest", "--date", "June the 4th", str(plain)])
    assert bad.exit_code == 2 and "--date" in bad.output


def test_front_matter_gives_title_source_date_url_language(run: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "---\ntitle: Le Kremlin répond\nsource: Keystone-ATS\ndate: 2025-06-03\n"
        "url: https://example.test/a\nlanguage: fr\n---\n\nLe Kremlin a répondu mardi.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text("An undated note\n\nNobody dated this text.\n", "utf-8")
    assert run.invoke(cli, ["ingest", str(tmp_path)]).exit_code == 0
    listed = run.invoke(cli, ["latest"]).output
    assert "Le Kremlin répond — Keystone-ATS · 3 juin 2025" in listed
    assert "An undated note — undated" in listed  # never "— , " nor an empty field
    answer = json.loads(
        run.invoke(cli, ["ask", "--json", 'Kremlin source:"keystone-ats" le 3 juin 2025']).output
    )
    assert answer["filters"]["sources"] == ["keystone-ats"]
    assert answer["filters"]["period"]["start"] == "2025-06-03"
    assert answer["results"][0]["url"] == "https://example.test/a"


def test_latest_topic_and_trend_out(run: CliRunner, tmp_path: Path) -> None:
    for n, day in enumerate(["2025-06-02", "2025-06-02", "2025-06-04"]):
        (tmp_path / f"z{n}.md").write_text(
            f"---\nsource: AFP\ndate: {day}\n---\n# Zeppelin {n}\n\nA zeppelin over town {n}.\n",
            encoding="utf-8",
        )
    assert run.invoke(cli, ["ingest", str(tmp_path)]).exit_code == 0
    topic = run.invoke(cli, ["latest", "--topic", "zeppelin"]).output
    assert topic.splitlines()[0].endswith("Zeppelin 2 — AFP · 4 June 2025")
    chart = tmp_path / "chart.png"
    result = run.invoke(cli, ["trend", "zeppelin", "en juin 2025", "--out", str(chart)])
    assert result.exit_code == 0, result.output
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Busiest day: 2025-06-02 (2 articles)" in result.output
