"""Speech in news text: quotes, reported speech, and who is given the words.

A quote may run over several sentences and need not close; a sentence speaks for a speaker when
it attributes words to them by name ("Poutine a dit", "said Putin", "selon M. Ouchakov"), or
quotes "he" once an earlier sentence has named them. Pure functions over folded text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from retrieval.analysis import fold, is_stopword
from retrieval.passages import quote_open_after, starts_inside_quote

# Sentences after the one opening a quote that may still be inside it, should it not close.
QUOTE_RUN = 4

# An opening quote mark: a quote may run over several sentences, so no closing one is needed;
# an apostrophe inside a word ("l'Ukraine", "I've") is not one. Some sites' text has hyphens
# for lost spaces ('said:-"She was hit'): one after a colon still opens a quote.
QUOTE_OPENING = re.compile(r"[«“„]|(?:^|(?<=[\s(:])|(?<=:-))[\"'‘](?=[\w\[])")
_REPORTED = frozenset(
    fold(w)
    for w in """said says say told tells telling stated declared added explained noted warned
    according insisted stressed wrote dit déclaré indiqué affirmé ajouté expliqué précisé
    estimé assuré souligné selon prévenu lancé écrit annoncé regretté dénoncé jugé qualifié
    accusé promis saying admitted acknowledged argued urged emphasized emphasised condemned
    denied claimed announced asked replied responded reconnu rappelé répondu déploré condamné
    fustigé averti confié plaidé martelé insisté""".split()
)
# A person's name: two capitalised words ("Oleg Siyenko", "Richard Clarke").
PERSON = re.compile(r"\b[A-ZÀ-ÖØ-Þ][\w'-]+\s+[A-ZÀ-ÖØ-Þ][\w'-]+")


def words_pattern(words: frozenset[str]) -> re.Pattern[str]:
    """A pattern finding any of ``words`` whole, in folded text."""
    alternatives = sorted(words, key=len, reverse=True)
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, alternatives))})\b")


REPORTED_RE = words_pattern(_REPORTED)


# Between a speaker and their verb: "Putin has said", "Poutine a aussi déclaré".
_AUXILIARY = frozenset(
    fold(w)
    for w in """has had have also then later earlier already immediately once again repeatedly
    previously recently publicly himself herself a ont avait aussi aussitôt déjà ensuite
    encore une fois""".split()
)
_TITLES = frozenset("m mm mme mr mrs ms dr".split())
# Verbs that, written before a name, make it the listener: "Trump told Putin".
_TO_LISTENER = frozenset(("told", "tells", "telling"))
# After a name a speech verb came before, a verb of its own makes the name the subject of the
# reported words, not their speaker: "…says President Trump must not consider Putin a friend".
_CLAUSE_VERBS = frozenset(
    fold(w)
    for w in """must will would should could can may might has had have is was are were did
    does do doit doivent va vont pourrait devrait est sont avait a ont""".split()
)


def attributes(folded: str, speakers: Collection[str]) -> bool:
    """Whether a (folded) sentence gives words to a speaker as the subject of a speech verb:
    "Poutine a dit", "Peskov, told reporters", "said Putin", "selon M. Ouchakov" — not a name
    inside the quote ("'Putin's a killer,' Trump said")."""
    words = re.findall(r"\w+", folded)
    for i, word in enumerate(words):
        if word not in speakers:
            continue
        for after in (w for w in words[i + 1 : i + 6] if w not in speakers):
            if after in _REPORTED:
                return True
            if after not in _AUXILIARY:
                break
        # "said Putin", "a déclaré Vladimir Poutine", "selon M. Ouchakov", "according to
        # Peskov" — not "selon lui, MM. Poutine et Trump ont…": only titles and names between.
        following = next((w for w in words[i + 1 :] if w not in speakers), "")
        for j in range(i - 1, max(-1, i - 4), -1):
            if words[j] in _REPORTED and words[j] not in _TO_LISTENER:
                if following in _CLAUSE_VERBS:
                    break
                return True
            if words[j] == "to" and j and words[j - 1] == "according":
                return True
            if is_stopword(words[j]) and words[j] not in _TITLES:
                break
    return False


def quoted_sentences(sentences: Sequence[str]) -> list[bool]:
    """Which sentences hold quoted words: their own opening mark, or the following sentences of
    a quote that runs on ("«Nous … . Il faut …», a-t-il dit") for at most ``QUOTE_RUN``."""
    quoted, run = [], 0
    inside = bool(sentences) and starts_inside_quote(" ".join(sentences))
    for sentence in sentences:
        opening = bool(QUOTE_OPENING.search(sentence))
        quoted.append(opening or inside)
        run = 0 if opening or not inside else run + 1
        inside = quote_open_after(sentence, inside) and run < QUOTE_RUN
    return quoted


def speaking_sentences(
    sentences: Sequence[str],
    quoted: Sequence[bool],
    speakers: Collection[str],
    *,
    named_before: bool = False,
) -> list[bool]:
    """Which sentences give words to one of ``speakers``: a quote or reported speech attributed
    to them by name, or a quote attributed to "he", "the ambassador"… once an earlier sentence
    has named them ("Siyenko told TASS. […] «We hope…», he said": a passage follows one speaker
    far more often than it switches), or, when ``named_before`` (the text before the passage
    named them), in the quotes the passage opens on."""
    if not speakers:
        return [False] * len(sentences)
    folded = [fold(s) for s in sentences]
    direct = [attributes(f, speakers) for f in folded]
    reported = [bool(REPORTED_RE.search(f)) for f in folded]
    # A quote and the sentences it runs on over share their attribution ("…," he wrote).
    runs: list[int] = []
    for i, is_quoted in enumerate(quoted):
        runs.append(
            runs[-1]
            if i and is_quoted and quoted[i - 1] and not QUOTE_OPENING.match(sentences[i].lstrip())
            else i
        )
    attributed = {
        run
        for run, says, sentence in zip(runs, reported, sentences, strict=True)
        if says and not _names_someone_else(sentence, speakers)
    }
    if quoted and quoted[-1]:
        attributed.add(runs[-1])  # the passage ends inside the quote: its attribution follows
    speaking, named, opening = [], False, named_before
    for i, words in enumerate(folded):
        # Still in the quotes the passage opens on: each begins with its mark, or runs on.
        opening = (
            opening
            and quoted[i]
            and (
                bool(QUOTE_OPENING.match(sentences[i].lstrip()))
                or (i > 0 and runs[i] == runs[i - 1])
            )
        )
        speaking.append(direct[i] or (quoted[i] and (named or opening) and runs[i] in attributed))
        named = named or any(w in speakers for w in re.findall(r"\w+", words))
    return speaking


# An editor's words inside a quote, not the speaker's: "(of aircraft - TASS)", "[John Kerry]",
# "(la Crimée, NDLR)".
EDITORS_INSERT = re.compile(
    r"\[[^\[\]]{1,80}\]|\([^()]{1,80}?(?:\s[-–—]\s?[A-Z]{2,10}|,?\s*(?:NDLR|N\.D\.L\.R\.))\)"
)

# How far after a quote its attribution may name the one speaking.
ATTRIBUTION_WORDS = 8
_CLOSING = re.compile(r"[»”\"]")


def _names_someone_else(sentence: str, speakers: Collection[str]) -> bool:
    """Whether the attribution of a quote names a person other than the speaker: the words
    after its closing mark ("…," said White House official Richard Clarke), or the clause
    leading into it ("White House spokesman Sean Spicer's comment that «…»")."""
    opening = QUOTE_OPENING.search(sentence)
    before = sentence[: opening.start()] if opening else ""
    if before.strip() and REPORTED_RE.search(fold(before)):
        attribution = before.split(",")[-1]
    else:
        closings = list(_CLOSING.finditer(sentence))
        after = sentence[closings[-1].end() :] if closings else sentence
        # The attribution proper: "…," said X, now an adviser / said at a conference with Y.
        attribution = " ".join(after.split(",")[0].split()[:ATTRIBUTION_WORDS])
    person = PERSON.search(attribution)
    return bool(person) and not any(w in speakers for w in re.findall(r"\w+", fold(attribution)))
