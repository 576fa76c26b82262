"""/trend and /article N on Telegram, through the fake Bot API server, with the application of
``depeche run``: a sendPhoto whose PNG decodes, its caption naming the busiest day."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from matplotlib.image import imread

from bot.service import Depeche
from bot.settings import Settings
from tests.fake_bot_api import (
    BOT,
    Chatting,
    FakeBotAPI,
    buttons,
    private_chat,
    start_application,
    stop_application,
    user,
)
from tests.helpers import article, visible_text


@pytest.fixture
async def bot(service: Depeche, bot_settings: Settings, api: FakeBotAPI) -> AsyncIterator[Chatting]:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    busiest = today - timedelta(days=3)
    service.ingest_drafts(
        [
            article(n, f"<p>Le Kremlin commente la réunion {n}.</p>", source=source,
                    published_at=busiest if n < 3 else today - timedelta(days=10))
            for n, source in enumerate(["AFP", "Reuters", "AFP", "ATS"])
        ]
    )  # fmt: skip
    application = await start_application(bot_settings, service)
    try:
        yield Chatting(application=application, api=api, service=service)
    finally:
        await api.end_long_polls()
        await stop_application(application)


async def test_trend_sends_a_png_chart_with_the_busiest_day(bot: Chatting) -> None:
    person = user("en")
    chat = private_chat(person)
    await bot.say(chat, person, "/trend Kremlin")
    (photo,) = await bot.api.wait_for("sendPhoto", 1, chat_id=chat["id"])
    image = imread(io.BytesIO(photo["photo"]), format="png")
    assert image.shape[0] > 100 and image.shape[1] > 100
    busiest = datetime.now(UTC) - timedelta(days=3)
    assert f"Busiest day: {busiest.day} " in photo["caption"]
    assert "(3 articles)" in photo["caption"]
    await bot.say(chat, person, "/trend zeppelin")
    (answer,) = await bot.answers(chat)
    assert "No article on zeppelin" in visible_text(answer["text"])


async def test_article_n_opens_result_n_of_the_last_answer(bot: Chatting) -> None:
    person = user("en")
    chat = private_chat(person)
    answer = await bot.ask(chat, person, "Kremlin réunion")
    read = buttons(answer)[1]
    assert read["text"] == "Read 2"
    await bot.say(chat, person, "/article 2")
    await bot.answers(chat, 2)
    held = next(
        m for (cid, _), m in bot.api.messages.items() if cid == chat["id"] and m["from"] == BOT
    )
    await bot.press(chat, person, held["message_id"], read["callback_data"])
    sent = await bot.answers(chat, 3)
    assert visible_text(sent[1]["text"]) == visible_text(sent[2]["text"])
    await bot.say(chat, person, "/article ²")
    usage = (await bot.answers(chat, 4))[3]
    assert "/article #12" in visible_text(usage["text"])
