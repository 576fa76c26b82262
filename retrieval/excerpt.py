"""Excerpts: the one or two sentences of a passage that answer a question, with matches marked."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from retrieval.analysis import Language, iter_words, term
from retrieval.passages import sentence_spans

MAX_EXCERPT_CHARS = 300
ELLIPSIS = "…"


@dataclass(frozen=True)
class Excerpt:
    """Excerpt text and the (start, end) spans of the words that matched the question."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()


def _matches(text: str, terms: Collection[str], language: Language) -> list[tuple[int, int, str]]:
    found = []
    for word in iter_words(text):
        t = term(word.text, language)
        if t is not None and t in terms:
            found.append((word.start, word.end, t))
    return found


def make_excerpt(
    text: str,
    terms: Collection[str],
    language: Language,
    *,
    weights: Mapping[str, float] | None = None,
    max_chars: int = MAX_EXCERPT_CHARS,
) -> Excerpt:
    """Pick the best one or two consecutive sentences of ``text`` for ``terms`` and mark matches.

    A window scores the summed weight of the distinct terms it contains; a second sentence is
    only taken when it adds a term. The result never exceeds ``max_chars`` and is cut at word
    boundaries with an ellipsis.
    """
    terms = set(terms)
    matches = _matches(text, terms, language)
    spans = sentence_spans(text) or [(0, len(text))]

    def weight(found: set[str]) -> float:
        return sum((weights or {}).get(t, 1.0) for t in found)

    per_sentence = [{t for s, _, t in matches if a <= s < b} for a, b in spans]
    best = (weight(per_sentence[0]), 0, 0)
    for i, found in enumerate(per_sentence):
        candidates = [(weight(found), i, i)]
        if i + 1 < len(spans) and per_sentence[i + 1] - found:
            candidates.append((weight(found | per_sentence[i + 1]) - 1e-6, i, i + 1))
        for candidate in candidates:
            if candidate[0] > best[0]:
                best = candidate
    start, end = spans[best[1]][0], spans[best[2]][1]
    window = [(s - start, e - start) for s, e, _ in matches if start <= s and e <= end]
    return _shorten(text[start:end], window, max_chars)


def _shorten(text: str, highlights: list[tuple[int, int]], max_chars: int) -> Excerpt:
    if len(text) <= max_chars:
        return Excerpt(text, tuple(highlights))
    budget = max_chars - 2 * len(ELLIPSIS)
    # Centre the cut on the first match so the marked words stay visible.
    anchor = highlights[0][0] if highlights else 0
    start = max(0, min(anchor - budget // 4, len(text) - budget))
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < anchor else start
    end = start + budget
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    raw = text[start:end]
    body_start = start + len(raw) - len(raw.lstrip())
    body = raw.strip()
    shift = len(prefix) - body_start
    kept = tuple(
        (s + shift, e + shift)
        for s, e in highlights
        if s >= body_start and e <= body_start + len(body)
    )
    return Excerpt(f"{prefix}{body}{suffix}", kept)
