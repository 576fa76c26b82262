"""Inline mode, front-agnostic: ``@Bot question`` typed in any chat lists cited answers to
send there; an empty query lists the newest articles.

The results are found exactly as a question's (the service's ``ask``: the same analysis and
filters), rendered by the same citation helpers; Telegram's front turns them into
``InlineQueryResultArticle``s.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.chat.registry import Request
from bot.chat.render import article_card_html, cite, cited_excerpt_html

PAGE_SIZE = 10  # results per page (Telegram shows up to 50; more come with next_offset)
LATEST_COUNT = 20
# How long Telegram may serve a query's results from its cache: answers change only when
# articles arrive; the newest articles change more often.
ANSWER_CACHE_SECONDS = 300
LATEST_CACHE_SECONDS = 60
INLINE_QUERY_LIMIT = 256  # characters of an inline query (and so of a Share button's)


@dataclass(frozen=True)
class InlineItem:
    """One result: the id Telegram reports back, what the list shows, what is sent."""

    id: str
    title: str
    description: str
    html: str
    share: str  # the query a Share button under the sent message starts


@dataclass(frozen=True)
class InlinePage:
    """A page of results, the offset of the next page ("" for none) and how long to cache."""

    items: tuple[InlineItem, ...]
    next_offset: str
    cache_seconds: int


def share_query(question: str) -> str:
    """The question as an inline query: whole words, within Telegram's 256 characters."""
    words = question.split()
    kept: list[str] = []
    for word in words:
        if len(" ".join([*kept, word])) > INLINE_QUERY_LIMIT:
            break
        kept.append(word)
    return " ".join(kept)


def inline_answers(request: Request, query: str, offset: str = "") -> InlinePage:
    """The results for an inline query (``offset``: what the previous page said next)."""
    language = request.language
    query = " ".join(query.split())
    if not query:
        items = tuple(
            InlineItem(
                id=f"a{item.id}",
                title=item.title,
                description=cite(item, language),
                html=article_card_html(item, language),
                share="",
            )
            for item in request.service.latest(LATEST_COUNT)
        )
        return InlinePage(items, "", LATEST_CACHE_SECONDS)
    start = int(offset) if offset.isdigit() else 0
    results = request.service.ask(query, k=PAGE_SIZE, offset=start)
    items = tuple(
        InlineItem(
            id=f"p{answer.passage.passage_id}",
            title=answer.passage.title,
            description=" · ".join(
                part for part in (answer.excerpt.text, cite(answer.passage, language)) if part
            ),
            html=cited_excerpt_html(answer, language, with_link=True),
            share=share_query(query),
        )
        for answer in results.answers
    )
    next_offset = str(start + len(items)) if results.has_more and items else ""
    return InlinePage(items, next_offset, ANSWER_CACHE_SECONDS)
