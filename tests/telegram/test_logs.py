"""What ``depeche run`` logs: never the token, at any level; no line per job run at INFO."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator

import httpx
import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent

from bot.cli.logs import REDACTED, configure_logging
from bot.service import Depeche
from bot.settings import Settings
from tests.fake_bot_api import (
    TOKEN,
    Chatting,
    FakeBotAPI,
    private_chat,
    settings_for,
    start_application,
    stop_application,
    user,
)


@pytest.fixture
def restore_logging() -> Iterator[list[logging.Handler]]:
    """Handlers added by the test are removed and the loggers' levels put back after it."""
    names = ("", "httpx", "httpcore", "apscheduler", "alembic")
    levels = {name: logging.getLogger(name).level for name in names}
    added: list[logging.Handler] = []
    yield added
    for handler in added:
        logging.getLogger().removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


async def _run_the_bot(settings: Settings, service: Depeche, api: FakeBotAPI) -> None:
    """A question, a failed send, a few runs of every timed job, then an httpx error."""
    application = await start_application(settings, service)
    bot = Chatting(api, application, service)
    runs = 0
    ran = asyncio.Event()

    def count(event: JobExecutionEvent) -> None:
        nonlocal runs
        runs += 1
        if runs >= 4:
            ran.set()

    assert application.job_queue is not None
    application.job_queue.scheduler.add_listener(count, EVENT_JOB_EXECUTED)
    try:
        person = user("en")
        await bot.ask(private_chat(person), person, "What did the Kremlin say?")
        api.fail_next("sendMessage", 401, "Unauthorized")  # PTB and httpx both report it
        await bot.say(private_chat(person), person, "Kremlin")
        await api.wait_for("sendMessage", 2)
        await bot.settle()
        await asyncio.wait_for(ran.wait(), 20)
    finally:
        await api.end_long_polls()
        await stop_application(application)
    async with httpx.AsyncClient() as client:
        try:
            (await client.post(f"{api.api_url}{TOKEN}/nothing", json=[])).raise_for_status()
        except httpx.HTTPStatusError:  # the error's text holds the URL, token included
            logging.getLogger("bot.telegram").warning("request failed", exc_info=True)


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
async def test_the_token_never_reaches_the_log(
    seeded: Depeche,
    bot_settings: Settings,
    api: FakeBotAPI,
    restore_logging: list[logging.Handler],
    level: str,
) -> None:
    settings = bot_settings.model_copy(update={"log_level": level})
    buffer = io.StringIO()
    restore_logging.append(configure_logging(settings, stream=buffer))
    await _run_the_bot(settings, seeded, api)
    logged = buffer.getvalue()
    assert TOKEN not in logged and TOKEN.split(":")[1] not in logged
    if level == "DEBUG":  # the lines that held it are there, redacted
        assert f"bot{REDACTED}/getUpdates" in logged
        assert "HTTP Request: POST" in logged
    assert f"bot{REDACTED}/nothing" in logged  # the httpx error's traceback


async def test_job_runs_are_logged_only_at_debug(
    seeded: Depeche,
    bot_settings: Settings,
    api: FakeBotAPI,
    restore_logging: list[logging.Handler],
) -> None:
    quiet, verbose = io.StringIO(), io.StringIO()
    restore_logging.append(configure_logging(bot_settings, stream=quiet))
    await _run_the_bot(bot_settings, seeded, api)
    assert "Running job" not in quiet.getvalue()
    assert "HTTP Request" not in quiet.getvalue()
    assert "Dépêche is on Telegram as @DepecheTestBot" in quiet.getvalue()  # INFO still shows

    logging.getLogger().removeHandler(restore_logging.pop())
    restore_logging.append(configure_logging(bot_settings, verbose=True, stream=verbose))
    api2 = FakeBotAPI()
    async with api2:
        await _run_the_bot(settings_for(bot_settings, api2), seeded, api2)
    assert "Running job" in verbose.getvalue()
