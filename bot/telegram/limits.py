"""Telegram's sending limits on our side: answers to people are not bulk notifications.

Telegram lets a bot send about 30 messages a second as *bulk notifications* and about 20 a
minute in one group. python-telegram-bot's ``AIORateLimiter`` holds every request naming a chat
to the 30 a second, so 300 people asking at once would wait 10 s for their answers however fast
the bot is. :class:`AnswersFirst` keeps PTB's limiter for every request — 20 a minute per
group, and a 429 from Telegram waited out (``retry_after``, all sends held meanwhile) and the
request sent again — and adds the 30-a-second bucket to what the bot sends on its own (alerts,
digests, greetings: the jobs), not to what it sends while answering somebody's update (the
reply, its next parts, "typing…", a page turned, an error notice).

Which requests are answers is told by :data:`ANSWERING`, a context variable that
:func:`mark_answering` (the first handler of every update, see ``bot/telegram/app.py``) sets.
Each update is handled in its own asyncio task, so the mark stays with that update's sends and
the tasks it starts ("typing…"); the JobQueue's tasks never carry it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Update
from telegram.constants import FloodLimit
from telegram.ext import AIORateLimiter, BaseRateLimiter, ContextTypes

# Set while the bot handles an update: what it sends then is somebody's answer.
ANSWERING: ContextVar[bool] = ContextVar("depeche_answering", default=False)

Result = bool | dict[str, Any] | list[dict[str, Any]]
Send = Callable[..., Coroutine[Any, Any, Result]]


async def mark_answering(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handler of group -1 (before any other): the sends of this update are answers."""
    ANSWERING.set(True)


class AnswersFirst(BaseRateLimiter[int]):
    """PTB's ``AIORateLimiter`` (per group, 429 retries) for all; the overall bucket for
    bulk sends only."""

    def __init__(
        self,
        *,
        max_retries: int = 3,
        overall_per_second: float = FloodLimit.MESSAGES_PER_SECOND,
    ) -> None:
        self.limiter = AIORateLimiter(overall_max_rate=0, max_retries=max_retries)
        self.overall = AsyncLimiter(overall_per_second, 1)

    async def initialize(self) -> None:
        await self.limiter.initialize()

    async def shutdown(self) -> None:
        await self.limiter.shutdown()

    def bulk(self, data: dict[str, Any]) -> bool:
        """Whether a request counts against the overall bucket: it names a chat (as in PTB's
        limiter), is not paid for, and is not sent while answering an update."""
        return (
            data.get("chat_id") is not None
            and not data.get("allow_paid_broadcast")
            and not ANSWERING.get()
        )

    async def process_request(
        self,
        callback: Send,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        if not self.bulk(data):
            return await self.limiter.process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )

        async def paced(*call_args: Any, **call_kwargs: Any) -> Result:
            # Inside PTB's loop: after the group's bucket, and taken again at each retry.
            async with self.overall:
                return await callback(*call_args, **call_kwargs)

        return await self.limiter.process_request(
            paced, args, kwargs, endpoint, data, rate_limit_args
        )
