"""Excerpts: the one or two sentences of a passage that answer a question, with matches marked.

Choosing the fragment is kept apart from formatting it (``bot`` renders the marks). A window of
one or two sentences scores the idf-weighted question terms it holds plus, when it carries what
the question's type asks for, a bonus worth the passage's rarest matched term:

- who-said: quoted words (« », “ ”, "…", '…') or reported speech ("said", "a déclaré", "selon");
  the attribution sentence comes along when the quote is in the next one, and the speaker's
  next words while they fit;
- how-many: a figure (digits or number words; a year less); when: a date, a weekday, a month, a
  year or a time; where: a place after a locative preposition; who: a person's name;
- no type (keywords): the article's lead, or the sentence naming what the answer is ("Which
  restaurant chains…").

Room left under ``MAX_EXCERPT_CHARS`` goes to the passage's next best sentences on the
question, as fragments joined by ``GAP``, else to the sentences around. A second look
(``avoid``: the sentences already shown) takes the next excerpt from the others: the best
answer shows two, as its best window is often beside the answer. An agency dateline
("MOSCOW, February 7. /TASS/.", "BAMAKO, 19 janvier (AFP) -") is cut off and never shown alone.
A window too long is cut at word boundaries around what answers. Quotes and who speaks them are
read by ``retrieval.speech``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from retrieval.analysis import Language, fold, iter_words, term
from retrieval.kinds import feature, figure_near, question_figures, who_said_feature
from retrieval.passages import quote_open_after, sentence_spans
from retrieval.question import QuestionType
from retrieval.speech import (
    EDITORS_INSERT,
    QUOTE_OPENING,
    attributes,
    quoted_sentences,
    speaking_sentences,
)

MAX_EXCERPT_CHARS = 300
# A lone answering sentence shorter than this gets its neighbour for context.
SHORT_SENTENCE_CHARS = 120
ELLIPSIS = "…"
# Between fragments of a passage that are not next to each other.
GAP = " … "
# A who-said window holding the speaker's attribution and the quote, in one sentence or two.
QUOTED_SPEAKER = 1.5
# How much the type's feature is worth, as a share of the passage's rarest matched term.
TYPE_BONUS = 1.5
# In a who-said window, what the speaker named only elsewhere in the passage is worth to a
# quote, and a word of the subject only around the words said, as a share of their weight.
CONTEXT_SHARE = 0.5
# What a name of the question found only elsewhere in the passage is worth to a window.
NAME_CONTEXT = 0.5
# For a question of no type ("Wilders fake picture Pechtold"), what an article's lead sentence
# is worth as the answer's kind, when it holds all of the question's words found in its passage
# but names: in news the lead tells the story the keywords name.
LEAD_FEATURE = 1.0
# How many of those words a keywords query's lead may lack and still tell the story.
LEAD_MISSING = 1
# For such a question, what a sentence naming what the answer is ("Which restaurant chains") is
# worth as the answer's kind.
FOCUS_FEATURE = 1.0

_DATELINE = re.compile(
    r"""^\s*[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’.\- ]{1,40}(?:\s*\([^)]{1,40}\))?,\s*
    [^.()\n]{0,30}?(?:\s*(?:\.\s*)?/[A-Z]{2,10}/\.?|\s*\([A-Za-z/ -]{2,20}\))\s*[-–—.]?\s*""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Excerpt:
    """Excerpt text, the (start, end) spans of the words that matched the question, and which
    of the passage's sentences (``excerpt_sentences`` after its dateline) it shows."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()
    sentences: tuple[int, ...] = ()


def dateline_end(text: str) -> int:
    """Where an agency dateline opening the text ends (0 when there is none)."""
    match = _DATELINE.match(text)
    return match.end() if match else 0


# A link ends what comes before it: web pages' share bars ("… Newsvine Permalink
# http://dw.com/p/2W1pc") run into the next sentence or intertitle without a full stop.
_LINK = r"(?:https?://|www\.)\S+"
_LINK_END = re.compile(rf"{_LINK}\s+")
_LINK_TAIL = re.compile(rf"{_LINK}$")


def excerpt_sentences(text: str) -> list[tuple[int, int]]:
    """The (start, end) of the sentences an excerpt is made of: the passage's sentences, also
    cut after a link."""
    spans = []
    for start, end in sentence_spans(text):
        cut = start
        for link in _LINK_END.finditer(text, start, end):
            spans.append((cut, link.start() + len(link.group().rstrip())))
            cut = link.end()
        if cut < end:
            spans.append((cut, end))
    return spans


def _body_sentences(text: str) -> list[str]:
    """The passage's sentences, its dateline left out."""
    start = dateline_end(text)
    spans = excerpt_sentences(text[start:]) or [(0, len(text) - start)]
    return [text[start + a : start + b] for a, b in spans]


def passage_feature(
    text: str,
    question_type: QuestionType,
    speakers: Collection[str] = (),
    given: Collection[str] = (),
) -> float:
    """The best feature score among the passage's sentences (its dateline left out)."""
    return max(
        feature(sentence, question_type, speakers, given)[0] for sentence in _body_sentences(text)
    )


def speech_feature(text: str, speakers: Collection[str], *, title: str = "") -> tuple[float, bool]:
    """For a who-said question, in one reading of the passage: its ``passage_feature``, and
    whether it, or its article's title ("Merkel says new steps agreed"), gives words to one of
    ``speakers`` by name ("Poutine a dit")."""
    named = bool(speakers) and attributes(fold(title), speakers)
    best = 0.0
    for sentence in _body_sentences(text):
        folded = fold(sentence)
        attributed = bool(speakers) and attributes(folded, speakers)
        named = named or attributed
        best = max(best, who_said_feature(sentence, folded, attributed)[0])
    return best, named


def names_speaker(text: str, speakers: Collection[str], *, title: str = "") -> bool:
    """Whether a passage, or its article's title, gives words to one of ``speakers`` by name."""
    return speech_feature(text, speakers, title=title)[1]


def _matches(text: str, terms: Collection[str], language: Language) -> list[tuple[int, int, str]]:
    found = []
    for word in iter_words(text):
        t = term(word.text, language)
        folded = fold(word.text)
        if t is not None and t in terms:
            found.append((word.start, word.end, t))
        elif folded in terms:  # a name searched in its English form, or an unanalysed script
            found.append((word.start, word.end, folded))
    return found


def make_excerpt(
    text: str,
    terms: Collection[str],
    language: Language,
    *,
    weights: Mapping[str, float] | None = None,
    question_type: QuestionType = "other",
    speakers: Collection[str] = (),
    speaker: Sequence[Collection[str]] = (),
    names: Sequence[Sequence[Collection[str]]] = (),
    lead: bool = False,
    focus: Collection[str] = (),
    avoid: Collection[int] = (),
    max_chars: int = MAX_EXCERPT_CHARS,
) -> Excerpt:
    """Pick the best one or two consecutive sentences of ``text`` for the question (for
    who-said, with the speaker's next words while they fit), marked.

    ``lead``: the text opens its article, so its first sentence is the story's lead.
    ``focus``: the terms of what the answer is ("Which *restaurant chains*…").
    ``avoid``: sentences not to show (those of an excerpt already shown); then, when no other
    sentence holds a word of the question, the excerpt is empty, unless for who-said the
    speaker goes on right after them: their next words are shown, unmarked.

    A window scores the summed weight of the distinct terms it holds, plus the type's bonus
    when one of its sentences carries the answer's kind. A second sentence is taken when it adds
    a term or the answer's kind, or for context when the answering sentence is short.
    """
    terms = set(terms)
    weights = weights or {}
    body_start = dateline_end(text)
    matches = [m for m in _matches(text, terms, language) if m[0] >= body_start]
    spans = [(body_start + a, body_start + b) for a, b in excerpt_sentences(text[body_start:])]
    if not spans:  # a dateline alone is shown rather than nothing
        spans = [(body_start, len(text))] if body_start < len(text) else [(0, len(text))]

    def weight(found: set[str]) -> float:
        # Summed in a fixed order: a set's order varies between runs, and so would the last
        # bits of the sum, and with them which of two equal windows wins.
        return sum(weights.get(t, 1.0) for t in sorted(found))

    per_sentence = [{t for s, _, t in matches if a <= s < b} for a, b in spans]
    inserts = [m.span() for m in EDITORS_INSERT.finditer(text)]
    # What the speaker's own words hold: an editor's insert in a quote is not said.
    per_said = [
        {t for s, _, t in matches if a <= s < b and not any(i <= s < j for i, j in inserts)}
        for a, b in spans
    ]
    sentences = [text[a:b] for a, b in spans]
    given = question_figures(terms)
    features = [feature(sentence, question_type, speakers, given) for sentence in sentences]
    who_said = question_type == "who-said"
    # For who-said, the quoted words themselves: the attribution alone is not the answer.
    quotes = quoted_sentences(sentences) if who_said else [False] * len(spans)
    # A passage further down its article may open on "…," he said for the speaker its article
    # named above it (the article was found for that name): the words are theirs.
    speaking = (
        speaking_sentences(sentences, quotes, speakers, named_before=not lead)
        if who_said
        else quotes
    )

    # Who speaks and the names asked about, as their words, each word as its terms: "the
    # ambassador said" speaks for the Russian ambassador to Cyprus, "Siyenko" names Oleg
    # Siyenko, and "Armenia" is one word whether found as "armenia" or "armen".
    def words_of(group: Sequence[Collection[str]]) -> list[frozenset[str]]:
        return [w for w in (frozenset(word) & terms for word in group) if w]

    speaker_words = words_of(speaker)
    groups = [g for g in map(words_of, names) if g]
    name_terms = set().union(*speaker_words, *(w for g in groups for w in g))
    in_passage = set().union(*per_sentence)
    if question_type == "other" and focus:
        # "Which restaurant chains…": the sentence naming the restaurants names the chains.
        focus = set(focus)
        for i, found_here in enumerate(per_sentence):
            if found_here & focus:
                features[i] = max(features[i], (FOCUS_FEATURE, 0))
    if lead and question_type == "other" and in_passage:
        # A lead holding every subject word found here (names may be missing) is worth as much
        # as it holds of their weight: a lead naming Munich Re but not the dividend asked about
        # does not tell that story, and one holding "gouvernement" but not the rare "Zeppelin"
        # tells little of it.
        subject = in_passage - name_terms
        total = weight(in_passage)
        missing = len(subject - per_sentence[0])
        # Keywords name the story, not every word of its lead: one may be told further down
        # ("Sarkozy trial campaign financing" — the lead says "illegally financing" and "trial",
        # the campaign comes later); not the only one asked ("Munich Re dividend").
        tells = not missing or (not focus and missing <= LEAD_MISSING < len(subject))
        if tells and total > 0:
            # (A word in every stored passage weighs nothing: then so may all of them.)
            features[0] = (LEAD_FEATURE * weight(per_sentence[0]) / total, 0)

    def value(words: list[frozenset[str]]) -> float:
        return sum(max(weights.get(t, 1.0) for t in word) for word in words)

    bonus = TYPE_BONUS * max((weights.get(t, 1.0) for _, _, t in matches), default=1.0)

    def score(first: int, last: int) -> float:
        found = set().union(*per_sentence[first : last + 1])
        window = range(first, last + 1)
        best_feature = max(features[i][0] for i in window)
        # The speaker, named once for a passage of quotes, is the speaker of each of them, at
        # a share: a quote naming its speaker is the surer answer.
        context = 0.0
        if any(quotes[i] for i in window) and any(speaking[i] for i in window):
            best_feature = max(best_feature, QUOTED_SPEAKER)  # "X said: «…»" over two sentences
            context = CONTEXT_SHARE
        speaker_value = 0.0
        if any(w & found for w in speaker_words):
            # Named but not speaking ("the panel, after having heard … Vylegzhanin, has
            # decided…"): the speaker is context, not the one whose words these are.
            named_only = who_said and not any(speaking[i] for i in window)
            speaker_value = (CONTEXT_SHARE if named_only else 1.0) * value(speaker_words)
        elif any(w & in_passage for w in speaker_words):
            speaker_value = context * value(speaker_words)
        # What it was said about belongs in the words said more than around them.
        said = set().union(*(per_said[i] for i in window if quotes[i])) if who_said else found
        topic = found - name_terms
        topic_value = weight(topic & said) + CONTEXT_SHARE * weight(topic - said)
        for group in groups:
            if any(w & said for w in group):
                topic_value += value(group)
            elif any(w & found for w in group):
                topic_value += CONTEXT_SHARE * value(group)
            elif any(w & in_passage for w in group):
                topic_value += NAME_CONTEXT * value(group)
        if not speaker_value + topic_value:
            return 0.0  # holds nothing of the question: the type alone does not answer
        return speaker_value + topic_value + bonus * best_feature - (last - first) * 1e-6

    # Each sentence alone, scored once: a window of one, and a fragment.
    avoid = frozenset(avoid)
    # A second look starts only from a sentence holding a word of the question: a name held
    # elsewhere in the passage makes any sentence worth a little, not an answer.
    single = [
        0.0 if i in avoid or (avoid and not per_sentence[i]) else score(i, i)
        for i in range(len(spans))
    ]
    free = [i for i in range(len(spans)) if i not in avoid]
    after = max(avoid, default=-1) + 1
    # A quote the first look cut short goes on in the next sentence: the rest is the answer
    # more often than another sentence on the subject ("…almost completed. There are minor
    # differences that will be agreed soon," Rudskoy said.).
    cut_short = (
        who_said
        and bool(avoid)
        and after < len(spans)
        and quotes[after]
        and quotes[after - 1]
        and speaking[after]
        and not QUOTE_OPENING.match(sentences[after].lstrip())
    )
    if cut_short:
        # …unless another sentence holds words of the question the first look did not show
        # ("The requirements to be met during the testing keep growing. «It can go on…»").
        shown_terms = set().union(*(per_sentence[i] for i in avoid if i < len(spans)))
        cut_short = not any(per_sentence[j] - shown_terms for j in free)
    if not free or (avoid and max(single) <= 0) or cut_short:
        # Nothing else is on the question; for who-said the speaker may go on after what was
        # shown ("…," the German chancellor said. "We have agreed on further steps," she added.).
        if not (who_said and avoid and after < len(spans) and speaking[after]):
            return Excerpt("")
        last = after
        while (
            last + 1 < len(spans)
            and last + 1 not in avoid
            and speaking[last + 1]
            and spans[last + 1][1] - spans[after][0] <= max_chars
        ):
            last += 1
        if cut_short and spans[last][1] - spans[after][0] <= max_chars:
            # Room left goes to the passage's best other sentence on the question, as below.
            chosen = _fragments(
                spans, sentences, range(after, last + 1), per_sentence, single, max_chars, avoid
            )
            if len(chosen) > last - after + 1:
                return _joined(text, spans, chosen, matches)
        start, end = spans[after][0], spans[last][1]
        shown = _shorten(text[start:end], [], max_chars)
        return replace(shown, sentences=tuple(range(after, last + 1)))
    best = (single[free[0]], free[0], free[0])
    for i in free:
        candidates = [(single[i], i, i)]
        if (
            i + 1 < len(spans)
            and i + 1 not in avoid
            and spans[i + 1][1] - spans[i][0] <= max_chars * 1.5
        ):
            adds_term = bool(per_sentence[i + 1] - per_sentence[i])
            adds_kind = (
                features[i + 1][0] > features[i][0]
                or (quotes[i + 1] and not quotes[i])
                or (speaking[i + 1] and not speaking[i])
            )
            # A quote and the unrelated sentence after it are not one answer to who-said.
            leaves_speech = who_said and speaking[i] and not (speaking[i + 1] or quotes[i + 1])
            if (adds_term or adds_kind) and not leaves_speech:
                candidates.append((score(i, i + 1), i, i + 1))
        for candidate in candidates:
            if candidate[0] > best[0]:
                best = candidate
    first, last = best[1], best[2]
    if who_said:
        # The words said go on while they fit: of a speaker's quotes the one labelled the
        # answer is often the next ("We are proud," he said. "It gives hope to others.").
        while (
            last + 1 < len(spans)
            and last + 1 not in avoid
            and spans[last + 1][1] - spans[first][0] <= max_chars
            and (speaking[last + 1] or (quotes[last + 1] and quotes[last]))
        ):
            last += 1
        # A quote running over sentences is shown from its opening mark.
        while (
            first > 0
            and first - 1 not in avoid
            and quotes[first]
            and quotes[first - 1]
            and not QUOTE_OPENING.match(sentences[first].lstrip())
            and spans[last][1] - spans[first - 1][0] <= max_chars
        ):
            first -= 1
    if first == last and spans[last][1] - spans[first][0] < SHORT_SENTENCE_CHARS:
        # "Le Kremlin l'a jugée positive." says little without the sentence it comments on;
        # a quote left open ("He joked: «God is so busy.") says it in the next one.
        fits_next = _fits(spans, sentences, (first, last), last + 1, max_chars, avoid)
        fits_before = _fits(spans, sentences, (first, last), first - 1, max_chars, avoid)
        if fits_next and quotes[last + 1] and quote_open_after(sentences[last]):
            last += 1
        elif fits_before:
            first -= 1
        elif fits_next:
            last += 1
    if spans[last][1] - spans[first][0] <= max_chars:
        # Room left goes to the passage's next best sentences, wherever they are, as fragments
        # ("… According to Petrenko, the most expensive watch cost $700,000."): the answer is
        # often a sentence of the passage the question's words do not single out. Then to the
        # sentences around, whole (the next first).
        chosen = _fragments(
            spans, sentences, range(first, last + 1), per_sentence, single, max_chars, avoid
        )
        if len(chosen) > last - first + 1:
            return _joined(text, spans, chosen, matches)
    first, last = _fill(spans, sentences, first, last, max_chars, avoid)
    start, end = spans[first][0], spans[last][1]
    found = [(s - start, e - start, t) for s, e, t in matches if start <= s and e <= end]

    # Cut around the strongest sign of the answer: for who-said, the quote after its
    # attribution, and of two quotes the one on the subject ("…the level of danger…").
    def strength(i: int) -> tuple[bool, float, float, int]:
        on_subject = weight(per_said[i] - name_terms) if who_said else 0.0
        return quotes[i], on_subject, features[i][0], -i

    strongest = max(range(first, last + 1), key=strength)
    if question_type == "how-many" and features[strongest][0] == 1.0:
        # Of a long sentence's figures, the count asked for stands by the question's words
        # ("…thought to number about 10,000"), not by a subhead run into it.
        a, b = spans[strongest]
        near = [s - a for s, _, _ in matches if a <= s < b]
        anchor = a + figure_near(sentences[strongest], near, given) - start
    elif features[strongest][0]:
        anchor = spans[strongest][0] + features[strongest][1] - start
    elif who_said and quotes[strongest]:
        # A quote run on from the sentence before has no mark of its own: it is the words said.
        anchor = spans[strongest][0] - start
    else:
        # Nothing the type asks for: keep the sentence holding most of the question in view.
        heaviest = max(range(first, last + 1), key=lambda i: (weight(per_sentence[i]), -i))
        a, b = spans[heaviest]
        here = [s - start for s, _, _ in matches if a <= s < b]
        anchor = here[0] if here else (found[0][0] if found else 0)
    shown = _shorten(text[start:end], found, max_chars, anchor, weights)
    return replace(shown, sentences=tuple(range(first, last + 1)))


def _runs(indices: Collection[int]) -> list[tuple[int, int]]:
    """Sorted sentence indices as runs of consecutive ones, (first, last) each."""
    runs: list[tuple[int, int]] = []
    for i in sorted(indices):
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _joined_length(spans: Sequence[tuple[int, int]], indices: Collection[int]) -> int:
    """The length of the sentences ``indices`` shown as fragments, runs joined by ``GAP``."""
    runs = _runs(indices)
    return sum(spans[b][1] - spans[a][0] for a, b in runs) + len(GAP) * (len(runs) - 1)


def _fragments(
    spans: Sequence[tuple[int, int]],
    sentences: Sequence[str],
    window: Collection[int],
    holds: Sequence[Collection[str]],
    scores: Sequence[float],
    max_chars: int,
    avoid: Collection[int] = (),
) -> set[int]:
    """The window's sentences and, while they fit, one at a time, the other of best score
    alone (``scores``) that ``holds`` a word of the question and is not to ``avoid``; a share
    bar ending in a link is none."""
    chosen = set(window)
    while True:
        options = [
            (scores[j], -j)
            for j in range(len(spans))
            if j not in chosen
            and j not in avoid
            and holds[j]
            and not _LINK_TAIL.search(sentences[j])
            and _joined_length(spans, chosen | {j}) <= max_chars
        ]
        best = max(options, default=(0.0, 0))
        if best[0] <= 0:
            return chosen
        chosen.add(-best[1])


def _joined(
    text: str,
    spans: Sequence[tuple[int, int]],
    indices: Collection[int],
    matches: Sequence[tuple[int, int, str]],
) -> Excerpt:
    """The sentences ``indices`` of ``text`` in their order, runs joined by ``GAP``, marked."""
    parts: list[str] = []
    highlights: list[tuple[int, int]] = []
    offset = 0
    for first, last in _runs(indices):
        if parts:
            parts.append(GAP)
            offset += len(GAP)
        start, end = spans[first][0], spans[last][1]
        highlights += [
            (s - start + offset, e - start + offset)
            for s, e, _ in matches
            if start <= s and e <= end
        ]
        parts.append(text[start:end])
        offset += end - start
    return Excerpt("".join(parts), tuple(highlights), tuple(sorted(indices)))


def _fits(
    spans: Sequence[tuple[int, int]],
    sentences: Sequence[str],
    window: tuple[int, int],
    added: int,
    room: int,
    avoid: Collection[int] = (),
) -> bool:
    """Whether sentence ``added``, just before or after the ``window`` (first, last), fits in
    ``room`` with it and is not to ``avoid``; a share bar ending in a link is no context."""
    first, last = min(window[0], added), max(window[1], added)
    return (
        0 <= added < len(spans)
        and added not in avoid
        and spans[last][1] - spans[first][0] <= room
        and not _LINK_TAIL.search(sentences[added])
    )


def _fill(
    spans: Sequence[tuple[int, int]],
    sentences: Sequence[str],
    first: int,
    last: int,
    max_chars: int,
    avoid: Collection[int] = (),
) -> tuple[int, int]:
    """Widen the window ``first``..``last`` by whole sentences not to ``avoid`` while it fits
    in ``max_chars``, the next one first."""
    while True:
        if _fits(spans, sentences, (first, last), last + 1, max_chars, avoid):
            last += 1
        elif _fits(spans, sentences, (first, last), first - 1, max_chars, avoid):
            first -= 1
        else:
            return first, last


def _cut_start(
    text: str,
    found: Sequence[tuple[int, int, str]],
    weights: Mapping[str, float],
    budget: int,
    anchor: int,
) -> int:
    """Where to start showing a text too long to show whole: at a word that keeps what answers
    (``anchor``: the quote, the figure) with a third of the room after it, and of those the one
    keeping most weight of the question's words in view (the speaker named before the quote,
    "Merkel … said. «…»"), then the first word from a little before the anchor."""
    preferred = max(0, min(anchor - budget // 4, len(text) - budget))
    earliest = max(0, min(anchor - 2 * budget // 3, len(text) - budget))
    latest = max(earliest, min(anchor, len(text) - budget // 3))
    starts = [0] if earliest == 0 else []
    starts += [i + 1 for i in range(earliest, latest) if text[i] == " "]
    if not starts:
        return preferred

    def kept(start: int) -> tuple[float, bool, int]:
        seen = {t for s, e, t in found if s >= start and e <= start + budget}
        return sum(weights.get(t, 1.0) for t in sorted(seen)), start >= preferred, -start

    return max(starts, key=kept)


def _shorten(
    text: str,
    found: Sequence[tuple[int, int, str]],
    max_chars: int,
    anchor: int = 0,
    weights: Mapping[str, float] | None = None,
) -> Excerpt:
    highlights = [(s, e) for s, e, _ in found]
    if len(text) <= max_chars:
        return Excerpt(text, tuple(highlights))
    budget = max_chars - 2 * len(ELLIPSIS)
    start = _cut_start(text, found, weights or {}, budget, anchor)
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
