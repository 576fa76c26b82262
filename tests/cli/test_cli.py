"""The depeche command line: the demo, ask, ingest and stats, their help and their errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.helpers import ROOT, SEEDS


@pytest.fixture
def run(settings_env: dict[str, str]) -> CliRunner:
    return CliRunner(env=settings_env)


@pytest.fixture
def settings_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "DEPECHE_DATABASE_URL": database_url,
        "DEPECHE_DATA_DIR": str(tmp_path / "data"),
        "DEPECHE_SEEDS_DIR": str(SEEDS),
    }


def test_demo_seeds_the_database_and_answers_both_questions(run: CliRunner) -> None:
    result = run.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert "Stored 1 article(s)" in result.output
    assert result.output.count("Le [Kremlin] l'a jugée") == 2  # English and French question
    assert "ATS · juin 2025" in result.output
    again = run.invoke(cli, ["demo"])
    assert "Stored" not in again.output  # seeds are only loaded into an empty database


def test_ask_json_is_machine_readable(run: CliRunner) -> None:
    run.invoke(cli, ["ingest", str(SEEDS)])
    result = run.invoke(cli, ["ask", "--json", "-k", "2", "Ouchakov"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["question"] == "Ouchakov"
    assert len(payload["results"]) == 2
    first = payload["results"][0]
    assert set(first) >= {
        "article_id",
        "slug",
        "title",
        "source",
        "published",
        "passage_id",
        "text",
        "excerpt",
        "more_excerpt",
        "score",
    }
    assert "Ouchakov" in first["excerpt"] and first["source"] == "ATS"
    assert first["more_excerpt"] is None  # the seed's paragraphs say all in one excerpt
    assert payload["answered"] is True


@pytest.mark.parametrize(
    ("question", "answered", "also"),
    [
        ("What did Putin say?", True, ["Poutine"]),
        ("What did Macron say about pensions?", False, []),
    ],
)
def test_ask_json_says_whether_the_question_is_answered(
    run: CliRunner, question: str, answered: bool, also: list[str]
) -> None:
    run.invoke(cli, ["ingest", str(SEEDS)])
    payload = json.loads(run.invoke(cli, ["ask", "--json", question]).output)
    assert payload["answered"] is answered
    assert payload["also_searched"] == also


def test_ask_says_when_nothing_answers_directly(run: CliRunner) -> None:
    run.invoke(cli, ["ingest", str(SEEDS)])
    result = run.invoke(cli, ["ask", "What did Macron say about the Kremlin?"])
    assert "No direct answer in the stored articles" in result.output
    assert "What did Putin say?" in run.invoke(cli, ["ask", "What did he say?"]).output
    assert "Also searched: Poutine" in run.invoke(cli, ["ask", "What did Putin say?"]).output


def test_ask_json_from_stdin_answers_one_question_a_line(run: CliRunner) -> None:
    run.invoke(cli, ["ingest", str(SEEDS)])
    questions = "Ouchakov\n\n   \nQu'a dit le Kremlin ?\nphotosynthèse\n".encode() + b"Kreml\xff\n"
    result = run.invoke(cli, ["ask", "--json", "-k", "1", "-"], input=questions)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 6  # one JSON object per line read, blank ones included
    answers = [json.loads(line) for line in lines]
    assert [a["question"] for a in answers][:5] == [
        "Ouchakov",
        "",
        "",
        "Qu'a dit le Kremlin ?",
        "photosynthèse",
    ]
    assert "Ouchakov" in answers[0]["results"][0]["excerpt"]
    for blank in answers[1:3]:
        assert (blank["question"], blank["terms"], blank["results"]) == ("", [], [])
        assert blank["answered"] is False
        assert blank["filters"] == {
            "period": None,
            "sources": [],
            "unknown_sources": [],
            "widened": False,
        }
    assert "Kremlin" in answers[3]["results"][0]["excerpt"]
    assert len(answers[3]["results"]) == 1  # -k applies to every line
    assert answers[4]["results"] == []
    assert "\ufffd" in answers[5]["question"]  # undecodable bytes replaced, not fatal


def test_ask_json_from_stdin_answers_each_line_before_the_next_is_sent(
    run: CliRunner, settings_env: dict[str, str], tmp_path: Path
) -> None:
    """A script can hold a conversation with one process: no answer waits for end of input."""
    run.invoke(cli, ["ingest", str(SEEDS)])
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, **settings_env, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdin and process.stdout
    try:
        for question, word in [("Ouchakov", "Ouchakov"), ("Istanbul", "Istanbul")]:
            process.stdin.write(question + "\n")
            process.stdin.flush()
            answer = json.loads(process.stdout.readline())
            assert answer["question"] == question and word in answer["results"][0]["excerpt"]
        process.stdin.close()
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()


def test_ask_from_stdin_as_text_answers_each_line(run: CliRunner) -> None:
    run.invoke(cli, ["ingest", str(SEEDS)])
    result = run.invoke(cli, ["ask", "-"], input="Ouchakov\nQu'a dit le Kremlin ?\n")
    assert result.exit_code == 0, result.output
    assert "> Ouchakov" in result.output and "> Qu'a dit le Kremlin ?" in result.output
    assert result.output.count("ATS") >= 2


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ([], "Ask a question"),
        (["the", "of", "and"], "only very common words"),
        (["photosynthèse"], "Nothing found"),
        # The interface's language (the terminal's, or --lang), never the question's.
        (
            ["Que", "pensent", "les", "botanistes", "de", "la", "photosynthèse", "?"],
            "Nothing found",
        ),
        (["--lang", "fr", "What", "about", "photosynthesis?"], "Rien trouvé"),
    ],
)
def test_ask_explains_when_there_is_nothing_to_answer(
    run: CliRunner, question: list[str], message: str
) -> None:
    run.invoke(cli, ["ingest", str(SEEDS)])
    result = run.invoke(cli, ["ask", *question])
    assert result.exit_code == 0
    assert message in result.output


def test_a_short_question_is_answered_in_the_terminal_language(run: CliRunner) -> None:
    """As on Telegram: one or two words cannot tell a language, the user's (terminal's) can."""
    run.invoke(cli, ["ingest", str(SEEDS)])
    french = run.invoke(cli, ["ask", "photosynthèse"], env={"LC_ALL": "fr_FR.UTF-8"})
    assert "Rien trouvé" in french.output
    english = run.invoke(cli, ["ask", "photosynthèse"], env={"LC_ALL": "en_GB.UTF-8"})
    assert "Nothing found" in english.output
    chosen = run.invoke(cli, ["ask", "--lang", "fr", "photosynthèse"], env={"LC_ALL": "en_GB"})
    assert "Rien trouvé" in chosen.output


def test_ingest_prints_a_summary_and_fails_only_when_nothing_could_be_read(
    run: CliRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n")
    result = run.invoke(cli, ["ingest", str(SEEDS), str(bad)])
    assert result.exit_code == 0
    assert "1 new, 0 replaced, 0 unchanged, 1 failed" in result.output
    assert "bad.jsonl, line 1: invalid JSON" in result.output
    only_bad = run.invoke(cli, ["ingest", str(bad)])
    assert only_bad.exit_code == 1


def test_stats(run: CliRunner) -> None:
    run.invoke(cli, ["ingest", str(SEEDS)])
    result = run.invoke(cli, ["stats"])
    assert result.exit_code == 0
    assert re.search(r"articles: 1\npassages: \d+\nsources:  1 \(ATS 1\)", result.output)


def test_an_unreachable_database_is_one_clear_sentence(tmp_path: Path) -> None:
    runner = CliRunner(env={"DEPECHE_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    result = runner.invoke(cli, ["stats"])
    assert result.exit_code == 2
    assert "the database is unavailable" in result.output
    assert "Traceback" not in result.output


def test_an_invalid_setting_is_explained() -> None:
    runner = CliRunner(env={"DEPECHE_DATABASE_URL": "mysql://x@localhost/db"})
    result = runner.invoke(cli, ["stats"])
    assert result.exit_code != 0
    assert "unsupported database" in result.output


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix}{name} ")
    return found


@pytest.mark.parametrize(("name", "command"), _commands(cli))
def test_every_command_has_help_and_is_in_the_readme(name: str, command: click.Command) -> None:
    assert command.help and command.help.strip(), f"depeche {name} has no help text"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"depeche {name}" in readme, f"README.md does not mention `depeche {name}`"
