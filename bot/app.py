"""The Telegram application: ONE ``build_application`` for ``depeche run`` and for the tests.

Where things are registered:

- commands: ``bot/commands.py`` (``@command``), answered here by one ``CommandHandler``;
- other handlers (messages, buttons): :func:`register_handlers`;
- timed work: :func:`register_jobs` (callbacks in ``bot/jobs.py``);
- start-up and shut-down work: :func:`post_init` and :func:`post_shutdown`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
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
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)

from bot import commands, handlers, jobs, subscriptions
from bot.handlers import FRONT_KEY, Front, front
from bot.messages import Lang, t
from bot.service import Depeche
from bot.settings import Settings

log = logging.getLogger(__name__)

MENU_LANGUAGES: tuple[Lang, ...] = ("en", "fr")


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
        .rate_limiter(AIORateLimiter(max_retries=3))
        # Updates are handled concurrently; the search itself runs in worker threads.
        .concurrent_updates(True)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.telegram_api_url:
        builder = builder.base_url(settings.telegram_api_url)
    application = builder.build()
    application.bot_data[FRONT_KEY] = Front(service=service, settings=settings)
    register_handlers(application)
    register_jobs(application, settings)
    # Alerts (the sender job, my_chat_member) and feed polling: bot/subscriptions.py.
    subscriptions.install(application, settings, service)
    return application


def register_handlers(application: Application) -> None:
    """Which update goes to which handler; the first that matches wins."""
    # Only new messages from people: edited messages, channel posts and bots are ignored.
    human = filters.UpdateType.MESSAGE & handlers.FROM_HUMAN
    # /ask, /ask@ThisBot... (a command addressed to another bot matches nothing).
    application.add_handler(CommandHandler(list(commands.COMMANDS), handlers.command, human))
    application.add_handler(
        MessageHandler(human & filters.ChatType.PRIVATE & filters.COMMAND, handlers.unknown_command)
    )
    # Questions: any text in private; in groups only a mention of the bot or a reply to it.
    addressed = filters.ChatType.PRIVATE | handlers.MENTIONS_BOT | handlers.REPLIES_TO_BOT
    application.add_handler(
        MessageHandler(human & filters.TEXT & ~filters.COMMAND & addressed, handlers.question)
    )
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_error_handler(handlers.error)


def register_jobs(application: Application, settings: Settings) -> None:
    """Timed work, on the application's JobQueue."""
    queue = application.job_queue
    if queue is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError('install python-telegram-bot with the "job-queue" extra')
    queue.run_repeating(
        jobs.sync_index,
        interval=settings.index_sync_seconds,
        first=settings.index_sync_seconds,
        name="sync-index",
        job_kwargs={"coalesce": True, "max_instances": 1},
    )


async def post_init(application: Application) -> None:
    """Start-up work: the command menus of private chats and groups, in English and French."""
    scopes = ((False, BotCommandScopeAllPrivateChats()), (True, BotCommandScopeAllGroupChats()))
    try:
        for group, scope in scopes:
            for language in MENU_LANGUAGES:
                menu = [
                    BotCommand(c.name, t(c.description, language))
                    for c in commands.menu(group=group)
                ]
                await application.bot.set_my_commands(
                    menu, scope=scope, language_code=None if language == "en" else language
                )
    except TelegramError as error:  # the menus are a convenience; answering matters more
        log.warning("could not set the command menus: %s", error)
    log.info("Dépêche is on Telegram as @%s", application.bot.username)


async def post_shutdown(application: Application) -> None:
    """Shut-down work: save the index so that the next start is fast."""
    deps: Front = application.bot_data[FRONT_KEY]
    await subscriptions.shutdown(application)  # hand back claimed, unsent alerts
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


__all__ = ["build_application", "front", "run_polling", "run_webhook"]
