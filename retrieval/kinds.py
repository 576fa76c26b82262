"""What a sentence carries for a question's type: a figure for how many, a date for when, a
year for what year, a place for where, a reason for why, a person for who, a quote or reported
speech for who said (``feature``), scored 0..1.5 with where it lies, to choose and cut excerpts
around (``retrieval.excerpt``) and rank a passage carrying the answer's kind first
(``retrieval.search``)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence

from retrieval.analysis import fold
from retrieval.question import QuestionType
from retrieval.speech import PERSON, QUOTE_OPENING, REPORTED_RE, attributes, words_pattern

_NUMBER_WORDS = frozenset(
    fold(w)
    for w in """two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred hundreds thousand thousands million millions billion billions dozen dozens
    half deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize
    vingt trente quarante cinquante soixante cent cents mille million millions milliard
    milliards dizaine dizaines centaine centaines quarantaine trentaine vingtaine moitié""".split()
)
_DATE_WORDS = frozenset(
    fold(w)
    for w in """january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday
    friday saturday sunday yesterday today tonight week month year weekend
    janvier février mars avril mai juin juillet août septembre octobre novembre décembre lundi
    mardi mercredi jeudi vendredi samedi dimanche hier aujourd demain semaine mois année an
    week-end""".split()
)
_YEAR_OR_TIME = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b|\b\d{1,2}(?:[:h]\d{2}|h\b)|\b[ap]\.m\.")
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
)
_FULL_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\s+\d{{1,2}}\b|\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\b)"
    r"|\b\d{1,2}(?::\d{2}|h\d{2})\b|\b\d{1,2}(?::\d{2})?\s?[ap]\.m\.",
    re.IGNORECASE,
)
# A run of digits with its separators ("124,000", "2.6", "5m"), and what makes one a year; the
# digits of a model's or a code's name ("S-400", "G20", "XJ1500") count nothing.
_FIGURE = re.compile(r"(?<![\w.,])(?<![^\W\d_]-)\d(?:[\d,.]*\d)?")
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
# What a lone year is worth to a how-many question, below "dozens of" (0.7).
YEAR_AS_FIGURE = 0.4
# What a person the question does not name is worth to a who question (one it names: 0.5).
NEW_PERSON = 1.0


def _is_year(figure: re.Match[str]) -> bool:
    """A number from 1800 to 2099 not followed by a percent sign: far more often a year than a
    count ("2016 people" is taken for a year too)."""
    after = figure.string[figure.end() : figure.end() + 2].lstrip()
    return bool(_YEAR.fullmatch(figure.group())) and not after.startswith("%")


_LOCATIVE = frozenset(
    fold(w)
    for w in "in at near from to into outside inside à au aux près dans en vers depuis".split()
)


_NUMBER_WORDS_RE = words_pattern(_NUMBER_WORDS)
_DATE_WORDS_RE = words_pattern(_DATE_WORDS)
# What gives a reason: "because of his accent", "faute d'anneau couvert", "en raison de".
_CAUSE_RE = re.compile(
    r"\b(?:because|due to|owing to|as a result of|thanks to|in order to|the reason|"
    r"car|parce qu|en raison d|a cause d|faute d|grace a|afin d|pour cause d)"
)
_LOCATIVE_RE = re.compile(
    rf"\b(?:{'|'.join(sorted(_LOCATIVE, key=len, reverse=True))})\s+[A-Z]"
    # Places listed after what they are: "countries such as Switzerland", "des pays comme…".
    r"|\b(?:countries|cities|regions|provinces|pays|villes|régions)\s+"
    r"(?:such as|like|including|comme|dont|notamment)\s+[A-Z]"
)


def feature(
    sentence: str,
    question_type: QuestionType,
    speakers: Collection[str] = (),
    given: Collection[str] = (),
) -> tuple[float, int]:
    """How well a sentence carries what the type asks for (0..1.5), and where it lies.

    ``speakers`` (folded names of the question) make a who-said sentence stronger when it
    attributes words to one of them; ``given``, the question's own figures ("the Nokia 6"), are
    not the count it asks for. Word lists are matched on the folded sentence, so the
    positions of what they find are approximate (ligatures unfold), good enough to cut around.
    """
    if question_type == "other":
        return 0.0, 0
    folded = fold(sentence)
    if question_type == "who-said":
        return who_said_feature(sentence, folded, bool(speakers) and attributes(folded, speakers))
    if question_type == "how-many":
        # A figure in digits is more often the answer than "dozens of"; a year ("built in
        # 1818-1858", "in December 2016") is rarely the count asked for.
        return _first_found(
            (1.0, next(_counts(sentence, given), None)),
            (0.7, _NUMBER_WORDS_RE.search(folded)),
            (YEAR_AS_FIGURE, _FIGURE.search(sentence)),
        )
    if question_type == "year":
        year = next((m for m in _FIGURE.finditer(sentence) if _is_year(m)), None)
        if year:
            return 1.0, year.start()
        when, where = feature(sentence, "when")
        return YEAR_AS_FIGURE * when, where
    if question_type == "when":
        # A day of a month or a time says when; a lone month, weekday or year less so.
        return _first_found(
            (1.0, _FULL_DATE.search(sentence)),
            (0.8, _DATE_WORDS_RE.search(folded)),
            (0.6, _YEAR_OR_TIME.search(sentence)),
        )
    if question_type == "where":
        return _first_found((1.0, _LOCATIVE_RE.search(sentence)))
    if question_type == "why":
        return _first_found((1.0, _CAUSE_RE.search(folded)))
    # who: a person's name, two capitalised words inside the sentence; one the question does
    # not give is the answer's ("Who directed Nerve?" — "Directed by Henry Joost…").
    named = None
    for person in PERSON.finditer(sentence, 1):
        if not set(re.findall(r"\w+", fold(person.group()))) <= set(speakers):
            return NEW_PERSON, person.start()
        named = named or person
    return (0.5, named.start()) if named else (0.0, 0)


def _first_found(*tiers: tuple[float, re.Match[str] | None]) -> tuple[float, int]:
    """The value and position of the first tier whose sign was found, (0, 0) when none was."""
    for value, found in tiers:
        if found:
            return value, found.start()
    return 0.0, 0


def who_said_feature(sentence: str, folded: str, attributed: bool) -> tuple[float, int]:
    # A quote, or reported speech; more when it is attributed to the question's speaker.
    bonus = 0.5 if attributed else 0.0
    quoted = QUOTE_OPENING.search(sentence)
    if quoted:
        return 1.0 + bonus, quoted.start()
    if REPORTED_RE.search(folded):
        return 0.6 + bonus, 0
    return 0.0, 0


# The types whose answer an excerpt must show in so many signs to answer at all.
KIND_REQUIRED: frozenset[QuestionType] = frozenset({"how-many", "year"})


def holds_the_kind(text: str, question_type: QuestionType, given: Collection[str] = ()) -> bool:
    """Whether ``text`` holds what a question of ``KIND_REQUIRED`` type asks for: a count (a
    figure in digits or a number word, not a year alone nor a figure the question gives), a
    year. Other types' answers are too often worded otherwise ("the day before", "he warned")
    to be required."""
    if question_type == "how-many":
        return feature(text, "how-many", (), given)[0] > YEAR_AS_FIGURE
    if question_type == "year":
        return feature(text, "year")[0] >= 1.0
    return True


def question_figures(terms: Collection[str]) -> frozenset[str]:
    """The figures a question gives among its terms ("the Nokia 6"): not the count it asks for."""
    return frozenset(t for t in terms if t.isdigit())


def _counts(sentence: str, given: Collection[str]) -> Iterator[re.Match[str]]:
    """The figures of ``sentence`` that may be a count: not a year, not one the question gives."""
    return (m for m in _FIGURE.finditer(sentence) if m.group() not in given and not _is_year(m))


def figure_near(sentence: str, words: Sequence[int], given: Collection[str] = ()) -> int:
    """Where the figure (not a year, not ``given``) of ``sentence`` nearest one of the
    ``words`` (positions) starts; the first figure when none is given."""
    figures = [m.start() for m in _counts(sentence, given)]
    if not figures:
        return 0
    if not words:
        return figures[0]
    return min(figures, key=lambda f: (min(abs(f - w) for w in words), f))
