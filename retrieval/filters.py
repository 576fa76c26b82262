"""Date phrases and ``source:`` filters in a question, taken out before its words are searched.

``parse_filters("What did the Kremlin say yesterday? source:AFP", today=date(2025, 6, 5))``
gives the text left to search (``"What did the Kremlin say ?"``) and the filters: the period
(4 June 2025, from the phrase "yesterday") and the sources (``AFP``). Pure: the caller passes
today's date *in the time zone the bot serves* (a question asked at 23:30 in Paris on the 4th is
about the 4th, even though it is already the 5th in UTC); :func:`local_today` gives it.

A small grammar rather than ``dateparser``: questions need *periods* ("this week", "in June",
"since June 3" — a start and an end), where dateparser returns one instant, and its free-text
search takes news words for dates (English "may", French "mars"); here a month name counts only
after a preposition (``in``/``en``/``since``/``depuis``) or beside a day number or a year.
Relative phrases count back from today; a month or day without a year is the latest one not in
the future ("in December" asked in June is last December).
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Period:
    """Days from ``start`` to ``end``, both included, as calendar dates where the bot is, and
    the words of the question they were read from."""

    start: date
    end: date
    phrase: str

    @property
    def days(self) -> int:
        """How many days the period spans."""
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Filters:
    """What a question restricts its search to: a period, and sources (any of them)."""

    period: Period | None = None
    sources: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.period is not None or bool(self.sources)


@dataclass(frozen=True)
class ParsedQuestion:
    """A question with its filters taken out: ``text`` is what is left to search."""

    text: str
    filters: Filters = field(default_factory=Filters)


def in_period(
    published_at: datetime | None, precision: str, period: Period, timezone: str | ZoneInfo
) -> bool:
    """Whether an article published then (known to ``precision``) is in the period.

    A publication time is compared where the bot is (``timezone``): 23:30 in Paris on the 4th
    is the 4th. A calendar date (stored at midnight UTC) is that day wherever the reader is; a
    date known only to its month (the seed, ``2025-06``) or year is in every period that
    overlaps that month or year. Undated articles are in no period. ``storage.repository``'s
    ``period_clause`` says the same in SQL (a test holds them together).
    """
    if published_at is None:
        return False
    if published_at.tzinfo is None:
        published_at = published_at.replace(tzinfo=UTC)
    if precision == "time":
        start, end = day_bounds(period, timezone)
        return start <= published_at < end
    day = published_at.astimezone(UTC).date()
    if precision == "month":
        return (period.start.year, period.start.month) <= (day.year, day.month) and (
            day <= period.end
        )
    if precision == "year":
        return period.start.year <= day.year and day <= period.end
    return period.start <= day <= period.end


def local_today(now: datetime, timezone: str | ZoneInfo) -> date:
    """The calendar date at ``now`` (an aware instant) in ``timezone``."""
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(zone).date()


def day_bounds(period: Period, timezone: str | ZoneInfo) -> tuple[datetime, datetime]:
    """The period as UTC instants, start included and end excluded: for articles whose
    publication time is known (feeds), compared where the bot is."""
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    start = datetime(period.start.year, period.start.month, period.start.day, tzinfo=zone)
    after = period.end + timedelta(days=1)
    end = datetime(after.year, after.month, after.day, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


# -- the grammar -------------------------------------------------------------------------------

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        ("january", "jan", "janvier", "janv"),
        ("february", "feb", "fevrier", "fevr", "fev"),
        ("march", "mar", "mars"),
        ("april", "apr", "avril", "avr"),
        ("may", "mai"),
        ("june", "jun", "juin"),
        ("july", "jul", "juillet", "juil"),
        ("august", "aug", "aout"),
        ("september", "sep", "sept", "septembre"),
        ("october", "oct", "octobre"),
        ("november", "nov", "novembre"),
        ("december", "dec", "decembre"),
    ],
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _number

COUNTS = {
    "a": 1, "an": 1, "one": 1, "un": 1, "une": 1, "two": 2, "deux": 2, "three": 3, "trois": 3,
    "four": 4, "quatre": 4, "five": 5, "cinq": 5, "six": 6, "seven": 7, "sept": 7,
    "eight": 8, "huit": 8, "nine": 9, "neuf": 9, "ten": 10, "dix": 10, "quinze": 15,
    "fifteen": 15, "few": 3, "quelques": 3,
}  # fmt: skip
UNIT_DAYS = {
    "day": 1, "days": 1, "jour": 1, "jours": 1, "week": 7, "weeks": 7, "semaine": 7,
    "semaines": 7, "month": 30, "months": 30, "mois": 30, "year": 365, "years": 365,
    "an": 365, "ans": 365, "annee": 365, "annees": 365,
}  # fmt: skip
MAX_COUNT = 3660  # days: a count above ten years is not a period anyone means

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_MONTH2 = r"(?P<month2>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:er|st|nd|rd|th)?"
_COUNT = r"(?P<count>\d{1,4}|" + "|".join(sorted(COUNTS, key=len, reverse=True)) + r")"
_UNIT = r"(?P<unit>" + "|".join(sorted(UNIT_DAYS, key=len, reverse=True)) + r")"
_B = r"(?<![\w-])"  # word start (a hyphen joins words: "avant-hier" is not "hier")
_E = r"(?![\w-])"

# A day with its month: "3 juin", "3rd of June", "June 3", "June 3rd, 2025", "2025-06-03".
_DATE = (
    rf"(?:{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?"
    rf"|{_MONTH2}\s+(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?(?:,?\s+(?P<year2>(?:19|20)\d\d))?"
    rf"|(?P<iso_year>(?:19|20)\d\d)-(?P<iso_month>[01]\d)-(?P<iso_day>[0-3]\d))"
)

# (kind, pattern) in the order they are tried: longer phrases before the ones they contain.
_RULES: list[tuple[str, str]] = [
    ("day_before", r"avant[- ]hier|the\s+day\s+before\s+yesterday"),
    ("yesterday", r"hier|yesterday"),
    ("today", r"aujourd'hui|today|ce\s+jour"),
    ("last_n", rf"(?:over|in|during|within|for)\s+the\s+(?:past|last)\s+(?:{_COUNT}\s+)?{_UNIT}"),
    ("last_n", rf"(?:the\s+)?(?:past|last)\s+{_COUNT}\s+{_UNIT}"),
    ("last_n", rf"depuis\s+{_COUNT}\s+{_UNIT}"),
    ("last_n", rf"(?:ces|les|des)\s+(?:{_COUNT}\s+)?derni(?:ers|eres)\s+{_UNIT}"),
    ("last_n", rf"(?:au\s+cours\s+)?(?:de\s+la|du)\s+derni(?:ere|er)\s+{_UNIT}"),
    ("this_week", r"(?:cette|this)\s+(?:semaine|week)"),
    ("last_week", r"(?:la\s+)?semaine\s+(?:derniere|passee)|last\s+week"),
    ("this_month", r"ce\s+mois(?:-ci)?|this\s+month"),
    ("last_month", r"(?:le\s+)?mois\s+(?:dernier|passe)|last\s+month"),
    ("this_year", r"cette\s+annee|this\s+year"),
    ("last_year", r"(?:l'|l’)?annee\s+(?:derniere|passee)|last\s+year"),
    ("since_date", rf"(?:depuis|since)\s+(?:le\s+|the\s+)?{_DATE}"),
    (
        "since_month",
        rf"(?:depuis|since)\s+(?:(?:le\s+)?(?:mois\s+de\s+|debut\s+))?{_MONTH}"
        rf"(?:\s+{_YEAR})?",
    ),
    ("since_year", rf"(?:depuis|since)\s+{_YEAR}"),
    ("on_date", rf"(?:(?:le|on|du|the)\s+)?{_DATE}"),
    ("in_month", rf"(?:(?:en|in|au\s+mois\s+de|during)\s+)?{_MONTH}\s+{_YEAR}"),
    ("in_month", rf"(?:en|in|au\s+mois\s+de|during)\s+{_MONTH}"),
    ("in_year", rf"(?:en|in|during)\s+{_YEAR}"),
]
_PATTERNS = [
    (kind, re.compile(rf"{_B}(?:{pattern}){_E}", re.IGNORECASE)) for kind, pattern in _RULES
]

_SOURCE = re.compile(
    r"(?<!\S)sources?\s?:\s?(?:\"(?P<dq>[^\"]{1,100})\"|'(?P<sq>[^']{1,100})'|“(?P<cq>[^”]{1,100})”"
    r"|«\s?(?P<gq>[^»]{1,100}?)\s?»|(?P<bare>[^\s\"',;?!]{1,100}))",
    re.IGNORECASE,
)
# "selon l'AFP", "d'après Reuters", "according to Reuters": taken as a filter only when the
# name is a known source, so that "selon le ministre" stays part of the question.
_ATTRIBUTION = re.compile(
    r"(?<![\w-])(?:selon|d'apr[eè]s|according\s+to)\s+(?:(?:l'|l’|le\s+|la\s+|les\s+|the\s+))?"
    r"(?P<name>[\w][\w&.-]{0,60}(?:\s[\w][\w&.-]{0,60})?)",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    """Lower case without accents, one character for one (so positions stay those of text)."""
    out = []
    for char in text:
        folded = unicodedata.normalize("NFD", char)[0].lower()
        out.append(folded if len(folded) == 1 else char)
    return "".join(out).replace("’", "'")


def _latest(month: int, day: int | None, today: date) -> date | None:
    """The latest month (or day of it) not after today: this year's, else last year's."""
    for year in (today.year, today.year - 1):
        try:
            found = date(year, month, day or 1)
        except ValueError:
            continue
        if found <= today:
            return found
    return None


def _date_of(match: re.Match[str], today: date) -> date | None:
    groups = match.groupdict()
    if groups.get("iso_year"):
        try:
            return date(int(groups["iso_year"]), int(groups["iso_month"]), int(groups["iso_day"]))
        except ValueError:
            return None
    month = MONTHS[(groups.get("month") or groups.get("month2") or "").lower()]
    day = int(groups.get("day") or groups.get("day2") or 0)
    year = groups.get("year") or groups.get("year2")
    if not 1 <= day <= 31:
        return None
    if year:
        try:
            return date(int(year), month, day)
        except ValueError:
            return None
    return _latest(month, day, today)


def _month_end(day: date) -> date:
    return date(day.year, day.month, monthrange(day.year, day.month)[1])


def _period(kind: str, match: re.Match[str], today: date) -> tuple[date, date] | None:
    groups = match.groupdict()
    if kind == "today":
        return today, today
    if kind == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if kind == "day_before":
        return today - timedelta(days=2), today - timedelta(days=2)
    if kind == "last_n":
        unit = groups["unit"].lower()
        # "ces derniers jours", "the past days": a few; "the past week": one.
        plural = unit.endswith("s") and unit != "mois"
        raw = (groups.get("count") or ("few" if plural else "1")).lower()
        count = int(raw) if raw.isdigit() else COUNTS[raw]
        days = count * UNIT_DAYS[unit]
        if not 0 < days <= MAX_COUNT:
            return None
        return today - timedelta(days=days), today
    if kind == "this_week":
        return today - timedelta(days=today.weekday()), today
    if kind == "last_week":
        monday = today - timedelta(days=today.weekday() + 7)
        return monday, monday + timedelta(days=6)
    if kind == "this_month":
        return today.replace(day=1), today
    if kind == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if kind == "this_year":
        return date(today.year, 1, 1), today
    if kind == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if kind in ("since_date", "on_date"):
        found = _date_of(match, today)
        if found is None or (kind == "since_date" and found > today):
            return None
        return (found, today) if kind == "since_date" else (found, found)
    if kind in ("since_month", "in_month"):
        month = MONTHS[groups["month"].lower()]
        year = groups.get("year")
        start = date(int(year), month, 1) if year else _latest(month, None, today)
        if start is None:
            return None
        if kind == "since_month":
            return (start, today) if start <= today else None
        return start, _month_end(start)
    if kind == "since_year":
        start = date(int(groups["year"]), 1, 1)
        return (start, today) if start <= today else None
    if kind == "in_year":
        year = int(groups["year"])
        return date(year, 1, 1), date(year, 12, 31)
    return None


def _cut(text: str, start: int, end: int) -> str:
    return text[:start] + " " + text[end:]


def _tidy(text: str) -> str:
    text = re.sub(r"\s+([?!.,;:])", r" \1", text)
    text = re.sub(r"(^|\s)[,;]+(?=\s|$)", " ", text)
    return " ".join(text.split())


def _find_period(text: str, today: date) -> tuple[Period, int, int] | None:
    folded = _fold(text)
    best: tuple[Period, int, int] | None = None
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(folded):
            bounds = _period(kind, match, today)
            if bounds is None:
                continue
            if best is None or match.start() < best[1]:
                phrase = " ".join(text[match.start() : match.end()].split())
                best = (Period(bounds[0], bounds[1], phrase), match.start(), match.end())
            break
    return best


def parse_filters(
    question: str, *, today: date, known_sources: Iterable[str] = ()
) -> ParsedQuestion:
    """Take the first date phrase and every ``source:`` filter out of a question.

    ``source:AFP`` (several allowed; quoted names such as ``source:"Keystone-ATS"``) is kept
    as written, matched case-insensitively by storage. "selon l'AFP" / "according to Reuters"
    count only for a name in ``known_sources``.
    """
    sources: list[str] = []
    text = question

    def take_source(match: re.Match[str]) -> str:
        name = next(g for g in match.group("dq", "sq", "cq", "gq", "bare") if g is not None)
        for part in name.split(",") if match.group("bare") else [name]:
            if part.strip() and part.strip().lower() not in {s.lower() for s in sources}:
                sources.append(part.strip())
        return " "

    text = _SOURCE.sub(take_source, text)
    known = {s.lower(): s for s in known_sources}
    if known:

        def take_attribution(match: re.Match[str]) -> str:
            words = match.group("name").split()
            for size in (2, 1):  # "Keystone ATS" before "Keystone"
                name = " ".join(words[:size]).rstrip(".")
                if len(words) >= size and name.lower() in known:
                    if known[name.lower()].lower() not in {s.lower() for s in sources}:
                        sources.append(known[name.lower()])
                    rest = " ".join(words[size:])
                    return f" {rest}" if rest else " "
            return match.group(0)

        text = _ATTRIBUTION.sub(take_attribution, text)
    period = None
    found = _find_period(text, today)
    if found is not None:
        period, start, end = found
        text = _cut(text, start, end)
    return ParsedQuestion(_tidy(text), Filters(period, tuple(sources)))
