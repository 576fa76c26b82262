"""Across languages and spellings: the other forms a question's words are also searched as.

- Translations: the curated table of news names and words (``retrieval.equivalents``) and, from
  CLDR through babel, the English and French names of countries, languages and cities
  ("Spain"/"Espagne", "Croatian"/"croate", "Moscow"/"Moscou").
- Spellings: a word the index has never seen ("Ouchakof", "inflaton") is looked up among the
  index's terms with rapidfuzz and searched as the closest one.

Added terms weigh less than the user's own words (``TRANSLATION_WEIGHT``, ``SPELLING_WEIGHT``,
multipliers of rank-bm25's per-term score).
"""

from __future__ import annotations

import math
import threading
import weakref
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Literal, Protocol

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from retrieval.analysis import LANGUAGES, Language, fold, is_stopword, iter_words, normalize, term
from retrieval.cognates import cognate_forms
from retrieval.equivalents import NEWS_EQUIVALENTS
from retrieval.question import Question

TRANSLATION_WEIGHT = 0.6
SPELLING_WEIGHT = 0.7
# Below a curated translation: a cognate by its ending may be a false friend.
COGNATE_WEIGHT = 0.5
MAX_PHRASE_WORDS = 3
# Words this short are names or acronyms too often confused with others to correct them...
MIN_FUZZY_CHARS = 5
# ...but a capitalised four-letter name one slip off a stored one ("Trmp", "Iarn") is.
MIN_FUZZY_NAME_CHARS = 4
# CLDR language names shorter than this are also common words ("Ewe", "Ga", "Lao").
MIN_CLDR_NAME_CHARS = 4


@dataclass(frozen=True)
class Expansion:
    """A form searched besides the user's words: from which question words, with which terms."""

    words: tuple[int, ...]  # positions in Question.words
    form: str  # as shown: "Poutine"
    terms: tuple[str, ...]
    kind: Literal["translation", "cognate", "spelling"]
    weight: float


@dataclass(frozen=True)
class _Form:
    text: str
    language: Language


def _key(text: str) -> str:
    """A form's lookup key: its folded words, stopwords and lone letters dropped."""
    words = [w.text for w in iter_words(normalize(text))]
    return " ".join(
        fold(w)
        for w in words
        if (w.isupper() and len(w) > 1) or (not is_stopword(w) and (len(w) > 1 or w.isdigit()))
    )


def _curated_groups() -> list[list[_Form]]:
    groups = []
    for line in NEWS_EQUIVALENTS.strip().splitlines():
        english, french = line.split(";")
        group = [_Form(f.strip(), "en") for f in english.split(",") if f.strip()]
        group += [_Form(f.strip(), "fr") for f in french.split(",") if f.strip()]
        groups.append(group)
    return groups


def _cldr_groups() -> list[list[_Form]]:
    from babel import Locale
    from babel.core import get_global
    from babel.dates import get_timezone_location

    en, fr = Locale("en"), Locale("fr")
    groups: list[list[_Form]] = []
    for code, name in en.territories.items():
        if code.isalpha() and code in fr.territories:
            groups.append([_Form(name, "en"), _Form(fr.territories[code], "fr")])
    for code, name in en.languages.items():
        if len(code) == 2 and code in fr.languages and len(name) >= MIN_CLDR_NAME_CHARS:
            groups.append([_Form(name, "en"), _Form(fr.languages[code], "fr")])
    for zone in get_global("zone_territories"):
        try:
            english = get_timezone_location(zone, locale=en, return_city=True)
            french = get_timezone_location(zone, locale=fr, return_city=True)
        except (LookupError, ValueError):
            continue
        if fold(english) != fold(french):
            groups.append([_Form(english, "en"), _Form(french, "fr")])
    return groups


class Equivalents:
    """Groups of forms meaning the same thing, looked up by a phrase's key or a word's stem."""

    def __init__(self, groups: Iterable[Sequence[_Form]]) -> None:
        self.groups = [tuple(g) for g in groups]
        self._by_key: dict[str, set[int]] = defaultdict(set)
        for index, group in enumerate(self.groups):
            for form in group:
                key = _key(form.text)
                if key:
                    self._by_key[key].add(index)
                    if " " not in key:
                        # Plurals and inflections: "Saudis" finds "Saudi", "croates" "croate";
                        # a name only from a name ("crime" is not "Crimée").
                        stemmed = term(key, form.language)
                        if stemmed:
                            self._by_key[_stem_key(stemmed, form.text[:1].isupper())].add(index)

    def lookup(self, key: str, stems: Iterable[str] = (), *, name: bool = False) -> set[int]:
        """The groups holding a form of ``key``, else (one word) of one of its ``stems``, a
        ``name`` (a capitalised word) among names only, a common word among common words."""
        found = set(self._by_key.get(key, ()))
        if not found and " " not in key:
            for stemmed in stems:
                found |= self._by_key.get(_stem_key(stemmed, name), set())
        return found


def _stem_key(stemmed: str, name: bool) -> str:
    return f"~^{stemmed}" if name else f"~{stemmed}"


@lru_cache(maxsize=1)
def equivalents() -> Equivalents:
    """The curated table and CLDR's names, built once."""
    return Equivalents([*_curated_groups(), *_cldr_groups()])


def form_terms(form: str, language: Language) -> tuple[str, ...]:
    """The index terms a form is found by in text of its language."""
    found = (term(w.text, language) for w in iter_words(normalize(form)))
    return tuple(dict.fromkeys(t for t in found if t))


def translations(question: Question, table: Equivalents | None = None) -> list[Expansion]:
    """Other-language forms of the question's words and phrases (longest phrases first)."""
    table = table or equivalents()
    words = question.words
    own = set(question.terms)
    expansions: list[Expansion] = []
    shown: set[str] = set()
    i = 0
    while i < len(words):
        for width in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
            span = words[i : i + width]
            key = " ".join(fold(w.text) for w in span)
            stems = span[0].terms if width == 1 else ()
            groups = table.lookup(key, stems, name=span[0].text[:1].isupper())
            if groups:
                break
        else:
            i += 1
            continue
        for group_index in sorted(groups):
            for form in table.groups[group_index]:
                if _key(form.text) == key or fold(form.text) in shown:
                    continue
                all_terms = form_terms(form.text, form.language)
                # "Union européenne" for "Union": a longer form of the user's words adds noise.
                if not all_terms or own.intersection(all_terms):
                    continue
                terms = all_terms
                shown.add(fold(form.text))
                weight = TRANSLATION_WEIGHT / math.sqrt(len(terms))
                positions = tuple(range(i, i + width))
                expansions.append(Expansion(positions, form.text, terms, "translation", weight))
        i += width
    return expansions


def cognates(
    question: Question, vocabulary: Vocabulary, *, known: Iterable[str] = ()
) -> list[Expansion]:
    """Other-language cognates of the question's words, as the index holds them ("nucléaire"
    is also searched as "nuclear", "security" as "sécurité"), but for the terms already
    searched (``known``: the translations'): the table's "troupes, soldats" for "militaires"
    does not hold "military"."""
    seen = set(known)
    proposed: list[tuple[int, Language, str, str]] = []
    for position, word in enumerate(question.words):
        if word.name:
            continue
        for language in LANGUAGES:
            other: Language = "en" if language == "fr" else "fr"
            for form in cognate_forms(word.text, language):
                found = term(form, other)
                if found and found not in word.terms:
                    proposed.append((position, language, form, found))
    idf = vocabulary.idf([t for *_, t in proposed])
    expansions: list[Expansion] = []
    for position, language, form, found in proposed:
        # The word lists are consulted last, for the few forms the index holds: "model" is
        # no French word to be given the English "modal".
        if idf.get(found, 0.0) <= 0 or found in seen:
            continue
        if language in dictionary_languages(question.words[position].text):
            seen.add(found)
            expansions.append(Expansion((position,), form, (found,), "cognate", COGNATE_WEIGHT))
    return expansions


_word_lists: dict[Language, frozenset[str]] = {}
_word_lists_lock = threading.Lock()


def _dictionary(language: Language) -> frozenset[str]:
    """pyspellchecker's word list of the language (~140k French, ~75k English words), folded,
    loaded on the first question that needs it — once: questions answered at the same time
    wait for that load rather than each making its own (a third of a second of CPU each)."""
    found = _word_lists.get(language)
    if found is None:
        with _word_lists_lock:
            found = _word_lists.get(language)
            if found is None:
                from spellchecker import SpellChecker

                words = SpellChecker(language=language).word_frequency.keys()
                found = _word_lists[language] = frozenset(map(fold, words))
    return found


def load_word_lists() -> None:
    """Load what reading a question may need beyond the index — the curated and CLDR names,
    the French and English word lists — so that the first questions do not wait for it."""
    equivalents()
    _language_names()
    for language in LANGUAGES:
        _dictionary(language)


def dictionary_languages(word: str) -> set[Language]:
    """The languages (French, English) whose word list holds ``word``, accents or not."""
    folded = fold(word)
    return {language for language in LANGUAGES if folded in _dictionary(language)}


@lru_cache(maxsize=1)
def _language_names() -> frozenset[str]:
    from babel import Locale

    return frozenset(
        fold(name)
        for locale in (Locale("en"), Locale("fr"))
        for code, name in locale.languages.items()
        if len(code) == 2
    )


def is_language_name(word: str) -> bool:
    """Whether ``word`` names a language, and so most often a people or a country's adjective
    ("Chinese", "Russian", "allemand"): a name, but not the one a question is about."""
    return fold(word) in _language_names()


def is_dictionary_word(word: str) -> bool:
    """Whether ``word`` is a French or English word (accents or not): one the stored passages
    do not hold is another word than theirs ("pétroliers" is not "prolifération"), not a slip."""
    return bool(dictionary_languages(word))


class Vocabulary(Protocol):
    """What spelling correction needs of the index: its terms and their idf (0 when absent)."""

    def idf(self, terms: Iterable[str]) -> dict[str, float]: ...


class SpellingIndex:
    """The index's terms by first letter and length, grown as the index learns new terms."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        self._seen = 0
        self._lock = threading.Lock()

    def update(self, terms: Sequence[str] | Mapping[str, object]) -> None:
        """Take the terms past those already seen (the index's vocabulary only grows)."""
        with self._lock:
            if len(terms) <= self._seen:
                return
            for found in islice(iter(terms), self._seen, None):
                if found and not found.isdigit():
                    self._buckets[(found[0], len(found))].append(found)
            self._seen = len(terms)

    def closest(self, word: str, vocabulary: Vocabulary, *, name: bool = False) -> str | None:
        """The live index term nearest to ``word`` (same first letter), or None; a ``name``
        may be shorter."""
        shortest = MIN_FUZZY_NAME_CHARS if name else MIN_FUZZY_CHARS
        if len(word) < shortest or word.isdigit():
            return None
        # A slip changes a short word's length by one letter at most: wider, "pensent" would
        # become "président".
        spread = 1 if len(word) <= 7 else 2
        candidates: list[str] = []
        for length in range(len(word) - spread, len(word) + spread + 1):
            candidates += self._buckets.get((word[0], length), ())
        # One slip for a short word, two for a long one — a swap counts one ("Iarn",
        # "militray") — or, past four letters, 80% alike; of those, the nearest, a swap first
        # (the commonest slip: "Dier" is "Deir" before "drier"), then the likest ("trump" for
        # "trmp" before "trap").
        slips = 1 if len(word) < 8 else 2
        near = {
            m[0] for m in process.extract(word, candidates, scorer=OSA.distance, score_cutoff=slips)
        }
        if len(word) >= MIN_FUZZY_CHARS:
            near |= {
                m[0]
                for m in process.extract(word, candidates, scorer=fuzz.ratio, score_cutoff=80.0)
            }
        matches = sorted(
            near,
            key=lambda m: (
                OSA.distance(word, m),
                sorted(m) != sorted(word),
                -fuzz.ratio(word, m),
                m,
            ),
        )[:5]
        if not matches:
            return None
        idf = vocabulary.idf(matches)
        return next((m for m in matches if idf[m] > 0), None)


_spelling_indexes: weakref.WeakKeyDictionary[object, SpellingIndex] = weakref.WeakKeyDictionary()


def spelling_index(index: object, terms: Sequence[str] | Mapping[str, object]) -> SpellingIndex:
    """The spelling index kept beside a search index, brought up to date with its terms."""
    found = _spelling_indexes.get(index)
    if found is None:
        found = _spelling_indexes[index] = SpellingIndex()
    found.update(terms)
    return found


def spellings(
    question: Question,
    vocabulary: Vocabulary,
    spelling: SpellingIndex,
    *,
    covered: Iterable[int] = (),
) -> list[Expansion]:
    """Corrections of the question's words that no stored passage contains."""
    skip = set(covered)
    idf = vocabulary.idf(question.terms)
    expansions = []
    for position, word in enumerate(question.words):
        if position in skip or any(idf.get(t, 0.0) > 0 for t in word.terms):
            continue
        if is_dictionary_word(word.text):
            continue  # "pétroliers", "quantité": a word no passage holds, not a slip
        # A capitalised first word may be a name too ("Jonh Williams composer").
        name = word.name or (position == 0 and word.text[:1].isupper())
        for candidate in dict.fromkeys((fold(word.text), *word.terms)):
            found = spelling.closest(candidate, vocabulary, name=name)
            if found is not None:
                expansions.append(
                    Expansion((position,), found, (found,), "spelling", SPELLING_WEIGHT)
                )
                break
    return expansions
