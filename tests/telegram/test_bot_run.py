"""``depeche run``: what it says without a token, and how it starts polling or a webhook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from telegram.ext import Application

from bot.cli import cli
from bot.settings import Settings, packaged_seeds
from bot.telegram.handlers import FRONT_KEY
from tests.fake_bot_api import TOKEN as FAKE_TOKEN
from tests.fake_bot_api import (
    Chatting,
    FakeBotAPI,
    private_chat,
    start_polling,
    stop_application,
    user,
)
from tests.helpers import SEEDS

TOKEN = "123456:TEST-token_for-the-fake"


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "DEPECHE_DATABASE_URL": database_url,
        "DEPECHE_DATA_DIR": str(tmp_path / "data"),
        "DEPECHE_SEEDS_DIR": str(SEEDS),
    }


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Record how the application would have been run, instead of running it."""
    calls: dict[str, Any] = {}

    def run_polling(self: Application, **kwargs: Any) -> None:  # type: ignore[type-arg]
        calls["polling"] = kwargs
        calls["app"] = self

    def run_webhook(self: Application, **kwargs: Any) -> None:  # type: ignore[type-arg]
        calls["webhook"] = kwargs
        calls["app"] = self

    monkeypatch.setattr(Application, "run_polling", run_polling)
    monkeypatch.setattr(Application, "run_webhook", run_webhook)
    return calls


def test_run_without_a_token_says_what_to_set_and_fails(env: dict[str, str]) -> None:
    result = CliRunner(env=env).invoke(cli, ["run"])
    assert result.exit_code == 1
    assert "DEPECHE_TELEGRAM_TOKEN" in result.output
    assert "TELEGRAM_BOT_TOKEN" in result.output
    assert "@BotFather" in result.output and "/newbot" in result.output
    assert "depeche chat" in result.output


def test_a_blank_token_is_no_token(env: dict[str, str]) -> None:
    result = CliRunner(env={**env, "TELEGRAM_BOT_TOKEN": "  "}).invoke(cli, ["run"])
    assert result.exit_code == 1
    assert "@BotFather" in result.output


def test_run_polls_with_the_token_and_the_api_url(
    env: dict[str, str], started: dict[str, Any]
) -> None:
    env = {
        **env,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "DEPECHE_TELEGRAM_API_URL": "http://127.0.0.1:9/bot",
        "DEPECHE_SEED_ON_EMPTY": "false",
    }
    result = CliRunner(env=env).invoke(cli, ["run"])
    assert result.exit_code == 0, result.output
    assert "no article is stored yet" in result.output
    assert "polling" in started and "webhook" not in started
    assert started["app"].bot.base_url == f"http://127.0.0.1:9/bot{TOKEN}"


def test_run_with_a_webhook_checks_a_secret(env: dict[str, str], started: dict[str, Any]) -> None:
    env = {**env, "DEPECHE_TELEGRAM_TOKEN": TOKEN, "DEPECHE_WEBHOOK_SECRET": "s3cret_-value"}
    url = "https://bot.example.org/hooks/depeche"
    result = CliRunner(env=env).invoke(cli, ["run", "--webhook", url, "--port", "8081"])
    assert result.exit_code == 0, result.output
    hook = started["webhook"]
    assert hook["webhook_url"] == url
    assert hook["url_path"] == "hooks/depeche"
    assert hook["port"] == 8081
    assert hook["secret_token"] == "s3cret_-value"


def test_webhook_secret_is_random_when_not_set(
    env: dict[str, str], started: dict[str, Any]
) -> None:
    env = {
        **env,
        "DEPECHE_TELEGRAM_TOKEN": TOKEN,
        "DEPECHE_WEBHOOK_URL": "https://bot.example.org/",
    }
    result = CliRunner(env=env).invoke(cli, ["run"])
    assert result.exit_code == 0, result.output
    secret = started["webhook"]["secret_token"]
    assert len(secret) >= 32


@pytest.mark.parametrize(
    ("args", "extra", "message"),
    [
        (["--webhook", "http://bot.example.org/x"], {}, "https://"),
        (["--webhook", "https://bot.example.org/x"], {"DEPECHE_WEBHOOK_SECRET": "a b"}, "letters"),
    ],
)
def test_bad_webhook_settings_are_explained(
    env: dict[str, str], args: list[str], extra: dict[str, str], message: str
) -> None:
    env = {**env, "DEPECHE_TELEGRAM_TOKEN": TOKEN, **extra}
    result = CliRunner(env=env).invoke(cli, ["run", *args])
    assert result.exit_code != 0
    assert message in result.output


# -- an empty database -------------------------------------------------------------------------


async def _started(env: dict[str, str], started: dict[str, Any], api: FakeBotAPI) -> Chatting:
    """``depeche run`` as a user starts it, then its application polling the fake Bot API."""
    env = {**env, "DEPECHE_TELEGRAM_TOKEN": FAKE_TOKEN, "DEPECHE_TELEGRAM_API_URL": api.api_url}
    result = CliRunner(env=env).invoke(cli, ["run"])
    assert result.exit_code == 0, result.output
    application: Application = started["app"]  # type: ignore[type-arg]
    await start_polling(application)
    return Chatting(api, application, application.bot_data[FRONT_KEY].service)


async def test_run_on_an_empty_database_answers_from_the_packaged_seed(
    env: dict[str, str], started: dict[str, Any], api: FakeBotAPI
) -> None:
    del env["DEPECHE_SEEDS_DIR"]  # the seed shipped with the package; none in this folder
    assert not Path("seeds").exists()
    bot = await _started(env, started, api)
    try:
        person = user("en")
        answer = await bot.ask(private_chat(person), person, "What did the Kremlin say?")
        assert "<b>Kremlin</b>" in answer["text"] and "ATS · June 2025" in answer["text"]
    finally:
        await api.end_long_polls()
        await stop_application(bot.app)
        bot.service.engine.dispose()


async def test_run_with_seed_on_empty_off_says_nothing_is_stored_yet(
    env: dict[str, str], started: dict[str, Any], api: FakeBotAPI
) -> None:
    bot = await _started({**env, "DEPECHE_SEED_ON_EMPTY": "false"}, started, api)
    try:
        person = user("en")
        answer = await bot.ask(private_chat(person), person, "What did the Kremlin say?")
        assert "No article is stored yet" in answer["text"]
        assert "depeche ingest" in answer["text"] and "/feeds add" in answer["text"]
    finally:
        await api.end_long_polls()
        await stop_application(bot.app)
        bot.service.engine.dispose()


def test_a_seeds_dir_setting_overrides_the_packaged_seed(tmp_path: Path) -> None:
    shipped = sorted(p.name for p in packaged_seeds().iterdir())
    assert shipped == sorted(p.name for p in SEEDS.iterdir())
    assert Settings().seeds_dir == packaged_seeds()
    assert Settings(seeds_dir=tmp_path).seeds_dir == tmp_path
