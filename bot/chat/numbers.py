"""The one reader of numbers typed by users or carried by buttons (/article 2, /latest 5,
``read:12``, ``more:3``): ASCII digits only, within the command's range, or nothing.

``str.isdigit`` and ``int`` accept more than a user means: ``"²".isdigit()`` is true and
``int("٣")`` is 3, and ``int`` of a hundred digits is a number no table holds. Every command
answers None with its usage line.
"""

from __future__ import annotations

import re

MAX_DIGITS = 12  # more is no id, count or page anyone has
_DIGITS = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")


def parse_number(text: str, *, low: int = 0, high: int = 10**MAX_DIGITS - 1) -> int | None:
    """The number ``text`` holds (spaces around allowed), if it is in ``low..high``; else None."""
    text = text.strip()
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None
