"""``depeche chat``: the terminal chat, scripted through stdin, over the same command logic."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.cli.console import ConsoleChat, run_chat
from bot.service import Depeche
from bot.settings import Settings
from tests.helpers import SEEDS, write_zeppelin_articles


@pytest.fixture
def runner(database_url: str, tmp_path: Path) -> CliRunner:
    return CliRunner(
        env={
            "DEPECHE_DATABASE_URL": database_url,
            "DEPECHE_DATA_DIR": str(tmp_path / "data"),
            "DEPECHE_SEEDS_DIR": str(SEEDS),
            "LANG": "C.UTF-8",
            "LC_ALL": "",
            "LC_MESSAGES": "",
        }
    )


def test_chat_seeds_an_empty_database_and_answers_lines_from_stdin(runner: CliRunner) -> None:
    script = "What did the Kremlin say?\n/latest\n/stats\n/sources\n"
    result = runner.invoke(cli, ["chat"], input=script)
    assert result.exit_code == 0, result.output
    assert "Stored 1 article(s)" in result.output
    assert "Le [Kremlin] l'a jugée" in result.output
    assert "(read a result: /article 1)" in result.output
    assert "Newest articles:" in result.output
    assert "1. Donald Trump et son homologue russe" in result.output
    assert "1 articles, 7 passages, 1 sources" in result.output
    assert "ATS: 1" in result.output
    again = runner.invoke(cli, ["chat"], input="/stats\n")
    assert "Stored" not in again.output


def test_chat_pages_with_more_and_previous(runner: CliRunner, tmp_path: Path) -> None:
    seeds = write_zeppelin_articles(tmp_path / "zeppelins", 7)
    runner.env["DEPECHE_SEEDS_DIR"] = str(seeds)
    script = "/more\nzeppelin\n/more\n/more\n/more\n/previous\n"
    result = runner.invoke(cli, ["chat"], input=script)
    assert result.exit_code == 0, result.output
    replies = result.output.split("\n> ")
    assert replies[1] == "/more\nNothing to page through: ask a question first.\n"
    page1, page2, page3, past_end, back = replies[2:7]
    assert "1. “" in page1 and "3. “" in page1 and "4. “" not in page1
    assert "next results: /more" in page1 and "/previous" not in page1
    assert "4. “" in page2 and "previous results: /previous" in page2
    assert "7. “" in page3 and "next results: /more" not in page3
    assert "Nothing to page through" in past_end  # no /more offered after the last page
    assert "4. “" in back and "7. “" not in back


def test_chat_speaks_french_and_reads_articles(runner: CliRunner) -> None:
    script = "/help\nQu'a dit le Kremlin ?\n/article 1\n/article 99\n/ask\n😀\n/nope\n"
    result = runner.invoke(cli, ["chat", "--lang", "fr"], input=script)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Envoyez-moi une question" in out
    assert "/latest [n] [sujet] — Les derniers articles" in out
    assert "1. « " in out and "ATS · juin 2025" in out
    assert "NÉGOCIATIONS 'UTILES'" in out  # the whole article, intertitles included
    assert "n'a pas de résultat 99" in out  # /article N is a result of the last answer
    assert "Posez une question après /ask, par exemple : /ask Qu'a dit le Kremlin ?" in out
    assert "Posez une question, par exemple" in out  # emoji only
    assert "Je ne connais pas /nope" in out


def test_chat_stops_at_quit(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["chat"], input="/quit\nKremlin\n")
    assert result.exit_code == 0
    assert "Kremlin" not in result.output.split("from", 1)[-1]


def test_a_failure_is_reported_and_the_chat_goes_on(
    seeded: Depeche, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret /var/lib/db password=hunter2")

    monkeypatch.setattr(seeded, "ask", broken)
    out: list[str] = []
    run_chat(ConsoleChat(seeded, settings), ["Kremlin", "/stats"], out.append)
    assert out[0].startswith("Sorry, something went wrong")
    assert "hunter2" not in "".join(out)
    assert "1 articles" in out[1]


def test_console_help_lists_exactly_what_the_terminal_runs(
    seeded: Depeche, settings: Settings
) -> None:
    chat = ConsoleChat(seeded, settings)
    shown = chat.reply_to("/help") or ""
    listed = {line.split()[0] for line in shown.splitlines() if line.strip().startswith("/")}
    assert {"/ask", "/latest", "/article", "/more", "/previous", "/quit", "/feeds"} <= listed
    assert not listed & {"/subscribe", "/unsubscribe", "/subscriptions", "/lang"}
    assert "In a group" not in shown
    for name in listed:  # each one does something other than "unknown command"
        if name != "/quit":
            assert "I don't know" not in (chat.reply_to(name) or "")
    assert chat.reply_to("/quit") is None


def test_a_question_on_an_empty_collection_says_how_to_add_articles(
    service: Depeche, settings: Settings
) -> None:
    out: list[str] = []
    run_chat(ConsoleChat(service, settings), ["What did the Kremlin say?", "/more"], out.append)
    assert "No article is stored yet" in out[0] and "depeche ingest" in out[0]
    assert "Nothing found" not in out[0]
