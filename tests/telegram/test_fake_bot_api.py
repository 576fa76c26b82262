"""The fake Bot API server (tests/fake_bot_api.py) against PTB's real client.

What the other tests rely on: each injected fault raises the PTB exception production code
handles, what Telegram refuses is refused the same way, and the factories' entities are the
ones PTB reads back.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter, TimedOut

from tests.fake_bot_api import (
    BOT,
    TOKEN,
    FakeBotAPI,
    make_group_chat,
    make_message,
    make_private_chat,
    make_user,
)

pytestmark = pytest.mark.timeout(30)

CHAT = 4242


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.api_url) as client:
        yield client


def seconds(value: int | float | timedelta) -> float:
    """``RetryAfter.retry_after``: seconds, or a timedelta once PTB_TIMEDELTA is set."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# -- faults ------------------------------------------------------------------------------------


async def test_a_flood_raises_retry_after_once(api: FakeBotAPI, bot: Bot) -> None:
    api.fail_flood("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(CHAT, "first")
    assert seconds(flood.value.retry_after) == 3
    assert (await bot.send_message(CHAT, "again")).text == "again"  # one-shot
    failed, sent = api.sent_to(CHAT)
    assert failed["_failed"] and failed["text"] == "first" and not sent.get("_failed")
    assert [d["text"] for d in api.delivered(CHAT)] == ["again"]


async def test_blocked_raises_forbidden(api: FakeBotAPI, bot: Bot) -> None:
    api.fail_blocked()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "hello")
    await bot.send_message(CHAT, "hello")


async def test_chat_not_found_raises_bad_request(api: FakeBotAPI, bot: Bot) -> None:
    api.fail_chat_not_found()
    with pytest.raises(BadRequest, match="Chat not found") as error:
        await bot.send_message(CHAT, "hello")
    assert type(error.value) is BadRequest  # not a subclass such as ChatMigrated


async def test_a_migrated_group_raises_chat_migrated(api: FakeBotAPI, bot: Bot) -> None:
    api.fail_migrated(-1001234567890)
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-4012345678, "hello")
    assert migrated.value.new_chat_id == -1001234567890


async def test_fail_next_works_for_any_method(api: FakeBotAPI, bot: Bot) -> None:
    api.fail_next("getChatMember", 400, "Bad Request: user not found")
    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(CHAT, 7)
    api.members[(CHAT, 7)] = "administrator"
    assert (await bot.get_chat_member(CHAT, 7)).status == "administrator"
    assert (await bot.get_chat_member(CHAT, 8)).status == "member"


async def test_a_delayed_answer_times_the_client_out(api: FakeBotAPI, bot: Bot) -> None:
    api.delay_next("sendMessage", 5)
    start = time.monotonic()
    with pytest.raises(TimedOut):
        await bot.send_message(CHAT, "slow", read_timeout=0.2)
    assert time.monotonic() - start < 2
    # Telegram sent it; only the answer came too late. The next call is not delayed.
    assert [d["text"] for d in api.delivered(CHAT)] == ["slow"]
    start = time.monotonic()
    await bot.send_message(CHAT, "fast", read_timeout=2)
    assert time.monotonic() - start < 1


async def test_stopping_cuts_a_delay_short() -> None:
    async with FakeBotAPI() as server:
        server.delay_next("sendMessage", 60)
        async with Bot(TOKEN, base_url=server.api_url) as client:
            with pytest.raises(TimedOut):
                await client.send_message(CHAT, "slow", read_timeout=0.2)
        start = time.monotonic()
    assert time.monotonic() - start < 5


# -- what Telegram refuses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ('<span class="x">x</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("Q&A", "bare &"),
    ],
)
async def test_invalid_html_is_refused_with_400(
    api: FakeBotAPI, bot: Bot, markup: str, reason: str
) -> None:
    with pytest.raises(BadRequest, match="parse entities") as refused:
        await bot.send_message(CHAT, markup, parse_mode=ParseMode.HTML)
    assert reason.lower() in refused.value.message.lower()  # PTB changes the case
    async with httpx.AsyncClient() as client:
        raw = await client.post(
            f"{api.api_url}{TOKEN}/sendMessage",
            json={"chat_id": CHAT, "text": markup, "parse_mode": "HTML"},
        )
    assert raw.status_code == 400
    assert raw.json()["error_code"] == 400
    description = raw.json()["description"]
    assert description.startswith("Bad Request: can't parse entities: ") and reason in description
    assert all(m["text"] != markup for m in api.messages.values())  # nothing was sent


async def test_valid_html_is_accepted(bot: Bot) -> None:
    markup = (
        '<b>Kremlin</b> &amp; <i>Istanbul</i> &lt;3 &#233; <a href="https://e.test/?a=1&amp;b=2">'
        'link</a> <blockquote>quote</blockquote> <span class="tg-spoiler">s</span> <pre>p</pre>'
    )
    sent = await bot.send_message(CHAT, markup, parse_mode=ParseMode.HTML)
    assert sent.text == markup  # stored as sent


async def test_texts_are_limited_to_4096_utf16_units_after_parsing(bot: Bot) -> None:
    await bot.send_message(CHAT, "x" * 4096)
    await bot.send_message(CHAT, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    await bot.send_message(CHAT, "&amp;" * 4096, parse_mode=ParseMode.HTML)
    for too_long, mode in [
        ("x" * 4097, None),
        ("<b>" + "x" * 4097 + "</b>", ParseMode.HTML),
        ("😀" * 2049, None),  # 2,049 characters, 4,098 UTF-16 code units
    ]:
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(CHAT, too_long, parse_mode=mode)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode=ParseMode.HTML)


async def test_callback_data_is_limited_to_64_bytes(bot: Bot) -> None:
    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Read", callback_data=data)]])

    await bot.send_message(CHAT, "ok", reply_markup=keyboard("é" * 32))  # 64 bytes
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(CHAT, "too long", reply_markup=keyboard("é" * 32 + "x"))


async def test_editing_to_the_same_text_is_not_modified(bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "page 1")
    assert (await sent.edit_text("page 2")).text == "page 2"  # type: ignore[union-attr]
    with pytest.raises(BadRequest, match="Message is not modified"):
        await sent.edit_text("page 2")


# -- the factories' entities -------------------------------------------------------------------


async def test_factory_entities_parse_back_in_ptb(api: FakeBotAPI, bot: Bot) -> None:
    person = make_user()
    group = make_group_chat()
    texts = {
        "/start": [("bot_command", "/start")],
        "🗞️ /latest@DepecheTestBot 3": [("bot_command", "/latest@DepecheTestBot")],
        "👋🏽 @DepecheTestBot, what did the Kremlin say? cc @someone_else": [
            ("mention", "@DepecheTestBot"),
            ("mention", "@someone_else"),
        ],
        "Genève 🇨🇭 /ask Zeppelin @depechetestbot": [
            ("bot_command", "/ask"),
            ("mention", "@depechetestbot"),
        ],
        "mail someone@DepecheTestBot.org or see a/b and @x": [],
    }
    for text in texts:
        await api.push({"message": make_message(group, person, text)})
    private = make_private_chat(person)
    await api.push({"message": make_message(private, person, "/help@DepecheTestBot")})

    updates = await bot.get_updates(timeout=0)
    *in_group, in_private = [update.message for update in updates]
    for received, (text, expected) in zip(in_group, texts.items(), strict=True):
        assert received is not None and received.text == text
        parsed = received.parse_entities()
        assert [(e.type, parsed[e]) for e in received.entities] == expected, text
    assert in_private is not None and in_private.chat.type == "private"
    [command] = in_private.entities
    assert command.type == MessageEntity.BOT_COMMAND
    assert in_private.parse_entity(command) == f"/help@{BOT['username']}"
    assert in_private.from_user is not None and in_private.from_user.id == person["id"]


async def test_a_wrong_token_is_refused_as_telegram_does(api: FakeBotAPI) -> None:
    """Ported from the retired tests/fake_telegram.py: 401, which PTB raises as InvalidToken."""
    async with httpx.AsyncClient() as client:
        wrong = await client.post(f"{api.api_url}999:nope/getMe")
    assert wrong.status_code == 401
    with pytest.raises(InvalidToken):  # Bot.initialize calls getMe
        await Bot("999:nope", base_url=api.api_url).initialize()
