"""Sending alerts: one ``deliver`` function that knows Telegram's errors, and the outbox sender.

Every alert message goes through ``deliver``. It waits out a short flood limit (429
``retry_after``) and sends again, follows a group's migration to its supergroup, and reports a
blocked or vanished chat, a timeout or a refused message as a ``DeliveryResult`` for the caller
to record.

``AlertSender.send_due`` is what the JobQueue runs every few seconds: it claims due outbox rows
(``storage.alerts.claim_due_alerts``, with a lease), renders them — one message per article, or
one digest when a chat has many at once — sends them and records each outcome in its own
commit right after Telegram answers. Because it polls the table, articles stored by another
process (``depeche ingest`` while the bot runs) are alerted too, and alerts left unsent by a
stopped process go out once their lease has run out.
"""

from __future__ import annotations

import asyncio
import html
import logging
import math
import os
import socket
import time
import uuid
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.engine import Engine
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot import metrics
from bot.chat.render import digest_chunks, render_alert, render_digest
from bot.settings import Settings
from storage import alerts as outbox
from storage.models import utcnow

log = logging.getLogger(__name__)

# Bad requests that mean the chat is gone for good, as far as alerts are concerned.
_GONE = (
    "chat not found",
    "user not found",
    "bot was blocked",
    "bot was kicked",
    "user is deactivated",
    "group chat was deactivated",
    "chat_write_forbidden",
    "not enough rights to send",
    "have no rights to send",
    "need administrator rights",
    "peer_id_invalid",
)
HELD_FOR_DIGEST = "held for a digest"


class Delivery(StrEnum):
    """How a send ended."""

    SENT = "sent"
    RETRY = "retry"  # flood limit, timeout, network: try again later
    BLOCKED = "blocked"  # the bot was blocked or kicked, or the chat is gone
    FAILED = "failed"  # Telegram refused this message; sending it again will not help


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of ``deliver``; ``chat_id`` is where the message went (after a migration)."""

    outcome: Delivery
    chat_id: int
    message_id: int | None = None
    migrated_from: int | None = None
    retry_after: float | None = None
    error: str | None = None


def _retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the int will become a timedelta
        warnings.simplefilter("ignore")
        value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def strip_html(text: str) -> str:
    """Remove tags and unescape entities."""
    out: list[str] = []
    inside = False
    for char in text:
        if char == "<":
            inside = True
        elif char == ">" and inside:
            inside = False
        elif not inside:
            out.append(char)
    return html.unescape("".join(out))


async def deliver(
    bot: Bot,
    chat_id: int,
    text: str,
    *,
    parse_mode: str | None = ParseMode.HTML,
    max_wait: float = 30.0,
    max_waits: int = 3,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> DeliveryResult:
    """Send one message, handling every Telegram error an alert can meet.

    - 429: waits ``retry_after`` and sends again (up to ``max_waits`` times, each at most
      ``max_wait`` seconds; a longer wait is returned as ``RETRY`` with ``retry_after``).
    - ChatMigrated: sends to the new supergroup id; the result says where it came from.
    - 403 and "chat not found"-like 400s: ``BLOCKED``.
    - Markup Telegram cannot parse: sent again as plain text; other 400s: ``FAILED``.
    - Timeouts and network errors: ``RETRY`` (the caller backs off and counts attempts).
    """
    target = chat_id
    migrated_from: int | None = None
    waits = 0
    while True:
        try:
            message = await bot.send_message(
                chat_id=target,
                text=text,
                parse_mode=parse_mode,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
            return DeliveryResult(
                Delivery.SENT, target, message.message_id, migrated_from=migrated_from
            )
        except RetryAfter as error:
            seconds = _retry_seconds(error)
            if seconds > max_wait or waits >= max_waits:
                log.warning("chat %s: flood limit, retry in %.0f s (later)", target, seconds)
                return DeliveryResult(
                    Delivery.RETRY,
                    target,
                    migrated_from=migrated_from,
                    retry_after=seconds,
                    error=f"flood limit (retry after {seconds:g} s)",
                )
            waits += 1
            log.info("chat %s: flood limit, waiting %.1f s", target, seconds)
            await sleep(seconds)
        except ChatMigrated as error:
            if migrated_from is not None:
                return DeliveryResult(
                    Delivery.FAILED, target, migrated_from=migrated_from, error=str(error)
                )
            log.info("chat %s migrated to %s", target, error.new_chat_id)
            migrated_from, target = target, int(error.new_chat_id)
        except Forbidden as error:
            return DeliveryResult(
                Delivery.BLOCKED, target, migrated_from=migrated_from, error=error.message
            )
        except BadRequest as error:
            reason = error.message
            lowered = reason.lower()
            if any(marker in lowered for marker in _GONE):
                return DeliveryResult(
                    Delivery.BLOCKED, target, migrated_from=migrated_from, error=reason
                )
            if parse_mode is not None and "parse entities" in lowered:
                log.warning("chat %s: markup refused (%s); sending plain text", target, reason)
                text, parse_mode = strip_html(text), None
                continue
            return DeliveryResult(
                Delivery.FAILED, target, migrated_from=migrated_from, error=reason
            )
        except NetworkError as error:  # TimedOut included
            return DeliveryResult(
                Delivery.RETRY,
                target,
                migrated_from=migrated_from,
                error=f"{type(error).__name__}: {error.message}",
            )
        except TelegramError as error:
            return DeliveryResult(
                Delivery.RETRY,
                target,
                migrated_from=migrated_from,
                error=f"{type(error).__name__}: {error.message}",
            )


# -- the sender --------------------------------------------------------------------------------


def worker_name() -> str:
    """A name unique to this process, for the outbox leases."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:100]


@dataclass
class SendReport:
    """What one run of the sender did (counts of alerts, and messages sent)."""

    claimed: int = 0
    messages: int = 0
    sent: int = 0
    retried: int = 0
    undeliverable: int = 0
    held: int = 0
    paused_chats: list[int] = field(default_factory=list)
    migrated: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class _Message:
    alert_ids: list[int]
    text: str


def _by_article(
    items: Sequence[outbox.AlertContent],
) -> list[list[outbox.AlertContent]]:
    grouped: dict[int, list[outbox.AlertContent]] = {}
    for item in items:
        grouped.setdefault(item.alert.article_id, []).append(item)
    return list(grouped.values())


def _window_end(now: datetime, window: timedelta) -> datetime:
    """The end of the fixed-size window ``now`` falls in, so held alerts come due together."""
    seconds = window.total_seconds()
    epoch = now.timestamp()
    end = math.floor(epoch / seconds) * seconds + seconds
    return datetime.fromtimestamp(max(end, epoch + 1), UTC)


class AlertSender:
    """Claims due alerts from the outbox and sends them (see the module docstring)."""

    def __init__(
        self,
        *,
        engine: Engine,
        worker: str | None = None,
        batch: int = 30,
        lease: timedelta = timedelta(minutes=2),
        max_attempts: int = 5,
        base_delay: timedelta = timedelta(seconds=15),
        max_delay: timedelta = timedelta(minutes=30),
        digest_threshold: int = 3,
        digest_window: timedelta = timedelta(seconds=60),
        max_wait: float = 30.0,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.engine = engine
        self.worker = worker or worker_name()
        self.batch = batch
        self.lease = lease
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.digest_threshold = digest_threshold
        self.digest_window = digest_window
        self.max_wait = max_wait
        self.clock = clock
        self.sleep = sleep
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine, **overrides: Any) -> AlertSender:
        """A sender configured by the settings (digest threshold and window, attempts)."""
        options: dict[str, Any] = {
            "digest_threshold": settings.digest_threshold,
            "digest_window": timedelta(seconds=settings.digest_window_seconds),
            "max_attempts": settings.alert_max_attempts,
        }
        options.update(overrides)
        return cls(engine=engine, **options)

    async def job(self, context: Any) -> None:
        """The JobQueue callback: one pass over the due alerts."""
        if self._lock.locked():
            return
        await self.send_due(context.bot)

    async def close(self) -> None:
        """Hand back unsent claimed alerts, so the next process sends them at once."""
        released = await asyncio.to_thread(
            outbox.release_claims, engine=self.engine, worker=self.worker
        )
        if released:
            log.info("released %d claimed alert(s)", released)

    async def send_due(self, bot: Bot) -> SendReport:
        """Claim the due alerts and send them; returns what was done."""
        async with self._lock:
            report = await self._send_due(bot)
        metrics.record_alerts(report)
        return report

    async def _send_due(self, bot: Bot) -> SendReport:
        report = SendReport()
        now = self.clock()
        started = time.monotonic()
        claimed = await asyncio.to_thread(
            outbox.claim_due_alerts,
            engine=self.engine,
            worker=self.worker,
            limit=self.batch,
            now=now,
            lease=self.lease,
        )
        report.claimed = len(claimed)
        if not claimed:
            return report
        contents = await asyncio.to_thread(
            outbox.load_alert_contents, engine=self.engine, alerts=claimed
        )
        gone = [a.id for a in claimed if a.id not in contents]
        if gone:
            report.undeliverable += await asyncio.to_thread(
                outbox.mark_undeliverable,
                engine=self.engine,
                alert_ids=gone,
                reason="article or subscription removed",
            )
        chats: dict[int, list[outbox.AlertContent]] = {}
        for alert in claimed:
            if alert.id in contents:
                chats.setdefault(alert.chat_id, []).append(contents[alert.id])
        recent = await asyncio.to_thread(
            outbox.recent_sent_counts,
            engine=self.engine,
            chat_ids=list(chats),
            since=now - self.digest_window,
        )
        budget = self.lease.total_seconds() / 2
        for chat_id, items in chats.items():
            if time.monotonic() - started > budget:
                # Out of lease time: hand the rest back rather than risk a double send.
                ids = [c.alert.id for group in chats.values() for c in group]
                await asyncio.to_thread(
                    outbox.postpone, engine=self.engine, alert_ids=ids, until=now
                )
                break
            await self._send_chat(bot, chat_id, items, recent.get(chat_id, 0), now, report)
            chats[chat_id] = []
        return report

    def _plan(
        self, items: Sequence[outbox.AlertContent], recent: int, now: datetime
    ) -> list[_Message] | None:
        """The messages for one chat's due alerts, or None to hold them for a digest."""
        articles = _by_article(items)
        held = any(_is_held(item) for item in items)
        digest = len(articles) >= self.digest_threshold or (held and len(articles) > 1)
        busy = recent + len(articles) >= self.digest_threshold
        if busy and not digest and not held and self.digest_window.total_seconds() > 0:
            return None
        if digest:
            return [
                _Message([c.alert.id for group in chunk for c in group], render_digest(chunk))
                for chunk in digest_chunks(articles)
            ]
        return [_Message([c.alert.id for c in group], render_alert(group)) for group in articles]

    async def _send_chat(
        self,
        bot: Bot,
        chat_id: int,
        items: Sequence[outbox.AlertContent],
        recent: int,
        now: datetime,
        report: SendReport,
    ) -> None:
        plan = await asyncio.to_thread(self._plan, items, recent, now)
        ids = [c.alert.id for c in items]
        if plan is None:
            until = _window_end(now, self.digest_window)
            report.held += await asyncio.to_thread(
                outbox.postpone,
                engine=self.engine,
                alert_ids=ids,
                until=until,
                reason=HELD_FOR_DIGEST,
            )
            log.info("chat %s: %d alert(s) held for a digest until %s", chat_id, len(ids), until)
            return
        target = chat_id
        for index, message in enumerate(plan):
            result = await deliver(
                bot, target, message.text, max_wait=self.max_wait, sleep=self.sleep
            )
            if result.migrated_from is not None:
                report.migrated.append((result.migrated_from, result.chat_id))
                target = result.chat_id
            if result.outcome is Delivery.SENT:
                report.messages += 1
                report.sent += await asyncio.to_thread(
                    outbox.mark_sent, engine=self.engine, alert_ids=message.alert_ids
                )
            if result.migrated_from is not None:
                await asyncio.to_thread(
                    outbox.migrate_chat,
                    engine=self.engine,
                    old_chat_id=result.migrated_from,
                    new_chat_id=result.chat_id,
                )
            if result.outcome is Delivery.SENT:
                continue
            rest = [i for m in plan[index:] for i in m.alert_ids]
            if result.outcome is Delivery.BLOCKED:
                log.warning("chat %s unreachable (%s): alerts paused", target, result.error)
                report.undeliverable += await asyncio.to_thread(
                    outbox.pause_chat,
                    engine=self.engine,
                    chat_id=target,
                    reason=result.error or "blocked",
                )
                report.paused_chats.append(target)
                return
            if result.outcome is Delivery.FAILED:
                log.warning(
                    "chat %s refused alert(s) %s: %s", target, message.alert_ids, result.error
                )
                report.undeliverable += await asyncio.to_thread(
                    outbox.mark_undeliverable,
                    engine=self.engine,
                    alert_ids=message.alert_ids,
                    reason=result.error or "refused",
                )
                continue
            # RETRY: a long flood wait postpones the chat's remaining alerts without counting an
            # attempt; a timeout or network error counts one and backs off.
            if result.retry_after is not None:
                await asyncio.to_thread(
                    outbox.postpone,
                    engine=self.engine,
                    alert_ids=rest,
                    until=now + timedelta(seconds=result.retry_after),
                    reason=result.error,
                )
                report.retried += len(rest)
                return
            outcome = await asyncio.to_thread(
                outbox.retry_later,
                engine=self.engine,
                alert_ids=message.alert_ids,
                reason=result.error or "send failed",
                now=now,
                base_delay=self.base_delay,
                max_delay=self.max_delay,
                max_attempts=self.max_attempts,
            )
            later = [i for m in plan[index + 1 :] for i in m.alert_ids]
            if later:  # not tried: the chat's next alerts wait as long, without an attempt
                await asyncio.to_thread(
                    outbox.postpone,
                    engine=self.engine,
                    alert_ids=later,
                    until=now + self.base_delay,
                )
            report.retried += len(outcome.rescheduled) + len(later)
            report.undeliverable += len(outcome.given_up)
            if outcome.given_up:
                log.error(
                    "chat %s: gave up on alert(s) %s after %d attempts: %s",
                    target,
                    outcome.given_up,
                    self.max_attempts,
                    result.error,
                )
            else:
                log.warning(
                    "chat %s: sending failed (%s); alert(s) %s retried later",
                    target,
                    result.error,
                    outcome.rescheduled,
                )
            return


def _is_held(item: outbox.AlertContent) -> bool:
    return item.alert.error == HELD_FOR_DIGEST
