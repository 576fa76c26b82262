"""Date phrases and source: filters read out of questions, against an injected date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.filters import Period, day_bounds, local_today, parse_filters

TODAY = date(2025, 6, 5)  # a Thursday


@pytest.mark.parametrize(
    ("question", "start", "end", "left"),
    [
        ("What did the Kremlin say yesterday?", date(2025, 6, 4), date(2025, 6, 4), "Kremlin"),
        ("Qu'a dit le Kremlin hier ?", date(2025, 6, 4), date(2025, 6, 4), "Kremlin"),
        ("Kremlin today", TODAY, TODAY, "Kremlin"),
        ("Kremlin aujourd’hui", TODAY, TODAY, "Kremlin"),
        ("avant-hier à Kiev", date(2025, 6, 3), date(2025, 6, 3), "Kiev"),
        ("drones the day before yesterday", date(2025, 6, 3), date(2025, 6, 3), "drones"),
        ("news this week", date(2025, 6, 2), TODAY, "news"),
        ("Ukraine cette semaine", date(2025, 6, 2), TODAY, "Ukraine"),
        ("Ukraine la semaine dernière", date(2025, 5, 26), date(2025, 6, 1), "Ukraine"),
        ("Ukraine last week", date(2025, 5, 26), date(2025, 6, 1), "Ukraine"),
        ("grève ce mois-ci", date(2025, 6, 1), TODAY, "grève"),
        ("strikes this month", date(2025, 6, 1), TODAY, "strikes"),
        ("Kremlin depuis une semaine", date(2025, 5, 29), TODAY, "Kremlin"),
        ("Kremlin in the last two weeks", date(2025, 5, 22), TODAY, "Kremlin"),
        ("Kremlin over the past 10 days", date(2025, 5, 26), TODAY, "Kremlin"),
        ("Kremlin les 3 derniers jours", date(2025, 6, 2), TODAY, "Kremlin"),
        ("Kremlin en juin", date(2025, 6, 1), date(2025, 6, 30), "Kremlin"),
        ("Kremlin in June", date(2025, 6, 1), date(2025, 6, 30), "Kremlin"),
        ("Kremlin en juin 2024", date(2024, 6, 1), date(2024, 6, 30), "Kremlin"),
        ("Kremlin June 2024", date(2024, 6, 1), date(2024, 6, 30), "Kremlin"),
        ("Kremlin depuis le 3 juin", date(2025, 6, 3), TODAY, "Kremlin"),
        ("Kremlin since June 3", date(2025, 6, 3), TODAY, "Kremlin"),
        ("Kremlin le 4 juin", date(2025, 6, 4), date(2025, 6, 4), "Kremlin"),
        ("Kremlin on June 4", date(2025, 6, 4), date(2025, 6, 4), "Kremlin"),
        ("Kremlin le 1er juin 2025", date(2025, 6, 1), date(2025, 6, 1), "Kremlin"),
        ("Kremlin en 2025", date(2025, 1, 1), date(2025, 12, 31), "Kremlin"),
        ("Kremlin in 2024", date(2024, 1, 1), date(2024, 12, 31), "Kremlin"),
        ("Kremlin since 2025-06-01", date(2025, 6, 1), TODAY, "Kremlin"),
    ],
)
def test_date_phrases_become_a_period_and_leave_the_question(
    question: str, start: date, end: date, left: str
) -> None:
    parsed = parse_filters(question, today=TODAY)
    assert parsed.filters.period is not None
    assert (parsed.filters.period.start, parsed.filters.period.end) == (start, end)
    assert left in parsed.text
    assert parsed.filters.period.phrase not in parsed.text


def test_a_month_or_day_without_a_year_is_the_latest_one_not_in_the_future() -> None:
    december = parse_filters("Kremlin in December", today=TODAY).filters.period
    assert december == Period(date(2024, 12, 1), date(2024, 12, 31), "in December")
    later_day = parse_filters("le 10 juin", today=TODAY).filters.period
    assert later_day is not None and later_day.start == date(2024, 6, 10)


@pytest.mark.parametrize(
    "question",
    [
        "What did the Kremlin say?",
        "Putin may talk to Trump",  # "may" is a verb, not the month
        "Mars est une planète",  # "Mars" alone is not the month
        "le 31 février",  # no such day
        "What did they say on day 3?",
        "",
    ],
)
def test_no_date_phrase_no_period(question: str) -> None:
    parsed = parse_filters(question, today=TODAY)
    assert parsed.filters.period is None
    assert parsed.text == " ".join(question.split())


def test_source_filters_anywhere_several_and_quoted() -> None:
    parsed = parse_filters('Kremlin source:AFP drones source:"Keystone-ATS"', today=TODAY)
    assert parsed.filters.sources == ("AFP", "Keystone-ATS")
    assert parsed.text == "Kremlin drones"
    assert parse_filters("SOURCE:reuters Kremlin", today=TODAY).filters.sources == ("reuters",)


def test_selon_and_according_to_count_only_for_known_sources() -> None:
    known = ["AFP", "Reuters"]
    french = parse_filters("Kremlin selon l'AFP", today=TODAY, known_sources=known)
    assert french.filters.sources == ("AFP",) and french.text == "Kremlin"
    english = parse_filters("drones according to Reuters", today=TODAY, known_sources=known)
    assert english.filters.sources == ("Reuters",)
    minister = parse_filters("Kremlin selon le ministre", today=TODAY, known_sources=known)
    assert minister.filters.sources == () and "ministre" in minister.text


def test_the_time_zone_decides_which_day_it_is() -> None:
    late_in_paris = datetime(2025, 6, 4, 21, 30, tzinfo=UTC)  # 23:30 in Paris
    assert local_today(late_in_paris, "Europe/Paris") == date(2025, 6, 4)
    assert local_today(datetime(2025, 6, 4, 22, 30, tzinfo=UTC), "Europe/Paris") == date(2025, 6, 5)
    assert local_today(datetime(2025, 6, 4, 22, 30, tzinfo=UTC), "UTC") == date(2025, 6, 4)
    start, end = day_bounds(Period(date(2025, 6, 4), date(2025, 6, 4), "x"), "Europe/Paris")
    assert (start, end) == (
        datetime(2025, 6, 3, 22, 0, tzinfo=UTC),
        datetime(2025, 6, 4, 22, 0, tzinfo=UTC),
    )


@given(st.text(max_size=200), st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)))
def test_any_question_parses_to_a_sane_period_and_fewer_words(question: str, today: date) -> None:
    parsed = parse_filters(question, today=today, known_sources=["AFP"])
    period = parsed.filters.period
    if period is not None:
        assert period.start <= period.end
        assert period.phrase
    assert len(parsed.text.split()) <= len(question.split())


@given(
    st.sampled_from(["hier", "yesterday", "en juin", "since June 3", "cette semaine", "in 2024"]),
    st.lists(st.sampled_from(["Kremlin", "drones", "Istanbul", "Ouchakov", "?"]), max_size=4),
)
def test_a_date_phrase_is_found_wherever_it_stands(phrase: str, words: list[str]) -> None:
    for at in range(len(words) + 1):
        question = " ".join([*words[:at], phrase, *words[at:]])
        parsed = parse_filters(question, today=TODAY)
        assert parsed.filters.period is not None, question
        assert parsed.text.split() == [w for w in words if w], question
