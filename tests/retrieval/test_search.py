"""Search over stored articles: the seed answers well; caps, duplicates and paging behave."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.service import Depeche
from retrieval.expand import translations
from retrieval.question import read_question
from retrieval.search import (
    PassageRecord,
    _weights,
    is_answered,
    pooled_weights,
    source_names,
    spells_out,
)
from tests.helpers import FILLER, article


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did the Kremlin say?", "Le Kremlin l'a jugée"),
        ("Qu'a dit le Kremlin ?", "Le Kremlin l'a jugée"),
        ("trains déraillés", "dérailler trois trains"),
        ("derailed trains", "dérailler trois trains"),
        ("drones aérodromes", "drones"),
    ],
)
def test_the_seed_answers(seeded: Depeche, question: str, expected: str) -> None:
    results = seeded.ask(question)
    assert results.answers, question
    assert expected in results.answers[0].passage.text


@pytest.mark.parametrize(
    ("question", "shown"),
    [
        ("What did Putin say?", "riposter"),
        ("What did Ushakov say?", "rester en contact permanent"),
        ("Qu'a dit Ouchakov ?", "rester en contact permanent"),
        # The seed writes "Iouri": one word of a name is enough to name the person.
        ("What did Yuri Ushakov say?", "rester en contact permanent"),
        ("What did the Kremlin say?", "Le Kremlin l'a jugée 'positive'"),
        ("Qu'a dit le Kremlin ?", "Le Kremlin l'a jugée 'positive'"),
        ("How long did the phone call last?", "une heure et quinze minutes"),
        ("Combien de blessés dans les déraillements ?", "113 blessés"),
        ("Moscow Kyiv truce negotiations", "au point mort"),
        ("Poutin riposte", "riposter"),
        ("Ouchakof", "Ouchakov"),
        ("When did Trump and Putin speak?", "se sont parlé mercredi"),
        ("Where did the second round of talks take place?", "à Istanbul"),
    ],
)
def test_the_first_excerpt_holds_the_answer(seeded: Depeche, question: str, shown: str) -> None:
    results = seeded.ask(question)
    assert results.answered, question
    assert shown in results.answers[0].excerpt.text


@pytest.mark.parametrize(
    ("question", "also"),
    [
        ("What did Putin say?", "Poutine"),
        ("Moscow Kyiv truce negotiations", "Moscou"),
        ("Ouchakof", "Ouchakov"),
    ],
)
def test_the_reply_says_what_else_it_searched(seeded: Depeche, question: str, also: str) -> None:
    assert also in seeded.ask(question).also_searched


def test_a_form_of_several_words_is_said_searched_only_where_all_of_them_are(
    seeded: Depeche,
) -> None:
    # "second round" is searched as "deuxième tour" and "deuxième cycle": the seed says only
    # "le deuxième cycle".
    also = seeded.ask("Where did the second round of talks take place?").also_searched
    assert "deuxième cycle" in also and "deuxième tour" not in also


@pytest.mark.parametrize(
    "question",
    [
        "What did Macron say about pensions?",
        "Qu'a dit Emmanuel Macron sur les retraites ?",
        "Résultats du Grand Prix de Monaco",
        # The seed tells of the drones and of the talks, but no count nor year of either.
        "How many drones were shot down over Moscow?",
        "In what year did the talks start?",
    ],
)
def test_nothing_answers_directly_but_related_passages_are_shown(
    seeded: Depeche, question: str
) -> None:
    results = seeded.ask(question)
    assert not results.answered


@pytest.mark.parametrize(
    ("count", "answered"),
    [
        ("The 180 passengers were taken to a hotel.", True),
        ("Dozens of passengers were taken to a hotel.", True),
        ("The passengers were taken to a hotel in 2017.", False),
        ("The passengers were taken to a hotel.", False),
    ],
)
def test_how_many_is_answered_only_by_excerpts_holding_a_count(
    service: Depeche, tmp_path: Path, count: str, answered: bool
) -> None:
    path = tmp_path / "flight.txt"
    path.write_text(
        "Flight diverted to Stansted\n\nA Pakistan International Airlines flight to New York "
        "was diverted to Stansted airport on Sunday after a security alert, and its passengers "
        f"were questioned by police before being allowed to leave. {count}"
    )
    service.ingest_paths([path])
    results = service.ask("How many passengers were on the flight diverted to Stansted?")
    assert results.answers
    assert results.answered is answered


def test_english_words_with_no_french_form_are_not_asked_of_a_french_passage(
    seeded: Depeche,
) -> None:
    # The seed is French: "businesslike", "fruitful" and "upbeat" cannot be in it, Ushakov is.
    results = seeded.ask("How did Ushakov describe the businesslike, fruitful, upbeat exchange?")
    assert results.answered
    assert "Ouchakov" in results.answers[0].excerpt.text


def test_a_question_without_a_subject_gets_guidance(seeded: Depeche) -> None:
    results = seeded.ask("What did he say?")
    assert results.needs_subject
    assert not results.answered and not results.answers


def test_another_script_is_searched_as_given(seeded: Depeche) -> None:
    results = seeded.ask("普京说了什么")
    assert not results.analysed
    assert not results.answered


def test_ouchakov_finds_the_ouchakov_paragraphs(seeded: Depeche) -> None:
    results = seeded.ask("Ouchakov", k=10)
    assert results.answers
    assert all("Ouchakov" in a.passage.text for a in results.answers)
    # The seed is one article: at most two passages of it in one answer.
    assert len(results.answers) == 2
    marked = {a.excerpt.text[s:e] for a in results.answers for s, e in a.excerpt.highlights}
    assert marked == {"Ouchakov"}


def test_excerpt_and_citation_of_the_seed(seeded: Depeche) -> None:
    answer = seeded.ask("What did the Kremlin say?").answers[0]
    assert len(answer.excerpt.text) <= 300
    assert "Kremlin" in answer.excerpt.text
    passage = answer.passage
    assert passage.source == "ATS"
    assert passage.title.startswith("Donald Trump et son homologue russe")
    assert passage.published_precision == "month"


def test_single_passage_corpus_still_ranks_sensibly(service: Depeche, tmp_path: Path) -> None:
    # One passage: every rank-bm25 idf is negative; more matches must still mean a better match.
    path = tmp_path / "one.txt"
    path.write_text("Le Kremlin a jugé la conversation positive et productive, selon Moscou.")
    service.ingest_paths([path])
    results = service.ask("Kremlin Moscou")
    assert len(results.answers) == 1 and results.answers[0].score > 0


@pytest.mark.parametrize("question", ["", "   ", "the of and", "le la les", "???", "🙂🙂"])
def test_questions_without_usable_words_have_no_terms(seeded: Depeche, question: str) -> None:
    results = seeded.ask(question)
    assert results.terms == () and results.answers == ()


def test_no_match_is_an_empty_answer(seeded: Depeche) -> None:
    results = seeded.ask("photosynthèse chlorophylle")
    assert results.terms and not results.answers


def _articles(n: int, *, text: str) -> str:
    return "\n".join(
        json.dumps(
            {
                "title": f"Dispatch {i}",
                "body": text.format(i=i),
                "source": "AFP",
                "language": "fr",
                "url": f"https://example.org/{i}",
            }
        )
        for i in range(n)
    )


def test_near_duplicate_resends_collapse_into_one_result(service: Depeche, tmp_path: Path) -> None:
    body = (
        "Le Kremlin a qualifié de positives les discussions d'Istanbul avec la délégation "
        "ukrainienne, a indiqué le porte-parole {i} mercredi soir à Moscou devant la presse."
    )
    (tmp_path / "dupes.jsonl").write_text(_articles(3, text=body))
    other = tmp_path / "other.txt"
    other.write_text(
        "Le Kremlin dément toute implication dans les explosions en Russie, dit Moscou."
    )
    service.ingest_paths([tmp_path])
    results = service.ask("Kremlin Istanbul Moscou", k=5)
    texts = [a.passage.text for a in results.answers]
    assert sum("positives" in t for t in texts) == 1
    assert any("dément" in t for t in texts)


def test_paging_walks_through_all_results_without_repeats(service: Depeche, tmp_path: Path) -> None:
    topics = [
        "les récoltes de blé du printemps",
        "la centrale nucléaire de Zaporijjia",
        "les sanctions bancaires européennes",
        "le prix du gaz livré en Hongrie",
        "un échange de prisonniers de guerre",
        "la flotte de la mer Noire",
        "les élections municipales prévues",
        "un accord céréalier avec la Turquie",
    ]
    lines = [
        json.dumps(
            {
                "title": f"Dépêche {i}",
                "body": f"Le Kremlin a commenté {t} en Ukraine.",
                "source": "AFP",
                "language": "fr",
            }
        )
        for i, t in enumerate(topics)
    ]
    (tmp_path / "many.jsonl").write_text("\n".join(lines))
    service.ingest_paths([tmp_path])
    seen: list[int] = []
    offset = 0
    while True:
        page = service.ask("Kremlin Ukraine", k=3, offset=offset)
        seen += [a.passage.passage_id for a in page.answers]
        if not page.has_more:
            break
        offset += 3
    assert len(seen) == len(set(seen)) == 8
    scores = [a.score for a in service.ask("Kremlin Ukraine", k=8).answers]
    assert scores == sorted(scores, reverse=True)


def test_the_excerpt_favours_the_sentence_with_the_rarer_word(
    service: Depeche, tmp_path: Path
) -> None:
    common = (
        "Le gouvernement a longuement parlé de la situation économique du pays cette semaine, "
        "devant des députés partagés sur la suite à donner."
    )
    filler = (
        "Les discussions ont duré plusieurs heures et se poursuivront, selon les services "
        "de la présidence, au début du mois prochain."
    )
    rare = (
        "Le Zeppelin a survolé le lac au petit matin sous les yeux des promeneurs étonnés, "
        "avant de se poser sans encombre près du port."
    )
    (tmp_path / "many.jsonl").write_text(
        "\n".join(
            json.dumps(
                {
                    "title": f"Brève {i}",
                    "body": f"{common} Numéro {i} d'une série.",
                    "language": "fr",
                }
            )
            for i in range(6)
        )
        + "\n"
        + json.dumps({"title": "Zeppelin", "body": f"{common} {filler} {rare}", "language": "fr"})
    )
    service.ingest_paths([tmp_path])
    answers = service.ask("gouvernement Zeppelin", k=1).answers
    assert answers and "Zeppelin" in answers[0].excerpt.text


# Two articles for a who-said question: (body, title, language) of the one that must not come
# first, then of the one that must; the question; words of the first excerpt.
WHO_SAID_RANKINGS = [
    pytest.param(
        (
            '<p>"Putin\'s critics keep being poisoned," said analyst Richard Clarke.</p>',
            "Critics fall ill",
            "en",
        ),
        (
            "<p>Putin said on Tuesday that Russia would answer the attacks on its airfields in "
            "the north and in the east of the country.</p>",
            "Kremlin answers",
            "en",
        ),
        "What did Putin say?",
        "would answer the attacks",
        # The quote mentioning Putin scores a little higher on BM25 alone (a shorter passage).
        id="the speaker speaking above the speaker mentioned",
    ),
    pytest.param(
        (
            '<p>Critics say that Putin\'s Russia poisons them. "He fears us," said one.</p>',
            "Critics of Putin",
            "en",
        ),
        (
            "<p>During his annual news conference in Moscow on December 23, President Vladimir "
            "Putin said that Russia could grant Georgians a visa waiver, adding that relations "
            "between the two countries were slowly improving after years of tension.</p>",
            "Visa waiver for Georgia",
            "en",
        ),
        "What did Putin say?",
        "visa waiver",
        # Asked about no subject, the speaker's words on anything beat the passages about them.
        id="the speaker alone: their words before passages about them",
    ),
    pytest.param(
        (
            "<p>L'entretien entre M. Poutine et M. Trump a duré une heure, a indiqué le Kremlin. "
            "« Poutine a dit qu'il allait riposter », a affirmé le président américain.</p>",
            "Poutine et Trump au téléphone",
            "fr",
        ),
        (
            '<p>German Chancellor Angela Merkel spoke with Vladimir Putin on Tuesday. "We have '
            'agreed on further steps within the Normandy format," she said in Warsaw, where she '
            "met the Polish prime minister and answered questions from reporters.</p>",
            "Merkel in Warsaw",
            "en",
        ),
        "Qu'a dit Merkel après son entretien avec Poutine ?",
        "Normandy format",
        id="passages without the speaker last",
    ),
]


@pytest.mark.parametrize(("other", "answer", "question", "shown"), WHO_SAID_RANKINGS)
def test_who_said_ranking(
    depeche: Depeche,
    other: tuple[str, str, str],
    answer: tuple[str, str, str],
    question: str,
    shown: str,
) -> None:
    drafts = [
        article(n, body, title=title, language=language)
        for n, (body, title, language) in enumerate((other, answer), start=1)
    ]
    depeche.ingest_drafts([*drafts, *(article(n) for n in range(3, 9))])
    assert shown in depeche.ask(question).answers[0].excerpt.text


def test_what_a_french_question_asks_for_is_found_in_english_too(depeche: Depeche) -> None:
    # "Dans quelle revue" asks for a journal: the sentence naming one answers, in English.
    study = article(
        1,
        "<p>Scientists in Moscow have made perovskite solar cells of tremendous efficiency, "
        "their study shows. The new solar cells convert about 10% of the light they receive, as "
        "much as the best solar cells of hybrid materials made so far in the laboratories of the "
        f"world, the study says. {FILLER['en']} The results appear in the Journal of Physical "
        "Chemistry Letters.</p>",
        title="Perovskite solar cells",
        language="en",
    )
    depeche.ingest_drafts([study, *(article(n) for n in range(3, 9))])
    question = "Dans quelle revue l'étude sur les cellules solaires a-t-elle été publiée ?"
    assert "Journal of Physical Chemistry" in depeche.ask(question).answers[0].excerpt.text


def _passage(text: str, language: str = "en", source: str = "TEST") -> PassageRecord:
    return PassageRecord(1, 1, 0, None, text, language, "", source, None, None, None, "day")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "text", "other"),
    [
        # "Chinese" names a people: "China's" answers it.
        (
            "How many Chinese discipline inspectors were punished since late 2012?",
            "China's disciplinary body punished 7,900 discipline inspectors since late 2012.",
            "How many discipline inspectors did Macron punish since late 2012?",
        ),
        # A capitalised first word of the language is no name: "Selon" need not be there.
        (
            "Selon Grindel, qui doit poursuivre les auteurs des violences de Dortmund ?",
            "Grindel a appelé les procureurs à poursuivre les auteurs des violences de Dortmund.",
            "Selon Macron, qui doit poursuivre les auteurs des violences de Dortmund ?",
        ),
    ],
)
def test_a_peoples_adjective_or_a_first_word_is_not_a_name_to_hold(
    question: str, text: str, other: str
) -> None:
    passage = _passage(text, "fr" if question.startswith("Selon") else "en")
    for asked, answered in ((question, True), (other, False)):  # a missing name still counts
        read = read_question(asked)
        assert is_answered(read, [], [passage], dict.fromkeys(read.terms, 1.0)) is answered


@pytest.mark.parametrize(
    ("question", "text", "language", "answered"),
    [
        # "Poste" and "Mondial" are French words: an English text names them its own way.
        (
            "Combien de timbres la Poste russe émet-elle pour le Mondial 2018 ?",
            "The Russian Post will issue 250,000 stamps for the 2018 FIFA World Cup.",
            "en",
            True,
        ),
        # ...but a French text still has to hold them.
        (
            "Combien de timbres la Poste russe émet-elle pour le Mondial 2018 ?",
            "La Russie émettra 250.000 timbres pour 2018.",
            "fr",
            False,
        ),
        # English names are often English words: "Trump" is asked of a French text too.
        (
            "What did Trump say about Mexico?",
            "Le Mexique a dit qu'il ne paierait pas le mur.",
            "fr",
            False,
        ),
    ],
)
def test_a_name_in_french_words_is_not_asked_of_an_english_text(
    question: str, text: str, language: str, answered: bool
) -> None:
    read = read_question(question)
    expansions = translations(read)
    terms = set(read.terms).union(*(e.terms for e in expansions))
    passage = _passage(text, language)
    assert is_answered(read, expansions, [passage], dict.fromkeys(terms, 1.0)) is answered


def test_a_passage_holding_more_of_the_question_ranks_first_whatever_its_language(
    depeche: Depeche,
) -> None:
    english = article(
        1,
        "<p>Russian soldiers were wounded by shelling, officials said on Monday.</p>",
        language="en",
        title="Shelling",
    )
    # The user's own words at full weight, but two concepts of three.
    french = article(2, "<p>Des soldats blessés ont défilé lundi devant la foule.</p>")
    depeche.ingest_drafts([english, french, *(article(n) for n in range(3, 9))])
    results = depeche.ask("soldats russes blessés")
    assert "wounded" in results.answers[0].passage.text


def test_a_word_weighs_alike_in_both_languages_whichever_the_collection_holds_more_of(
    depeche: Depeche,
) -> None:
    # "Chine" is in one French passage and "China" in seven English ones: on its own idf the
    # French word would outweigh everything the English article holds besides.
    english = [
        article(
            n,
            f"<p>China said on Monday that its exports rose in month {n}, officials said.</p>",
            language="en",
            title=f"China trade {n}",
        )
        for n in range(1, 7)
    ]
    births = article(
        7,
        "<p>China recorded 17.86 million births in 2016, as more babies were born after the "
        "two-child policy took effect, the health commission said.</p>",
        language="en",
        title="New child policy increases births",
    )
    french = article(8, "<p>La Chine a dénoncé mardi les nouvelles sanctions européennes.</p>")
    depeche.ingest_drafts([*english, births, french, *(article(n) for n in range(9, 13))])
    first = depeche.ask("Combien de bébés sont nés en Chine ?").answers[0]
    assert "17.86 million" in first.excerpt.text


def test_pooled_weights_leave_a_word_of_one_language_alone(depeche: Depeche) -> None:
    """A word without other-language forms, or one of a longer name, keeps its weight."""
    depeche.ingest_drafts([article(n) for n in range(1, 5)])
    for question in ("Sud-Rail grève", "réunion Istanbul"):
        read = read_question(question)
        expansions = translations(read)
        weights = _weights(read, expansions)
        assert pooled_weights(read, expansions, weights, depeche.index) == weights


def test_a_passage_holding_less_than_half_the_question_does_not_answer_it() -> None:
    # BP and 2016 are there, but not the payment, the shareholders or the dividends.
    read = read_question("How much did BP pay shareholders in dividends for 2016?")
    weights = dict.fromkeys(read.terms, 1.0)
    passage = _passage("BP said its profit fell sharply in 2016 as oil prices slumped.")
    assert is_answered(read, [], [passage], weights) is False
    paid = _passage("BP paid its shareholders $6.7 billion in dividends for 2016.")
    assert is_answered(read, [], [paid], weights) is True


@pytest.mark.parametrize(
    ("question", "text", "answered"),
    [
        # "Germany" is held by "German", "South" by "southern".
        (
            "How many teenagers died in Germany?",
            "Six teenagers died in the southern German town of Arnstein.",
            True,
        ),
        ("Who governs the South Kurils?", "Japan claims the southern Kurils.", True),
        # Four letters are too few: "Iran" is not "Iraq".
        ("How many teenagers died in Iraq?", "Six teenagers died in Iran.", False),
        # A people's adjective is held by its country's name.
        ("How many Belarusian experts left?", "Belarus withdrew its experts.", True),
        # "British" is a people's adjective (the table's French "britannique"), not a name to
        # hold; "Pope" is one ("pape" in French all the same).
        (
            "What did the toy expert say about British toy firms?",
            '"UK toy firms are trying to open up the Asian market," the toy expert said.',
            True,
        ),
        ("What did the Pope say about climate change?", "Leaders spoke on climate change.", False),
        # One person's name, particles and all, is held by one of its words.
        (
            "When did Qassim al-Rimi become the leader of al Qaeda?",
            "Rimi became the leader of al Qaeda in 2015.",
            True,
        ),
        ("What did Ursula von der Leyen say?", 'Von der Leyen said: "We stand ready."', True),
        # French "de" joins no name: the Grand Prix is not held by Monaco.
        ("Résultats du Grand Prix de Monaco", "Monaco a accueilli un sommet.", False),
    ],
)
def test_the_names_a_passage_must_hold(question: str, text: str, answered: bool) -> None:
    read = read_question(question)
    found = translations(read)
    assert is_answered(read, found, [_passage(text)], dict.fromkeys(read.terms, 1.0)) is answered


@pytest.mark.parametrize(
    ("question", "text", "source", "answered"),
    [
        # The article's source names it: "BBC" is held by a passage of bbc.co.uk.
        (
            "BBC honours quiz Beckham",
            "Beckham never received an honour, a quiz recalls.",
            "bbc.co.uk",
            True,
        ),
        (
            "BBC honours quiz Beckham",
            "Beckham never received an honour, a quiz recalls.",
            "dw.com",
            False,
        ),
        # An acronym is held by its words written out.
        (
            "How much did the NFL pay?",
            "The National Football League paid $1 billion.",
            "dw.com",
            True,
        ),
        (
            "How much did the NFL pay?",
            "The National Hockey League paid $1 billion.",
            "dw.com",
            False,
        ),
    ],
)
def test_a_name_is_held_by_the_source_or_by_its_acronym_written_out(
    question: str, text: str, source: str, answered: bool
) -> None:
    read = read_question(question)
    passage = _passage(text, source=source)
    assert is_answered(read, [], [passage], dict.fromkeys(read.terms, 1.0)) is answered


@pytest.mark.parametrize(
    ("source", "names"),
    [("bbc.co.uk", {"bbc"}), ("AFP", {"afp"}), ("Deutsche Welle", {"deutsch", "well"})],
)
def test_source_names(source: str, names: set[str]) -> None:
    assert source_names(source) == names


_CAPITALISED = st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True)


@given(st.lists(_CAPITALISED, min_size=2, max_size=5), st.sampled_from(["of", "for", "and"]))
def test_the_initials_of_capitalised_words_spell_out_their_acronym(
    words: list[str], filler: str
) -> None:
    acronym = "".join(w[0] for w in words)
    text = f"The {words[0]} {filler} {' '.join(words[1:])} said so."
    assert spells_out(acronym, text)
    assert not spells_out(acronym, text.lower())


def test_the_passages_shown_of_one_article_answer_together() -> None:
    read = read_question("What did Korner say about Lady Gaga and Batman?")
    named = _passage("Georg Korner said his installation shows Lady Gaga among others.")
    batman = _passage("Batman and Lady Gaga are the transitory heroes of our times, he said.")
    weights = dict.fromkeys(read.terms, 1.0)
    assert not is_answered(read, [], [named], weights)
    assert not is_answered(read, [], [batman], weights)
    assert is_answered(read, [], [named, batman], weights)
    other_article = PassageRecord(
        2, 2, 0, None, batman.text, "en", "", "TEST", None, None, None, "day"
    )  # type: ignore[arg-type]
    assert not is_answered(read, [], [named, other_article], weights)


ARMYWORM = (
    "<p>The fall armyworm, a destructive caterpillar indigenous to the Americas, was only "
    "spotted in Africa last year, but the larvae of the fall armyworm have already left a trail "
    "of destruction across three of South Africa's nine provinces, threatening food security. "
    "The pest targets maize, sorghum, soya beans, groundnuts and potatoes. Zambia says 124,000 "
    "hectares of its crops have been destroyed. In December, the country ordered the national "
    "air force into action to control the plague.</p>"
)


def test_the_best_answer_also_shows_its_passages_next_excerpt_on_the_question(
    depeche: Depeche,
) -> None:
    pest = article(1, ARMYWORM, title="Armyworm spreads in southern Africa", language="en")
    depeche.ingest_drafts([pest, *(article(n) for n in range(2, 8))])
    question = "How much farmland in Zambia has been wiped out by the fall armyworm?"
    best = depeche.ask(question).answers[0]
    assert "124,000" not in best.excerpt.text
    assert best.more is not None and "Zambia says 124,000 hectares" in best.more.text
    # Paging on: the next pages' answers are the other passages, each with one excerpt.
    assert all(a.more is None for a in depeche.ask(question, offset=1).answers)


def test_a_passage_with_nothing_more_on_the_question_shows_one_excerpt(seeded: Depeche) -> None:
    # The seed's paragraphs are a sentence or two: the first excerpt is all they say.
    assert seeded.ask("What did the Kremlin say?").answers[0].more is None
