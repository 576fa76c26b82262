"""JobQueue jobs: work the bot does on a timer, off the event loop.

Each job is ``async def name(context: ContextTypes.DEFAULT_TYPE) -> None`` and is scheduled in
``bot/telegram/app.py`` (``register_jobs``). A job that raises reaches the application's error
handler, which logs it; the job runs again at its next interval.
"""

from __future__ import annotations

import asyncio
import logging

from telegram.ext import ContextTypes

from bot.metrics import Heartbeat
from bot.telegram.handlers import front

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "heartbeat"
HEARTBEAT_SECONDS = 5.0


async def sync_index(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Make articles stored by other processes (``depeche ingest``) searchable."""
    changed = await asyncio.to_thread(front(context).service.sync_index)
    if changed.added or changed.removed:
        log.info("index caught up: %d passages added, %d removed", changed.added, changed.removed)


async def heartbeat(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show /healthz that the event loop (updates, jobs) still turns."""
    beat: Heartbeat = context.application.bot_data[HEARTBEAT_KEY]
    beat.beat()
