"""Terms analysed once, at ingest: stored with each passage, read by a cold start instead of
analysing again, and analysed afresh (then stored) when another analysis made them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from sqlalchemy import text

from bot import service as service_module
from bot.service import Depeche
from bot.settings import Settings
from retrieval.fields import ANALYSIS_VERSION, passage_terms
from tests.helpers import SEEDS, article

ENGLISH = article(
    7,
    "<h2>Talks in Geneva</h2><p>Officials said the Kremlin's envoy met NATO diplomats on Monday."
    "</p><p>Le président Macron n'était pas là, selon l'Élysée.</p>",
    title="Envoys meet in Geneva",
    language="en",
)
FRENCH = article(8, "<h2>Négociations 'utiles'</h2><p>Moscou et Kiev-Moscou : l'Ukraine parle.</p>")


@pytest.fixture
def opened(settings: Settings) -> Iterator[Callable[[], Depeche]]:
    """Opens Dépêche as a command does (cold when its saved index is gone)."""
    services: list[Depeche] = []

    def open_(*, cold: bool = False) -> Depeche:
        if cold:
            settings.index_path.unlink(missing_ok=True)
        services.append(Depeche.open(settings))
        return services[-1]

    yield open_
    for service in services:
        service.engine.dispose()


def stored(service: Depeche) -> list[tuple[Any, ...]]:
    """Each passage's stored terms and analysis, and what analysing it needs."""
    query = text(
        "SELECT p.terms, p.analysis, p.heading, p.text, a.language, a.title, lead.text "
        "FROM passage p JOIN article a ON a.id = p.article_id "
        "LEFT JOIN passage lead ON lead.article_id = a.id AND lead.position = 0 ORDER BY p.id"
    )
    with service.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def analysis_of(heading: str | None, body: str, language: str, title: str, lead: str) -> str:
    own = f"{heading}\n{body}" if heading else body
    lang = "en" if language == "en" else "fr"
    return " ".join(passage_terms(own, lang, title=title, lead=lead or ""))


def test_ingest_stores_the_terms_analysis_makes(opened: Callable[..., Depeche]) -> None:
    service = opened()
    service.ingest_paths([SEEDS])
    service.ingest_drafts([ENGLISH, FRENCH])
    rows = stored(service)
    assert len(rows) > 5 and any(heading for _, _, heading, *_ in rows)
    for terms, analysis, *needs in rows:
        assert analysis == ANALYSIS_VERSION
        assert terms == analysis_of(*needs)


def test_a_cold_start_from_stored_terms_builds_the_index_analysis_builds(
    opened: Callable[..., Depeche], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = opened()
    first.ingest_paths([SEEDS])
    first.ingest_drafts([ENGLISH, FRENCH])
    analysed: list[int] = []
    real = service_module.analysed
    monkeypatch.setattr(
        service_module, "analysed", lambda *a, **k: analysed.append(1) or real(*a, **k)
    )
    from_terms = opened(cold=True).index
    assert not analysed  # every passage's terms were read, none analysed
    with first.engine.begin() as conn:  # as passages stored before terms were kept
        conn.execute(text("UPDATE passage SET terms = NULL, analysis = NULL"))
    from_text = opened(cold=True).index
    assert len(analysed) == len(from_text) > 5
    assert from_terms.ids.tolist() == from_text.ids.tolist()
    assert dict(from_terms.terms) == dict(from_text.terms)
    ids = from_text.ids
    for term in from_text.terms:
        np.testing.assert_array_equal(
            from_terms.get_scores([term], ids), from_text.get_scores([term], ids)
        )


def test_terms_of_another_analysis_are_analysed_again_and_stored(
    opened: Callable[..., Depeche], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = opened()
    first.ingest_drafts([FRENCH, article(1)])
    with first.engine.begin() as conn:
        conn.execute(
            text("UPDATE passage SET terms = 'bogus', analysis = :old"),
            {"old": ANALYSIS_VERSION - 1},
        )
    rebuilt = opened(cold=True)
    assert rebuilt.ask("Kremlin").answers
    assert not rebuilt.ask("bogus").answers
    for terms, analysis, *needs in stored(rebuilt):  # stored back, for the next build
        assert (terms, analysis) == (analysis_of(*needs), ANALYSIS_VERSION)
    analysed: list[int] = []
    real = service_module.analysed
    monkeypatch.setattr(
        service_module, "analysed", lambda *a, **k: analysed.append(1) or real(*a, **k)
    )
    assert opened(cold=True).ask("Kremlin").answers
    assert not analysed
