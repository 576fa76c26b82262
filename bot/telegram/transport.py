"""The HTTP connections to the Bot API: a few, and requests beyond them queued cheaply.

PTB's ``HTTPXRequest`` defaults to 256 connections and lets every request wait in httpcore's
pool. httpcore, whenever a request starts or ends, looks at every pooled connection (the idle
ones against each other) and matches every queued request against every connection: with 300
answers going out at once that bookkeeping was most of the event loop's time. So the bot keeps
:data:`CONNECTIONS` connections (still hundreds of requests a second to Telegram) and lets at
most that many requests into httpcore at a time; the others wait their turn on an
``asyncio.Semaphore``, first come first served, at no cost per waiting request. A request in
flight keeps its own connect, read and write timeouts, so a stuck Telegram frees the slots, and
is never cancelled halfway (see :meth:`QueuedRequest.do_request`): httpcore never has more
requests than connections, so none waits inside it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.request import BaseRequest, HTTPXRequest, RequestData

CONNECTIONS = 16


class QueuedRequest(HTTPXRequest):
    """``HTTPXRequest`` with at most ``connections`` requests in flight, the rest queued."""

    def __init__(self, connections: int = CONNECTIONS, **options: Any) -> None:
        super().__init__(connection_pool_size=connections, **options)
        self._slots = asyncio.Semaphore(connections)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        await self._slots.acquire()  # cancelled while waiting: nothing was sent, nothing held
        try:
            sending = asyncio.ensure_future(
                super().do_request(
                    url,
                    method,
                    request_data,
                    read_timeout=read_timeout,
                    write_timeout=write_timeout,
                    connect_timeout=connect_timeout,
                    pool_timeout=pool_timeout,
                )
            )
        except BaseException:
            self._slots.release()
            raise
        sending.add_done_callback(self._finished)
        # A caller cancelled ("typing…" once the answer is ready) stops waiting; the request
        # itself runs to its end: httpcore 1.0 loses a pool slot for good when a request is
        # cancelled at the wrong moment (encode/httpcore#1093), until every send times out.
        return await asyncio.shield(sending)

    def _finished(self, sending: asyncio.Future[tuple[int, bytes]]) -> None:
        self._slots.release()
        if not sending.cancelled():
            sending.exception()  # a caller that stopped waiting will never read it
