"""Telegram's sending limits on the bot's side (bot/telegram/limits.py): what the bot sends on
its own is held to 30 messages a second, answers to people are not; a group keeps its 20 a
minute either way; a 429 is waited out and the request sent again."""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

from aiolimiter import AsyncLimiter

from bot.telegram.limits import ANSWERING, AnswersFirst
from tests.fake_bot_api import Chatting, private_chat, user


class Counting(AsyncLimiter):
    """The overall bucket, counting what passes through it."""

    def __init__(self) -> None:
        super().__init__(30, 1)
        self.taken = 0

    async def acquire(self, amount: float = 1) -> None:
        self.taken += 1
        await super().acquire(amount)


async def sent_at_once(limiter: AnswersFirst, chat_ids: list[int], *, answering: bool) -> int:
    """How many of these sendMessage requests go out before any waits (the rest are held)."""
    sent: list[int] = []

    async def callback(chat_id: int) -> bool:
        sent.append(chat_id)
        return True

    async def request(chat_id: int) -> Any:
        ANSWERING.set(answering)
        data = {"chat_id": chat_id, "text": "…"}
        return await limiter.process_request(callback, (chat_id,), {}, "sendMessage", data, None)

    tasks = [asyncio.create_task(request(c), context=contextvars.Context()) for c in chat_ids]
    for _ in range(20):  # let every request that need not wait go through
        await asyncio.sleep(0)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return len(sent)


async def test_bulk_sends_are_held_to_30_a_second_answers_are_not() -> None:
    chats = list(range(1, 41))  # 40 private chats
    assert await sent_at_once(AnswersFirst(), chats, answering=False) == 30
    assert await sent_at_once(AnswersFirst(), chats, answering=True) == 40


async def test_answers_in_a_group_keep_the_group_limit() -> None:
    limiter = AnswersFirst()
    assert await sent_at_once(limiter, [-100123] * 25, answering=True) == 20  # 20 a minute


async def test_answering_an_update_takes_nothing_from_the_overall_bucket(bot: Chatting) -> None:
    limiter = bot.app.bot.rate_limiter
    assert isinstance(limiter, AnswersFirst)
    limiter.overall = counting = Counting()
    person = user("en")
    chat = private_chat(person)
    for question in ("Kremlin", "/help", "/stats"):
        await bot.ask(chat, person, question)
    assert counting.taken == 0
    await bot.app.bot.send_message(chat["id"], "sent on the bot's own")  # as a job would
    assert counting.taken == 1


async def test_a_flood_limit_on_an_answer_is_waited_out(bot: Chatting) -> None:
    person = user("en")
    chat = private_chat(person)
    bot.api.fail_flood("sendMessage", retry_after=1)
    await bot.say(chat, person, "What did the Kremlin say?")
    refused, accepted = await bot.answers(chat, 2)
    assert "<b>Kremlin</b>" in accepted["text"]
    assert refused.get("_failed") and not accepted.get("_failed")
    assert refused["text"] == accepted["text"]
    sends = [when for method, when in bot.api.stamps if method == "sendMessage"]
    assert sends[1] - sends[0] >= 1.0  # retry_after was waited out
