"""French ↔ English cognates: a word's other-language form by the regular correspondence of
their endings ("sécurité"/"security", "nucléaire"/"nuclear", "galaxie"/"galaxy",
"directeur"/"director"), or the word itself once its accents are gone ("conférence"/
"conference").

Pure rules, no table: ``cognate_forms`` proposes forms, and the search keeps only those the
index holds, at a weight below the curated translations' (false friends exist: "actuel" is not
"actual"). A word is given the other language's forms only when it is a word of its own
language (a French word gets English forms).
"""

from __future__ import annotations

from retrieval.analysis import Language, fold

# (French ending, English ending), the longer endings of a pair first where they overlap.
ENDINGS: tuple[tuple[str, str], ...] = (
    ("ité", "ity"),
    ("atie", "acy"),
    ("ie", "y"),
    ("iques", "ics"),
    ("ique", "ic"),
    ("isme", "ism"),
    ("iste", "ist"),
    ("éaire", "ear"),
    ("aire", "ary"),
    ("oire", "ory"),
    ("eux", "ous"),
    ("euse", "ous"),
    ("ive", "ive"),
    ("if", "ive"),
    ("el", "al"),
    ("elle", "al"),
    ("eur", "or"),
    ("yde", "ide"),
    ("isation", "ization"),
    ("iser", "ize"),
    ("ètre", "eter"),
    ("tre", "ter"),
    ("bre", "ber"),
    ("dre", "der"),
)
# The same, looked up from English: the longer English endings first.
_BY_ENGLISH_ENDING = sorted(ENDINGS, key=lambda pair: -len(pair[1]))
# Shorter words share an ending with too many unrelated ones ("lie", "pie", "vie").
MIN_COGNATE_CHARS = 5


def _singular(word: str, language: Language) -> str:
    if len(word) <= MIN_COGNATE_CHARS:
        return word
    if language == "fr":
        if word.endswith("aux"):
            return word[:-3] + "al"  # "nationaux", "fédéraux"
        plural = word.endswith("s") or (word.endswith("x") and not word.endswith("eux"))
        return word[:-1] if plural else word
    # "dangerous", "process", "crisis" are not plurals.
    return word[:-1] if word.endswith("s") and not word.endswith(("ss", "us", "is")) else word


def cognate_forms(word: str, language: Language) -> tuple[str, ...]:
    """The other language's likely forms of ``word``, a word of ``language``: the word with its
    accents gone, and with its ending changed."""
    lowered = word.casefold()
    if len(lowered) < MIN_COGNATE_CHARS or not lowered.isalpha():
        return ()
    forms = []
    if language == "fr":
        forms.append(fold(lowered))
        base = _singular(lowered, language)
        if base.endswith("al") and not lowered.endswith("al"):
            forms.append(fold(base))  # "fédéraux" is "federal"
        for french, english in ENDINGS:
            if base.endswith(french) and len(base) - len(french) >= 3:
                forms.append(fold(base[: -len(french)] + english))
                break
    else:
        base = _singular(lowered, language)
        for french, english in _BY_ENGLISH_ENDING:
            if base.endswith(english) and len(base) - len(english) >= 3:
                forms.append(base[: -len(english)] + french)
                break
    return tuple(dict.fromkeys(f for f in forms if f != lowered))
