"""Cutting an article into paragraph-sized passages, the unit that is indexed and cited."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MIN_PASSAGE_CHARS = 120
MAX_PASSAGE_CHARS = 1200

# Abbreviations after which a full stop does not end a sentence ("M. Poutine", "MM. Trump").
_ABBREVIATIONS = frozenset(
    """m mm mme mmes mlle mlles dr pr me st ste mgr gen gal col cdt lt sgt av bd no nos vol p pp
    etc cf env ex fig art al mr mrs ms jr sr prof gov sen rep rev inc ltd co corp dept jan feb
    mar apr aug sept sep oct nov dec vs""".split()
)
# After a company's or a list's abbreviation the stop also ends the sentence when a word that
# opens sentences follows ("…sold the division to Microsoft Corp. The new device…"); a title's
# never does ("Gen. He Weidong", "M. Le Drian").
_CLOSING_ABBREVIATIONS = frozenset("inc ltd co corp etc dept".split())
_SENTENCE_OPENERS = frozenset(
    """the it he she they we this these those but in its his her their there
    il elle ils elles ce cette ces mais le la les selon""".split()
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”’)\]]*\s+(?=[\"'«“‘(\[]?\s?[A-ZÀ-ÖØ-Þ0-9])")


@dataclass(frozen=True)
class Block:
    """A paragraph of an article as a reader found it; ``heading`` marks an intertitle."""

    text: str
    heading: bool = False


@dataclass(frozen=True)
class PassageText:
    """A passage ready to store: its place in the article, its intertitle and its text."""

    position: int
    heading: str | None
    text: str


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the sentences of a paragraph, abbreviation-aware."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start : match.start()].rsplit(maxsplit=1)
        last_word = before[-1].lower().rstrip(".") if before else ""
        # "J. Smith" and "U.S. officials": a lone letter before the stop is an initial.
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            following = text[match.end() :].split(maxsplit=1)
            opens = bool(following) and following[0].lower() in _SENTENCE_OPENERS
            if not (last_word in _CLOSING_ABBREVIATIONS and opens):
                continue
        end = match.end()
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    if text[start:].strip():
        spans.append((start, len(text)))
    return [_strip_span(text, s, e) for s, e in spans]


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str) -> list[str]:
    """The sentences of a paragraph."""
    return [text[s:e] for s, e in sentence_spans(text)]


# How far past ``max_chars`` a passage may run to close a quote it opened: a quote cut between
# two passages can be shown whole by neither.
QUOTE_OVERRUN_CHARS = 400


def quote_open_after(text: str, inside: bool = False, *, paired: bool = False) -> bool:
    """Whether a quote is still open after ``text`` (``inside``: one was open before it): only
    the unambiguous marks count (an apostrophe may be one). A straight double quote opens when
    it stands before a word after a space, closes when it stands after one before a space, and
    otherwise pairs up: a quote the writer left open ("…that "The FIS Doping Panel… notice.")
    does not turn the next quote's opening mark into a closing one.

    ``paired``: straight quotes only pair up, as passages are split (reading their marks by
    position there split the dev set's passages worse: 3 answers lost of 511).
    """
    for i, char in enumerate(text):
        if char in "«“„":
            inside = True
        elif char in "»”":
            inside = False
        elif char == '"' and paired:
            inside = not inside
        elif char == '"':
            opens = _straight_quote_opens(text, i)
            inside = not inside if opens is None else opens
    return inside


def _straight_quote_opens(text: str, i: int) -> bool | None:
    """What the straight double quote at ``i`` does by where it stands: opens a quote (before a
    word, after a space), closes one (after a word, before a space), or None: it cannot tell."""
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if (before.isspace() or before in "(:") and (after.isalnum() or after in "'‘["):
        return True
    if not before.isspace() and (after.isspace() or after in ".,;:!?)"):
        return False
    return None


def starts_inside_quote(text: str) -> bool:
    """Whether ``text`` starts inside a quote opened before it: its first quote mark closes one
    ("…form joint ventures." Lu Dongfu, general manager…), as a passage cut from a long quote."""
    for i, char in enumerate(text):
        if char in "«“„":
            return False
        if char in "»”":
            return True
        if char == '"':
            return _straight_quote_opens(text, i) is False
    return False


def _split_long(text: str, max_chars: int) -> list[str]:
    if len(text) <= max_chars:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        size = len(current) + 1 + len(sentence)
        inside = size <= max_chars + QUOTE_OVERRUN_CHARS and quote_open_after(current, paired=True)
        if current and size > max_chars and not inside:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


def split_passages(
    blocks: Sequence[Block],
    *,
    min_chars: int = MIN_PASSAGE_CHARS,
    max_chars: int = MAX_PASSAGE_CHARS,
) -> list[PassageText]:
    """Group an article's blocks into passages.

    Short paragraphs join the next paragraph under the same intertitle (or the previous one
    when they close the section), long ones are cut between sentences, and each passage keeps
    the intertitle it sits under.
    """
    sections: list[tuple[str | None, list[str]]] = [(None, [])]
    for block in blocks:
        text = " ".join(block.text.split())
        if not text:
            continue
        if block.heading:
            sections.append((text, []))
        else:
            sections[-1][1].append(text)

    passages: list[PassageText] = []
    for heading, paragraphs in sections:
        merged: list[str] = []
        pending = ""
        for paragraph in paragraphs:
            pending = f"{pending} {paragraph}" if pending else paragraph
            if len(pending) >= min_chars:
                merged.append(pending)
                pending = ""
        if pending:
            if merged and len(merged[-1]) + len(pending) < max_chars:
                merged[-1] = f"{merged[-1]} {pending}"
            else:
                merged.append(pending)
        for paragraph in merged:
            for piece in _split_long(paragraph, max_chars):
                passages.append(PassageText(len(passages), heading, piece))
    return passages
