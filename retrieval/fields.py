"""A passage's index terms: its own words, its article's title and the names of the lead.

A paragraph that says "he said" or "a company spokeswoman said" never names the person the
question asks about; the title and the lead do. So each passage is indexed with its text's terms
plus, for ranking only, its article's title terms and the names (capitalised words) of the
article's first passage. Those are ordinary BM25 tokens: every term still scores by rank-bm25's
formula.

Names in French text are indexed under their English stem too ("Mali" → "mal" and "mali"),
because a question reads names with the English stemmer only (``retrieval.question``): the
French stemmer would turn them into common words.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from retrieval.analysis import Language, analyze, fold, iter_words, normalize, stem, term, words
from retrieval.passages import sentence_spans

# Bumped whenever the terms of a passage change: a saved index of another version is rebuilt.
ANALYSIS_VERSION = 3  # 3: French prepositions (pendant, après…) are stopwords
MAX_LEAD_NAMES = 16


def _name_form(word: str) -> str:
    return fold(stem(word.casefold(), "en"))


class _FrenchNameForms(dict[str, str | None]):
    """A word of French text -> its English-stem form when it is a name (capitalised, not a
    stopword) that the French stemmer makes another term, else None; filled on first sight."""

    def __missing__(self, word: str) -> str | None:
        found = None
        if word[:1].isupper() and (french := term(word, "fr")) is not None:
            form = _name_form(word)
            found = form if form != french else None
        self[word] = found
        return found


# Looked up inside ``map`` (no Python loop per word): every French passage goes through it.
_NAME_FORMS = _FrenchNameForms()
_MAX_CACHED_NAMES = 1 << 18


def text_terms(text: str, language: Language) -> list[str]:
    """The terms of a text in its language, French names also under their English stem."""
    terms = analyze(text, language)
    if language == "en":
        return terms
    if len(_NAME_FORMS) > _MAX_CACHED_NAMES:
        _NAME_FORMS.clear()
    return terms + list(filter(None, map(_NAME_FORMS.__getitem__, words(normalize(text)))))


def holds_any(text: str, language: Language, terms: Collection[str]) -> bool:
    """Whether the text itself (not its title or lead) holds one of the terms."""
    # Its terms first, through analysis's word cache (a hit is read again for every question
    # that finds it); only when none is there, each word's English name form.
    if any(found in terms for found in analyze(text, language)):
        return True
    for word in iter_words(normalize(text)):
        found = term(word.text, language)
        if found is not None and (found in terms or _name_form(word.text) in terms):
            return True
    return False


def lead_names(lead: str) -> list[str]:
    """The distinct names of a lead: capitalised words not opening a sentence, and acronyms."""
    lead = normalize(lead)
    names: dict[str, None] = {}
    for start, end in sentence_spans(lead) or [(0, len(lead))]:
        for i, text in enumerate(words(lead[start:end])):
            acronym = len(text) >= 2 and text.isupper() and text.isalpha()
            if (acronym or (i > 0 and text[:1].isupper())) and not text.isdigit():
                names.setdefault(text, None)
            if len(names) >= MAX_LEAD_NAMES:
                return list(names)
    return list(names)


@lru_cache(maxsize=256)
def _context_terms(title: str, lead: str, language: Language) -> tuple[str, ...]:
    # The passages of one article come in a row: their title and lead are analysed once.
    terms = text_terms(title, language) if title else []
    for name in lead_names(lead):
        found = term(name, language)
        if found is not None:
            terms.append(found)
            if language != "en" and _name_form(name) != found:
                terms.append(_name_form(name))
    return tuple(terms)


def passage_terms(text: str, language: Language, *, title: str = "", lead: str = "") -> list[str]:
    """Index terms of a passage: its text's, then its article's title and lead names."""
    return text_terms(text, language) + list(_context_terms(title, lead, language))


def pack_terms(terms: list[str]) -> str | None:
    """A passage's terms as stored with it (joined by single spaces), or None when they would
    not read back the same (an empty term or one holding whitespace: analysis makes neither,
    but then the passage is simply analysed again rather than indexed wrong)."""
    packed = " ".join(terms)
    return packed if packed.split() == terms else None


def unpack_terms(packed: str) -> list[str]:
    """The terms ``pack_terms`` stored (``retrieval.index.TermIds.of_joined`` reads a batch of
    them the same way)."""
    return packed.split(" ") if packed else []
