"""Telegram-native touches, end to end through the fake Bot API: the greeting in a group, the
bot's descriptions, "typing…" while a slow answer is prepared."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot.chat.messages import STRINGS
from bot.telegram.handlers import TYPING_AFTER_SECONDS
from tests.fake_bot_api import (
    Chatting,
    group_chat,
    make_my_chat_member,
    private_chat,
    user,
)
from tests.helpers import visible_text


@pytest.mark.parametrize(("language_code", "expected"), [("en", "Hello!"), ("fr", "Bonjour !")])
async def test_added_to_a_group_the_bot_says_how_to_ask_and_subscribe_there(
    bot: Chatting, language_code: str, expected: str
) -> None:
    group, adder = group_chat(), user(language_code)
    await bot.api.push(make_my_chat_member(group, adder, "left", "member"))
    greeting = (await bot.answers(group))[0]
    shown = visible_text(greeting["text"])
    assert shown.startswith(expected)
    assert "/ask@DepecheTestBot" in shown and "@DepecheTestBot" in shown
    assert "/subscribe" in shown
    # Made administrator, removed, or a private chat: no greeting.
    await bot.api.push(make_my_chat_member(group, adder, "member", "administrator"))
    person = user("en")
    await bot.api.push(make_my_chat_member(private_chat(person), person, "kicked", "member"))
    await bot.silent_on(private_chat(person))
    assert len(bot.api.sent_to(group["id"])) == 1


async def test_added_as_administrator_greets_and_a_refused_greeting_is_no_failure(
    bot: Chatting,
) -> None:
    group, adder = group_chat(), user("en")
    bot.api.fail_next("sendMessage", 400, "Bad Request: have no rights to send a message")
    await bot.api.push(make_my_chat_member(group, adder, "left", "administrator"))
    await bot.api.wait_for("sendMessage", 1, chat_id=group["id"])
    again = group_chat()
    await bot.api.push(make_my_chat_member(again, adder, "kicked", "administrator"))
    assert "Hello!" in (await bot.answers(again))[0]["text"]


async def test_descriptions_are_set_in_english_and_french(bot: Chatting) -> None:
    for method, key, limit in (
        ("setMyDescription", "description", 512),
        ("setMyShortDescription", "short_description", 120),
    ):
        calls = {c.get("language_code"): c for c in bot.api.calls_to(method)}
        assert set(calls) == {None, "fr"}
        assert calls[None][key] == STRINGS["en"][key]
        assert calls["fr"][key] == STRINGS["fr"][key]
        assert all(len(c[key]) <= limit for c in calls.values())


async def test_a_slow_answer_shows_typing_first(
    bot: Chatting, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_ask = bot.service.ask

    def slow_ask(*args: Any, **kwargs: Any) -> Any:
        time.sleep(TYPING_AFTER_SECONDS + 0.5)
        return real_ask(*args, **kwargs)

    monkeypatch.setattr(bot.service, "ask", slow_ask)
    person = user("en")
    chat = private_chat(person)
    answer = await bot.ask(chat, person, "What did the Kremlin say?")
    assert "<b>Kremlin</b>" in answer["text"]
    actions = bot.api.calls_to("sendChatAction")
    assert [(int(a["chat_id"]), a["action"]) for a in actions] == [(chat["id"], "typing")]
    order = [name for name, _ in bot.api.calls if name in ("sendChatAction", "sendMessage")]
    assert order == ["sendChatAction", "sendMessage"]


async def test_a_failed_typing_action_does_not_stop_the_answer(
    bot: Chatting, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_ask = bot.service.ask
    monkeypatch.setattr(
        bot.service,
        "ask",
        lambda *a, **k: (time.sleep(TYPING_AFTER_SECONDS + 0.5), real_ask(*a, **k))[1],
    )
    bot.api.fail_flood("sendChatAction", retry_after=30)
    person = user("en")
    answer = await bot.ask(private_chat(person), person, "Kremlin")
    assert "<b>Kremlin</b>" in answer["text"]
