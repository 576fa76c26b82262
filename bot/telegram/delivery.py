"""Sending alerts: one ``deliver`` function that knows Telegram's errors, and the outbox sender.

Every alert message goes through ``deliver``. It waits out a short flood limit (429
``retry_after``) and sends again, follows a group's migration to its supergroup, sends the
plain-text version when Telegram refuses the HTML, and reports a blocked or vanished chat, a
timeout or a refused message as a ``DeliveryResult``. What each outcome does to the outbox is
one table, ``AlertSender.TRANSITIONS``.

``AlertSender.send_due`` is what the JobQueue runs every few seconds. It looks at every chat
with due alerts (``storage.alerts.due_chats``), holds those muted, in quiet hours, taking a
daily digest or alerted within the digest window, lets a burst settle, then claims all the due
alerts of as many chats as it can send to within half the lease (``claim_chat_alerts``, with
``SKIP LOCKED`` on PostgreSQL), renders each chat's as alerts or as digests that fit by
construction, and sends the chats concurrently, paced by :class:`Pacer` (Telegram's limits:
about 30 messages a second overall, one a second per chat, 20 a minute per group), the chat
waiting longest first. Each outcome is committed right after Telegram answers. Because it polls
the table, articles stored by another process are alerted too; alerts left claimed by a killed
process on this host are taken back at start, others once their lease has run out.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import socket
import time
import uuid
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy.engine import Engine
from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
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
from bot.chat.alert_controls import alert_buttons, hold_of
from bot.chat.messages import Lang
from bot.chat.registry import Reply
from bot.chat.render import AlertPart, plain_text, render_alert, render_digest
from bot.settings import Settings
from bot.telegram.handlers import keyboard
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


class Delivery(StrEnum):
    """How a send ended."""

    SENT = "sent"  # the HTML, or its plain text when Telegram refused the HTML
    FLOOD = "flood"  # 429 with a longer retry_after than we wait: try again after it
    FORBIDDEN = "forbidden"  # the bot was blocked or kicked, or the chat is gone
    TIMEOUT = "timeout"  # timeout or network error: try again later, counting an attempt
    REFUSED = "refused"  # Telegram refused this message; sending it again will not help


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of ``deliver``; ``chat_id`` is where the message went (after a migration),
    ``sent`` what Telegram accepted (the HTML, or the plain text)."""

    outcome: Delivery
    chat_id: int
    message_id: int | None = None
    migrated_from: int | None = None
    retry_after: float | None = None
    error: str | None = None
    sent: str | None = None
    plain: bool = False


def _retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the int will become a timedelta
        warnings.simplefilter("ignore")
        value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def deliver(
    bot: Bot,
    chat_id: int,
    text: str,
    *,
    plain: str | None = None,
    reply_markup: InlineKeyboardMarkup | None = None,
    parse_mode: str | None = ParseMode.HTML,
    max_wait: float = 30.0,
    max_waits: int = 3,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> DeliveryResult:
    """Send one message, handling every Telegram error an alert can meet.

    - 429: waits ``retry_after`` and sends again (up to ``max_waits`` times, each at most
      ``max_wait`` seconds; a longer wait is returned as ``FLOOD`` with ``retry_after``).
    - ChatMigrated: sends to the new supergroup id; the result says where it came from.
    - 403 and "chat not found"-like 400s: ``FORBIDDEN``.
    - Markup Telegram cannot parse: sends ``plain`` (else the text without its tags) without
      parse mode; other 400s: ``REFUSED``.
    - Timeouts and network errors: ``TIMEOUT`` (the caller backs off and counts attempts).
    """
    target = chat_id
    migrated_from: int | None = None
    waits = 0
    is_plain = False
    while True:
        try:
            message = await bot.send_message(
                chat_id=target,
                text=text,
                parse_mode=parse_mode,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                reply_markup=reply_markup,
            )
            return DeliveryResult(
                Delivery.SENT,
                target,
                message.message_id,
                migrated_from=migrated_from,
                sent=text,
                plain=is_plain,
            )
        except RetryAfter as error:
            seconds = _retry_seconds(error)
            if seconds > max_wait or waits >= max_waits:
                log.warning("chat %s: flood limit, retry in %.0f s (later)", target, seconds)
                return DeliveryResult(
                    Delivery.FLOOD,
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
                    Delivery.REFUSED, target, migrated_from=migrated_from, error=str(error)
                )
            log.info("chat %s migrated to %s", target, error.new_chat_id)
            migrated_from, target = target, int(error.new_chat_id)
        except Forbidden as error:
            return DeliveryResult(
                Delivery.FORBIDDEN, target, migrated_from=migrated_from, error=error.message
            )
        except BadRequest as error:
            reason = error.message
            lowered = reason.lower()
            if any(marker in lowered for marker in _GONE):
                return DeliveryResult(
                    Delivery.FORBIDDEN, target, migrated_from=migrated_from, error=reason
                )
            if parse_mode is not None and "parse entities" in lowered:
                log.warning("chat %s: markup refused (%s); sending plain text", target, reason)
                text, parse_mode, is_plain = plain or plain_text(text), None, True
                continue
            return DeliveryResult(
                Delivery.REFUSED, target, migrated_from=migrated_from, error=reason
            )
        except (NetworkError, TelegramError) as error:  # TimedOut included
            return DeliveryResult(
                Delivery.TIMEOUT,
                target,
                migrated_from=migrated_from,
                error=f"{type(error).__name__}: {error.message}",
            )


# -- pacing ------------------------------------------------------------------------------------


class Pacer:
    """Telegram's sending limits kept on our side, fairly: at most ``rate`` messages a second
    overall, one a second per chat, one every three seconds per group (20 a minute).

    ``wait`` reserves the next free slot for a chat and sleeps until it, so chats that ask in
    turn are served in turn: a chat with many messages gets one slot a second while the others
    keep theirs.
    """

    def __init__(
        self,
        rate: float = 25.0,
        *,
        chat_gap: float = 1.0,
        group_gap: float = 3.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / rate
        self.chat_gap = chat_gap
        self.group_gap = group_gap
        self.monotonic = monotonic
        self.sleep = sleep
        self._next = 0.0
        self._chats: dict[int, float] = {}

    async def wait(self, chat_id: int) -> None:
        """Until ``chat_id`` may be sent its next message."""
        now = self.monotonic()
        at = max(now, self._next, self._chats.get(chat_id, 0.0))
        self._next = at + self.interval
        self._chats[chat_id] = at + (self.group_gap if chat_id < 0 else self.chat_gap)
        if len(self._chats) > 10_000:
            self._chats = {c: t for c, t in self._chats.items() if t > now}
        if at > now:
            await self.sleep(at - now)


# -- the sender --------------------------------------------------------------------------------

HOST = socket.gethostname()


def worker_name() -> str:
    """A name unique to this process, for the outbox leases: ``host:pid:random``."""
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:100]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def dead_worker(name: str, *, me: str) -> bool:
    """Whether the worker ``name`` was a process of this host that is gone: its pid no longer
    runs, or it is ours (a restarted container reuses the pid) under another name."""
    host, _, rest = name.partition(":")
    pid, _, _ = rest.partition(":")
    if host != HOST or not pid.isdigit() or name == me:
        return False
    return int(pid) == os.getpid() or not _pid_alive(int(pid))


@dataclass
class SendReport:
    """What one run of the sender did (counts of alerts, and messages sent)."""

    claimed: int = 0
    messages: int = 0
    sent: int = 0
    retried: int = 0
    undeliverable: int = 0
    held: int = 0
    chats: int = 0
    paused_chats: list[int] = field(default_factory=list)
    migrated: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class _Outgoing:
    """One message of a chat's plan: the rendered part and its buttons."""

    part: AlertPart
    markup: InlineKeyboardMarkup | None


@dataclass
class _ChatRun:
    """One chat's messages this run, and where they go (a migration changes it)."""

    chat_id: int
    messages: list[_Outgoing]
    now: datetime
    report: SendReport
    target: int = 0
    index: int = 0

    def rest(self, start: int | None = None) -> list[int]:
        """The alerts of the messages from ``start`` (the current one by default) on."""
        first = self.index if start is None else start
        return [i for m in self.messages[first:] for i in m.part.alert_ids]


def _by_article(items: Sequence[outbox.AlertContent]) -> list[list[outbox.AlertContent]]:
    grouped: dict[int, list[outbox.AlertContent]] = {}
    for item in items:
        grouped.setdefault(item.alert.article_id, []).append(item)
    return list(grouped.values())


# Articles in one digest message, roughly, to plan how many messages a chat's alerts need.
PLANNED_PER_MESSAGE = 30


class AlertSender:
    """Claims due alerts from the outbox and sends them (see the module docstring)."""

    def __init__(
        self,
        *,
        engine: Engine,
        worker: str | None = None,
        lease: timedelta = timedelta(seconds=60),
        max_attempts: int = 5,
        base_delay: timedelta = timedelta(seconds=15),
        max_delay: timedelta = timedelta(minutes=30),
        digest_threshold: int = 3,
        digest_window: timedelta = timedelta(seconds=60),
        settle: timedelta = timedelta(seconds=5),
        per_chat: int = 300,
        max_wait: float = 30.0,
        timezone: str = "UTC",
        pacer: Pacer | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.engine = engine
        self.worker = worker or worker_name()
        self.lease = lease
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.digest_threshold = digest_threshold
        self.digest_window = digest_window
        self.settle = settle
        self.per_chat = per_chat
        self.max_wait = max_wait
        self.timezone = timezone
        self.pacer = pacer or Pacer()
        self.clock = clock
        self.sleep = sleep
        self._lock = asyncio.Lock()
        self._recovered = False

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine, **overrides: Any) -> AlertSender:
        """A sender configured by the settings (digest threshold and window, pace, attempts)."""
        options: dict[str, Any] = {
            "digest_threshold": settings.digest_threshold,
            "digest_window": timedelta(seconds=settings.digest_window_seconds),
            "settle": timedelta(seconds=settings.alert_settle_seconds),
            "max_attempts": settings.alert_max_attempts,
            "timezone": settings.timezone,
            "pacer": Pacer(settings.alert_rate_per_second),
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

    # -- choosing the chats ----------------------------------------------------------------

    def _ready(self, due: outbox.DueChat, now: datetime) -> tuple[bool, datetime | None]:
        """Whether a chat's due alerts go now (and whether as a digest), or until when they
        wait: (digest, None) to send, (False, when) to hold; (False, now) to leave them."""
        hold = hold_of(due.controls, now, self.timezone)
        if hold is not None:
            if hold.queued_from is None or due.first_queued >= hold.queued_from:
                return False, hold.until
            return True, hold.until  # a daily digest's time has come for the older ones
        gathering = (
            now - due.last_queued < self.settle and now - due.first_queued < self.digest_window
        )
        if gathering:  # a burst is still coming in: wait for it to settle
            return False, now
        if (
            due.alerted_at is not None
            and now - due.alerted_at < self.digest_window
            and due.count < self.digest_threshold
        ):
            return False, due.alerted_at + self.digest_window
        return due.count >= self.digest_threshold, None

    async def _choose(self, now: datetime, report: SendReport) -> list[tuple[outbox.DueChat, bool]]:
        due = await asyncio.to_thread(outbox.due_chats, engine=self.engine, now=now)
        budget = max(1, int(self.lease.total_seconds() / 2 / self.pacer.interval))
        chosen: list[tuple[outbox.DueChat, bool]] = []
        planned = 0
        for chat in due:
            digest, until = self._ready(chat, now)
            if until is not None and until > now:
                hold = hold_of(chat.controls, now, self.timezone)
                count = await asyncio.to_thread(
                    outbox.hold_alerts,
                    engine=self.engine,
                    chat_id=chat.chat_id,
                    now=now,
                    until=until,
                    queued_from=hold.queued_from if hold is not None else None,
                )
                report.held += count
                if not digest:
                    continue
                digest = True
            elif until is not None:
                continue  # still gathering
            messages = math.ceil(min(chat.count, self.per_chat) / PLANNED_PER_MESSAGE)
            if chosen and planned + messages > budget:
                break  # the rest next run; the oldest are served first
            planned += messages
            chosen.append((chat, digest))
        return chosen

    async def _send_due(self, bot: Bot) -> SendReport:
        report = SendReport()
        now = self.clock()
        started = time.monotonic()
        if not self._recovered:
            self._recovered = True
            taken = await asyncio.to_thread(
                outbox.release_claims_of,
                engine=self.engine,
                is_dead=lambda name: dead_worker(name, me=self.worker),
            )
            if taken:
                log.info("took back %d alert(s) claimed by a stopped process", taken)
        chosen = await self._choose(now, report)
        if not chosen:
            return report
        claimed = await asyncio.to_thread(
            outbox.claim_chat_alerts,
            engine=self.engine,
            worker=self.worker,
            chat_ids=[chat.chat_id for chat, _ in chosen],
            now=now,
            lease=self.lease,
            per_chat=self.per_chat,
        )
        report.claimed = len(claimed)
        contents = await asyncio.to_thread(
            outbox.load_alert_contents, engine=self.engine, alerts=claimed
        )
        gone = [a.id for a in claimed if a.id not in contents]
        if gone:
            count = await asyncio.to_thread(
                outbox.mark_undeliverable,
                engine=self.engine,
                alert_ids=gone,
                reason="article or subscription removed",
            )
            report.undeliverable += count
        items: dict[int, list[outbox.AlertContent]] = {}
        for alert in claimed:
            if alert.id in contents:
                items.setdefault(alert.chat_id, []).append(contents[alert.id])
        runs = []
        for chat, digest in chosen:
            if chat.chat_id in items:
                messages = self._plan(items[chat.chat_id], digest, chat.language_code)
                runs.append(_ChatRun(chat.chat_id, messages, now, report, target=chat.chat_id))
        report.chats = len(runs)
        deadline = started + self.lease.total_seconds() * 0.8
        await asyncio.gather(*(self._send_chat(bot, run, deadline) for run in runs))
        return report

    def _plan(
        self, items: Sequence[outbox.AlertContent], digest: bool, language_code: str | None
    ) -> list[_Outgoing]:
        """A chat's messages: one alert per article, or digests (a burst, or held alerts)."""
        articles = _by_article(items)
        held = any(item.alert.error == outbox.HELD for item in items)
        language: Lang | None = language_code if language_code in ("en", "fr") else None  # type: ignore[assignment]
        if len(articles) > 1 and (digest or held or len(articles) >= self.digest_threshold):
            parts = render_digest(articles, language)
        else:
            parts = [render_alert(group, language) for group in articles]
        by_alert = {item.alert.id: item for item in items}
        planned = []
        for part in parts:
            shown = [by_alert[ids[0]] for _, ids in part.articles]
            topics = [
                (by_alert[i].alert.subscription_id, by_alert[i].topic) for i in part.alert_ids
            ]
            lang: Lang = language or ("fr" if shown[0].language == "fr" else "en")
            buttons = alert_buttons(part, topics, [c.alert.article_id for c in shown], lang)
            planned.append(_Outgoing(part, keyboard(Reply("", "", buttons))))
        return planned

    # -- sending one chat's messages, and what each outcome does ---------------------------

    async def _send_chat(self, bot: Bot, run: _ChatRun, deadline: float) -> None:
        for index, message in enumerate(run.messages):
            run.index = index
            if time.monotonic() > deadline:
                # Out of lease time: hand the rest back rather than risk a double send.
                await asyncio.to_thread(
                    outbox.postpone, engine=self.engine, alert_ids=run.rest(), until=run.now
                )
                return
            await self.pacer.wait(run.target)
            result = await deliver(
                bot,
                run.target,
                message.part.html,
                plain=message.part.text,
                reply_markup=message.markup,
                max_wait=self.max_wait,
                sleep=self.sleep,
            )
            if result.migrated_from is not None:
                run.report.migrated.append((result.migrated_from, result.chat_id))
                await asyncio.to_thread(
                    outbox.migrate_chat,
                    engine=self.engine,
                    old_chat_id=result.migrated_from,
                    new_chat_id=result.chat_id,
                )
                run.target = result.chat_id
            carry_on = await self.TRANSITIONS[result.outcome](self, run, message, result)
            if not carry_on:
                return

    async def _sent(self, run: _ChatRun, message: _Outgoing, result: DeliveryResult) -> bool:
        """Sent: its alerts are done, each only if what was sent holds its article's title."""
        shown = (result.sent or "") if result.plain else plain_text(result.sent or "")
        done = [i for title, ids in message.part.articles if title in shown for i in ids]
        lost = [i for title, ids in message.part.articles if title not in shown for i in ids]
        run.report.messages += 1
        count = await asyncio.to_thread(
            outbox.mark_sent, engine=self.engine, alert_ids=done, chat_id=run.target
        )
        run.report.sent += count
        if lost:
            log.error("chat %s: alert(s) %s sent without their title", run.target, lost)
            count = await asyncio.to_thread(
                outbox.mark_undeliverable,
                engine=self.engine,
                alert_ids=lost,
                reason="sent without its title",
            )
            run.report.undeliverable += count
        return True

    async def _flood(self, run: _ChatRun, message: _Outgoing, result: DeliveryResult) -> bool:
        """A long flood wait: the chat's remaining alerts wait it out, no attempt counted."""
        seconds = result.retry_after or self.max_wait
        rest = run.rest()
        await asyncio.to_thread(
            outbox.postpone,
            engine=self.engine,
            alert_ids=rest,
            until=run.now + timedelta(seconds=seconds),
            reason=result.error,
        )
        run.report.retried += len(rest)
        return False

    async def _forbidden(self, run: _ChatRun, message: _Outgoing, result: DeliveryResult) -> bool:
        """Blocked, kicked or gone: the chat is paused and its pending alerts dropped."""
        log.warning("chat %s unreachable (%s): alerts paused", run.target, result.error)
        count = await asyncio.to_thread(
            outbox.pause_chat,
            engine=self.engine,
            chat_id=run.target,
            reason=result.error or "blocked",
        )
        run.report.undeliverable += count
        run.report.paused_chats.append(run.target)
        return False

    async def _timeout(self, run: _ChatRun, message: _Outgoing, result: DeliveryResult) -> bool:
        """A timeout or network error: one attempt counted, retried with a doubling delay; the
        chat's later messages wait as long, without an attempt."""
        outcome = await asyncio.to_thread(
            outbox.retry_later,
            engine=self.engine,
            alert_ids=list(message.part.alert_ids),
            reason=result.error or "send failed",
            now=run.now,
            base_delay=self.base_delay,
            max_delay=self.max_delay,
            max_attempts=self.max_attempts,
        )
        later = run.rest(run.index + 1)
        if later:
            await asyncio.to_thread(
                outbox.postpone,
                engine=self.engine,
                alert_ids=later,
                until=run.now + self.base_delay,
            )
        run.report.retried += len(outcome.rescheduled) + len(later)
        run.report.undeliverable += len(outcome.given_up)
        if outcome.given_up:
            log.error(
                "chat %s: gave up on alert(s) %s after %d attempts: %s",
                run.target,
                outcome.given_up,
                self.max_attempts,
                result.error,
            )
        else:
            log.warning(
                "chat %s: sending failed (%s); alert(s) %s retried later",
                run.target,
                result.error,
                outcome.rescheduled,
            )
        return False

    async def _refused(self, run: _ChatRun, message: _Outgoing, result: DeliveryResult) -> bool:
        """Refused for good (not the markup: that fell back to plain text): given up."""
        log.warning(
            "chat %s refused alert(s) %s: %s", run.target, message.part.alert_ids, result.error
        )
        count = await asyncio.to_thread(
            outbox.mark_undeliverable,
            engine=self.engine,
            alert_ids=list(message.part.alert_ids),
            reason=result.error or "refused",
        )
        run.report.undeliverable += count
        return True

    Transition = Callable[["AlertSender", _ChatRun, _Outgoing, DeliveryResult], Awaitable[bool]]
    # What each delivery outcome does to the outbox; True: go on with the chat's next message.
    # (A migration is followed by ``deliver`` and recorded before the outcome's transition.)
    TRANSITIONS: ClassVar[Mapping[Delivery, Transition]] = {
        Delivery.SENT: _sent,
        Delivery.FLOOD: _flood,
        Delivery.FORBIDDEN: _forbidden,
        Delivery.TIMEOUT: _timeout,
        Delivery.REFUSED: _refused,
    }
