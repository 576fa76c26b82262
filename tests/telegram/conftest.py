"""The bot of ``depeche run`` over the seeded service, talking to the fake Bot API server: the
fixture most Telegram tests share (a test file with other settings defines its own ``bot``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.service import Depeche
from bot.settings import Settings
from tests.fake_bot_api import Chatting, FakeBotAPI, start_application, stop_application


@pytest.fixture
async def bot(seeded: Depeche, bot_settings: Settings, api: FakeBotAPI) -> AsyncIterator[Chatting]:
    """The bot of ``depeche run``, started as ``run_polling`` would, against the server."""
    application = await start_application(bot_settings, seeded)
    try:
        yield Chatting(api, application, seeded)
    finally:
        await api.end_long_polls()
        await stop_application(application)
