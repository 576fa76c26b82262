"""Reading a question: its type, the words searched, names kept from the French stemmer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.question import read_question


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What did Putin say?", "who-said"),
        ("Qu'a dit le Kremlin ?", "who-said"),
        ("Qu'a déclaré Ivan Kovacevic ?", "who-said"),
        ("Qu'a dénoncé le gouverneur Fedorov ?", "who-said"),
        ("What did the EU Commission spokesman say about the Brexit bill?", "who-said"),
        ("What did Zhou Youguang joke about his longevity?", "who-said"),
        ("What was the priciest watch in the collection worth?", "how-many"),
        ("Quelle amende encourt l'auteur ?", "how-many"),
        ("What e-commerce trading volume does the plan target?", "how-many"),
        ("Qu'a demandé Pékin aux États-Unis ?", "who-said"),
        ("How did the Air Force chief describe the contacts with Russia?", "who-said"),
        ("How did Moscow react to the sanctions?", "who-said"),
        ("Why did Hungary lift its veto?", "why"),
        ("Pourquoi la Hongrie a-t-elle levé son veto ?", "why"),
        ("Dortmund Champions League return Benfica date", "when"),
        ("date du second tour", "when"),
        ("Comment le Kremlin a-t-il réagi ?", "who-said"),
        ("How many people were wounded in Kharkiv?", "how-many"),
        ("How long did the phone call last?", "how-many"),
        ("Combien de drones la Russie a-t-elle lancés ?", "how-many"),
        ("Quel a été le taux de participation ?", "how-many"),
        ("How high is the memorial to Aleppo in Dresden?", "how-many"),
        ("To what level has the reliance on foreign equipment fallen?", "how-many"),
        ("À quel niveau le chômage est-il tombé ?", "how-many"),
        ("À quelle distance se trouve la galaxie où vit le trou noir ?", "how-many"),
        ("What price did the Nokia 6 sell at when it launched?", "how-many"),
        ("When will the PyeongChang Winter Olympics take place?", "when"),
        ("Quand la Banque nationale suisse se réunira-t-elle ?", "when"),
        ("In what year did Georgia waive visas for Russians?", "year"),
        ("En quelle année le régime de visas a-t-il été imposé ?", "year"),
        ("A quelle heure la secousse s'est-elle produite ?", "when"),
        ("Where is the Combined Air Operations Center located?", "where"),
        ("Où a eu lieu l'embuscade ?", "where"),
        ("Dans quelle commune un chalet a-t-il brûlé ?", "where"),
        ("Who won the IKEA drawing competition?", "who"),
        ("trains déraillés", "other"),
        # A say-verb inside a compound is a word of the subject.
        ("What state-owned firms were sold?", "other"),
    ],
)
def test_the_question_type(question: str, kind: str) -> None:
    assert read_question(question).type == kind


@pytest.mark.parametrize(
    ("question", "searched"),
    [
        ("What did Putin say?", ["Putin"]),
        ("Qu'a dit le Kremlin ?", ["Kremlin"]),
        ("How many people were wounded in Kharkiv?", ["people", "wounded", "Kharkiv"]),
        ("Combien de temps a duré l'entretien ?", ["duré", "entretien"]),
        ("Où a eu lieu l'embuscade ?", ["embuscade"]),
        ("When will the Olympics take place?", ["Olympics"]),
        ("Jusqu'à quand les fraudeurs peuvent-ils payer ?", ["fraudeurs", "payer"]),
        ("De combien les coûts devraient-ils baisser ?", ["coûts", "baisser"]),
        ("Que veut le régulateur ?", ["régulateur"]),
        (
            "Quel système protégeait la flotte pendant l'exercice ?",
            ["système", "protégeait", "flotte", "exercice"],
        ),
        # Auxiliaries are not searched: "être" as little as "été".
        ("Jusqu'où le gazoduc doit-il être prolongé ?", ["gazoduc", "prolongé"]),
        (
            "What did the commission say about state-sponsored doping?",
            ["commission", "state", "sponsored", "doping"],
        ),
    ],
)
def test_question_words_and_say_verbs_are_not_searched(question: str, searched: list[str]) -> None:
    assert [w.text for w in read_question(question).words] == searched


@pytest.mark.parametrize(
    ("question", "name", "not_searched"),
    [
        ("What happened in Mali?", "mali", "mal"),  # "mal" is a common French word
        ("What did the Saudis announce?", "saudi", "saud"),  # a man named Saud
    ],
)
def test_names_are_not_stemmed_into_common_words(
    question: str, name: str, not_searched: str
) -> None:
    terms = read_question(question).terms
    assert name in terms
    assert not_searched not in terms


def test_a_question_made_only_of_question_words_needs_a_subject() -> None:
    for question in ("What did he say?", "Qu'a-t-il dit ?", "who said what?"):
        assert read_question(question).needs_subject, question
    assert not read_question("What did Putin say?").needs_subject


def test_other_scripts_are_searched_as_given() -> None:
    question = read_question("普京说了什么")
    assert not question.analysed
    assert question.terms == ("普京说了什么",)
    assert read_question("Что сказал Путин?").analysed is False
    assert read_question("Poutine à Moscou").analysed


@given(st.text(max_size=300))
def test_any_text_reads_as_a_question(text: str) -> None:
    question = read_question(text)
    assert all(t for t in question.terms)
    assert question.type in {"who-said", "how-many", "when", "where", "who", "other"}


@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        (
            "What did the Russian ambassador to Cyprus say about sanctions?",
            ["Russian", "ambassador", "Cyprus"],
        ),
        ("What did Merkel say after her call with Putin?", ["Merkel"]),
        ("Qu'a dit Merkel après son entretien avec Poutine ?", ["Merkel"]),
        ("Qu'a déclaré le ministre japonais de la Défense ?", ["ministre", "japonais", "Défense"]),
        ("What did Iohannis tell the government?", ["Iohannis"]),
        ("How many people died?", []),
        ("What did state-run media say about the strike?", ["state", "run", "media"]),
    ],
)
def test_who_speaks_in_a_who_said_question(question: str, speaker: list[str]) -> None:
    assert [w.text for w in read_question(question).words if w.speaker] == speaker


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("Which restaurant chains does Trump's pick run?", ["restaurant", "chains"]),
        ("What profit did Munich Re make in 2016?", ["profit"]),
        ("Quelle amende risque-t-il ?", ["amende"]),
        ("What did Putin say?", []),
        ("What was the tally?", []),
    ],
)
def test_the_words_after_which_say_what_the_answer_is(question: str, focus: list[str]) -> None:
    assert [w.text for w in read_question(question).words if w.focus] == focus


def test_a_month_or_a_weekday_is_no_name() -> None:
    words = read_question("What did bitcoin reach in early January before Monday?").words
    assert [w.text for w in words if w.name] == []
