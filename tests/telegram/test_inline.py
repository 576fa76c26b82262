"""Inline mode end to end: ``@DepecheTestBot question`` typed in any chat, answered over HTTP
with ``answerInlineQuery`` by the application of ``depeche run``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.fake_bot_api import (
    LIMIT,
    Chatting,
    buttons,
    make_inline_query,
    private_chat,
    telegram_text,
    user,
    utf16,
)
from tests.helpers import article, write_zeppelin_articles


async def _inline(bot: Chatting, sender: dict[str, Any], query: str, offset: str = "") -> Any:
    before = len(bot.api.calls_to("answerInlineQuery"))
    update = await bot.api.push(make_inline_query(sender, query, offset))
    answers = await bot.api.wait_for("answerInlineQuery", before + 1)
    answer = answers[before]
    assert str(answer["inline_query_id"]) == update["inline_query"]["id"]
    return answer


def next_offset(answer: dict[str, Any]) -> str:
    """The offset of the next page as sent ("" or absent: none)."""
    return str(answer.get("next_offset") or "")


async def test_an_inline_query_lists_cited_excerpts_to_send(bot: Chatting) -> None:
    bot.service.ingest_drafts([article(1, url="https://news.test.invalid/kremlin-1")])
    person = user("en")
    answer = await _inline(bot, person, "What did the Kremlin say?")
    assert answer["is_personal"] is True and answer["cache_time"] == 300
    results = answer["results"]
    assert results and all(r["type"] == "article" for r in results)
    first = next(r for r in results if "réunion 1" in r["title"])
    assert "Kremlin" in first["description"] and "TEST" in first["description"]
    sent = first["input_message_content"]
    assert sent["parse_mode"] == "HTML"
    shown = telegram_text(sent["message_text"])
    assert "<b>Kremlin</b>" in sent["message_text"] and utf16(shown) <= LIMIT
    assert "https://news.test.invalid/kremlin-1" in shown  # the link, written out
    assert '<a href="https://news.test.invalid/kremlin-1">' in sent["message_text"]
    share = first["reply_markup"]["inline_keyboard"][0][0]
    assert share == {"text": "Share ↗", "switch_inline_query": "What did the Kremlin say?"}
    # The seed's answer too, cited in the user's language.
    assert any(
        "ATS · June 2025" in telegram_text(r["input_message_content"]["message_text"])
        for r in results
    )


async def test_inline_results_page_with_next_offset(bot: Chatting, tmp_path: Path) -> None:
    bot.service.ingest_paths([write_zeppelin_articles(tmp_path / "z", 14)])
    person = user("fr")
    first = await _inline(bot, person, "zeppelin")
    assert len(first["results"]) == 10 and next_offset(first) == "10"
    rest = await _inline(bot, person, "zeppelin", next_offset(first))
    assert rest["results"] and next_offset(rest) == ""
    ids = [r["id"] for r in first["results"] + rest["results"]]
    assert len(ids) == len(set(ids)) == 14
    assert rest["results"][0]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Partager ↗"


async def test_an_empty_inline_query_lists_the_newest_articles(bot: Chatting) -> None:
    answer = await _inline(bot, user("en"), "")
    assert answer["cache_time"] == 60 and next_offset(answer) == ""
    titles = [r["title"] for r in answer["results"]]
    assert any("Donald Trump" in t for t in titles)
    card = answer["results"][0]["input_message_content"]["message_text"]
    assert card.startswith("<b>") and "ATS · June 2025" in telegram_text(card)


async def test_an_inline_query_that_finds_nothing_offers_the_private_chat(bot: Chatting) -> None:
    answer = await _inline(bot, user("en"), "xylophonist zebra")
    assert answer["results"] == []
    assert answer["button"] == {
        "text": "Nothing found: ask me in private",
        "start_parameter": "help",
    }


async def test_chat_answers_carry_a_share_button(bot: Chatting) -> None:
    person = user("en")
    answer = await bot.ask(private_chat(person), person, "What did the Kremlin say?")
    share = [b for b in buttons(answer) if "switch_inline_query" in b]
    assert share == [{"text": "Share ↗", "switch_inline_query": "What did the Kremlin say?"}]
