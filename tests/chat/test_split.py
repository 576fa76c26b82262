"""Splitting long Telegram HTML into messages: valid, within the limit, nothing lost or glued."""

from __future__ import annotations

import html
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.chat.render import TELEGRAM_LIMIT, render_article_html, split_html, utf16_len
from tests.helpers import visible_text

# -- examples ----------------------------------------------------------------------------------


def test_a_cut_at_a_paragraph_break_keeps_the_space_that_overflowed() -> None:
    # The bug of issue 12: "traders said, withstorage levels" when the cut fell back to the
    # paragraph break and the space that overflowed was dropped.
    first = "word " * 85 + "end."
    second = "traders said, with storage levels " * 8
    parts = split_html(f"{first}\n\n{second}", 600)
    shown = " ".join(visible_text(p) for p in parts)
    assert "withstorage" not in shown
    assert shown.split() == f"{first} {second}".split()


def test_split_html_prefers_paragraph_breaks() -> None:
    paragraphs = [f"<b>Paragraph {n}</b> " + "word " * 150 for n in range(10)]
    parts = split_html("\n\n".join(paragraphs), 2000)
    assert len(parts) > 1
    for part in parts:
        assert part.startswith("<b>Paragraph")
        visible_text(part)


def test_no_part_is_only_markup() -> None:
    markup = "<b>" + "x" * 70 + "</b><i></i><b></b>\n\n<i> </i>" + "<b>y</b>" * 3
    parts = split_html(markup, 40)
    assert parts and all(visible_text(p).strip() for p in parts)
    assert split_html("<b></b>") == []


def test_a_tag_open_at_a_cut_is_closed_and_reopened() -> None:
    markup = '<a href="https://x.org/?a=1&amp;b=2"><b>' + "mot " * 300 + "</b></a>"
    parts = split_html(markup, 500)
    assert len(parts) > 2
    for part in parts:
        assert part.startswith('<a href="https://x.org/?a=1&amp;b=2"><b>')
        assert part.endswith("</b></a>")


def test_a_word_longer_than_a_message_is_cut_inside_only_then() -> None:
    markup = "short words " + "x" * 900 + " tail"
    parts = split_html(markup, 300)
    assert all(utf16_len(p) <= 300 for p in parts)
    assert "".join(visible_text(p) for p in parts).replace(" ", "") == markup.replace(" ", "")


def test_a_long_article_becomes_valid_messages() -> None:
    paragraphs = [
        (None if n % 3 else f"Part {n}", f"<p>Para {n} & " + "mot " * 400) for n in range(12)
    ]
    markup = render_article_html("<Title> & more", paragraphs, "AFP · 4 June 2025", "https://x.org")
    parts = split_html(markup)
    assert len(parts) > 1
    assert all(utf16_len(p) <= TELEGRAM_LIMIT for p in parts)
    shown = [visible_text(p) for p in parts]
    assert shown[0].startswith("<Title> & more")
    assert "<p>Para 11 &" in shown[-1]


# -- properties --------------------------------------------------------------------------------

# Words as articles hold them: accents, emoji (two UTF-16 units), characters to escape.
_ALPHABET = st.sampled_from(list("abcdefghijklmnopqrstuvwxyzéàçÉ«»'’-.,;:!?&<>\"0123456789😀🇫🇷"))
_WORD = st.text(_ALPHABET, min_size=1, max_size=20)
_SPACE = st.sampled_from([" ", " ", " ", "\n", "  ", "\u00a0"])


@st.composite
def _run(draw: st.DrawFn, word: st.SearchStrategy[str] = _WORD) -> str:
    """Some escaped words, maybe in bold, italics or a link (nested at times)."""
    words = draw(st.lists(word, min_size=1, max_size=40))
    spaces = draw(st.lists(_SPACE, min_size=len(words) - 1, max_size=len(words) - 1))
    text = html.escape(words[0], quote=False) + "".join(
        s + html.escape(w, quote=False) for s, w in zip(spaces, words[1:], strict=True)
    )
    for tag in draw(st.lists(st.sampled_from(["b", "i", "a", "code"]), max_size=2, unique=True)):
        opening = '<a href="https://news.test/?a=1&amp;b=2">' if tag == "a" else f"<{tag}>"
        text = f"{opening}{text}</{tag}>"
    return text


@st.composite
def _article(draw: st.DrawFn, word: st.SearchStrategy[str] = _WORD) -> str:
    paragraphs = draw(
        st.lists(
            st.lists(_run(word), min_size=1, max_size=6).map(" ".join), min_size=1, max_size=12
        )
    )
    return "\n\n".join(paragraphs)


_LIMITS = st.sampled_from([120, 300, 1000, TELEGRAM_LIMIT])


def _check_parts(parts: list[str], limit: int) -> list[str]:
    shown = []
    for part in parts:
        assert utf16_len(part) <= limit  # the markup too, so the text is within it
        text = visible_text(part)  # valid Telegram HTML, or it raises
        assert text.strip(), f"a part without visible text: {part!r}"
        shown.append(text)
    return shown


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_article(), _LIMITS)
def test_parts_are_valid_within_the_limit_and_lose_or_glue_no_word(markup: str, limit: int) -> None:
    shown = _check_parts(split_html(markup, limit), limit)
    # Joined, the parts show the original's words, in order, none glued to another.
    assert [w for text in shown for w in text.split()] == visible_text(markup).split()


_LONG_WORD = st.one_of(_WORD, st.text(_ALPHABET, min_size=60, max_size=400))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_article(_LONG_WORD), _LIMITS)
def test_words_longer_than_a_message_lose_no_character(markup: str, limit: int) -> None:
    shown = _check_parts(split_html(markup, limit), limit)
    assert re.sub(r"\s+", "", "".join(shown)) == re.sub(r"\s+", "", visible_text(markup))
