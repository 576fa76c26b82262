"""Logging for every ``depeche`` command: one format, quiet libraries, and never the token.

The Bot API puts the token in every URL (``https://api.telegram.org/bot<token>/getMe``), and
httpx logs the URLs it requests; its errors quote them too. Every handler of the root logger
gets :class:`RedactSecrets`, so no line at any level shows the token.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import IO

from bot.settings import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "<token>"
# Chatty at INFO: a line per HTTP request, per migration step, per job run (apscheduler says
# "Running job..." about twice a second). Their DEBUG is only wanted when asked for.
QUIET_BELOW_DEBUG = ("httpx", "httpcore", "apscheduler")
ALWAYS_QUIET = ("alembic",)  # storage.db logs the one line about the schema that matters


class RedactSecrets(logging.Filter):
    """Replace secrets in a record's message, arguments, traceback and stack."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def secrets_of(settings: Settings) -> list[str]:
    """What must never be logged: the bot token and the webhook secret."""
    found = [settings.token or ""]
    if settings.webhook_secret:
        found.append(settings.webhook_secret.get_secret_value())
    return [s for s in found if s]


def configure_logging(
    settings: Settings, *, verbose: bool = False, stream: IO[str] | None = None
) -> logging.Handler:
    """Log to ``stream`` (stderr) at ``DEPECHE_LOG_LEVEL`` (DEBUG with ``verbose``); returns
    the handler added."""
    level = logging.DEBUG if verbose else getattr(logging, settings.log_level, logging.INFO)
    root = logging.getLogger()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactSecrets(secrets_of(settings)))
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_BELOW_DEBUG:
        logging.getLogger(name).setLevel(
            logging.NOTSET if level <= logging.DEBUG else logging.WARNING
        )
    for name in ALWAYS_QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
