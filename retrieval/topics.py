"""Subscription topics: a small query grammar and whether an article matches it.

A topic is what a chat subscribes to::

    Kremlin Istanbul                 both words (after the same analysis as search)
    "cessez-le-feu" négociations     a phrase: consecutive words, then another word
    Ukraine OR Russie drones         (Ukraine or Russie) and drones
    Kremlin -football                Kremlin, but no article that mentions football

Words are analysed as questions are (case, accents, stopwords of either language dropped, each
word stemmed as French and as English), so ``négociation`` matches ``négociations`` and
``Negociations``. A bare hyphenated word (``Kiev-Moscou``) is a phrase of its parts. ``OR``
(upper case) binds the words on each side into one alternative; everything else must all match.

Pure computation: no storage, no Telegram.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from retrieval.analysis import (
    LANGUAGES,
    Language,
    fold,
    is_stopword,
    iter_words,
    normalize,
    term,
    words,
)

MAX_TOPIC_CHARS = 300
MAX_TOPIC_ITEMS = 12
EXAMPLE = 'Kremlin "cessez-le-feu" Ukraine OR Russie -football'

_PUNCTUATION = ".,;:!?()[]{}'"
_QUOTES = str.maketrans({c: '"' for c in "«»“”„‟"})
# A quoted phrase (possibly unclosed), or a run of anything else, each optionally negated.
_TOKEN = re.compile(r'\s*([-+]?)(?:"([^"]*)("?)|([^\s"]+))')


class TopicError(ValueError):
    """A topic that cannot be understood; the message says why, in plain words."""


@dataclass(frozen=True)
class Phrase:
    """A word or a quoted phrase: the consecutive terms it needs, each one of several stems."""

    text: str
    terms: tuple[frozenset[str], ...]
    quoted: bool = False

    def display(self) -> str:
        """How the phrase is written back in a topic's canonical text."""
        return f'"{self.text}"' if self.quoted else self.text

    def found_in(self, text: AnalysedText) -> bool:
        """Whether the phrase's terms appear consecutively in one passage of the text."""
        first = self.terms[0]
        if not first & text.terms:
            return False
        if len(self.terms) == 1:
            return True
        if not all(options & text.terms for options in self.terms[1:]):
            return False
        width = len(self.terms)
        for sequence in text.sequences:
            for start in range(len(sequence) - width + 1):
                if all(sequence[start + i] in self.terms[i] for i in range(width)):
                    return True
        return False


@dataclass(frozen=True)
class AnalysedText:
    """An article analysed once for matching against every topic: terms in reading order."""

    sequences: tuple[tuple[str, ...], ...]
    terms: frozenset[str]


class _TopicTerms(dict[str, str | None]):
    """Word -> its term in one language, None for a stopword of either language (filled on
    first sight): a topic skips both languages' stopwords, so that a phrase's words stay
    consecutive whatever language a stopword belongs to."""

    def __init__(self, language: Language) -> None:
        super().__init__()
        self.language = language

    def __missing__(self, word: str) -> str | None:
        found = self[word] = None if is_stopword(word) else term(word, self.language)
        return found


# Consulted inside ``map`` (no Python loop per word): every stored article is analysed here.
_TERMS: dict[Language, _TopicTerms] = {"fr": _TopicTerms("fr"), "en": _TopicTerms("en")}
_MAX_CACHED_TERMS = 1 << 18


def analyse_sequence(text: str, language: Language) -> tuple[str, ...]:
    """One text's terms in reading order, stopwords of either language skipped."""
    cache = _TERMS[language]
    if len(cache) > _MAX_CACHED_TERMS:
        cache.clear()
    return tuple(filter(None, map(cache.__getitem__, words(normalize(text)))))


def analysed(sequences: Iterable[tuple[str, ...]]) -> AnalysedText:
    """An article's analysed texts (``analyse_sequence`` of each) as one ``AnalysedText``."""
    found = tuple(sequences)
    return AnalysedText(found, frozenset().union(*found))


def analyse_article(
    title: str, passages: Iterable[tuple[str | None, tuple[str, ...]]], language: Language
) -> AnalysedText:
    """What a topic is matched against: the title, each intertitle once and each passage, from
    the passages' (heading, ``analyse_sequence`` of the text) worked out once at ingest."""
    sequences = [analyse_sequence(title, language)]
    seen: set[str] = set()
    for heading, sequence in passages:
        if heading and heading not in seen:
            seen.add(heading)
            sequences.append(analyse_sequence(heading, language))
        sequences.append(sequence)
    return analysed(sequences)


def analyse_text(texts: Iterable[str], language: Language) -> AnalysedText:
    """Analyse an article's title and passages (each a separate sequence) in its language."""
    return analysed(analyse_sequence(text, language) for text in texts)


def _word_terms(word: str) -> frozenset[str] | None:
    if is_stopword(word):
        return None
    stems = {term(word, language) for language in LANGUAGES}
    stems.discard(None)
    return frozenset(s for s in stems if s is not None) or None


def _phrase(text: str, *, quoted: bool) -> Phrase | None:
    text = " ".join(text.split())
    terms = tuple(t for w in iter_words(text) if (t := _word_terms(w.text)) is not None)
    return Phrase(text, terms, quoted) if terms else None


@dataclass(frozen=True)
class Topic:
    """A parsed topic: every clause must match (one of its phrases), no excluded phrase may."""

    text: str
    clauses: tuple[tuple[Phrase, ...], ...]
    excluded: tuple[Phrase, ...] = ()

    @property
    def key(self) -> str:
        """What makes two topics the same subscription: case and accents ignored."""
        return fold(self.text)

    @property
    def terms(self) -> frozenset[str]:
        """Every stem the topic looks for, to pick and highlight an excerpt."""
        return frozenset(
            stem
            for clause in self.clauses
            for phrase in clause
            for options in phrase.terms
            for stem in options
        )

    def matches(self, text: AnalysedText | Iterable[str], language: Language = "fr") -> bool:
        """Whether an article (analysed, or its title and passages) matches the topic."""
        analysed = text if isinstance(text, AnalysedText) else analyse_text(text, language)
        if any(phrase.found_in(analysed) for phrase in self.excluded):
            return False
        return all(any(p.found_in(analysed) for p in clause) for clause in self.clauses)


@dataclass
class _Item:
    phrase: Phrase | None
    raw: str
    negated: bool = False
    is_or: bool = False


def _tokenize(text: str) -> list[_Item]:
    items: list[_Item] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # only trailing spaces are left
            break
        position = match.end()
        sign, quoted, closing, bare = match.groups()
        if quoted is not None:
            if not closing:
                raise TopicError(f'A quotation mark is not closed: "{quoted.strip()}')
            if not quoted.strip():
                raise TopicError('Empty quotation marks: put a phrase between them, "like this".')
            items.append(_Item(_phrase(quoted, quoted=True), f'"{quoted.strip()}"', sign == "-"))
            continue
        if bare == "OR" and not sign:
            items.append(_Item(None, "OR", is_or=True))
            continue
        if not any(True for _ in iter_words(bare)):
            if bare.strip("-+") == "":
                raise TopicError("A lone '-': write the excluded word right after it, like -sport.")
            continue  # punctuation only
        bare = bare.strip(_PUNCTUATION)
        items.append(_Item(_phrase(bare, quoted=False), bare, sign == "-"))
    return items


def parse_topic(text: str) -> Topic:
    """Parse a topic, or raise ``TopicError`` saying what is wrong with it."""
    text = normalize(text).translate(_QUOTES).strip()
    if not text:
        raise TopicError("Say what to follow: one or more words.")
    if len(text) > MAX_TOPIC_CHARS:
        raise TopicError(f"That topic is too long: keep it under {MAX_TOPIC_CHARS} characters.")
    items = _tokenize(text)
    if len([i for i in items if not i.is_or]) > MAX_TOPIC_ITEMS:
        raise TopicError(f"That topic has too many words: at most {MAX_TOPIC_ITEMS}.")

    groups: list[list[_Item]] = []
    excluded: list[_Item] = []
    previous_or = False
    for i, item in enumerate(items):
        if item.is_or:
            if i == 0 or i == len(items) - 1 or previous_or or items[i + 1].is_or:
                raise TopicError("OR needs a word on each side, like: Ukraine OR Russie.")
            if items[i - 1].negated or items[i + 1].negated:
                raise TopicError(
                    "OR joins words to look for; an excluded -word cannot be part of it."
                )
            previous_or = True
            continue
        if item.negated:
            excluded.append(item)
        elif previous_or:
            groups[-1].append(item)
        else:
            groups.append([item])
        previous_or = False

    clauses: list[tuple[Phrase, ...]] = []
    for group in groups:
        phrases = tuple(i.phrase for i in group if i.phrase is not None)
        if len(phrases) < len(group) and len(group) > 1:
            common = next(i.raw for i in group if i.phrase is None)
            raise TopicError(f"{common} is too common a word to look for; choose another.")
        if phrases:
            clauses.append(phrases)
    if not clauses:
        if excluded and not groups:
            raise TopicError("Say what to look for, not only what to exclude.")
        raise TopicError("Those are all very common words; add a name or a subject.")
    exclusions = tuple(i.phrase for i in excluded if i.phrase is not None)
    parts = [" OR ".join(p.display() for p in clause) for clause in clauses]
    parts += [f"-{p.display()}" for p in exclusions]
    return Topic(" ".join(parts), tuple(clauses), exclusions)


@dataclass(frozen=True)
class TopicMatcher:
    """Topics compiled once to be matched against many articles (an ingest batch).

    A topic can only match an article holding a first term of one of its first clause's
    phrases; those terms point to their topics, so each article fully checks only the few
    topics one of its terms names, found with one set intersection.
    """

    topics: tuple[Topic, ...]
    keys: frozenset[str]
    by_key: dict[str, tuple[int, ...]]

    def matching(self, text: AnalysedText) -> list[int]:
        """The positions in ``topics`` of the topics the article matches, in order."""
        candidates = {i for key in self.keys & text.terms for i in self.by_key[key]}
        return [i for i in sorted(candidates) if self.topics[i].matches(text)]


def compile_topics(topics: Iterable[Topic]) -> TopicMatcher:
    """A matcher for these topics (positions as given)."""
    chosen = tuple(topics)
    by_key: dict[str, list[int]] = {}
    for i, topic in enumerate(chosen):
        keys = {stem for phrase in topic.clauses[0] for stem in phrase.terms[0]}
        for key in keys:
            by_key.setdefault(key, []).append(i)
    return TopicMatcher(
        chosen, frozenset(by_key), {key: tuple(found) for key, found in by_key.items()}
    )


@lru_cache(maxsize=4096)
def cached_topic(text: str) -> Topic | None:
    """A stored topic parsed once per process; None if it no longer parses."""
    try:
        return parse_topic(text)
    except TopicError:
        return None
