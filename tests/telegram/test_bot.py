"""Dépêche on Telegram, end to end: the application of ``depeche run`` (``build_application``)
polling a Bot API server on 127.0.0.1 that records every call.

The server is the suite's fake Bot API server (tests/fake_bot_api.py): it checks what Telegram
checks for the calls the front makes — valid HTML, at most 4,096 characters after parsing,
callback data of at most 64 bytes — and answers with real message objects
(``reply_to_message`` included), so that paging through "More results" works as it does on
Telegram.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest

from bot.service import Depeche
from bot.settings import Settings
from bot.telegram.app import build_application
from tests.fake_bot_api import (
    BOT,
    LIMIT,
    Chatting,
    FakeBotAPI,
    buttons,
    group_chat,
    message,
    private_chat,
    user,
    utf16,
)
from tests.helpers import visible_text

# -- fixtures ----------------------------------------------------------------------------------


def zeppelin_articles(folder: Path, count: int) -> Path:
    from tests.helpers import write_zeppelin_articles

    return write_zeppelin_articles(folder, count)


# -- private chats -----------------------------------------------------------------------------


async def test_a_private_question_gets_cited_excerpts_in_html(bot: Chatting) -> None:
    person = user("en")
    chat = private_chat(person)
    answer = await bot.ask(chat, person, "What did the Kremlin say?")
    assert answer["parse_mode"] == "HTML"
    assert answer["link_preview_options"] == {"is_disabled": True}
    assert "<b>Kremlin</b>" in answer["text"]
    assert "ATS · June 2025" in answer["text"]  # English citation for an English question
    shown = visible_text(answer["text"])
    assert shown.startswith("1. “") and utf16(shown) <= LIMIT
    labels = [b["text"] for b in buttons(answer)]
    assert labels == ["Read 1", "Share ↗"]
    assert buttons(answer)[0]["callback_data"] == "read:1"


async def test_a_french_question_is_answered_in_french(bot: Chatting) -> None:
    person = user("fr")
    answer = await bot.ask(private_chat(person), person, "Qu'a dit le Kremlin ?")
    assert "« " in answer["text"] and "ATS · juin 2025" in answer["text"]
    assert [b["text"] for b in buttons(answer)] == ["Lire 1", "Partager ↗"]


@pytest.mark.parametrize(
    ("language_code", "expected", "unexpected"),
    [
        ("en", "Send me any question, for example:", "Envoyez-moi"),
        ("fr", "Envoyez-moi une question, par exemple :", "Send me"),
        ("fr-CA", "Envoyez-moi une question", "Send me"),
        (None, "Send me any question", "Envoyez-moi"),
    ],
)
async def test_start_explains_in_the_users_language(
    bot: Chatting, language_code: str | None, expected: str, unexpected: str
) -> None:
    person = user(language_code)
    answer = await bot.ask(private_chat(person), person, "/start")
    assert expected in answer["text"] and unexpected not in answer["text"]
    assert "/ask@DepecheTestBot" in answer["text"] and "/latest [n]" in answer["text"]
    visible_text(answer["text"])


async def test_help_latest_sources_stats_and_article(bot: Chatting) -> None:
    person = user("en")
    chat = private_chat(person)
    assert "How to ask" in (await bot.ask(chat, person, "/help"))["text"]
    latest = await bot.ask(chat, person, "/latest 3")
    assert "Newest articles:" in latest["text"] and "Donald Trump" in latest["text"]
    assert buttons(latest)[0]["callback_data"] == "read:1"
    assert "Give how many" in (await bot.ask(chat, person, "/latest 0"))["text"]
    assert "No stored article matches lots" in (await bot.ask(chat, person, "/latest lots"))["text"]
    assert "ATS: 1" in (await bot.ask(chat, person, "/sources"))["text"]
    assert "1 articles, 7 passages, 1 sources" in (await bot.ask(chat, person, "/stats"))["text"]
    article = await bot.ask(chat, person, "/article 1")
    assert "<b>Négociations 'utiles'</b>" in article["text"]
    assert "has no result 42" in (await bot.ask(chat, person, "/article 42"))["text"]
    assert "No article #42" in (await bot.ask(chat, person, "/article #42"))["text"]
    assert "I don't know /nope" in (await bot.ask(chat, person, "/nope"))["text"]


async def test_the_command_menus_are_set_for_private_chats_and_groups(bot: Chatting) -> None:
    menus = bot.api.calls_to("setMyCommands")
    scopes = {(m["scope"]["type"], m.get("language_code")) for m in menus}
    assert scopes == {
        ("all_private_chats", None),
        ("all_private_chats", "fr"),
        ("all_group_chats", None),
        ("all_group_chats", "fr"),
    }
    english = next(
        m for m in menus if m["scope"]["type"] == "all_private_chats" and "language_code" not in m
    )
    names = [c["command"] for c in english["commands"]]
    assert {"start", "help", "ask", "latest", "sources", "stats", "article"} <= set(names)


# -- groups ------------------------------------------------------------------------------------


async def test_groups_answer_commands_mentions_and_replies_only(bot: Chatting) -> None:
    group, person = group_chat(), user("en")
    first = await bot.ask(group, person, "/ask@DepecheTestBot What did the Kremlin say?")
    assert "<b>Kremlin</b>" in first["text"]
    assert "<b>Kremlin</b>" in (await bot.ask(group, person, "/ask Kremlin"))["text"]
    mention = await bot.ask(group, person, "@depechetestbot what about Istanbul?")
    assert "<b>Istanbul</b>" in mention["text"]
    # A reply to one of the bot's messages is a question too.
    bot_message_id = next(
        mid for (cid, mid), m in bot.api.messages.items() if cid == group["id"] and m["from"] == BOT
    )
    replied = bot.api.messages[(group["id"], bot_message_id)]
    sent = message(group, person, "and Ouchakov?", reply_to_message=replied)
    before = len(bot.api.sent_to(group["id"]))
    await bot.api.push({"message": sent})
    answers = await bot.answers(group, before + 1)
    assert "<b>Ouchakov</b>" in answers[before]["text"]
    assert answers[before]["reply_parameters"]["message_id"] == sent["message_id"]


async def test_groups_ignore_chatter_and_commands_for_other_bots(bot: Chatting) -> None:
    group, person = group_chat(), user("en")
    other_bots_message = {
        "message_id": 77,
        "date": 0,
        "chat": group,
        "text": "hello",
        "from": {"id": 42, "is_bot": False, "first_name": "Bob"},
    }
    await bot.silent_on(
        group,
        {"message": message(group, person, "What did the Kremlin say?")},
        {"message": message(group, person, "/ask@OtherBot What did the Kremlin say?")},
        {"message": message(group, person, "/latest@OtherBot")},
        {"message": message(group, person, "mail me at someone@DepecheTestBotx.org")},
        {"message": message(group, person, "Kremlin?", reply_to_message=other_bots_message)},
    )


async def test_channel_posts_bots_and_edits_are_ignored(bot: Chatting) -> None:
    group, person = group_chat(), user("en")
    channel = {"id": -100999, "type": "channel", "title": "News"}
    other_bot = {"id": 777, "is_bot": True, "first_name": "Other", "username": "OtherBot"}
    private = private_chat(person)
    edited = message(private, person, "What did the Kremlin say?", edit_date=int(time.time()))
    await bot.silent_on(
        channel,
        {"channel_post": {**message(channel, person, "/ask Kremlin"), "from": None}},
    )
    await bot.silent_on(
        group,
        {"message": message(group, other_bot, "/ask@DepecheTestBot Kremlin")},
        {"message": message(group, other_bot, "@DepecheTestBot Kremlin")},
    )
    await bot.silent_on(private, {"edited_message": edited})


# -- answers -----------------------------------------------------------------------------------


async def test_more_results_pages_by_editing_and_stale_buttons_ask_again(
    bot: Chatting, tmp_path: Path
) -> None:
    bot.service.ingest_paths([zeppelin_articles(tmp_path / "z", 7)])
    person = user("en")
    chat = private_chat(person)
    answer = await bot.ask(chat, person, "zeppelin")
    assert "1. “" in answer["text"] and "4. “" not in answer["text"]
    more = [b for b in buttons(answer) if b["text"] == "More results ▸"]
    assert more and len(more[0]["callback_data"].encode()) <= 64
    held = next(
        m for (cid, _), m in bot.api.messages.items() if cid == chat["id"] and m["from"] == BOT
    )
    await bot.press(chat, person, held["message_id"], more[0]["callback_data"])
    edits = await bot.api.wait_for("editMessageText", 1)
    assert edits[0]["message_id"] == held["message_id"]
    assert "4. “" in edits[0]["text"] and "1. “" not in edits[0]["text"]
    labels = [b["text"] for b in buttons(edits[0])]
    assert "◂ Previous" in labels and "More results ▸" in labels
    await bot.api.wait_for("answerCallbackQuery", 1)

    # After a restart the button still works: the question is read back from the replied-to
    # message. Without it, the user is asked to ask again.
    stale = {**held}
    stale.pop("reply_to_message")
    bot.api.messages[(chat["id"], held["message_id"])] = stale
    await bot.press(chat, person, held["message_id"], "more:3")
    answered = await bot.api.wait_for("answerCallbackQuery", 2)
    assert "ask your question again" in answered[-1]["text"]
    await bot.press(chat, person, held["message_id"], "something:else")
    answered = await bot.api.wait_for("answerCallbackQuery", 3)
    assert "ask your question again" in answered[-1]["text"]


async def test_read_sends_the_whole_article_in_messages_within_the_limit(
    bot: Chatting, tmp_path: Path
) -> None:
    paragraphs = "\n\n".join(
        f"Paragraph {n} about the <script>alert('x')</script> Zanzibar & Co ferry. "
        + "Waves. " * 100  # three messages: longer ones are capped (tests/telegram/test_reading)
        for n in range(12)
    )
    (tmp_path / "long.md").write_text(f"# Zanzibar <b>ferry</b> & co\n\n{paragraphs}\n")
    bot.service.ingest_paths([tmp_path / "long.md"])
    person = user("en")
    chat = private_chat(person)
    answer = await bot.ask(chat, person, "Zanzibar ferry")
    assert "Zanzibar &lt;b&gt;ferry&lt;/b&gt; &amp; co" in answer["text"]
    assert "&lt;script&gt;" in answer["text"] and "<script>" not in answer["text"]
    read = next(b for b in buttons(answer) if b["text"] == "Read 1")
    held = max(
        (m for (cid, _), m in bot.api.messages.items() if cid == chat["id"] and m["from"] == BOT),
        key=lambda m: m["message_id"],
    )
    before = len(bot.api.sent_to(chat["id"]))
    await bot.press(chat, person, held["message_id"], read["callback_data"])
    await bot.api.wait_for("answerCallbackQuery", 1)
    parts = bot.api.sent_to(chat["id"])[before:]
    assert len(parts) >= 2
    texts = [visible_text(p["text"]) for p in parts]
    assert all(utf16(p["text"]) <= LIMIT for p in parts)
    assert texts[0].startswith("Zanzibar <b>ferry</b> & co")
    assert "Paragraph 11 about the <script>alert('x')</script> Zanzibar & Co" in texts[-1]


async def test_a_long_answer_is_shortened_to_one_message(bot: Chatting, tmp_path: Path) -> None:
    folder = tmp_path / "titles"
    folder.mkdir()
    for n in range(6):
        title = f"Quokka {n} " + " & ".join(["<&>"] * 150)
        place = ["sea", "sun", "sky", "rock", "bay", "hill"][n]
        body = f"The quokka number {n} smiled at the {place}."
        (folder / f"q{n}.jsonl").write_text(
            json.dumps(
                {"title": title, "body": body, "url": f"https://x.org/{n}?a=1&b=" + "z" * 900}
            )
            + "\n"
        )
    bot.service.ingest_paths([folder])
    person = user("en")
    chat = private_chat(person)
    answer = await bot.ask(chat, person, "quokka")
    assert utf16(answer["text"]) <= LIMIT and utf16(visible_text(answer["text"])) <= LIMIT
    assert any(b["text"] == "More results ▸" for b in buttons(answer))


async def test_the_best_answer_shows_two_excerpts_of_its_passage_above_one_citation(
    bot: Chatting, tmp_path: Path
) -> None:
    body = (
        "The fall armyworm, a destructive caterpillar indigenous to the Americas, was only "
        "spotted in Africa last year, but the larvae of the fall armyworm have already left a "
        "trail of destruction across three of South Africa's nine provinces, threatening food "
        "security. The pest targets maize, sorghum, soya beans, groundnuts and potatoes. Zambia "
        "says 124,000 hectares of its crops have been destroyed. In December, the country "
        "ordered the national air force into action to control the plague."
    )
    article = {"title": "Armyworm & maize", "body": body, "url": "https://x.org/pest"}
    (tmp_path / "pest.jsonl").write_text(json.dumps(article) + "\n")
    bot.service.ingest_paths([tmp_path])
    person = user("en")
    chat = private_chat(person)
    answer = await bot.ask(
        chat, person, "How much farmland in Zambia did the fall armyworm destroy?"
    )
    shown = visible_text(answer["text"])
    title = shown.index("— Armyworm & maize")
    assert shown.index("larvae of the fall") < title and shown.index("Zambia says 124,000") < title
    assert shown.count("Armyworm & maize") == 1 and "2. " not in shown[:title]
    assert "<b>Zambia</b>" in answer["text"] and utf16(answer["text"]) <= LIMIT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/ask", "Ask a question after /ask, for example: /ask What did the Kremlin say?"),
        ("/ask   ", "Ask a question after /ask"),
        ("😀🔥🇫🇷", "Ask a question, for example"),
        ("the of and", "only very common words"),
        ("photosynthèse chlorophylle", "Nothing found"),
    ],
)
async def test_questions_without_an_answer_are_explained(
    bot: Chatting, text: str, expected: str
) -> None:
    person = user("en")
    answer = await bot.ask(private_chat(person), person, text)
    assert expected in visible_text(answer["text"])
    assert buttons(answer) == []


async def test_a_4000_character_question_and_html_in_questions(bot: Chatting) -> None:
    person = user("en")
    chat = private_chat(person)
    long_question = ("Kremlin Istanbul négociations " * 200)[:4000]
    answer = await bot.ask(chat, person, long_question)
    assert "<b>Kremlin</b>" in answer["text"] or "<b>Istanbul</b>" in answer["text"]
    assert all(len(b.get("callback_data", "").encode()) <= 64 for b in buttons(answer))
    share = next(b["switch_inline_query"] for b in buttons(answer) if "switch_inline_query" in b)
    assert len(share) <= 256 and long_question.startswith(share)
    for question in (
        "<b>Kremlin</b> & <script>alert(1)</script>",
        "**Kremlin** _Istanbul_ [link](http://x.org) `code`",
        "Kremlin </i></b><a href='x'>",
    ):
        answer = await bot.ask(chat, person, question)
        # The server parsed the HTML: it is valid, and the question's words are marked in it.
        assert "<b>Kremlin</b>" in answer["text"] or "<b>Istanbul</b>" in answer["text"]


async def test_a_failure_is_logged_and_the_user_told_without_details(
    bot: Chatting, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk /var/lib/secret.db password=hunter2")

    monkeypatch.setattr(bot.service, "ask", broken)
    person = user("fr")
    answer = await bot.ask(private_chat(person), person, "Kremlin")
    assert answer["text"].startswith("Désolé, un problème est survenu")
    assert "hunter2" not in answer["text"] and "RuntimeError" not in answer["text"]
    assert "hunter2" in caplog.text  # the details are in the log


async def test_a_slow_question_does_not_hold_up_the_others(
    bot: Chatting, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = asyncio.Event()
    loop = asyncio.get_running_loop()
    real_ask = bot.service.ask

    def ask(question: str, **kwargs: Any) -> Any:
        if "slow" in question:
            asyncio.run_coroutine_threadsafe(release.wait(), loop).result(10)
        return real_ask(question, **kwargs)

    monkeypatch.setattr(bot.service, "ask", ask)
    slow_user, quick_user = user("en"), user("en")
    await bot.say(private_chat(slow_user), slow_user, "slow Kremlin")
    quick = await bot.ask(private_chat(quick_user), quick_user, "Kremlin")
    assert "<b>Kremlin</b>" in quick["text"]
    assert bot.api.sent_to(slow_user["id"]) == []
    release.set()
    slow = await bot.answers(private_chat(slow_user))
    assert "<b>Kremlin</b>" in slow[0]["text"]


async def test_articles_stored_by_another_process_become_searchable(
    bot: Chatting, bot_settings: Settings, tmp_path: Path
) -> None:
    other = Depeche.open(bot_settings)  # as `depeche ingest` would, with its own index
    other.ingest_paths([zeppelin_articles(tmp_path / "z", 2)])
    other.engine.dispose()
    person = user("en")
    chat = private_chat(person)
    deadline = time.monotonic() + 10
    while True:
        answer = await bot.ask(chat, person, "zeppelin")
        if "<b>Zeppelin</b>" in answer["text"] or "<b>zeppelin</b>" in answer["text"]:
            break
        assert time.monotonic() < deadline, answer["text"]
        await asyncio.sleep(0.1)


async def test_the_index_is_saved_on_shutdown(
    seeded: Depeche, bot_settings: Settings, api: FakeBotAPI
) -> None:
    application = build_application(bot_settings, seeded)
    await application.initialize()
    await application.shutdown()
    assert application.post_shutdown is not None
    bot_settings.index_path.unlink(missing_ok=True)
    await application.post_shutdown(application)
    assert bot_settings.index_path.exists()
