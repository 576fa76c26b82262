"""News in time through the service and the chat commands: periods, sources, recency,
/latest TOPIC, /sources, /trend and one numbering of results."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, date, datetime

import pytest

from bot.chat import Request, dispatch, questions, run_action
from bot.service import Depeche
from bot.settings import Settings
from retrieval.filters import Period, in_period
from retrieval.search import Results
from storage import repository
from tests.helpers import article

NOW = datetime(2025, 6, 5, 10, 0, tzinfo=UTC)  # a Thursday, noon in Paris


@pytest.fixture(params=["candidates", "checked hits"])
def news(
    service: Depeche, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Depeche:
    """Articles on the Kremlin at known dates and precisions, from three sources; filters
    applied both ways (storage's candidate list, and each hit checked: broad filters)."""
    if request.param == "checked hits":
        monkeypatch.setattr("bot.service.FILTER_SCAN_ARTICLES", 0)
    service.clock = lambda: NOW
    service.ingest_drafts(
        [
            article(
                1,
                "<p>Le Kremlin a salué les pourparlers d'Istanbul mercredi.</p>",
                source="AFP",
                published_at=datetime(2025, 6, 4, tzinfo=UTC),
                published_precision="day",
            ),
            article(
                2,
                "<p>Le Kremlin juge la trêve prématurée, a dit son porte-parole lundi.</p>",
                source="Reuters",
                published_at=datetime(2025, 6, 2, tzinfo=UTC),
                published_precision="day",
            ),
            article(
                3,
                "<p>Le Kremlin annonce un échange de prisonniers au printemps.</p>",
                source="ATS",
                published_at=datetime(2025, 5, 1, tzinfo=UTC),
                published_precision="month",
            ),
            article(
                4,
                "<p>Le Kremlin a réagi tard dans la soirée aux propos du ministre.</p>",
                source="AFP",
                # 23:30 in Paris on 3 June, already the 4th... no: 21:30 UTC is the 3rd
                # everywhere; 22:30 UTC is the 4th in Paris and still the 3rd in UTC.
                published_at=datetime(2025, 6, 3, 22, 30, tzinfo=UTC),
                published_precision="time",
            ),
        ]
    )
    return service


def titles(results: Results) -> list[str]:
    """The titles answered within the question's period (none when it had to look wider)."""
    return [] if results.scope.widened else [a.passage.title for a in results.answers]


def test_yesterday_restricts_and_the_reply_says_the_period(
    news: Depeche, settings: Settings
) -> None:
    results = news.ask("Qu'a dit le Kremlin hier ?", k=10)
    assert results.scope.filters.period is not None
    assert results.scope.filters.period.start == date(2025, 6, 4)
    # the AFP article of the 4th, and the one published at 00:30 Paris time on the 4th
    assert sorted(titles(results)) == ["Le Kremlin et la réunion 1", "Le Kremlin et la réunion 4"]
    reply = questions.ask(
        Request(service=news, settings=settings, args="What did the Kremlin say yesterday?")
    )
    assert "Period: yesterday (4 June 2025)" in reply.text


def test_the_time_zone_edge_in_utc_the_late_article_is_the_day_before(
    news: Depeche,
) -> None:
    news.timezone = "UTC"
    results = news.ask("Kremlin le 3 juin", k=10)
    assert titles(results) == ["Le Kremlin et la réunion 4"]
    news.timezone = "Europe/Paris"
    assert titles(news.ask("Kremlin le 3 juin", k=10)) == []


def test_an_article_dated_to_its_month_matches_any_day_of_it(news: Depeche) -> None:
    assert "Le Kremlin et la réunion 3" in titles(news.ask("Kremlin le 12 mai", k=10))
    assert "Le Kremlin et la réunion 3" in titles(news.ask("Kremlin in May", k=10))
    assert "Le Kremlin et la réunion 3" not in titles(news.ask("Kremlin this week", k=10))


def test_no_date_phrase_searches_everything(news: Depeche) -> None:
    results = news.ask("Kremlin", k=10)
    assert results.scope.filters.period is None and len(results.answers) == 4


def test_an_empty_period_says_so_and_names_the_latest_match(
    news: Depeche, settings: Settings
) -> None:
    request = Request(service=news, settings=settings, args="What did the Kremlin say in 2023?")
    text = questions.ask(request).text
    assert "Nothing matches in the stored articles for 2023." in text
    assert "The latest matching article is from 4 June 2025: Le Kremlin et la réunion" in text
    # ... and still answers, from other dates, saying so.
    assert "The closest passages, from other dates:" in text
    assert "Le Kremlin et la réunion" in text.split("from other dates:")[1]


def test_dates_that_name_the_events_still_find_the_later_dispatch(news: Depeche) -> None:
    """A question about 2023 answered by a dispatch of 2025: the year is searched as a word."""
    results = news.ask("Kremlin in 2023")
    assert results.scope.widened and results.answers
    assert results.scope.newest_outside is not None


def test_a_period_holding_only_related_passages_answers_from_a_later_dispatch(
    service: Depeche, settings: Settings
) -> None:
    """ "…when he stepped down in January 2017?": the story was told in February."""
    service.clock = lambda: datetime(2017, 3, 1, tzinfo=UTC)
    service.ingest_drafts(
        [
            article(
                1,
                "<p>Gambia's president Yahya Jammeh refused to accept the election result.</p>",
                title="Gambia crisis deepens",
                language="en",
                published_at=datetime(2017, 1, 10, tzinfo=UTC),
                published_precision="day",
            ),
            article(
                2,
                "<p>Yahya Jammeh ruled The Gambia for 22 years before he stepped down and "
                "flew into exile in January.</p>",
                title="Gambia's new era",
                language="en",
                published_at=datetime(2017, 2, 6, tzinfo=UTC),
                published_precision="day",
            ),
        ]
    )
    question = "How long had Jammeh ruled when he stepped down in January 2017?"
    results = service.ask(question)
    assert results.answered and results.scope.unanswered_in_period
    assert "22 years" in results.answers[0].excerpt.text
    text = questions.ask(Request(service=service, settings=settings, args=question)).text
    assert "No passage from January 2017 answers directly; the best from any date:" in text
    # A period whose passages answer keeps to them.
    assert not service.ask("Jammeh election result in January 2017").scope.unanswered_in_period


def test_sources_filter_and_an_unknown_source_lists_the_known(
    news: Depeche, settings: Settings
) -> None:
    results = news.ask("Kremlin source:afp", k=10)
    assert {a.passage.source for a in results.answers} == {"AFP"}
    assert len(results.answers) == 2
    reply = questions.ask(Request(service=news, settings=settings, args="Kremlin source:BBC"))
    assert "No article from BBC. Known sources: AFP, ATS, Reuters" in reply.text
    listed = dispatch("sources", Request(service=news, settings=settings)).text  # type: ignore[union-attr]
    assert "AFP: 2" in listed and "Reuters: 1" in listed


def test_among_equal_matches_the_newer_article_comes_first(service: Depeche) -> None:
    # the same words, as often, in passages as long: equal BM25 scores
    service.ingest_drafts(
        [
            article(
                1,
                "<p>La zeppeline survole le port de Brest.</p>",
                published_at=datetime(2024, 1, 1, tzinfo=UTC),
            ),
            article(
                2,
                "<p>La zeppeline survole le quai de Brest.</p>",
                published_at=datetime(2025, 11, 1, tzinfo=UTC),
            ),
            article(3, "<p>La zeppeline survole la rade de Brest.</p>"),  # undated
        ]
    )
    assert titles(service.ask("zeppeline Brest", k=3)) == [
        "Le Kremlin et la réunion 2",
        "Le Kremlin et la réunion 1",
        "Le Kremlin et la réunion 3",
    ]


def test_results_buttons_and_article_share_one_numbering(news: Depeche, settings: Settings) -> None:
    request = Request(service=news, settings=settings, args="Kremlin", chat_id=42)
    reply = questions.ask(request)
    second = reply.buttons[0][1]
    assert second.label == "Read 2"
    by_button = run_action(second.action, request)
    assert by_button is not None and by_button[1] is not None
    by_number = dispatch("article", Request(service=news, settings=settings, args="2", chat_id=42))
    assert by_number is not None and by_number.text == by_button[1].text
    article_id = int(second.action.split(":")[1])
    by_id = dispatch(
        "article", Request(service=news, settings=settings, args=f"#{article_id}", chat_id=7)
    )
    assert by_id is not None and by_id.text == by_number.text
    # another chat has no last answer: its "/article 2" is not someone else's result
    other = dispatch("article", Request(service=news, settings=settings, args="2", chat_id=7))
    assert other is not None and "has no result 2" in other.text


@pytest.mark.parametrize("arg", ["²", "99999999999999999999999", "-1", "deux", "#x"])
def test_bad_numbers_get_the_usage_line(news: Depeche, settings: Settings, arg: str) -> None:
    reply = dispatch("article", Request(service=news, settings=settings, args=arg))
    assert reply is not None and "/article 1" in reply.text
    latest = dispatch("latest", Request(service=news, settings=settings, args=arg))
    assert latest is not None and (
        "from 1 to 20" in latest.text or "No stored article matches" in latest.text
    )
    assert run_action(f"read:{arg}", Request(service=news, settings=settings)) == (
        run_action("read:x", Request(service=news, settings=settings))
    )


def test_latest_on_a_topic_newest_first_and_numbered(news: Depeche, settings: Settings) -> None:
    reply = dispatch(
        "latest", Request(service=news, settings=settings, args="2 Kremlin", chat_id=5)
    )
    assert reply is not None
    lines = reply.text.splitlines()
    assert lines[0] == "Newest articles on Kremlin:"
    assert lines[1].startswith("1. Le Kremlin et la réunion 1 — AFP · 4 June 2025")
    assert lines[2].startswith("2. Le Kremlin et la réunion 4")
    opened = dispatch("article", Request(service=news, settings=settings, args="1", chat_id=5))
    assert opened is not None and opened.text.startswith("Le Kremlin et la réunion 1")
    none = dispatch("latest", Request(service=news, settings=settings, args="zeppelin"))
    assert none is not None and "No stored article matches zeppelin" in none.text


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, after checking its signature and header chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (
        kind == b"IHDR"
        and zlib.crc32(data[12 : 16 + length])
        == struct.unpack(">I", data[16 + length : 20 + length])[0]
    )
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_trend_charts_articles_per_day_and_names_the_busiest(
    news: Depeche, settings: Settings
) -> None:
    news.ingest_drafts(
        [
            article(
                10 + n,
                f"<p>Le Kremlin répond encore, épisode {n}.</p>",
                source="Reuters",
                published_at=datetime(2025, 6, 2, tzinfo=UTC),
            )
            for n in range(3)
        ]
    )
    reply = dispatch("trend", Request(service=news, settings=settings, args="Kremlin"))
    assert reply is not None and reply.photo is not None
    assert png_size(reply.photo)[0] > 100
    assert "Busiest day: 2 June 2025 (4 articles)" in reply.text
    assert "1 more dated only to their month" in reply.text
    french = dispatch(
        "trend", Request(service=news, settings=settings, args="Kremlin", language="fr")
    )
    assert french is not None and "Jour le plus chargé : 2 juin 2025" in french.text
    afp_only = dispatch(
        "trend", Request(service=news, settings=settings, args="Kremlin source:AFP")
    )
    assert afp_only is not None and "Kremlin: 2 articles" in afp_only.text
    nothing = dispatch("trend", Request(service=news, settings=settings, args="zeppelin"))
    assert nothing is not None and nothing.photo is None
    assert "No article on zeppelin" in nothing.text


EDGES = [
    (datetime(2025, 6, 3, 21, 59, tzinfo=UTC), "time"),  # 23:59 in Paris on the 3rd
    (datetime(2025, 6, 3, 22, 0, tzinfo=UTC), "time"),  # midnight in Paris: the 4th
    (datetime(2025, 6, 4, 21, 59, tzinfo=UTC), "time"),
    (datetime(2025, 6, 4, 22, 0, tzinfo=UTC), "time"),
    (datetime(2025, 6, 3, tzinfo=UTC), "day"),
    (datetime(2025, 6, 4, tzinfo=UTC), "day"),
    (datetime(2025, 6, 5, tzinfo=UTC), "day"),
    (datetime(2025, 5, 1, tzinfo=UTC), "month"),
    (datetime(2025, 6, 1, tzinfo=UTC), "month"),
    (datetime(2025, 7, 1, tzinfo=UTC), "month"),
    (datetime(2024, 1, 1, tzinfo=UTC), "year"),
    (datetime(2025, 1, 1, tzinfo=UTC), "year"),
    (None, "day"),
]


@pytest.mark.parametrize(
    "period",
    [
        Period(date(2025, 6, 4), date(2025, 6, 4), "le 4 juin"),
        Period(date(2025, 5, 20), date(2025, 6, 3), "x"),
        Period(date(2025, 6, 30), date(2025, 7, 2), "x"),
    ],
)
def test_storage_and_the_hit_check_agree_on_what_is_in_a_period(
    service: Depeche, period: Period
) -> None:
    service.ingest_drafts(
        [
            article(
                n, f"<p>Texte {n} sur la zeppeline.</p>", published_at=at, published_precision=p
            )
            for n, (at, p) in enumerate(EDGES)
        ]
    )
    stored = {
        r.passage_id: r
        for r in service.fetch_passages(repository.all_passage_ids(engine=service.engine))
    }
    in_storage = set(
        repository.filtered_passage_ids(
            engine=service.engine, period=period, sources=(), timezone="Europe/Paris"
        ).tolist()
    )
    checked = {
        pid
        for pid, r in stored.items()
        if in_period(r.published_at, r.published_precision, period, "Europe/Paris")
    }
    assert in_storage == checked
    assert in_storage  # the edges are not all outside


def test_a_trend_caption_fits_telegram_however_long_the_topic(
    news: Depeche, settings: Settings
) -> None:
    topic = " ".join(["Kremlin"] * 12)  # the most words a topic may have
    reply = dispatch("trend", Request(service=news, settings=settings, args=topic))
    assert reply is not None and reply.photo is not None
    assert len(reply.text) <= 1024 and "Busiest day" in reply.text
    longer = dispatch("trend", Request(service=news, settings=settings, args=topic * 2))
    assert longer is not None and longer.photo is None and "too many words" in longer.text
