"""The bot's connections to the Bot API (bot/telegram/transport.py): requests cancelled halfway
— "typing…" stopped once the answer is ready, in a burst — must not use up the pool."""

from __future__ import annotations

import asyncio

from telegram.request import BaseRequest

from bot.telegram.transport import QueuedRequest
from tests.fake_bot_api import TOKEN, FakeBotAPI


async def cancel_many(request: BaseRequest, url: str) -> None:
    """Rounds of eight requests over two connections, cancelled at different moments."""
    for round_number in range(30):
        sending = [asyncio.create_task(request.post(url)) for _ in range(8)]
        for _ in range(round_number % 6):
            await asyncio.sleep(0)
        for task in sending:
            task.cancel()
        await asyncio.gather(*sending, return_exceptions=True)


async def test_cancelled_requests_do_not_use_up_the_connections(api: FakeBotAPI) -> None:
    # (PTB's own HTTPXRequest fails this: httpcore 1.0 keeps a slot of some cancelled
    # requests for good, until every request waits for a connection and times out.)
    request = QueuedRequest(connections=2)
    await request.initialize()
    url = f"{api.api_url}{TOKEN}/getMe"
    try:
        await cancel_many(request, url)
        me = await request.post(url, pool_timeout=1.0)
        assert isinstance(me, dict) and me["username"] == "DepecheTestBot"
    finally:
        await request.shutdown()
