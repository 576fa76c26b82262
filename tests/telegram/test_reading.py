"""Reading articles: "Read" in a group goes privately to whoever pressed it (a deep link when
the bot may not write to them yet), and a long article comes a few messages at a time."""

from __future__ import annotations

from tests.fake_bot_api import (
    LIMIT,
    Chatting,
    buttons,
    group_chat,
    private_chat,
    telegram_text,
    user,
    utf16,
)
from tests.helpers import article


async def _group_answer(bot: Chatting) -> tuple[dict, dict]:  # type: ignore[type-arg]
    group, asker = group_chat(), user("en")
    answer = await bot.ask(group, asker, "/ask Kremlin")
    held = bot.api.messages[
        (group["id"], max(k[1] for k in bot.api.messages if k[0] == group["id"]))
    ]
    assert [b["callback_data"] for b in buttons(answer) if "callback_data" in b] == ["read:1"]
    return group, held


async def test_read_in_a_group_goes_privately_to_whoever_pressed_it(bot: Chatting) -> None:
    group, held = await _group_answer(bot)
    reader = user("fr")
    await bot.press(group, reader, held["message_id"], "read:1")
    notice = (await bot.api.wait_for("answerCallbackQuery", 1))[0]
    assert notice["text"] == "Envoyé en privé."
    article_sent = bot.api.delivered(reader["id"])
    assert article_sent and "Négociations 'utiles'" in telegram_text(article_sent[0]["text"])
    assert len(bot.api.sent_to(group["id"])) == 1  # only the answer: no article in the group


async def test_read_in_a_group_before_a_first_chat_opens_a_deep_link(bot: Chatting) -> None:
    group, held = await _group_answer(bot)
    reader = user("en")
    bot.api.fail_blocked()  # 403: the reader never started a chat with the bot
    await bot.press(group, reader, held["message_id"], "read:1")
    notice = (await bot.api.wait_for("answerCallbackQuery", 1))[0]
    assert notice["url"] == "https://t.me/DepecheTestBot?start=read_1"
    assert "Press Start" in notice["text"]
    assert len(bot.api.sent_to(group["id"])) == 1
    # Pressing Start sends /start read_1: the article comes.
    chat = private_chat(reader)
    answer = await bot.ask(chat, reader, "/start read_1")
    assert "Négociations 'utiles'" in telegram_text(answer["text"])


def _last_held(bot: Chatting, chat: dict) -> dict:  # type: ignore[type-arg]
    """The bot's newest message in a chat, as the server holds it (with its buttons)."""
    return bot.api.messages[(chat["id"], max(k[1] for k in bot.api.messages if k[0] == chat["id"]))]


async def test_a_long_article_comes_three_messages_at_a_time_with_continue(
    bot: Chatting,
) -> None:
    body = "".join(
        f"<p>Paragraph {n} of the long report on grain storage. " + "Silo. " * 120
        for n in range(80)
    )
    bot.service.ingest_drafts([article(2, body, url="https://news.test.invalid/long")])
    person = user("en")
    chat = private_chat(person)
    await bot.ask(chat, person, "/article #2")
    await bot.answers(chat, 4)
    await bot.settle()
    sent = bot.api.sent_to(chat["id"])
    assert len(sent) == 4  # three parts and a note, not the whole article at once
    assert all(utf16(telegram_text(m["text"])) <= LIMIT for m in sent)
    note = sent[3]
    assert "The article goes on" in note["text"]
    labels = {b["text"]: b for b in buttons(note)}
    assert labels["Continue ▸"]["callback_data"] == "read:2:3"
    assert labels["Read on the site ↗"]["url"] == "https://news.test.invalid/long"

    # "Continue" until the end: every paragraph is read once, a few messages per press.
    shown = [telegram_text(m["text"]) for m in sent[:3]]
    presses = 0
    while True:
        held = _last_held(bot, chat)
        more = [b["callback_data"] for b in buttons(held) if b.get("text") == "Continue ▸"]
        if not more:
            break
        before = len(bot.api.sent_to(chat["id"]))
        presses += 1
        await bot.press(chat, person, held["message_id"], more[0])
        await bot.api.wait_for("answerCallbackQuery", presses)
        await bot.settle()
        new = bot.api.sent_to(chat["id"])[before:]
        assert 1 <= len(new) <= 4
        shown += [telegram_text(m["text"]) for m in new if "goes on" not in m["text"]]
    text = " ".join(shown)
    assert presses >= 2
    for n in range(80):
        assert text.count(f"Paragraph {n} of") == 1
