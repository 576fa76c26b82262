"""Excerpts by question type: the quote, the figure, the date, the place; datelines never alone."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.analysis import fold, term
from retrieval.excerpt import (
    ELLIPSIS,
    GAP,
    MAX_EXCERPT_CHARS,
    Excerpt,
    dateline_end,
    excerpt_sentences,
    make_excerpt,
    names_speaker,
)
from retrieval.fields import passage_terms
from retrieval.kinds import feature
from retrieval.passages import quote_open_after, starts_inside_quote
from retrieval.question import read_question
from retrieval.search import name_groups, speaker_names
from retrieval.speech import quoted_sentences, speaking_sentences
from tests.helpers import FILLER

SPOKESMAN = (
    "Russia still expects Belarus to repay its gas debt, Deputy Prime Minister Arkady Dvorkovich "
    'said Tuesday. "So far there is no progress. We are expecting our colleagues to make '
    'suggestions," he said. Belarus and Russia have been negotiating gas prices since 2016.'
)


def excerpt_of(
    question: str,
    text: str,
    language: str = "en",
    *,
    lead: bool = False,
    weights: dict[str, float] | None = None,
    avoid: tuple[int, ...] = (),
) -> Excerpt:
    read = read_question(question)
    focus = [t for w in read.words if w.focus for t in w.terms]
    speaker, names = name_groups(read)
    return make_excerpt(
        text,
        read.terms,
        language,  # type: ignore[arg-type]
        weights=weights,
        question_type=read.type,
        speakers=speaker_names(read),
        speaker=speaker,
        names=names,
        lead=lead,
        focus=focus,
        avoid=avoid,
    )


def excerpt_for(
    question: str,
    text: str,
    language: str = "en",
    *,
    lead: bool = False,
    weights: dict[str, float] | None = None,
) -> str:
    return excerpt_of(question, text, language, lead=lead, weights=weights).text


def test_who_said_takes_the_quote_with_its_attribution() -> None:
    shown = excerpt_for("What did Dvorkovich say about the gas talks?", SPOKESMAN)
    assert "So far there is no progress" in shown
    assert "Dvorkovich" in shown


AMBASSADOR = (
    "Russian banks weathered the recession in Cyprus, Russian ambassador Stanislav Osadchy told "
    'reporters on Tuesday. "Our banks did not merely stay afloat, they grew," the ambassador '
    'said. "As far as we know, the European sanctions did not hamper their work," he added. '
    "Several Russian banks keep offices in Limassol."
)


def test_who_said_takes_the_quote_on_the_subject_when_the_speaker_was_named_before() -> None:
    shown = excerpt_for(
        "What did the Russian ambassador to Cyprus say about sanctions?", AMBASSADOR
    )
    assert "sanctions did not hamper their work" in shown


@pytest.mark.parametrize(
    ("question", "text", "said"),
    [
        # A short sentence opening a quote is shown with the one closing it.
        (
            "What did Zhou Youguang joke about his longevity?",
            f"{FILLER['en']} After the war he worked as a banker in the United States. "
            'He joked about his longevity on his birthday in 2013: "God is so busy. He has '
            'forgotten me." He died at 111.',
            "God is so busy. He has forgotten me.",
        ),
        # The speaker's next words come along while they fit.
        (
            "What did Zlatinov say about the operation on Pooh?",
            "Pooh the cat got two titanium legs, vet Vladislav Zlatinov said on Tuesday. "
            f'{FILLER["en"]} "We are very proud," said Zlatinov. "It gives hope to other '
            'patients." Cats who lost one leg do well, the clinic added later in a long statement.',
            '"We are very proud," said Zlatinov. "It gives hope to other patients."',
        ),
    ],
)
def test_who_said_shows_the_words_said_to_their_end(question: str, text: str, said: str) -> None:
    assert said in excerpt_for(question, text)


def test_who_said_shows_the_speakers_words_not_a_quote_that_only_names_them() -> None:
    # The prime minister's quote names Schinas and the bill; Schinas's own words hold neither
    # the bill nor more than his name, yet they are what he said.
    text = (
        "The British prime minister met Margaritis Schinas in Brussels on Monday and told him "
        'that the bill "will not be paid in full" under any deal. '
        f"{FILLER['en']} "
        "Otherwise, he said, it would be like going to a pub with friends, ordering a round and "
        'leaving while the party goes on. "You still need to pay for the round you ordered," '
        "Schinas said."
    )
    shown = excerpt_for("What did Schinas say about the bill?", text)
    assert "You still need to pay for the round you ordered" in shown
    assert "will not be paid in full" not in shown


def test_an_editors_insert_in_a_quote_is_not_what_was_said() -> None:
    text = (
        "Russia may supply two to four Superjet aircraft to Armenia in 2018-2019, Industry "
        'Minister Denis Manturov said on Tuesday. "I think in total it concerns not more than 10 '
        'aircraft in five years, but we will start with two to four aircraft," the minister said. '
        '"If we form a sound program this year, this (the delivery of aircraft - TASS) will be in '
        "early 2019 in the best case. But it would be more realistic in 2019 (to arrange "
        'deliveries of aircraft - TASS)," Manturov added. In January, Russia and Armenia were '
        "reported to be in talks on a new airline in Armenia."
    )
    # As search weighs them (idf, names half as much again): the rarer a word, the more it says.
    idf = {"manturov": 7.5, "aircraft": 4.8, "deliveri": 4.6, "armenia": 8.8}
    shown = excerpt_for(
        "What did Manturov say about aircraft deliveries to Armenia?", text, weights=idf
    )
    assert "not more than 10 aircraft in five years" in shown


def test_a_surname_alone_names_the_speaker_of_a_later_quote() -> None:
    text = (
        "The tank's maker Uralvagonzavod, headed by Oleg Siyenko, is testing a new tank. "
        '"We are in the process of test runs," Siyenko said. "We would like to deliver as soon '
        'as possible," Siyenko said. "We hope that the army will start operating the new tanks '
        'next year."'
    )
    shown = excerpt_for("What did Oleg Siyenko say about the army and the new tanks?", text)
    assert "the army will start operating the new tanks" in shown


@pytest.mark.parametrize(
    ("sentences", "quoted"),
    [
        # A quote running over three sentences, closed by its attribution.
        (
            ["« Nous tiendrons.", "Il le faut.", "Rien ne change », a-t-il dit.", "Il pleut."],
            [True, True, True, False],
        ),
        # Straight quotes pair up: the second one closes.
        (['"We agreed," he said.', "Talks resume on Monday."], [True, False]),
        # An apostrophe is not a quote mark.
        (["I've been there.", "It's over."], [False, False]),
        # A quote that never closes stops counting after a few sentences.
        (['"One.'] + ["More."] * 6, [True] * 5 + [False] * 2),
        # A hyphen standing for a lost space after a colon; a hyphenated word is no quote.
        (['He said:-"She was hit in the neck".', "A so-'called' deal."], [True, False]),
        # A quote the writer left open: the next quote's mark opens it, and closes after.
        (
            [
                'The panel said that "It decided to uphold the ban.',
                '"It was expected," he said.',
                "The ban began in December.",
                "It covers six skiers.",
            ],
            [True, True, False, False],
        ),
        # A passage cut from a long quote starts inside it: its first mark closes it.
        (
            ['form joint ventures in the railway sector."', "The firm was set up in 1990."],
            [True, False],
        ),
    ],
)
def test_quoted_sentences(sentences: list[str], quoted: list[bool]) -> None:
    assert quoted_sentences(sentences) == quoted


@given(st.text(st.characters(exclude_characters='"«»“”„'), min_size=1))
def test_a_text_starts_inside_a_quote_when_its_first_mark_closes_one(words: str) -> None:
    words = words.strip() or "words"
    assert starts_inside_quote(f'{words}," he said.')
    assert not starts_inside_quote(f'He said: "{words}')
    assert not starts_inside_quote(words)


@given(
    st.lists(st.text(st.characters(categories=["L"]), min_size=1, max_size=8), min_size=1),
    st.booleans(),
)
def test_a_whole_quote_leaves_no_quote_open_whatever_came_before(
    words: list[str], inside: bool
) -> None:
    sentence = '"' + " ".join(words) + '," he said.'
    assert not quote_open_after(sentence, inside)
    assert quote_open_after('He said: "' + " ".join(words), inside)


@pytest.mark.parametrize(
    ("sentence", "speakers", "speaking"),
    [
        ("Le président Poutine a dit, très fermement, qu'il allait riposter.", {"poutine"}, True),
        ("Russian President Vladimir Putin said the talks were useful.", {"putin"}, True),
        ("The Kremlin has already denied it, Dmitry Peskov told reporters.", {"peskov"}, True),
        ("Le Kremlin a aussitôt dénoncé des mesures « illégales ».", {"kremlin"}, True),
        ("« Nous restons en contact », a déclaré Iouri Ouchakov.", {"ouchakov"}, True),
        ("La rencontre a été utile, selon M. Ouchakov.", {"ouchakov"}, True),
        ("The talks stalled, according to Peskov.", {"peskov"}, True),
        ("President Donald Trump has once again stressed that it is fake.", {"trump"}, True),
        ("Vladimir Poutine a une fois encore affirmé son soutien.", {"poutine"}, True),
        # Mentioned, not speaking: inside someone else's quote, the listener, or "according
        # to him, Putin and Trump discussed…".
        ('"Putin\'s a killer," Trump said.', {"putin"}, False),
        ("Trump told Putin that the talks must go on.", {"putin"}, False),
        ("Selon lui, MM. Poutine et Trump ont évoqué le conflit.", {"poutine"}, False),
        # The subject of the words reported, not their speaker.
        ("His wife says President Donald Trump must not trust Putin.", {"donald", "trump"}, False),
        ('"We will answer," said Putin.', {"putin"}, True),
        ('"Nous répondrons", a déclaré Vladimir Poutine, avant de partir.', {"poutine"}, True),
    ],
)
def test_a_passage_names_its_speaker(sentence: str, speakers: set[str], speaking: bool) -> None:
    assert names_speaker(sentence, speakers) is speaking


def test_a_particle_of_the_speakers_name_alone_names_no_one() -> None:
    read = read_question("What did Nasser al-Awlaki say about his granddaughter Nora?")
    assert speaker_names(read) == {"nasser", "awlaki"}
    sentences = ['"These kids lost their parents," a resident told Al Jazeera.']
    assert speaking_sentences(sentences, [True], speaker_names(read)) == [False]


TIMONIN_GOES_ON = (
    '"We are confident that the policy aimed at boosting the nuclear missile capacity is not '
    'conducive to ensuring Pyongyang\'s security," he said. "Relying on these considerations, '
    'the Russian side supported the UN resolutions over nuclear missile tests in the North," '
    "the diplomat said. Timonin noted that Russia does not share the tough approach towards "
    "North Korea of the US and its regional allies, which he called counterproductive."
)


@pytest.mark.parametrize(
    ("lead", "shown"),
    [(False, True), (True, False)],
    ids=["a passage further down its article", "the article's first passage"],
)
def test_a_passage_opening_on_he_said_speaks_for_the_speaker_named_above_it(
    lead: bool, shown: bool
) -> None:
    question = "What did Timonin say about North Korea's nuclear missile policy?"
    excerpt = excerpt_of(question, TIMONIN_GOES_ON, lead=lead)
    assert ("not conducive to ensuring Pyongyang's security" in excerpt.text) is shown


def test_a_name_in_the_possessive_names_the_speaker_of_a_later_quote() -> None:
    sentences = [
        "Vladislav Zlatinov's clinic in Sofia did the operation.",
        '"It gives hope to other patients," he said.',
    ]
    quoted = quoted_sentences(sentences)
    assert speaking_sentences(sentences, quoted, {"zlatinov"}) == [False, True]


@pytest.mark.parametrize(
    ("attribution", "speaking"),
    [
        # Led into by someone else's words: they are that person's.
        ("She was asked about White House spokesman Sean Spicer's comment that", False),
        ("The FIS announced earlier in the day in its official statement that", False),
        # Led into by the speaker, or by "he" once the speaker was named: the speaker's.
        ("Hua Chunying added that", True),
        ("In Beijing, she said that", True),
    ],
)
def test_a_quote_is_given_to_whom_the_words_leading_into_it_name(
    attribution: str, speaking: bool
) -> None:
    sentences = [
        "Hua Chunying spoke at a news conference on Tuesday.",
        f'{attribution} "the US would make sure that we protect our interests" in the region.',
        "Talks resume on Monday.",
    ]
    quoted = quoted_sentences(sentences)
    said = speaking_sentences(sentences, quoted, {"hua", "chunying"})
    assert said == [False, speaking, False]


def test_how_many_takes_the_figure() -> None:
    text = (
        "Le séisme a secoué la région d'Agadir mardi matin. Les secours sont arrivés par "
        f"hélicoptère dans les villages. {FILLER['fr']} Le bilan provisoire fait état de deux "
        "morts et de 31 "
        "blessés, selon le ministère de l'Intérieur."
    )
    assert "31" in excerpt_for("Combien de blessés après le séisme d'Agadir ?", text, "fr")


def test_how_many_takes_a_count_over_a_year() -> None:
    text = (
        "The cathedral was built in 1818-1858 and church services resumed there in 1990, after "
        "decades as one of the city's museums. The governor backed the plan last month, saying "
        "the decision was final and would not be reviewed. More than 200,000 people have signed "
        "a petition against the handover since the plan was announced."
    )
    idf = {"petit": 2.5, "cathedr": 1.5, "cathedral": 1.5, "church": 1.2}
    question = "How many signatures has the petition against handing the cathedral to the church?"
    assert "200,000" in excerpt_for(question, text, weights=idf)


def test_how_many_takes_a_count_over_a_models_name() -> None:
    text = (
        "The S-400 Triumf missile systems were aimed at the targets detected. The drills took "
        f"place near Kaliningrad. {FILLER['en']} During the drills, the combat crews destroyed "
        "over 30 "
        "notional air targets."
    )
    idf = {"target": 2.0, "crew": 2.0, "fleet": 2.0, "s": 3.0, "400": 3.0}
    question = "How many targets did the fleet's S-400 crews shoot down?"
    assert "over 30" in excerpt_for(question, text, weights=idf)


def test_how_many_takes_a_count_over_the_figure_the_question_gives() -> None:
    # "the Nokia 6" is a figure, but the question's own: the price is the one it asks for.
    text = (
        "HMD Global, which owns the rights to use the brand on mobile phones and tablets for "
        "the next decade, recently announced its first smartphone, the Nokia 6, to target "
        "Chinese consumers. It will be released exclusively in China through the internet "
        f"retail giant JD.com early this year. {FILLER['en']} The handset is priced at 1,699 yuan."
    )
    idf = {"nokia": 2.0, "6": 1.0, "china": 0.5, "price": 1.5}
    assert "1,699 yuan" in excerpt_for(
        "What is the price of the Nokia 6 in China?", text, weights=idf
    )


def test_how_many_cuts_a_long_sentence_around_the_figure_by_the_questions_words() -> None:
    # A subhead run into the sentence ("Grouping numbers 3,000") holds a figure too, far from
    # what the question asks about; cut at the first figure, the count asked for fell off.
    text = (
        "The report published in June describes a loose network of 3,000 members Grouping "
        "numbers 3,000 Last month, the head of the domestic intelligence service, speaking at a "
        "conference of regional police chiefs in the capital, said the scene of activists, "
        "sympathizers and occasional supporters, most of them middle-aged men living in rural "
        "districts, was thought to number about 12,500 across the country."
    )
    question = "How big is the activists scene thought to be?"
    shown = excerpt_for(question, text)
    assert len(shown) <= 300
    assert "about 12,500" in shown


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("Why were his early films dubbed?", "because of his heavy Austrian accent"),
        ("Pourquoi ses premiers films ont-ils été doublés ?", "because of his heavy Austrian"),
    ],
)
def test_why_takes_the_reason(question: str, reason: str) -> None:
    text = (
        "Arnold Schwarzenegger's early films were dubbed, as were those of many actors who "
        f"came to Hollywood from Europe. {FILLER['en']} The films were dubbed because of his "
        "heavy Austrian accent."
    )
    assert reason in excerpt_for(question, text)


def test_keywords_keep_the_sentence_holding_most_of_them_in_view() -> None:
    # The window's first sentence holds one common word, the next the rest: cut from the
    # first, the answer at the end of the next fell off.
    text = (
        "He said China's recent moves to tighten controls on capital outflows were targeting "
        "only illegal activities and would be temporary. Profits earned by foreign-invested "
        "firms based on the Chinese mainland - as well as companies from Hong Kong, Macao and "
        "Taiwan in the manufacturing sector - grew by 10.8 percent year-on-year to 1.5 trillion "
        "yuan from January to November 2016, the ministry said."
    )
    shown = excerpt_for("profits of foreign-invested firms in China January-November 2016", text)
    assert len(shown) <= 300
    assert "grew by 10.8 percent year-on-year to 1.5 trillion yuan" in shown


def test_when_takes_the_date() -> None:
    text = (
        "The next Winter Olympics will be held in PyeongChang. Russia's Olympic committee has "
        f"made its calculations. {FILLER['en']} The Games will take place on February 9-25, 2018."
    )
    assert "February 9-25, 2018" in excerpt_for("When are the Winter Olympics?", text)


def test_what_year_takes_the_year_over_another_date() -> None:
    text = (
        "The diplomat welcomed the decision of the European Parliament earlier this week to lift "
        "visa requirements for Georgia once a suspension mechanism allowing the reintroduction "
        "of visas for the citizens of third countries enters into force, as Moscow expected. "
        f"{FILLER['en']} The visa regime between Russia and Georgia was imposed in 2000."
    )
    question = "In what year did Russia and Georgia start requiring visas?"
    assert "imposed in 2000" in excerpt_for(question, text)


def test_where_takes_the_place() -> None:
    text = (
        "RAF fighter jets were scrambled on Tuesday. The plane was escorted to Stansted Airport "
        "by two Typhoons. The passengers were taken to London by bus."
    )
    assert "Stansted" in excerpt_for("Where was the plane escorted?", text)


@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        ("The plane was escorted to Stansted Airport.", True),
        ("The feedstock relies on imports from countries such as Switzerland and Japan.", True),
        ("Il importe l'acier de pays comme la Suisse et le Japon.", False),
        ("Il importe l'acier de pays comme Suisse et Japon.", True),
        ("The feedstock relies on imports from abroad.", False),
    ],
)
def test_a_sentence_gives_a_place(sentence: str, place: bool) -> None:
    assert (feature(sentence, "where")[0] > 0) is place


def test_who_takes_the_sentence_naming_someone_the_question_does_not() -> None:
    text = (
        "Hollywood's young-adult thriller Nerve is making waves on the internet in China. "
        f"{FILLER['en']} Directed by Henry Joost and Ariel Schulman, the film returns to online "
        "violence. "
        "Most Chinese viewers were disappointed by its ending."
    )
    idf = {"thriller": 3.0, "nerv": 3.0, "nerve": 3.0, "internet": 1.5, "direct": 2.0}
    shown = excerpt_for("Who directed the internet thriller Nerve?", text, weights=idf)
    assert "Henry Joost" in shown


WILDERS = (
    "Dutch MP Geert Wilders has triggered a row over fake news after posting a digitally "
    f"altered picture of a rival party leader. {FILLER['en']} Wilders on Monday posted the "
    "fake picture of D66 leader Alexander Pechtold supposedly at a rally. Pechtold's party said "
    "it would not sue."
)


def test_which_takes_the_sentence_naming_what_the_answer_is() -> None:
    text = (
        "Donald Trump's pick for labor secretary, Andrew Puzder, admitted on Monday that he had "
        "employed an undocumented worker. His hearing has been stalled. "
        f"{FILLER['en']} Puzder is the CEO of CKE "
        "Restaurants Inc., the parent company of Hardee's and Carl's Jr."
    )
    question = "Which restaurant chains does Trump's pick for labor secretary run?"
    idf = {"restaur": 4.0, "chain": 4.0, "trump": 0.8, "pick": 2.0, "labor": 2.0}
    idf |= {"secretary": 1.5, "secretari": 1.5}
    assert "Hardee's and Carl's Jr." in excerpt_for(question, text, lead=True, weights=idf)


def test_keywords_show_the_lead_that_tells_the_story() -> None:
    # The second sentence holds one more of the words, but the lead is the news.
    question = "Wilders fake picture Pechtold"
    assert "digitally altered picture" in excerpt_for(question, WILDERS, lead=True)
    # Further down the article, the sentence holding most of the words stands.
    assert "posted the fake picture of D66" in excerpt_for(question, WILDERS, lead=False)


def test_a_lead_of_words_found_everywhere_still_gets_an_excerpt() -> None:
    # Words in every stored passage have no idf: their weights are all zero.
    shown = excerpt_for(
        "zeppelin lake",
        WILDERS.replace("fake", "zeppelin"),
        lead=True,
        weights={"zeppelin": 0.0, "lake": 0.0},
    )
    assert shown


def test_keywords_show_the_lead_lacking_one_of_them() -> None:
    text = (
        "Former French president Nicolas Sarkozy is to face trial on charges of illegally "
        "financing his failed 2012 re-election bid, prosecutors said. One of the magistrates "
        "decided the case should go to trial. The prosecution claims Sarkozy spent nearly "
        "double the legal limit on his campaign, whose financing is at the heart of the trial."
    )
    shown = excerpt_for("Sarkozy trial campaign financing", text, lead=True)
    assert "illegally financing" in shown


def test_keywords_about_one_aspect_skip_a_lead_without_it() -> None:
    text = (
        "Munich Re said Tuesday its profit dropped by around 16 percent to 2.6 billion euros in "
        "2016. Higher costs from natural disasters weighed on the year. "
        f"{FILLER['en']} Munich Re said it would "
        "increase its dividend to 8.60 euros per share."
    )
    assert "dividend to 8.60 euros" in excerpt_for("Munich Re dividend", text, lead=True)


def test_a_share_bar_ending_in_a_link_is_a_sentence_of_its_own() -> None:
    text = (
        "Munich Re kept battling low rates. Send Facebook Twitter Newsvine Permalink "
        "http://dw.com/p/2W1pc While profits were lower, Munich Re raised its dividend to 8.60 "
        "euros per share."
    )
    sentences = [text[a:b] for a, b in excerpt_sentences(text)]
    assert sentences[-1].startswith("While profits were lower")
    assert sentences[1].endswith("http://dw.com/p/2W1pc")
    shown = excerpt_for("Munich Re dividend", text)
    assert "Newsvine" not in shown and "8.60 euros" in shown


def test_a_dateline_is_cut_and_never_shown_alone() -> None:
    text = "MOSCOW, February 7. /TASS/. Russia's foreign trade dropped 11.9% last year."
    assert dateline_end(text) == len("MOSCOW, February 7. /TASS/. ")
    assert (
        excerpt_for("Russia foreign trade", text)
        == "Russia's foreign trade dropped 11.9% last year."
    )
    wire = "BAMAKO, 19 janvier (AFP) - Quatorze soldats maliens ont été tués dimanche."
    assert excerpt_for("soldats maliens", wire, "fr").startswith("Quatorze soldats")


def test_a_long_quote_is_cut_around_the_quote_at_word_boundaries() -> None:
    attribution = "The minister, speaking at length to reporters in the capital, said " * 4
    text = f'{attribution}that the "talks will resume next week in Geneva" as planned.'
    shown = excerpt_for("What did the minister say about the talks?", text)
    assert len(shown) <= MAX_EXCERPT_CHARS
    assert "talks will resume next week in Geneva" in shown


def test_a_window_too_long_is_cut_where_it_keeps_the_speakers_name() -> None:
    text = (
        "German Chancellor Angela Merkel and Russian President Vladimir Putin have agreed during "
        "their phone talk on Tuesday new Normandy format steps on settling the Ukrainian crisis, "
        "Germany's leader said. \"I have again talked to President Vladimir Putin today because "
        'we are concerned over the situation in east Ukraine," the German chancellor said at a '
        "press conference in Warsaw after talks with Polish Prime Minister Beata Szydlo."
    )
    idf = {"merkel": 9.0, "putin": 3.0, "call": 2.0}
    shown = excerpt_for("What did Merkel say after her call with Putin?", text, weights=idf)
    assert len(shown) <= MAX_EXCERPT_CHARS
    assert "Merkel" in shown
    assert "I have again talked" in shown


def test_a_window_too_long_is_cut_around_the_quote_run_on_not_its_speakers_name() -> None:
    # The passage starts inside the quote; the line after it names the speaker (with the words
    # asked about) and opens another person's quote, too long to show both whole.
    text = (
        "CRC will work with both private and state-owned companies to form joint ventures to "
        "support mixed ownership reform, and will accelerate the pace of asset-backed "
        'securitization and equity financing in the railway sector." Lu Dongfu, general manager '
        "of China Railway Corp, the world's biggest railway operator by rail length \"The "
        "current regulations increased the operating costs of lending platforms."
    )
    question = (
        "What did the general manager of China Railway Corp say about working with private firms?"
    )
    idf = {
        "corp": 5.0,
        "railway": 6.8,
        "general": 2.6,
        "manag": 2.6,
        "privat": 3.8,
        "work": 1.9,
        "firm": 1.6,
    }
    assert "work with both private" in excerpt_for(question, text, weights=idf)


def test_a_long_window_of_two_quotes_is_cut_around_the_one_on_the_subject() -> None:
    text = (
        "Russia's embassy in Damascus came under shelling again, Ambassador Alexander Kinshchak "
        'said. "Finally, a serious threat is coming not only from mortar shellings, but also from '
        'terrorist attacks, including with the use of suicide bombers," the ambassador said, '
        "recalling the January 12 suicide bombing in a government quarter in Kafr Sousa. "
        '"So, even during the ceasefire the level of danger is not reducing for us," Kinshchak '
        "stressed."
    )
    question = "What did the Russian ambassador to Syria say about the danger during the ceasefire?"
    shown = excerpt_for(question, text)
    assert len(shown) <= MAX_EXCERPT_CHARS
    assert "the level of danger is not reducing for us" in shown


def test_passages_know_their_article_title_and_lead_names() -> None:
    terms = passage_terms(
        "He said the negotiations would go on.",
        "en",
        title="Kremlin rejects the proposal",
        lead="Russian President Vladimir Putin spoke to Donald Trump on Wednesday.",
    )
    assert {"negoti", "kremlin", "putin", "trump"} <= set(terms)


def test_french_names_are_indexed_under_their_english_stem_too() -> None:
    assert {"mal", "mali"} <= set(passage_terms("Une embuscade au Mali.", "fr"))
    assert "mali" not in passage_terms("Il a mal au dos.", "fr")


# Text as typed by anyone, or made of words the questions search, quotes and sentence ends.
_WIRE_WORDS = 'Poutine trêve Putin a dit . « » " : 12 mardi mars Kiev (TASS) - selon'.split()
_ANY_TEXT = st.text(max_size=800) | st.lists(
    st.sampled_from(_WIRE_WORDS) | st.text(max_size=12), max_size=120
).map(" ".join)


@given(
    _ANY_TEXT,
    st.sampled_from(["What did Putin say?", "combien", "when", "où", "Poutine trêve"]),
    st.booleans(),
    st.sampled_from([0.0, 0.7, 1.0, 4.2]),
    st.frozensets(st.integers(0, 12), max_size=6),
)
def test_any_excerpt_fits_and_marks_only_its_own_text(
    text: str, question: str, lead: bool, weight: float, avoid: frozenset[int]
) -> None:
    read = read_question(question)
    weights = dict.fromkeys(read.terms, weight)  # zero when a word is in every passage
    excerpt = make_excerpt(
        text, read.terms, "fr", weights=weights, question_type=read.type, lead=lead, avoid=avoid
    )
    assert len(excerpt.text) <= MAX_EXCERPT_CHARS
    assert not set(excerpt.sentences) & avoid
    assert excerpt.text or avoid or not text.strip()  # only a second look may find nothing
    assert all(0 <= s < e <= len(excerpt.text) for s, e in excerpt.highlights)
    # Each fragment is the text's own words, and what is marked is a word of the question.
    pieces = excerpt.text.split(GAP)
    assert all(piece.strip(ELLIPSIS) in text for piece in pieces)
    marked = [excerpt.text[s:e] for s, e in excerpt.highlights]
    assert all(term(w, "fr") in read.terms or fold(w) in read.terms for w in marked)


@given(_ANY_TEXT | st.text(alphabet="ab .:/hwtp\n", max_size=200))
def test_excerpt_sentences_are_in_order_inside_the_text(text: str) -> None:
    spans = excerpt_sentences(text)
    assert all(0 <= a < b <= len(text) for a, b in spans)
    assert all(b1 <= a2 for (_, b1), (a2, _) in itertools.pairwise(spans))


def test_the_room_left_is_filled_with_whole_sentences_around_the_answer() -> None:
    text = (
        "The Caixin services index rose in December, the survey showed. It edged up to 53.4 "
        "from 53.1 in November. A reading above 50 indicates expansion. " + "Filler words. " * 30
    )
    shown = excerpt_for("Caixin services index December", text, lead=True)
    assert shown.startswith("The Caixin services index rose")
    assert "53.4" in shown and "above 50" in shown
    # Whole sentences only, within the limit: no ellipsis.
    assert len(shown) <= MAX_EXCERPT_CHARS and shown.endswith(".")


def test_the_room_left_goes_to_the_passages_next_sentence_on_the_question() -> None:
    text = (
        "Investigators have seized a collection of watches worth more than 600 mln rubles from "
        "former governor Alexander Khoroshavin, spokesperson Svetlana Petrenko told reporters. "
        f"{FILLER['en']} According to Petrenko, the most expensive watch cost $700,000. "
        f"{FILLER['en']}"
    )
    question = "How much was the most expensive watch in Khoroshavin's collection worth?"
    excerpt = excerpt_of(question, text)
    # The two sentences on the question, in the passage's order; nothing of what lies between.
    assert excerpt.text == (
        f"{text[: text.index('reporters.') + len('reporters.')]}{GAP}"
        "According to Petrenko, the most expensive watch cost $700,000."
    )
    # Each fragment's own words are marked.
    after_gap = excerpt.text.index(GAP)
    marked = [(excerpt.text[s:e], s > after_gap) for s, e in excerpt.highlights]
    assert ("watches", False) in marked and ("expensive", True) in marked


def test_a_quote_running_over_sentences_is_shown_from_its_opening_mark() -> None:
    opening = '"We have been blessed two times over, and we could not be happier about it.'
    attributed = (
        "We are incredibly grateful that our family will be growing by two, and we thank you "
        'for your well wishes," wrote Beyonce on Instagram.'
    )
    text = (
        f"The singer made the announcement on Wednesday. {opening} {attributed} {FILLER['en']} "
        "The twins are due in the summer, and Beyonce will still sing at the Coachella festival "
        f"in California in April as planned, her spokesman said. {FILLER['en']}"
    )
    shown = excerpt_for("What did Beyonce say about expecting twins?", text)
    assert f"{opening} {attributed}" in shown


ARMYWORM = (
    "The fall armyworm, a destructive caterpillar indigenous to the Americas, was only spotted "
    "in Africa last year, but the larvae of the fall armyworm have already left a trail of "
    "destruction across three of South Africa's nine provinces, threatening food security. "
    "The pest targets maize, sorghum, soya beans, groundnuts and potatoes. "
    "Zambia says 124,000 hectares of its crops have been destroyed. "
    "In December, the country ordered the national air force into action to control the plague."
)


def test_a_second_look_shows_the_next_sentences_on_the_question_and_none_already_shown() -> None:
    question = "How much farmland in Zambia has been wiped out by the fall armyworm?"
    first = excerpt_of(question, ARMYWORM)
    # The long sentence naming the armyworm twice fills the first excerpt's room.
    assert "larvae of the fall armyworm" in first.text and "124,000" not in first.text
    second = excerpt_of(question, ARMYWORM, avoid=first.sentences)
    assert "Zambia says 124,000 hectares" in second.text
    assert not set(second.sentences) & set(first.sentences)
    assert "larvae" not in second.text
    assert [second.text[s:e] for s, e in second.highlights] == ["Zambia"]


MERKEL_CALL = (
    "German Chancellor Angela Merkel and Russian President Vladimir Putin agreed on new steps "
    "to settle the Ukrainian crisis during a phone call on Tuesday, Germany's leader told "
    'reporters in Warsaw after talks with the Polish prime minister. "I have again talked to '
    'President Putin today because we are concerned over the situation in eastern Ukraine," '
    'the chancellor said. "We have agreed on further steps that can be taken within the '
    'Normandy format," she added.'
)


@pytest.mark.parametrize(
    ("ending", "shown"),
    [
        ("", "We have agreed on further steps"),
        (" Poland's president is due in Berlin next week.", ""),
    ],
    ids=["the speaker goes on", "the story moves on"],
)
def test_a_second_look_for_who_said_shows_the_speaker_going_on_after_the_first(
    ending: str, shown: str
) -> None:
    question = "What did Merkel say after her call with Putin?"
    text = MERKEL_CALL.rsplit(' "We have', 1)[0] + ending if ending else MERKEL_CALL
    first = excerpt_of(question, text)
    assert "I have again talked" in first.text and "further steps" not in first.text
    second = excerpt_of(question, text, avoid=first.sentences)
    # The words she goes on with hold no word of the question, and are still her answer.
    assert (shown in second.text) if shown else second.text == ""
    assert not second.highlights


def test_a_second_look_for_who_said_shows_the_rest_of_a_quote_the_first_cut_short() -> None:
    question = "What did Rudskoy say about mapping the zones held by IS in Syria?"
    text = (
        "Experts almost completed the effort on designating areas in Syria controlled by the "
        "Islamic State at the meeting in Astana, the chief of the main operations directorate "
        'of the General Staff, Sergey Rudskoy, said. "At the meeting, the effort on fixing the '
        "zones held by the IS in Syria was almost completed. There are minor differences that "
        f'will be agreed soon," he added. {FILLER["en"]} Russian aircraft struck IS targets in '
        "Syria on Monday."
    )
    first = excerpt_of(question, text)
    assert "minor differences" not in first.text
    second = excerpt_of(question, text, avoid=first.sentences)
    # The rest of the quote first, though it holds no word of the question (nor does any other
    # sentence hold one not shown yet); then, in the room left, the best other sentence on it.
    assert second.text.startswith("There are minor differences")
    assert second.text.endswith("Russian aircraft struck IS targets in Syria on Monday.")


def test_a_second_look_prefers_new_words_of_the_question_to_the_rest_of_the_quote() -> None:
    question = "What did Siyenko say about the ever-growing testing requirements for the Armata?"
    text = (
        "Rosatom was commissioned to create ammunition for Russia's new tank Armata, the CEO of "
        "the tank's designer and manufacturer Uralvagonzavod, Oleg Siyenko, has told TASS. "
        '"We are in the process of test runs in the field and firing practice. We have done a '
        "great deal. Currently the focus is on firing practice and it depends on when we have "
        'the ammunition from our Rosatom subcontractors," Siyenko said. He explained that '
        "Rosatom had to be commissioned because manufacturing ammunition implies certain "
        'specifics. "It\'s related with the caps. We sincerely help them," he said. The '
        'requirements to be met during the testing keep growing. "It can go on and on like this '
        "without an end. We would like to deliver our products to the armed forces as soon as "
        'possible," Siyenko said.'
    )
    first = excerpt_of(question, text)
    assert "requirements" not in first.text
    second = excerpt_of(question, text, avoid=first.sentences)
    # The requirements, not yet shown, and what he said of them, rather than the rest of the
    # quote the first excerpt cut short.
    assert "keep growing" in second.text and "It can go on and on" in second.text


def test_a_second_look_is_empty_when_no_other_sentence_holds_a_word_of_the_question() -> None:
    question = "What did Dvorkovich say about the gas talks?"
    shown = excerpt_of(question, SPOKESMAN)
    spans = excerpt_sentences(SPOKESMAN)
    others = tuple(i for i in range(len(spans)) if i not in shown.sentences)
    assert excerpt_of(question, SPOKESMAN, avoid=(*shown.sentences, *others)).text == ""
