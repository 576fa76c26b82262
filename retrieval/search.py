"""Answering a question: BM25 over passages, per-article caps, duplicate collapse, excerpts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np

from retrieval.analysis import LANGUAGES, Language, fold, iter_words, term
from retrieval.duplicates import is_duplicate, same_words, signature
from retrieval.excerpt import Excerpt, make_excerpt, passage_feature, speech_feature
from retrieval.expand import (
    Expansion,
    cognates,
    dictionary_languages,
    is_dictionary_word,
    is_language_name,
    spelling_index,
    spellings,
    translations,
)
from retrieval.fields import holds_any, passage_terms
from retrieval.filters import Filters
from retrieval.index import BM25Index
from retrieval.kinds import KIND_REQUIRED, holds_the_kind, question_figures
from retrieval.question import (
    NAME_PARTICLES,
    QueryWord,
    Question,
    QuestionType,
    name_terms,
    read_question,
)

MAX_PER_ARTICLE = 2
# A passage that carries what the question's type asks for (a quote, a figure, a date) ranks as
# if its BM25 score were this much higher.
TYPE_BOOST = 0.25
# Lucene's coordination factor: a hit's score times the share of the question's concepts it
# holds, to this power (a concept: a word with its translations, whichever language holds it).
COORDINATION = 0.5
# In a who-said question, how much more the names (the speaker, most often) weigh.
SPEAKER_WEIGHT = 1.5
# A passage found only through its article's title and lead, holding none of the question's
# words itself, ranks as if its score were this share of what it is.
CONTEXT_ONLY = 0.5
# In a who-said question, what a passage naming the speaker as speaking is worth besides.
SPEAKER_BOOST = 0.25
# A who-said question naming only its speaker ("What did Putin say?") asks for their words on
# anything: a passage giving them words is worth this much more again, or the passages naming
# them most often (about them, quoting others) come first.
SPEAKER_ONLY_BOOST = 1.0
# The hits read again for the answer's kind: this many times the page, and at least RERANK_MIN.
RERANK_FACTOR = 3
RERANK_MIN = 12
# A name is held by a longer word it starts (or a shorter one starting it) of at least this many
# letters: "German" for "Germany"; not "Iran" for "Iraq".
MIN_NAME_PREFIX = 5
# Share of the question's idf weight the best passages must hold to count as answering it.
ANSWERED_SHARE = 0.45
# Recency: results scoring within this fraction of the best score of their group match about
# equally well and are shown newest first (see ``by_recency`` and the README).
RECENCY_TIE = 0.05


@dataclass(frozen=True)
class PassageRecord:
    """What search needs to know about a stored passage and the article it comes from."""

    passage_id: int
    article_id: int
    position: int
    heading: str | None
    text: str
    language: Language
    title: str
    source: str
    slug: str | None
    url: str | None
    published_at: datetime | None
    published_precision: str
    # retrieval.duplicates' signature of the text, stored with the passage (b"": not stored).
    signature: bytes = b""


@dataclass(frozen=True)
class Answer:
    """One cited result: the passage, its BM25 score and the excerpt to show; ``more``: the
    passage's next excerpt on the question, for the best answer."""

    passage: PassageRecord
    score: float
    excerpt: Excerpt
    more: Excerpt | None = None

    @property
    def excerpts(self) -> tuple[Excerpt, ...]:
        """The excerpts shown, in reading order: the excerpt, then ``more`` if any."""
        return (self.excerpt,) if self.more is None else (self.excerpt, self.more)


@dataclass(frozen=True)
class Scope:
    """What a question's filters did: the filters applied, the ``source:`` names that are not
    known (with the known ones, to suggest), and when nothing matched in the period, the newest
    passage matching the question outside it (``widened``: the answers are from any date)."""

    filters: Filters = field(default_factory=Filters)
    unknown_sources: tuple[str, ...] = ()
    known_sources: tuple[str, ...] = ()
    newest_outside: PassageRecord | None = None
    # Nothing matched in the period, so the answers come from any date.
    widened: bool = False
    # Passages of the period matched, none answering; those of other dates do
    # ("…when he stepped down in January 2017?" is answered by a dispatch of February).
    unanswered_in_period: bool = False


@dataclass(frozen=True)
class Results:
    """The answers to a question, a page at a time; ``has_more``: a next page exists.

    ``answered`` is False when the best passages miss the question's key words (they are then
    only related); ``also_searched`` names the other-language and corrected forms searched;
    ``needs_subject``: the question had only question words ("what did he say?");
    ``analysed`` is False for a script other than Latin, searched as typed.
    """

    question: str
    terms: tuple[str, ...]
    answers: tuple[Answer, ...]
    offset: int = 0
    has_more: bool = False
    answered: bool = True
    also_searched: tuple[str, ...] = ()
    question_type: QuestionType = "other"
    needs_subject: bool = False
    analysed: bool = True
    scope: Scope = field(default_factory=Scope)


FetchPassages = Callable[[Sequence[int]], Sequence[PassageRecord]]


_UNDATED = datetime.min.replace(tzinfo=UTC)


def by_recency(
    ranked: Sequence[tuple[PassageRecord, float]], *, tie: float = RECENCY_TIE
) -> list[tuple[PassageRecord, float]]:
    """Results in score order, the newer article first among those matching about equally.

    Walking down the scores, a group starts at the best score not yet placed and takes every
    result scoring at least ``(1 - tie)`` times it; within a group, newest first (undated
    last, then by score). So BM25 decides, and recency only reorders near-ties: a result is
    never moved above one scoring more than ``tie`` better.
    """
    ordered = sorted(ranked, key=lambda item: -item[1])
    out: list[tuple[PassageRecord, float]] = []
    start = 0
    while start < len(ordered):
        floor = ordered[start][1] * (1 - tie)
        end = start + 1
        while end < len(ordered) and ordered[end][1] >= floor:
            end += 1
        group = ordered[start:end]
        group.sort(key=lambda item: (item[0].published_at or _UNDATED, item[1]), reverse=True)
        out += group
        start = end
    return out


def search(
    question: str,
    *,
    index: BM25Index,
    fetch: FetchPassages,
    k: int = 3,
    offset: int = 0,
    per_article: int = MAX_PER_ARTICLE,
    candidates: np.ndarray | None = None,
    keep: Callable[[PassageRecord], bool] | None = None,
    scope: Scope | None = None,
    guard: AbstractContextManager[object] | None = None,
) -> Results:
    """Find the passages that answer ``question``; ``fetch`` loads passages by id from storage.

    A question's filters restrict the search either to ``candidates`` (sorted passage ids: a
    narrow filter) or to the hits that ``keep`` accepts (a broad one, where listing the
    candidates would cost more than skipping the few hits outside); ``scope`` is handed back in
    the results for the reply to state. ``guard`` (a lock) is held around each use of the index
    and never around ``fetch``: the database is read while other questions search.
    """
    scope = scope or Scope()
    guard = guard or nullcontext()
    read = read_question(question)
    nothing_in_scope = candidates is not None and not len(candidates)
    if read.needs_subject or k <= 0 or nothing_in_scope:
        return Results(
            question,
            read.terms if nothing_in_scope else (),  # the reply says the period is empty
            (),
            offset,
            answered=False,
            question_type=read.type,
            needs_subject=read.needs_subject,
            analysed=read.analysed,
            scope=scope,
        )
    with guard:
        expansions = _expansions(read, index)
        weights = pooled_weights(read, expansions, _weights(read, expansions), index)
    terms = list(weights)
    wanted = offset + k + 1  # one more than shown tells whether another page exists
    depth = max(4 * wanted, 20)
    while True:
        with guard:
            hits = index.search(terms, depth, weights=weights, candidates=candidates)
            ids, scores = hits.ids.tolist(), hits.scores.tolist()
            unnamed = _unnamed(read, expansions, index, ids)
        kept = _select(
            read, expansions, terms, ids, scores, fetch, per_article, wanted, unnamed, keep
        )
        exhausted = len(hits.ids) < depth
        if len(kept) >= wanted or exhausted:
            break
        depth *= 4
    page = kept[offset : offset + k]
    # Rarer words say more: the excerpt favours the sentence holding them.
    with guard:
        idf = index.idf(terms)
    speakers = speaker_names(read, expansions)
    speaker, names = name_groups(read, expansions)
    excerpt_weights = {t: idf[t] * weights[t] for t in terms}
    # What the answer is, in the question's words and their other-language forms ("Dans
    # quelle revue…" is answered by "…published in the Journal of…").
    focused = {i for i, w in enumerate(read.words) if w.focus}
    focus = frozenset(t for i in focused for t in read.words[i].terms) | frozenset(
        t for e in expansions if focused.intersection(e.words) for t in e.terms
    )

    def excerpt(record: PassageRecord, avoid: Collection[int] = ()) -> Excerpt:
        return make_excerpt(
            record.text,
            terms,
            record.language,
            weights=excerpt_weights,
            question_type=read.type,
            speakers=speakers,
            speaker=speaker,
            names=names,
            lead=record.position == 0,
            focus=focus,
            avoid=avoid,
        )

    answers = [Answer(record, score, excerpt(record)) for record, score in page]
    if answers and offset == 0:
        # The best passage's other sentences on the question are shown too: its best window
        # is often beside the answer ("…the larvae of the fall armyworm…" when "Zambia says
        # 124,000 hectares…" is what was asked).
        best = answers[0]
        more = excerpt(best.passage, avoid=best.excerpt.sentences)
        if more.text:
            answers[0] = replace(best, more=more)
    shown = [a.passage for a in answers[:3]] if offset == 0 else [r for r, _ in kept[:3]]
    answered = is_answered(read, expansions, shown, idf)
    if answered and read.type in KIND_REQUIRED and offset == 0:
        # Asked how many or what year, excerpts without a count or a year do not answer,
        # whatever words they share.
        given = question_figures(terms)
        read_first = [e.text for a in answers for e in a.excerpts][:3]
        answered = any(holds_the_kind(text, read.type, given) for text in read_first)
    return Results(
        question,
        tuple(terms),
        tuple(answers),
        offset,
        has_more=len(kept) > offset + k,
        answered=answered,
        also_searched=_also_searched(expansions, [a.passage for a in answers]),
        question_type=read.type,
        analysed=read.analysed,
        scope=scope,
    )


def speaker_names(read: Question, expansions: Sequence[Expansion] = ()) -> frozenset[str]:
    """Who speaks, as folded words with their other-language forms: in a who-said question the
    words naming the speaker ("What did Merkel say after her call with Putin?", "Qu'a dit
    Merkel après son entretien avec Poutine ?"), else all the names it gives."""
    positions = {i for i, w in enumerate(read.words) if w.speaker}
    if not positions:
        positions = {i for i, w in enumerate(read.words) if w.name}
    positions = {i for i in positions if fold(read.words[i].text) not in NAME_PARTICLES}
    found = {fold(read.words[i].text) for i in positions}
    for expansion in expansions:
        if positions.intersection(expansion.words):
            found |= {fold(w.text) for w in iter_words(expansion.form)}
    return frozenset(found)


def name_groups(
    read: Question, expansions: Sequence[Expansion] = ()
) -> tuple[tuple[frozenset[str], ...], tuple[tuple[frozenset[str], ...], ...]]:
    """Who speaks, as the terms of each of their words ("the Russian ambassador to Cyprus"),
    and each other person or place the question names, its words written side by side in one
    name ("Bill O'Reilly"); other-language forms included."""
    speaker: list[frozenset[str]] = []
    names: dict[int, list[frozenset[str]]] = {}
    for position, word in enumerate(read.words):
        if word.speaker or word.name:
            forms = [e.terms for e in expansions if position in e.words]
            terms = frozenset(word.terms).union(*forms)
            if word.speaker and fold(word.text) not in NAME_PARTICLES:
                speaker.append(terms)
            else:
                names.setdefault(word.name_start, []).append(terms)
    return tuple(speaker), tuple(tuple(group) for group in names.values())


def _weights(read: Question, expansions: Sequence[Expansion]) -> dict[str, float]:
    """Each term's multiplier: 1 for the user's words, less for expansions; in a who-said
    question the names (most often the speaker) count more."""
    speaker = SPEAKER_WEIGHT if read.type == "who-said" else 1.0
    weights: dict[str, float] = {}
    for word in read.words:
        for t in word.terms:
            weights[t] = max(weights.get(t, 0.0), speaker if word.name else 1.0)
    for expansion in expansions:
        named = any(read.words[i].name for i in expansion.words)
        for t in expansion.terms:
            weights.setdefault(t, expansion.weight * (speaker if named else 1.0))
    return weights


def pooled_weights(
    read: Question,
    expansions: Sequence[Expansion],
    weights: Mapping[str, float],
    index: BM25Index,
) -> dict[str, float]:
    """``weights`` for a question searched in both languages: each word weighs, in either, what
    it weighs as one term held by the passages of both (``BM25Index.pooled_idf``).

    A word's idf depends on how many passages of its own language the collection holds: in one
    mostly English, "Chine" is rare and "China" common, and a French question about China
    finds the one French passage naming it before the English article that answers. Only a
    word's one-word forms join it: a phrase ("terror attack" for "bombing") is another
    concept, and a word of a longer name ("Sud-Rail") is not the word alone ("South").
    """
    weighed = dict(weights)
    name_sizes = Counter(w.name_start for w in read.words if w.name)
    for position, word in enumerate(read.words):
        if word.name and name_sizes[word.name_start] > 1:
            continue
        forms = [
            e.terms
            for e in expansions
            if e.words == (position,) and e.kind != "spelling" and len(e.terms) == 1
        ]
        if not forms:
            continue
        group = set(word.terms).union(*forms)
        pooled = index.pooled_idf(group)
        own = index.idf(group)
        for t in group:
            if own[t] > pooled:  # a form of two words takes the lesser of their weights
                weighed[t] = min(weighed[t], weights[t] * pooled / own[t])
    return weighed


def _expansions(read: Question, index: BM25Index) -> list[Expansion]:
    if not read.analysed:
        return []
    found = translations(read)
    covered = {p for e in found for p in e.words}
    found += cognates(read, index, known={t for e in found for t in e.terms})
    found += spellings(read, index, spelling_index(index, index.terms), covered=covered)
    return found


def _unnamed(
    read: Question, expansions: Sequence[Expansion], index: BM25Index, ids: Sequence[int]
) -> set[int]:
    """For a who-said question, the hits that hold none of the speaker's names (or, when it
    names no speaker, of its names), not even in their article's title or lead (the index
    terms): someone else is speaking there."""
    if read.type != "who-said" or not ids:
        return set()
    positions = {i for i, w in enumerate(read.words) if w.name and w.speaker}
    positions = positions or {i for i, w in enumerate(read.words) if w.name}
    names = {t for i in positions for t in read.words[i].terms}
    names |= {t for e in expansions if positions.intersection(e.words) for t in e.terms}
    if not names:
        return set()
    scores = index.get_scores(sorted(names), list(ids))
    return {
        passage_id for passage_id, score in zip(ids, scores.tolist(), strict=True) if score <= 0
    }


def _select(
    read: Question,
    expansions: Sequence[Expansion],
    terms: Collection[str],
    ids: list[int],
    scores: list[float],
    fetch: FetchPassages,
    per_article: int,
    limit: int,
    unnamed: Collection[int] = (),
    keep: Callable[[PassageRecord], bool] | None = None,
) -> list[tuple[PassageRecord, float]]:
    """The first ``limit`` hits in rank order, a passage carrying the answer's kind ahead of its
    siblings, the newer among near-ties (``by_recency``), at most ``per_article`` from an
    article, no re-sent duplicate, and none that ``keep`` refuses."""
    records = {r.passage_id: r for r in fetch(ids)}
    wanted = set(terms)
    speakers = speaker_names(read, expansions)
    concepts = _concepts(read, expansions)
    speaker_only = bool(read.words) and all(w.speaker and w.name for w in read.words)
    given = question_figures(terms)
    ranked = []
    for rank, (passage_id, score) in enumerate(zip(ids, scores, strict=True)):
        record = records.get(passage_id)
        if record is None or (keep is not None and not keep(record)):
            continue  # deleted since the index last caught up, or filtered out
        boost = 1.0
        # Hits far down the list cannot climb to the page: they are not read again.
        if rank < max(RERANK_FACTOR * limit, RERANK_MIN):
            # BM25 stays the main signal: the answer's kind is worth a fraction of a score.
            if read.type == "who-said":
                kind, spoken = speech_feature(record.text, speakers, title=record.title)
                # The speaker named as speaking, not only mentioned, is worth more besides.
                if spoken:
                    boost += SPEAKER_BOOST + (SPEAKER_ONLY_BOOST if speaker_only else 0.0)
                boost += TYPE_BOOST * kind
            else:
                boost += TYPE_BOOST * passage_feature(record.text, read.type, speakers, given)
            if not holds_any(record.text, record.language, wanted) or passage_id in unnamed:
                boost *= CONTEXT_ONLY
            if concepts:
                held = set(passage_terms(record.text, record.language, title=record.title))
                share = sum(bool(c.terms & held) for c in concepts) / len(concepts)
                boost *= share**COORDINATION
        ranked.append((score * boost, record, score))
    ranked.sort(key=lambda item: (-item[0], item[1].passage_id))
    bm25 = {record.passage_id: score for _, record, score in ranked}
    kept: list[tuple[PassageRecord, float]] = []
    per_article_count: dict[int, int] = {}
    # A re-sent text (a corrected or re-filed dispatch under another slug): its best passage only.
    seen: list[tuple[bytes, str]] = []
    for record, _ in by_recency([(record, boosted) for boosted, record, _ in ranked]):
        score = bm25[record.passage_id]
        if per_article_count.get(record.article_id, 0) >= per_article:
            continue
        signed = record.signature or signature(record.text)
        if any(
            is_duplicate(signed, other) and same_words(record.text, text) for other, text in seen
        ):
            continue
        seen.append((signed, record.text))
        per_article_count[record.article_id] = per_article_count.get(record.article_id, 0) + 1
        kept.append((record, score))
        if len(kept) >= limit:
            break
    return kept


def is_answered(
    read: Question,
    expansions: Sequence[Expansion],
    passages: Sequence[PassageRecord],
    idf: Mapping[str, float],
) -> bool:
    """Whether one of the best passages (with its article's title) holds the key words.

    Each question word is a concept, found through its own terms or its expansions. A passage
    answers when it holds every name of the question (a capitalised word: "Macron", "Lisbon";
    of a name's words written side by side, one) and at least ``ANSWERED_SHARE`` of the
    concepts' idf weight; a word in no stored passage weighs the mean of the others (it may be
    a paraphrase, not the key).
    """
    if not passages or not read.words:
        return False
    concepts = _concepts(read, expansions)
    stored = [max((idf.get(t, 0.0) for t in c.terms), default=0.0) for c in concepts]
    known = [w for w in stored if w > 0]
    fallback = sum(known) / len(known) if known else 1.0
    weights = [w if w > 0 else fallback for w in stored]
    if not read.analysed:
        return any({fold(w.text) for w in iter_words(p.text)} & set(read.terms) for p in passages)

    def asked_of(language: Language, concept: _Concept) -> bool:
        # A word of one language only, untranslated ("flottante"), cannot be asked of a
        # passage in the other; nor can a name made of French words ("la Poste russe", "Corée
        # du Sud") be asked of an English one, which names it in its own ("Russian Post").
        # English names stay asked of French passages: "Trump", "May", "Brown" are words too.
        words = concept.untranslated
        if concept.name:
            return (
                concept.translated
                or not words
                or language != "en"
                or any(dictionary_languages(w) != {"fr"} for w in words)
            )
        return not words or any(
            language in (dictionary_languages(w) or set(LANGUAGES)) for w in words
        )

    # Each passage, and the passages shown of one article together: one may name the speaker
    # and the next hold what they said about the subject ("Korner … Lady Gaga", "… Batman").
    readings: list[tuple[Language, set[str]]] = []
    by_article: dict[int, list[int]] = {}
    acronyms = [
        c
        for c in concepts
        if c.name and len(c.untranslated) == 1 and _ACRONYM.fullmatch(c.untranslated[0])
    ]
    for passage in passages:
        found = set(passage_terms(passage.text, passage.language, title=passage.title))
        found |= source_names(passage.source)
        for concept in acronyms:
            if spells_out(concept.untranslated[0], f"{passage.title}. {passage.text}"):
                found |= concept.terms
        by_article.setdefault(passage.article_id, []).append(len(readings))
        readings.append((passage.language, found))
    for shown in by_article.values():
        if len(shown) > 1:
            readings.append((readings[shown[0]][0], set().union(*(readings[i][1] for i in shown))))
    for language, found in readings:
        held = [c.held_in(found) for c in concepts]
        names_held = all(h for h, c in zip(held, concepts, strict=True) if c.name)
        if names_held and sum(w for w, h in zip(weights, held, strict=True) if h) >= (
            ANSWERED_SHARE * sum(weights)
        ):
            return True
        # Only a passage failing the plain test asks which language each word belongs to.
        asked = [asked_of(language, c) for c in concepts]
        required = [c.name and a for c, a in zip(concepts, asked, strict=True)]
        if not all(h for h, r in zip(held, required, strict=True) if r):
            continue
        total = sum(w for w, a in zip(weights, asked, strict=True) if a)
        share = sum(w for w, h, a in zip(weights, held, asked, strict=True) if h and a)
        if share >= ANSWERED_SHARE * total:
            return True
    return False


_ACRONYM = re.compile(r"[A-Z]{2,6}")
# Small words an acronym's spelled-out form runs over: "Court of Arbitration for Sport".
_ACRONYM_FILLERS = frozenset("of for and the on de du des la le et pour d l".split())


def spells_out(acronym: str, text: str) -> bool:
    """Whether ``text`` writes ``acronym`` out in full: capitalised words whose initials spell
    it ("NFL": "the National Football League"; "CAS": "Court of Arbitration for Sport")."""
    words = [w.text for w in iter_words(text)]
    for i, first in enumerate(words):
        if first[:1] != acronym[0]:
            continue
        letters = ""
        for word in words[i:]:
            if word[:1].isupper():
                letters += word[0]
            elif not (letters and word.casefold() in _ACRONYM_FILLERS):
                break
            if not acronym.startswith(letters):
                break
            if letters == acronym:
                return True
    return False


def source_names(source: str) -> set[str]:
    """The words naming an article's source, as a question may ("BBC honours quiz"): a site's
    name without its domain ("bbc.co.uk": "bbc"), or an agency's ("AFP", "Deutsche Welle")."""
    words = [w.text for w in iter_words(source)]
    if "." in source and " " not in source.strip():
        words = words[:1]
    return {t for w in words for t in name_terms(w)}


@dataclass
class _Concept:
    """A word of the question, or the words of one name, as ``is_answered`` weighs it."""

    name: bool
    # A people's adjective ("Chinese", "biélorusses"), held by its country's name too.
    people: bool = False
    terms: set[str] = field(default_factory=set)
    untranslated: list[str] = field(default_factory=list)
    translated: bool = False

    def held_in(self, found: set[str]) -> bool:
        """Whether a passage's terms hold the concept; a name also as the start of a longer
        word, or a longer name as one of its words' start: "Germany" is held by "German",
        "South" by "southern" ("germani" / "german", "south" / "southern")."""
        if self.terms & found:
            return True
        if not (self.name or self.people):
            return False
        names = [t for t in self.terms if len(t) >= MIN_NAME_PREFIX]
        return any(
            len(t) >= MIN_NAME_PREFIX and (t.startswith(n) or n.startswith(t))
            for t in found
            for n in names
        )


# How English names of peoples end: British, Saudi, Croatian, Congolese, Moroccan.
_DEMONYM_ENDINGS = ("ish", "i", "is", "ian", "ians", "an", "ans", "ese")


def _concepts(read: Question, expansions: Sequence[Expansion]) -> list[_Concept]:
    """The question's concepts, each with the terms it is found by: a word with its
    expansions. The words of one name written side by side ("Sergueï Lavrov") are one concept:
    the text may call the person by one of them ("Lavrov"), or spell the other another way."""
    grouped: dict[tuple[int, int], _Concept] = {}
    for position, word in enumerate(read.words):
        translated = any(e.kind != "spelling" for e in expansions if position in e.words)
        terms = set(word.terms).union(*(e.terms for e in expansions if position in e.words))
        key = (word.name_start, -1) if word.name else (-1, position)
        # A people's adjective the table gives in lowercase French ("British" / "britannique")
        # is no name to hold: "UK toy companies" answers about British ones.
        adjective = (
            word.name
            and word.text.casefold().endswith(_DEMONYM_ENDINGS)
            and any(
                e.kind == "translation" and e.form[:1].islower()
                for e in expansions
                if e.words == (position,)
            )
        )
        concept = grouped.setdefault(
            key, _Concept(name=_required_name(word, position) and not adjective)
        )
        concept.people = concept.people or adjective or is_language_name(word.text)
        concept.terms |= terms
        if not translated:
            concept.untranslated.append(word.text)
        concept.translated = concept.translated or translated
    return list(grouped.values())


def _required_name(word: QueryWord, position: int) -> bool:
    """Whether a passage must hold the word to answer: a name ("Macron", "Kabul Supreme Court
    blast" — the first word too, unless it is a word of the language: "Selon Grindel…"), but
    not a people's adjective ("Chinese" is answered by "China")."""
    if is_language_name(word.text):
        return False
    if word.name:
        return True
    return position == 0 and word.text[:1].isupper() and not is_dictionary_word(word.text)


def _also_searched(
    expansions: Sequence[Expansion], shown: Sequence[PassageRecord]
) -> tuple[str, ...]:
    """The forms searched besides the user's words that the answers shown contain, as written
    there ("Poutine"; a corrected spelling as the passage spells it); a form of several words
    ("deuxième tour") only when a passage holds them all."""
    names: dict[str, None] = {}
    for expansion in expansions:
        for record in shown:
            written = _written_form(record, expansion.terms)
            if written and len(set(expansion.terms)) > 1:
                held = set(passage_terms(record.text, record.language))
                written = written if set(expansion.terms) <= held else None
            if written:
                label = expansion.form if expansion.kind == "translation" else written
                names.setdefault(label, None)
                break
    return tuple(names)


def _written_form(record: PassageRecord, terms: Sequence[str]) -> str | None:
    wanted = set(terms)
    for word in iter_words(record.text):
        found = term(word.text, record.language)
        if found in wanted:
            return word.text
    return None
