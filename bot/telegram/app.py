"""The Telegram application: ONE ``build_application`` for ``depeche run`` and for the tests.

Where things are registered:

- commands: ``bot/chat/`` (``@command``), answered here by one ``CommandHandler``;
- other handlers (messages, buttons, the bot's membership): :func:`register_handlers`;
- timed work, every job: :func:`register_jobs` (the index sync in ``bot/telegram/jobs.py``, the
  alert sender in ``bot/telegram/delivery.py``, the feed poller in ``bot/feeds.py``);
- start-up and shut-down work: :func:`post_init` and :func:`post_shutdown`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import chat
from bot.chat.messages import Lang, t
from bot.feeds import FeedPoller
from bot.metrics import Heartbeat, MetricsServer
from bot.service import Depeche
from bot.settings import Settings
from bot.telegram import handlers, jobs
from bot.telegram.delivery import AlertSender
from bot.telegram.handlers import FRONT_KEY, Front, front
from bot.telegram.limits import AnswersFirst, mark_answering
from bot.telegram.transport import QueuedRequest

log = logging.getLogger(__name__)

MENU_LANGUAGES: tuple[Lang, ...] = ("en", "fr")
SENDER_KEY = "alert_sender"
POLLER_KEY = "feed_poller"
METRICS_KEY = "metrics_server"
# Without a heartbeat for this long, /healthz says the update loop is stuck.
HEARTBEAT_STALE_SECONDS = 30.0
# How often the feed job looks for due feeds (each feed has its own next poll time).
FEED_TICK_SECONDS = 30.0


def build_application(settings: Settings, service: Depeche) -> Application:
    """The bot: handlers, jobs and start-up work over ``service``, talking to the Bot API named
    by the settings (Telegram's, or ``settings.telegram_api_url``)."""
    if not settings.token:
        raise ValueError("no Telegram token: set DEPECHE_TELEGRAM_TOKEN")
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        # Telegram's limits, a 429 waited out; answers to people skip the bulk 30 a second.
        .rate_limiter(AnswersFirst(max_retries=3))
        # Updates are handled concurrently; the search itself runs in worker threads.
        .concurrent_updates(True)
        # A few connections, requests beyond them queued cheaply (see transport.py).
        .request(QueuedRequest())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.telegram_api_url:
        builder = builder.base_url(settings.telegram_api_url)
    application = builder.build()
    application.bot_data[FRONT_KEY] = Front(service=service, settings=settings)
    application.bot_data[SENDER_KEY] = AlertSender.from_settings(settings, service.engine)
    application.bot_data[POLLER_KEY] = FeedPoller.from_settings(settings, service)
    application.bot_data[jobs.HEARTBEAT_KEY] = Heartbeat()
    register_handlers(application)
    register_jobs(application, settings)
    return application


def register_handlers(application: Application) -> None:
    """Which update goes to which handler; the first that matches wins."""
    # Before any other: what the bot sends while handling an update is somebody's answer.
    application.add_handler(TypeHandler(Update, mark_answering), group=-1)
    # Only new messages from people: edited messages, channel posts and bots are ignored.
    human = filters.UpdateType.MESSAGE & handlers.FROM_HUMAN
    # /ask, /ask@ThisBot... (a command addressed to another bot matches nothing).
    application.add_handler(CommandHandler(list(chat.COMMANDS), handlers.command, human))
    application.add_handler(
        MessageHandler(human & filters.ChatType.PRIVATE & filters.COMMAND, handlers.unknown_command)
    )
    # Questions: any text in private; in groups only a mention of the bot or a reply to it.
    addressed = filters.ChatType.PRIVATE | handlers.MENTIONS_BOT | handlers.REPLIES_TO_BOT
    application.add_handler(
        MessageHandler(human & filters.TEXT & ~filters.COMMAND & addressed, handlers.question)
    )
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(InlineQueryHandler(handlers.inline_query))
    # The bot removed from a chat or blocked: its alerts pause; added back: they resume.
    application.add_handler(
        ChatMemberHandler(handlers.my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_error_handler(handlers.error)


Job = Callable[[ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def register_jobs(application: Application, settings: Settings) -> None:
    """Every timed job of the bot, on the application's JobQueue."""
    queue = application.job_queue
    if queue is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError('install python-telegram-bot with the "job-queue" extra')

    def every(job: Job, name: str, *, interval: float, first: float) -> None:
        # A run still going when the next is due is skipped, never stacked.
        queue.run_repeating(
            job,
            interval=interval,
            first=first,
            name=name,
            job_kwargs={"coalesce": True, "max_instances": 1},
        )

    every(
        jobs.sync_index,
        "sync-index",
        interval=settings.index_sync_seconds,
        first=settings.index_sync_seconds,
    )
    every(
        sender_of(application).job,
        "send-alerts",
        interval=settings.alert_interval_seconds,
        first=min(1.0, settings.alert_interval_seconds),
    )
    every(jobs.heartbeat, "heartbeat", interval=jobs.HEARTBEAT_SECONDS, first=0.0)
    every(
        poller_of(application).job,
        "poll-feeds",
        interval=min(FEED_TICK_SECONDS, settings.feed_poll_minutes * 60),
        first=2.0,
    )


def sender_of(application: Application) -> AlertSender:
    """The application's alert sender (tests run it directly)."""
    found: AlertSender = application.bot_data[SENDER_KEY]
    return found


def poller_of(application: Application) -> FeedPoller:
    """The application's feed poller."""
    found: FeedPoller = application.bot_data[POLLER_KEY]
    return found


def loop_alive(application: Application) -> tuple[bool, str]:
    """Whether the bot still takes updates and runs its jobs, and why not (for /healthz)."""
    if not application.running:
        return False, "the bot is not running"
    if application.updater is not None and not application.updater.running:
        return False, "not receiving updates from Telegram"
    heartbeat: Heartbeat = application.bot_data[jobs.HEARTBEAT_KEY]
    age = heartbeat.age()
    if age is None:
        return False, "starting (no heartbeat yet)"
    if age > HEARTBEAT_STALE_SECONDS:
        return False, f"the event loop has not turned for {age:.0f} s"
    return True, f"heartbeat {age:.0f} s ago"


def start_metrics(application: Application) -> MetricsServer | None:
    """Serve /metrics and /healthz when DEPECHE_METRICS_PORT is set (from ``post_init``)."""
    deps: Front = application.bot_data[FRONT_KEY]
    port = deps.settings.metrics_port
    if port is None:
        return None
    server = MetricsServer(
        deps.service,
        loop_alive=lambda: loop_alive(application),
        listen=deps.settings.metrics_listen,
        port=port,
    ).start()
    application.bot_data[METRICS_KEY] = server
    return server


def metrics_of(application: Application) -> MetricsServer | None:
    """The application's metrics server, when one was started."""
    found: MetricsServer | None = application.bot_data.get(METRICS_KEY)
    return found


async def post_init(application: Application) -> None:
    """Start-up work: the metrics endpoint, the question-reading word lists (in the
    background), the command menus (private and groups) and the bot's descriptions, in English
    and French."""
    start_metrics(application)
    deps: Front = application.bot_data[FRONT_KEY]
    application.create_task(asyncio.to_thread(deps.service.warm_up), name="warm-up")
    scopes = ((False, BotCommandScopeAllPrivateChats()), (True, BotCommandScopeAllGroupChats()))
    try:
        for group, scope in scopes:
            for language in MENU_LANGUAGES:
                menu = [
                    BotCommand(c.name, t(c.description, language)) for c in chat.menu(group=group)
                ]
                await application.bot.set_my_commands(
                    menu, scope=scope, language_code=None if language == "en" else language
                )
    except TelegramError as error:  # the menus are a convenience; answering matters more
        log.warning("could not set the command menus: %s", error)
    try:  # what an empty chat with the bot shows, and its profile's one line
        for language in MENU_LANGUAGES:
            code = None if language == "en" else language
            await application.bot.set_my_description(t("description", language), language_code=code)
            await application.bot.set_my_short_description(
                t("short_description", language), language_code=code
            )
    except TelegramError as error:
        log.warning("could not set the bot's description: %s", error)
    log.info("Dépêche is on Telegram as @%s", application.bot.username)


async def post_shutdown(application: Application) -> None:
    """Shut-down work: save the index so that the next start is fast."""
    deps: Front = application.bot_data[FRONT_KEY]
    server = application.bot_data.pop(METRICS_KEY, None)
    if server is not None:
        await asyncio.to_thread(server.stop)
    await sender_of(application).close()  # hand back claimed, unsent alerts
    await asyncio.to_thread(deps.service.save_index)


def run_polling(application: Application) -> None:
    """Run until interrupted, fetching updates by long polling."""
    application.run_polling(allowed_updates=Update.ALL_TYPES)


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram must send with each update: the configured one, or a fresh one."""
    if settings.webhook_secret:
        return settings.webhook_secret.get_secret_value()
    return secrets.token_urlsafe(32)


def run_webhook(
    application: Application,
    settings: Settings,
    url: str,
) -> None:
    """Run until interrupted, receiving updates on ``url`` (HTTPS, usually through a proxy that
    forwards to ``settings.webhook_listen:webhook_port`` on the same path)."""
    application.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=urlsplit(url).path.lstrip("/"),
        webhook_url=url,
        secret_token=webhook_secret(settings),
        allowed_updates=Update.ALL_TYPES,
    )


__all__ = [
    "build_application",
    "front",
    "metrics_of",
    "poller_of",
    "run_polling",
    "run_webhook",
    "sender_of",
]
