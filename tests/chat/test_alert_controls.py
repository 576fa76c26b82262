"""When a chat's alerts are held (mute, quiet hours, a daily digest) and how users write it:
pure functions, on an explicit clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.chat.alert_controls import hold_of, parse_clock, parse_duration
from storage.chats import AlertControls

NIGHT = AlertControls(quiet_start="22:00", quiet_end="07:00")


def at(hour: int, minute: int = 0, day: int = 3) -> datetime:
    return datetime(2025, 6, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8h", timedelta(hours=8)),
        ("30m", timedelta(minutes=30)),
        ("1d", timedelta(days=1)),
        ("1j", timedelta(days=1)),
        ("1h30m", timedelta(minutes=90)),
        ("2 w", timedelta(weeks=2)),
        ("0h", None),
        ("31d", None),
        ("forever", None),
        ("8", None),
        ("-1h", None),
        ("８h", None),  # full-width digit: not one of ours
    ],
)
def test_durations(text: str, expected: timedelta | None) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7:00", "07:00"), ("22h30", "22:30"), ("07.05", "07:05"), ("24:00", None), ("7", None)],
)
def test_times_of_day(text: str, expected: str | None) -> None:
    assert parse_clock(text) == expected


def test_quiet_hours_over_midnight_hold_until_they_end() -> None:
    assert hold_of(NIGHT, at(21, 59), "UTC") is None
    evening = hold_of(NIGHT, at(22, 0), "UTC")
    assert evening is not None and evening.until == at(7, day=4)
    morning = hold_of(NIGHT, at(6, 59, day=4), "UTC")
    assert morning is not None and morning.until == at(7, day=4)
    assert hold_of(NIGHT, at(7, day=4), "UTC") is None


def test_quiet_hours_are_in_the_chat_time_zone_else_the_default() -> None:
    paris = AlertControls(quiet_start="22:00", quiet_end="07:00", timezone="Europe/Paris")
    # 20:30 UTC is 22:30 in Paris (summer time): quiet until 07:00 Paris = 05:00 UTC
    held = hold_of(paris, at(20, 30), "UTC")
    assert held is not None and held.until == at(5, day=4)
    assert hold_of(NIGHT, at(20, 30), "Europe/Paris") is not None
    assert hold_of(NIGHT, at(20, 30), "UTC") is None


def test_a_daily_digest_holds_what_came_since_its_last_time() -> None:
    daily = AlertControls(daily_digest_at="08:00")
    held = hold_of(daily, at(12), "UTC")
    assert held is not None
    assert (held.queued_from, held.until) == (at(8), at(8, day=4))
    early = hold_of(daily, at(7, 59), "UTC")
    assert early is not None and (early.queued_from, early.until) == (at(8, day=2), at(8))


def test_a_mute_holds_everything_until_it_ends_before_quiet_hours() -> None:
    muted = AlertControls(muted_until=at(23), quiet_start="22:00", quiet_end="07:00")
    held = hold_of(muted, at(12), "UTC")
    assert held is not None and held.until == at(23)
    after = hold_of(muted, at(23), "UTC")  # the mute is over, the quiet hours are not
    assert after is not None and after.until == at(7, day=4)
