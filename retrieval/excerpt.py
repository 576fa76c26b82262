"""Excerpts: the one or two sentences of a passage that answer a question, with matches marked."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from retrieval.analysis import Language, iter_words, term
from retrieval.passages import sentence_spans

MAX_EXCERPT_CHARS = 300
# A lone answering sentence shorter than this gets its neighbour for context.
SHORT_SENTENCE_CHARS = 120
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
    taken when it adds a term, or for context when the answering sentence is short. The result
    never exceeds ``max_chars`` and is cut at word boundaries with an ellipsis.
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
    first, last = best[1], best[2]
    if first == last and spans[last][1] - spans[first][0] < SHORT_SENTENCE_CHARS:
        # "Le Kremlin l'a jugée positive." says little without the sentence it comments on.
        if first > 0 and spans[last][1] - spans[first - 1][0] <= max_chars:
            first -= 1
        elif last + 1 < len(spans) and spans[last + 1][1] - spans[first][0] <= max_chars:
            last += 1
    start, end = spans[first][0], spans[last][1]
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
