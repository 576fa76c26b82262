"""/trend's numbers: the articles on a topic per day of a period, by source (drawn by
``bot/chat/charts.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from retrieval.filters import Period, local_today

if TYPE_CHECKING:
    from bot.service import Depeche

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class TopicTrend:
    """Articles on a topic per day of a period, by source (``days`` in order, one count each)."""

    topic: str
    period: Period
    days: tuple[date, ...]
    by_source: dict[str, tuple[int, ...]]
    month_only: int  # matching articles dated only to their month or year, not on any day

    @property
    def total(self) -> int:
        """Articles drawn."""
        return sum(sum(counts) for counts in self.by_source.values())

    def busiest(self) -> tuple[date, int]:
        """The day with the most articles (the latest of equal ones) and its count."""
        totals = [sum(c[i] for c in self.by_source.values()) for i in range(len(self.days))]
        best = max(range(len(totals)), key=lambda i: (totals[i], i))
        return self.days[best], totals[best]


def topic_trend(
    service: Depeche,
    topic_text: str,
    *,
    period: Period | None = None,
    sources: Sequence[str] = (),
    now: datetime | None = None,
) -> TopicTrend:
    """Articles on a topic per day and source over the period (default: the last 30 days),
    from ``sources`` if given; ``TopicError`` when the topic does not parse."""
    if period is None:
        today = local_today(now or service.clock(), service.timezone)
        period = Period(today - timedelta(days=DEFAULT_DAYS - 1), today, f"{DEFAULT_DAYS} days")
    found = service.articles_matching(topic_text, period=period, sources=sources)
    days = tuple(period.start + timedelta(days=i) for i in range(period.days))
    position = {day: i for i, day in enumerate(days)}
    counts: dict[str, list[int]] = {}
    month_only = 0
    for item in found:
        day = _local_day(item.published_at, item.published_precision, service.timezone)
        if day is None or day not in position:
            month_only += 1
            continue
        counts.setdefault(item.source, [0] * len(days))[position[day]] += 1
    by_source = {s: tuple(c) for s, c in sorted(counts.items(), key=lambda kv: -sum(kv[1]))}
    return TopicTrend(topic_text, period, days, by_source, month_only)


def _local_day(published_at: datetime | None, precision: str, timezone: str) -> date | None:
    """The day an article counts on: none for month- or year-dated ones."""
    if published_at is None or precision in ("month", "year"):
        return None
    if precision == "time":
        return local_today(published_at, timezone)
    return published_at.date()
