"""Reading a question: what kind of answer it wants, and which of its words are searched.

Interrogatives and speech verbs ("what did … say", "qu'a déclaré", "combien", "when") say what
kind of answer is wanted and are not searched: every news passage "says" something. Names
(capitalised words past the first, and acronyms) keep an English-stemmed form only, so that the
French stemmer cannot turn them into common words ("Mali" → "mal", "Saudis" → "saud"). A
question in a script other than Latin is searched as given (words folded, not stemmed).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from retrieval.analysis import LANGUAGES, fold, is_stopword, iter_words, normalize, stem

QuestionType = Literal["who-said", "how-many", "when", "year", "where", "who", "why", "other"]

# Say-verbs: they make a who-said question and are never searched.
SPEECH_VERBS = frozenset(
    fold(w)
    for w in """say says said saying tell tells told telling state stated declare declared
    dit dire dites disent déclaré déclare déclarer affirmé affirme affirmer indiqué indique
    expliqué explique précisé ajouté assuré assure estimé estime répondu souligné raconté""".split()
)
# Verbs that report words with a judgement: they make a who-said question but stay searched.
REPORTING_VERBS = frozenset(
    fold(w)
    for w in """warn warned warns claim claimed accuse accused promise promised announce
    announced deny denied react reacted joke joked admit admitted argue argued insist
    insisted urge urged ask asked threaten threatened condemn condemned criticise criticised
    criticize criticized dénoncé dénonce regretté regrette prévenu averti accusé promis annoncé
    réagi démenti menacé plaisanté ironisé reconnu insisté demandé exhorté condamné critiqué
    describe described describes characterize characterized characterise characterised décrit
    décrire""".split()
)
_WHAT = frozenset(fold(w) for w in "what que qu quoi".split())
_INTERROGATIVES = frozenset(
    fold(w)
    for w in """what which who whom whose when where why how many much long old far
    did does do is are was were has have had will would can could
    qu que quoi qui quand où ou combien comment pourquoi quel quelle quels quelles lequel
    laquelle est ce il elle ils elles t a ont été être avoir
    can could may might must will would should peut peuvent pourra pourront pourrait doit
    doivent devrait devraient pourraient veut veulent voulait voudrait va vont""".split()
)
# Filler words of questions: "à propos de", "about", "please".
_FILLER = frozenset(fold(w) for w in "propos about please svp stp happen happened happens".split())
# "take place", "avoir lieu": the event is asked about, not a place.
_TAKE_PLACE = frozenset(
    {
        ("take", "place"),
        ("took", "place"),
        ("takes", "place"),
        ("eu", "lieu"),
        ("avoir", "lieu"),
        ("ont", "lieu"),
        ("aura", "lieu"),
    }
)
_HOW_MUCH = frozenset(
    fold(w) for w in "many much long old far big large high tall deep wide heavy".split()
)
# "What was the price …", "Quel a été le taux …": a figure is wanted.
FIGURE_NOUNS = frozenset(
    fold(w)
    for w in """price prices cost costs budget rate toll number amount total profit turnout
    score magnitude percentage age salary size population figure figures worth value tally
    fine fines length height weight distance duration volume quantity output revenue revenues
    turnover capacity level
    prix coût budget taux bilan nombre montant total bénéfice participation score magnitude
    pourcentage âge salaire taille population chiffre valeur amende amendes longueur hauteur
    poids durée volume quantité capacité niveau""".split()
)
_WHEN_NOUNS = frozenset(fold(w) for w in "time year date day heure année date jour".split())
_PLACE_NOUNS = frozenset(
    fold(w)
    for w in """city cities town towns country countries region regions place village
    ville villes commune communes pays région régions endroit lieu village""".split()
)
_WHICH = frozenset(("which", "quel", "quelle", "quels", "quelles"))
_WHICH_OR_WHAT = _WHICH | {"what"}
# The particles of names ("Nasser al-Awlaki", "Ursula von der Leyen"): part of a name, yet
# alone they name no one ("told Al Jazeera").
NAME_PARTICLES = frozenset(
    "al el bin ben ibn abu van von der den de del della di da dos du".split()
)
_JOINING_PARTICLES = NAME_PARTICLES - {"de", "du"}
_LATIN = re.compile(r"[A-Za-zÀ-ɏḀ-ỿ]")


@dataclass(frozen=True)
class QueryWord:
    """A searched word of the question: as typed, and the index terms it matches."""

    text: str
    terms: tuple[str, ...]
    name: bool = False
    # In a who-said question, one of the words naming who speaks ("the Russian ambassador to
    # Cyprus" in "What did the Russian ambassador to Cyprus say about sanctions?").
    speaker: bool = False
    # Names written side by side ("Oleg Siyenko", "Bill O'Reilly") share the position of the
    # first: one person, whom the text may call by a single one of them.
    name_start: int = -1
    # What the answer is: the words after "which", "what", "quel" ("Which restaurant chains
    # does…"); the sentence naming them most likely names the answer too.
    focus: bool = False


@dataclass(frozen=True)
class Question:
    """A question as read: the answer type it wants and the words to search."""

    text: str
    type: QuestionType
    words: tuple[QueryWord, ...]
    analysed: bool = True

    @property
    def terms(self) -> tuple[str, ...]:
        """The distinct index terms of the user's words, in question order."""
        return tuple(dict.fromkeys(t for w in self.words for t in w.terms))

    @property
    def needs_subject(self) -> bool:
        """A question made only of question words ("what did he say?", "combien ?"): it asks
        something but says about whom or what."""
        return not self.words and self.type != "other"


def is_latin(text: str) -> bool:
    """Whether most letters of the text are Latin ones, which Dépêche analyses."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True
    latin = sum(1 for c in letters if _LATIN.match(c))
    return latin * 2 >= len(letters)


@lru_cache(maxsize=4096)
def name_terms(word: str) -> tuple[str, ...]:
    """Terms of a name: its English stem (plural and possessive gone), and the French stem
    only when that one did not cut the name shorter ("Mali" stays "mali", never "mal")."""
    lowered = word.casefold()
    english = fold(stem(lowered, "en"))
    french = fold(stem(lowered, "fr"))
    return (english,) if len(french) < len(english) else tuple(dict.fromkeys((english, french)))


@lru_cache(maxsize=4096)
def word_terms(word: str) -> tuple[str, ...]:
    """Terms of an ordinary question word: its stem in each language."""
    lowered = word.casefold()
    return tuple(dict.fromkeys(fold(stem(lowered, language)) for language in LANGUAGES))


def _is_acronym(text: str) -> bool:
    return len(text) >= 2 and text.isupper() and text.isalpha()


# Capitalised in English, yet no one's name: "in early January", "on Monday".
_CALENDAR = frozenset(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday""".split()
)


def _is_name(text: str, first: bool) -> bool:
    if text.casefold() in _CALENDAR:
        return False
    return _is_acronym(text) or (not first and text[:1].isupper())


def read_question(text: str) -> Question:
    """Read a question: its type and the words to search, with their terms."""
    text = normalize(text)
    if not is_latin(text):
        unanalysed = tuple(QueryWord(w.text, (fold(w.text),)) for w in iter_words(text))
        return Question(text, "other", tuple(dict.fromkeys(unanalysed)), analysed=False)
    found = list(iter_words(text))
    tokens = [w.text for w in found]
    folded = [fold(t) for t in tokens]
    # A say-verb in a compound is a word of the subject: "state-sponsored doping".
    compound = {
        i
        for i, w in enumerate(found)
        if folded[i] in SPEECH_VERBS | REPORTING_VERBS
        and "-" in (text[w.start - 1 : w.start], text[w.end : w.end + 1])
    }
    shouting = sum(t.isupper() for t in tokens) * 2 > len(tokens)
    plain = ["" if i in compound else f for i, f in enumerate(folded)]
    question_type = _question_type(plain, "où" in {t.casefold() for t in tokens})
    dropped = _QUESTION_WORDS_BY_TYPE[question_type]
    words: list[QueryWord] = []
    seen: set[str] = set()
    speaking = _speaker_tokens(plain) if question_type == "who-said" else range(0)
    capitalised = [_is_name(token, first=i == 0) for i, token in enumerate(tokens)]
    # Particles between two capitalised words are inside one name: "Qassim al-Rimi", "Mohammed
    # bin Salman", "Ursula von der Leyen" are each one person, whom the text may call by either
    # word. Not French "de": "Grand Prix de Monaco" names two things.
    joined = list(capitalised)
    for i in range(1, len(tokens)):
        end = i
        while end < len(tokens) and folded[end] in _JOINING_PARTICLES:
            end += 1
        if end > i and end < len(tokens) and capitalised[i - 1] and capitalised[end]:
            joined[i:end] = [True] * (end - i)
    starts: list[int] = []
    for i, inside in enumerate(joined):
        starts.append(starts[i - 1] if inside and i and joined[i - 1] else i)
    focus = _focus_tokens(tokens, folded)
    for i, (token, key) in enumerate(zip(tokens, folded, strict=True)):
        speech = key in SPEECH_VERBS and i not in compound
        if key in seen or speech or key in _FILLER or key in dropped:
            continue
        after = folded[i + 1] if i + 1 < len(folded) else ""
        before = folded[i - 1] if i else ""
        if (key, after) in _TAKE_PLACE or (before, key) in _TAKE_PLACE:
            continue
        acronym = not shouting and _is_acronym(token)  # EU, US, WHO: names, not stopwords
        if not acronym and (key in _INTERROGATIVES or is_stopword(token)):
            continue
        if len(key) == 1 and not key.isdigit():
            continue
        seen.add(key)
        name = capitalised[i]
        terms = name_terms(token) if name else word_terms(token)
        words.append(
            QueryWord(token, terms, name, i in speaking, starts[i] if name else -1, i in focus)
        )
    return Question(text, question_type, tuple(words))


# At most this many words after "which" name what the answer is ("which restaurant chains").
MAX_FOCUS_WORDS = 2


def _focus_tokens(tokens: list[str], folded: list[str]) -> set[int]:
    """The positions of the words right after "which", "what", "quel(le)(s)" that say what the
    answer is: "Which *restaurant chains* does…", "What *profit* did…", "Quelle *amende*…" —
    none in "What did…", "What was…"."""
    found: set[int] = set()
    for i, key in enumerate(folded):
        if key not in _WHICH_OR_WHAT:
            continue
        # French puts the noun's complement after it, and the verb: "Quelle amende risque…".
        width = MAX_FOCUS_WORDS if key in ("which", "what") else 1
        for j in range(i + 1, min(i + 1 + width, len(folded))):
            if folded[j] in _INTERROGATIVES or is_stopword(tokens[j]):
                break
            found.add(j)
    return found


# Where the speaker's words end: "… say about the bill", "… dit sur la trêve".
_ABOUT = frozenset(
    fold(w)
    for w in """about on of regarding concerning after before during when to at in over
    sur concernant après avant pendant lors quand au aux à propos quant lorsque""".split()
)
_AUXILIARIES = frozenset("did does do has have had will would is was".split())


def _speaker_tokens(folded: list[str]) -> range:
    """The tokens naming who speaks: between "did" and "say" in English; after the verb in
    French ("Qu'a dit Merkel après …"), up to what it was said about."""
    verb = next((i for i, w in enumerate(folded) if w in SPEECH_VERBS | REPORTING_VERBS), -1)
    if verb < 0:
        return range(0)
    auxiliary = next((i for i in range(verb - 1, -1, -1) if folded[i] in _AUXILIARIES), -1)
    if auxiliary >= 0 and verb - auxiliary > 1:
        return range(auxiliary + 1, verb)
    end = next((i for i in range(verb + 1, len(folded)) if folded[i] in _ABOUT), len(folded))
    return range(verb + 1, end)


_QUESTION_WORDS_BY_TYPE: dict[QuestionType, frozenset[str]] = {
    "who-said": frozenset(),
    "how-many": frozenset(fold(w) for w in "temps money argent".split()),
    "when": _WHEN_NOUNS,
    "year": _WHEN_NOUNS,
    "where": _PLACE_NOUNS,
    "who": frozenset(),
    "why": frozenset(),
    "other": frozenset(),
}


def _question_type(words: list[str], where: bool) -> QuestionType:
    present = set(words)
    pairs = set(itertools.pairwise(words))
    if ("how" in present and present & _HOW_MUCH) or "combien" in present:
        return "how-many"
    # "How did Moscow react?", "Comment le Kremlin a-t-il décrit…" ask for words too.
    if present & (_WHAT | {"how", "comment"}) and present & (SPEECH_VERBS | REPORTING_VERBS):
        return "who-said"
    # "Quelle distance…", "What price…" asks for a figure even when a relative "où" or "when"
    # follows ("…la galaxie où un trou noir…").
    if any(a in _WHICH_OR_WHAT and b in FIGURE_NOUNS for a, b in pairs):
        return "how-many"
    if "why" in present or "pourquoi" in present:
        return "why"
    # "In what year…", "En quelle année…": a year, not the day of a month.
    if pairs & {("what", "year"), ("which", "year"), ("quelle", "annee")}:
        return "year"
    if "when" in present or "quand" in present:
        return "when"
    if pairs & {("what", "time"), ("what", "date"), ("which", "day")}:
        return "when"
    if pairs & {("quelle", "heure"), ("quelle", "date"), ("quel", "jour")}:
        return "when"
    if where or "where" in present:
        return "where"
    if any(a in _WHICH and b in _PLACE_NOUNS for a, b in pairs):
        return "where"
    if present & _WHICH_OR_WHAT and present & FIGURE_NOUNS:
        return "how-many"
    if present & (SPEECH_VERBS | REPORTING_VERBS) and (present & {"qu", "que"}):
        return "who-said"
    if "who" in present or "qui" in present:
        return "who"
    # Keywords asking for a date: "Dortmund Champions League return Benfica date".
    if present & {"date", "dates"} and not present & _INTERROGATIVES:
        return "when"
    return "other"
