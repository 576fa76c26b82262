"""The one parser of numbers from users: ASCII digits in range, else None (the usage line)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.chat.numbers import parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1), (" 12 ", 12), ("007", 7), ("20", 20), ("21", None), ("0", None), ("", None),
     ("²", None), ("٣", None), ("1.5", None), ("-1", None), ("+1", None), ("1e3", None),
     ("99999999999999999999999", None), ("１", None), ("1 2", None)],
)  # fmt: skip
def test_examples(text: str, expected: int | None) -> None:
    assert parse_number(text, low=1, high=20) == expected


@given(st.text(max_size=30))
def test_anything_is_a_number_in_range_or_none(text: str) -> None:
    value = parse_number(text, low=1, high=50)
    if value is not None:
        assert 1 <= value <= 50
        assert text.strip().isascii() and text.strip().isdigit()


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_every_number_in_range_reads_back(number: int) -> None:
    assert parse_number(str(number)) == number
