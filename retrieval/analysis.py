"""Text analysis shared by indexing and questions: normalise, split, drop stopwords, stem, fold.

Stemming runs before accent folding because the Snowball French stemmer relies on accents;
folding the stem afterwards makes ``président`` and ``president`` the same term.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import Stemmer

from retrieval.stopwords import ENGLISH, FRENCH

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")
DEFAULT_LANGUAGE: Language = "fr"

_STEMMER_NAMES: dict[Language, str] = {"fr": "french", "en": "english"}
# Typographic apostrophes and look-alikes all mean the same elision (l'Ukraine, qu’il). A regular
# expression replaces them: str.translate with a table looks up every character of non-ASCII text
# in Python (60 µs for a 400-character passage, against 2 µs).
_APOSTROPHES = re.compile("[\u2019\u2018\u02bc\u02bb\u0060\u00b4\u2032\uff07]")
# Letters NFKD does not decompose but readers type without the ligature.
_LIGATURE_LETTERS = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ø": "o", "đ": "d", "ł": "l"}
_LIGATURES = str.maketrans(_LIGATURE_LETTERS)
_ANY_LIGATURE = re.compile(f"[{''.join(_LIGATURE_LETTERS)}]")
# The combining marks below U+0370 (what NFKD leaves of Latin-script accents) are removed by one
# regular expression; only the runs of characters beyond (dashes, quotes, other scripts) are
# tested one by one.
_LATIN_MARKS = re.compile(
    "[" + "".join(chr(c) for c in range(0x370) if unicodedata.combining(chr(c))) + "]"
)
_BEYOND_LATIN_MARKS = re.compile("[^\u0000-\u036f]+")
# A word is a run of letters or digits; hyphens, apostrophes and underscores separate words, so
# "Kiev-Moscou" is findable by its parts and "l'Ukraine" yields the particle and the name.
_WORD = re.compile(r"[^\W_]+")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2060\ufeff]")


def normalize(text: str) -> str:
    """Unicode-normalise text, unifying apostrophes and dropping invisible controls."""
    return _CONTROL.sub("", _APOSTROPHES.sub("'", unicodedata.normalize("NFKC", text)))


def fold(word: str) -> str:
    """Fold case and accents: ``Élysée`` becomes ``elysee``."""
    if word.isascii():
        return word.lower()
    folded = word.casefold()
    if _ANY_LIGATURE.search(folded):
        folded = folded.translate(_LIGATURES)
    decomposed = _LATIN_MARKS.sub("", unicodedata.normalize("NFKD", folded))
    return _BEYOND_LATIN_MARKS.sub(_without_marks, decomposed)


def _without_marks(beyond: re.Match[str]) -> str:
    return "".join(c for c in beyond.group() if not unicodedata.combining(c))


_FOLDED_STOPWORDS: dict[Language, frozenset[str]] = {
    "fr": frozenset(fold(w) for w in FRENCH),
    "en": frozenset(fold(w) for w in ENGLISH),
}
_ANY_STOPWORD = _FOLDED_STOPWORDS["fr"] | _FOLDED_STOPWORDS["en"]


def is_stopword(word: str, language: Language | None = None) -> bool:
    """Whether a word carries no meaning in that language (in either language when None)."""
    words = _ANY_STOPWORD if language is None else _FOLDED_STOPWORDS[language]
    return fold(word) in words


@dataclass(frozen=True)
class Word:
    """A word of a text with its character offsets, for highlighting."""

    start: int
    end: int
    text: str


def iter_words(text: str) -> Iterator[Word]:
    """Yield the words of an already normalised text with their offsets."""
    for match in _WORD.finditer(text):
        yield Word(match.start(), match.end(), match.group())


_local = threading.local()


def _stemmer(language: Language) -> Stemmer.Stemmer:
    # PyStemmer objects keep a cache and are not thread-safe: one per thread and language.
    stemmers: dict[Language, Stemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        stemmers[language] = Stemmer.Stemmer(_STEMMER_NAMES[language])
    return stemmers[language]


def stem(word: str, language: Language) -> str:
    """The Snowball stem of a lower-cased word in a language (accents kept)."""
    return _stemmer(language).stemWord(word)


def _is_noise(word: str) -> bool:
    # Lone letters are elided particles or initials; lone digits still mean something.
    return len(word) == 1 and not word.isdigit()


# News vocabulary is Zipfian: a cache of the commonest words skips most stemming and folding
# when a large collection is (re)indexed.
@functools.lru_cache(maxsize=1 << 18)
def term(word: str, language: Language) -> str | None:
    """The index term of one word in a language, or None for a stopword."""
    lowered = word.casefold()
    if _is_noise(lowered) or fold(lowered) in _FOLDED_STOPWORDS[language]:
        return None
    return fold(_stemmer(language).stemWord(lowered))


class _TermCache(dict[str, str | None]):
    """Word -> term in one language, filled on first sight (``term``)."""

    def __init__(self, language: Language) -> None:
        super().__init__()
        self.language = language

    def __missing__(self, word: str) -> str | None:
        found = self[word] = term(word, self.language)
        return found


# Word -> term per language, consulted before ``term``: indexing a large collection spends
# most of its time here. The lookup runs inside ``map`` (no Python loop per word): a cold
# start at a million passages looks up sixty million words.
_TERMS: dict[Language, _TermCache] = {"fr": _TermCache("fr"), "en": _TermCache("en")}
_MAX_CACHED_TERMS = 1 << 20


# Latin-1 text (English news, most French) is cut into words by byte translation: every byte that
# is not a letter or digit becomes a space. The same words as ``_WORD``, several times faster.
_LATIN1_SEPARATORS = bytes(c if chr(c).isalnum() else 32 for c in range(256))


def _words(text: str) -> list[str]:
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return _WORD.findall(text)
    return raw.translate(_LATIN1_SEPARATORS).decode("latin-1").split()


def words(text: str) -> list[str]:
    """The words of an already normalised text: those of ``iter_words``, without offsets."""
    return _words(text)


def analyze(text: str, language: Language) -> list[str]:
    """Turn article text into index terms in the article's language."""
    cache = _TERMS[language]
    if len(cache) > _MAX_CACHED_TERMS:
        cache.clear()
    # Stopwords map to None, which filter drops (no term is the empty string).
    return list(filter(None, map(cache.__getitem__, _words(normalize(text).casefold()))))


_identifier_lock = threading.Lock()
_identifier: LanguageIdentifier | None = None


# Stopwords of one language only ("a", "on" or "me" are both): news text is full of them.
_FRENCH_ONLY = FRENCH - ENGLISH
_ENGLISH_ONLY = ENGLISH - FRENCH
# A text holding this many of them, one language's at least VOTE_RATIO times the other's, is in
# that language without asking the model (0.5 ms a text, and its load 0.3 s a process); on the
# 235 articles of benchmarks/eval, their starts and 200 French/English mixes, every text so
# decided was decided the same by the model. Short or mixed texts go to the model.
VOTE_MIN_WORDS = 10
VOTE_RATIO = 4
DETECTED_CHARS = 2_000


def _stopword_vote(text: str) -> Language | None:
    found = _words(text.casefold())
    french = sum(map(_FRENCH_ONLY.__contains__, found))
    english = sum(map(_ENGLISH_ONLY.__contains__, found))
    if french + english < VOTE_MIN_WORDS:
        return None
    if french >= VOTE_RATIO * english:
        return "fr"
    if english >= VOTE_RATIO * french:
        return "en"
    return None


def detect_language(text: str, default: Language = DEFAULT_LANGUAGE) -> Language:
    """Guess whether a text is French or English; ``default`` when there are no letters."""
    global _identifier
    head = text[:DETECTED_CHARS]
    if (voted := _stopword_vote(head)) is not None:
        return voted
    if not any(c.isalpha() for c in text):
        return default
    with _identifier_lock:
        if _identifier is None:
            import py3langid  # on first use: it loads numpy, which commands without search skip

            _identifier = py3langid.langid.LanguageIdentifier.from_model_file(
                py3langid.langid.MODEL_FILE, norm_probs=True
            )
            _identifier.set_languages(list(LANGUAGES))
        language, _ = _identifier.classify(head)
    return "en" if language == "en" else "fr"
