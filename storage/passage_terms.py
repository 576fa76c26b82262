"""A passage's index terms, analysed once when it is stored (``Passage.terms``).

Building the index at start then reads them instead of analysing every passage again. Terms of
another ``ANALYSIS_VERSION``, or none (passages stored before they were kept), are analysed
afresh by the build, which stores them back for the next one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import bindparam, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from retrieval.analysis import Language
from retrieval.fields import ANALYSIS_VERSION, pack_terms, passage_terms
from retrieval.passages import PassageText
from storage.models import Passage


def indexed_text(heading: str | None, text: str) -> str:
    """A passage's own indexed words: its intertitle, then its text."""
    return f"{heading}\n{text}" if heading else text


def analysed(text: str, language: str, *, title: str, lead: str) -> list[str]:
    """A passage's index terms (``retrieval.fields.passage_terms``) in its article's language;
    ``lead`` is the text of the article's first passage."""
    lang: Language = "en" if language == "en" else "fr"
    return passage_terms(text, lang, title=title, lead=lead)


def article_terms(
    passages: Sequence[PassageText], *, title: str, language: str
) -> list[str | None]:
    """The terms to store with each of an article's passages (``pack_terms``), in order."""
    lead = next((p.text for p in passages if p.position == 0), "")
    return [
        pack_terms(analysed(indexed_text(p.heading, p.text), language, title=title, lead=lead))
        for p in passages
    ]


def save_terms(*, engine: Engine, terms: Mapping[int, str | None]) -> None:
    """Store passages' freshly analysed terms (passage id -> ``pack_terms``); ids no longer
    stored are skipped (a passage's text never changes under its id)."""
    if not terms:
        return
    statement = (
        update(Passage)
        .where(col(Passage.id) == bindparam("pid"))
        .values(terms=bindparam("packed"), analysis=ANALYSIS_VERSION)
    )
    rows = [{"pid": pid, "packed": packed} for pid, packed in terms.items()]
    with engine.begin() as connection:
        connection.execute(statement, rows)
