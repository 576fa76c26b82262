"""Alert controls: /mute, /unmute, /quiet, /digest, the buttons under every alert and digest,
and when a chat's alerts are held (a pure function of its settings and the time).

Held alerts are never dropped: the sender postpones them to the end of the mute, of the quiet
hours or to the next daily digest time, and they go out then as one digest. Times of day are
in the chat's time zone (``/quiet 22:00-07:00 Europe/Paris`` sets it), else DEPECHE_TIMEZONE.
In groups only administrators change them, from a command or a button (checked when pressed).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.chat.messages import Lang, t
from bot.chat.registry import Button, Reply, Request, action, command
from bot.chat.render import AlertPart
from storage import alerts as outbox
from storage import chats
from storage.chats import AlertControls

DEFAULT_MUTE = timedelta(hours=8)
MAX_MUTE = timedelta(days=30)
MUTE_BUTTON = "8h"
LABEL_CHARS = 40  # of a topic in an "Unsubscribe from …" button
MAX_UNSUBSCRIBE_BUTTONS = 3
MAX_READ_BUTTONS = 8
R = TypeVar("R")

_DURATION = re.compile(r"([0-9]{1,4})\s*(m|min|mn|h|d|j|w)", re.IGNORECASE)
_UNITS = {"m": 60, "min": 60, "mn": 60, "h": 3600, "d": 86400, "j": 86400, "w": 604800}
_CLOCK = re.compile(r"([01]?[0-9]|2[0-3])[:h.]([0-5][0-9])", re.IGNORECASE)


GROUP_TYPES = ("group", "supergroup")
OFF = ("off", "non", "stop")  # /quiet off, /digest non


def may_change(request: Request) -> Reply | None:
    """None when the sender may change this chat's subscriptions and alert controls (in a
    group: an administrator), else the refusal."""
    if request.chat_type == "console" or request.chat_id is None:
        return Reply.plain(t("console_no_alerts", request.language))
    if request.chat_type in GROUP_TYPES and not request.chat_admin:
        return Reply.plain(t("group_admins_only", request.language))
    return None


def changes_alerts(handler: Callable[[Request], R]) -> Callable[[Request], R | Reply]:
    """Run a handler that changes this chat's alert controls only for who ``may_change``
    them; the others get the refusal."""

    @functools.wraps(handler)
    def guarded(request: Request) -> R | Reply:
        refusal = may_change(request)
        return refusal if refusal is not None else handler(request)

    return guarded


# -- parsing -----------------------------------------------------------------------------------


def parse_duration(text: str) -> timedelta | None:
    """``30m``, ``8h``, ``1d`` (``1j``), ``2w`` or several (``1h30m``); None if not one, or
    zero, or over 30 days."""
    text = text.strip().replace(" ", "")
    if not text or _DURATION.sub("", text):
        return None
    seconds = sum(int(n) * _UNITS[unit.lower()] for n, unit in _DURATION.findall(text))
    found = timedelta(seconds=seconds)
    return found if timedelta(0) < found <= MAX_MUTE else None


def parse_clock(text: str) -> str | None:
    """A time of day as ``HH:MM`` (``7:00``, ``07h00`` and ``22.30`` accepted), or None."""
    found = _CLOCK.fullmatch(text.strip())
    return f"{int(found.group(1)):02d}:{found.group(2)}" if found else None


def parse_timezone(text: str) -> str | None:
    """An IANA time zone name zoneinfo knows (``Europe/Paris``), or None."""
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return text.strip()


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


# -- when alerts are held ----------------------------------------------------------------------


@dataclass(frozen=True)
class Hold:
    """Alerts queued since ``queued_from`` (all when None) wait until ``until``."""

    until: datetime
    queued_from: datetime | None = None


def _at(day: datetime, clock: str, zone: ZoneInfo) -> datetime:
    return datetime.combine(day.date(), _clock(clock), tzinfo=zone)


def hold_of(controls: AlertControls, now: datetime, default_timezone: str) -> Hold | None:
    """Whether, and until when, a chat's alerts are held at ``now``: muted, in its quiet hours,
    or taking one digest a day (then only alerts queued since the last digest time wait)."""
    if controls.muted_until is not None and now < controls.muted_until:
        return Hold(controls.muted_until)
    zone = ZoneInfo(controls.timezone or default_timezone)
    local = now.astimezone(zone)
    if controls.quiet_start and controls.quiet_end:
        start, end = _clock(controls.quiet_start), _clock(controls.quiet_end)
        moment = local.time()
        quiet = start <= moment < end if start < end else moment >= start or moment < end
        if quiet:
            until = _at(local, controls.quiet_end, zone)
            if until <= local:
                until = _at(local + timedelta(days=1), controls.quiet_end, zone)
            return Hold(until.astimezone(UTC))
    if controls.daily_digest_at:
        last = _at(local, controls.daily_digest_at, zone)
        if last > local:
            last = _at(local - timedelta(days=1), controls.daily_digest_at, zone)
        following = _at(last + timedelta(days=1), controls.daily_digest_at, zone)
        return Hold(following.astimezone(UTC), queued_from=last.astimezone(UTC))
    return None


# -- buttons under alerts and digests ----------------------------------------------------------


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip() + "…"


def alert_buttons(
    part: AlertPart,
    topics: Sequence[tuple[int, str]],
    article_ids: Sequence[int],
    language: Lang,
) -> tuple[tuple[Button, ...], ...]:
    """Read (each article of the message, numbered in a digest), Mute 8 h, and Unsubscribe
    from each topic that brought the message (the first three)."""
    if len(article_ids) == 1:
        reads = [Button(t("button_read", language), f"read:{article_ids[0]}")]
    else:
        reads = [
            Button(t("read", language, n=number), f"read:{article_id}")
            for number, article_id in enumerate(article_ids[:MAX_READ_BUTTONS], start=1)
        ]
    rows: list[tuple[Button, ...]] = [tuple(reads[i : i + 4]) for i in range(0, len(reads), 4)]
    rows.append((Button(t("button_mute", language), f"mute:{MUTE_BUTTON}"),))
    for subscription_id, topic in list(dict(topics).items())[:MAX_UNSUBSCRIBE_BUTTONS]:
        label = t("button_unsubscribe", language, topic=_short(topic))
        rows.append((Button(label, f"unsub:{subscription_id}"),))
    return tuple(rows)


# -- commands and actions ----------------------------------------------------------------------


def _zone(request: Request, controls: AlertControls) -> str:
    return controls.timezone or request.settings.timezone


def _local(when: datetime, zone: str) -> str:
    return f"{when.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"


def _mute(request: Request, duration: timedelta) -> Reply:
    assert request.chat_id is not None
    engine = request.service.engine
    until = outbox.utcnow() + duration  # the outbox's clock (tests move it)
    controls = chats.set_alert_controls(engine=engine, chat_id=request.chat_id, muted_until=until)
    zone = _zone(request, controls)
    return Reply.plain(t("muted", request.language, until=_local(until, zone), tz=zone))


@command("mute", "cmd_mute", usage="usage_mute", group_admin=True)
@changes_alerts
def mute(request: Request) -> Reply:
    """Hold this chat's alerts for a while (8 h unless told); they come as one digest after."""
    duration = parse_duration(request.args) if request.args.strip() else DEFAULT_MUTE
    if duration is None:
        return Reply.plain(t("mute_usage", request.language))
    return _mute(request, duration)


@command("unmute", "cmd_unmute", group_admin=True)
@changes_alerts
def unmute(request: Request) -> Reply:
    """Send this chat's alerts again, the held ones now."""
    return _lift(request, "unmuted", muted_until=None)


def _lift(request: Request, key: str, **cleared: None) -> Reply:
    """Clear an alert control and send the alerts it held now; say so with ``key``."""
    assert request.chat_id is not None
    engine = request.service.engine
    chats.set_alert_controls(engine=engine, chat_id=request.chat_id, **cleared)
    outbox.release_held(engine=engine, chat_id=request.chat_id)
    return Reply.plain(t(key, request.language))


def _set(request: Request, zone: str | None, **values: object) -> AlertControls:
    """Set alert controls, and the chat's time zone when one was named."""
    assert request.chat_id is not None
    if zone:
        values["timezone"] = zone
    return chats.set_alert_controls(
        engine=request.service.engine, chat_id=request.chat_id, **values
    )


def _with_timezone(request: Request, words: list[str]) -> tuple[str | None, Reply | None]:
    """The time zone named after the times, if any (None: keep the chat's), or the refusal."""
    if len(words) < 2:
        return None, None
    zone = parse_timezone(words[1])
    if zone is None:
        return None, Reply.plain(t("bad_timezone", request.language, tz=words[1]))
    return zone, None


@command("quiet", "cmd_quiet", usage="usage_quiet", group_admin=True)
@changes_alerts
def quiet(request: Request) -> Reply:
    """Quiet hours (``22:00-07:00``): alerts held, sent as one digest when they end."""
    lang = request.language
    assert request.chat_id is not None
    engine = request.service.engine
    words = request.args.split()
    if not words:
        controls = chats.alert_controls(engine=engine, chat_id=request.chat_id)
        if controls.quiet_start and controls.quiet_end:
            return Reply.plain(_quiet_line(request, controls))
        return Reply.plain(t("quiet_none", lang))
    if words[0].lower() in OFF:
        return _lift(request, "quiet_off", quiet_start=None, quiet_end=None)
    start, _, end = words[0].replace("–", "-").partition("-")
    start_at, end_at = parse_clock(start), parse_clock(end)
    if start_at is None or end_at is None or start_at == end_at:
        return Reply.plain(t("quiet_usage", lang))
    zone, refusal = _with_timezone(request, words)
    if refusal is not None:
        return refusal
    controls = _set(request, zone, quiet_start=start_at, quiet_end=end_at)
    return Reply.plain(_quiet_line(request, controls))


def _quiet_line(request: Request, controls: AlertControls) -> str:
    return t(
        "quiet_set",
        request.language,
        start=controls.quiet_start,
        end=controls.quiet_end,
        tz=_zone(request, controls),
    )


@command("digest", "cmd_digest", usage="usage_digest", group_admin=True)
@changes_alerts
def digest(request: Request) -> Reply:
    """One digest a day (``daily 08:00``) instead of alerts as they come; ``off`` to stop."""
    lang = request.language
    assert request.chat_id is not None
    engine = request.service.engine
    words = request.args.split()
    if not words:
        controls = chats.alert_controls(engine=engine, chat_id=request.chat_id)
        if controls.daily_digest_at:
            return Reply.plain(_digest_line(request, controls))
        return Reply.plain(t("digest_none", lang))
    if words[0].lower() in OFF:
        return _lift(request, "digest_off", daily_digest_at=None)
    if words[0].lower() in ("daily", "quotidien", "jour") and len(words) >= 2:
        at = parse_clock(words[1])
        if at is not None:
            zone, refusal = _with_timezone(request, words[1:])
            if refusal is not None:
                return refusal
            return Reply.plain(_digest_line(request, _set(request, zone, daily_digest_at=at)))
    return Reply.plain(t("digest_usage", lang))


def _digest_line(request: Request, controls: AlertControls) -> str:
    return t(
        "digest_set", request.language, at=controls.daily_digest_at, tz=_zone(request, controls)
    )


def controls_lines(request: Request) -> list[str]:
    """The chat's alert controls in words, for /subscriptions (none: no line)."""
    assert request.chat_id is not None
    controls = chats.alert_controls(engine=request.service.engine, chat_id=request.chat_id)
    zone = _zone(request, controls)
    lines = []
    if controls.muted_until is not None and controls.muted_until > outbox.utcnow():
        until = _local(controls.muted_until, zone)
        lines.append(t("muted", request.language, until=until, tz=zone))
    if controls.quiet_start and controls.quiet_end:
        lines.append(_quiet_line(request, controls))
    if controls.daily_digest_at:
        lines.append(_digest_line(request, controls))
    return lines


@action("mute", group_admin=True, notice=True)
@changes_alerts
def mute_button(request: Request) -> Reply | None:
    """The "Mute 8 h" button under an alert."""
    duration = parse_duration(request.args)
    return _mute(request, duration) if duration is not None else None


@action("unsub", group_admin=True, notice=True)
@changes_alerts
def unsubscribe_button(request: Request) -> Reply | None:
    """The "Unsubscribe from <topic>" button under an alert."""
    if not request.args.isascii() or not request.args.isdigit():
        return None
    assert request.chat_id is not None
    removed = outbox.remove_subscription(
        engine=request.service.engine, chat_id=request.chat_id, reference=request.args
    )
    if removed is None:
        return Reply.plain(t("no_such_subscription", request.language, reference=request.args))
    return Reply.plain(t("unsubscribed", request.language, id=removed.id, topic=removed.topic))
