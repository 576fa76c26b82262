"""Questions and reading: /ask (and plain questions), paging buttons, /article, /latest,
/sources, /trend, /stats, /start and /help.

One numbering: an answer numbers its results 1, 2, 3 (the next page 4, 5, 6), its "Read N"
buttons carry the same N, and ``/article N`` opens result N of the chat's last answer (or of
its last /latest list); ``/article #12`` opens the article whose id is 12.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import datetime

from bot.chat.inline import share_query
from bot.chat.messages import EXAMPLES, Lang, t
from bot.chat.numbers import parse_number
from bot.chat.registry import (
    Button,
    Command,
    Reply,
    Request,
    action,
    command,
    console_commands,
    menu,
)
from bot.chat.render import (
    TELEGRAM_LIMIT,
    cite,
    format_date,
    format_period,
    linked_title,
    render_answer_html,
    render_answer_text,
    render_article_html,
    render_article_text,
    split_html,
    utf16_len,
)
from bot.chat.subscriptions import resume_on_start
from bot.chat.trends import topic_trend
from retrieval.topics import TopicError

LATEST_MAX = 20
MAX_OFFSET = 1_000  # paging further than this is no longer reading answers
# A long article is sent this many messages at a time (a 400 KB one would be 113 messages).
ARTICLE_MESSAGES = 3
READ_LINK = re.compile(r"read_(\d+)(?:_(\d+))?")
_TAG = re.compile(r"<[^>]*>")


# -- questions ---------------------------------------------------------------------------------


def answer(request: Request, question: str, offset: int = 0) -> Reply:
    """A page of cited excerpts for ``question``, with Read and paging buttons.

    The page always fits in one Telegram message (so that paging can edit it): answers are
    dropped from the end of the page (they come on the next one) until it fits.
    """
    question = question.strip()
    language = request.language  # the interface's; the question's own only steers the search
    k = request.settings.results_per_page
    results = request.service.ask(question, k=k, offset=offset)
    if not results.answers and not offset and request.service.is_empty():
        return Reply.plain(t("empty_collection", language))
    shown = results.answers
    page = replace(results, answers=shown)
    body = render_answer_html(page, language)
    while utf16_len(body) > TELEGRAM_LIMIT and len(shown) > 1:
        shown = shown[:-1]
        page = replace(results, answers=shown)
        body = render_answer_html(page, language)
    if utf16_len(body) > TELEGRAM_LIMIT:
        body = split_html(body)[0]
    text = render_answer_text(page, language)
    has_more = results.has_more or len(shown) < len(results.answers)

    numbered = {n: a.passage.article_id for n, a in enumerate(shown, start=offset + 1)}
    if shown or not offset:
        request.service.numbers.remember(request.chat_id, numbered, page=offset > 0)
    reads: list[Button] = []
    seen: set[int] = set()
    for number, item in enumerate(shown, start=offset + 1):
        if item.passage.article_id not in seen:
            seen.add(item.passage.article_id)
            reads.append(Button(t("read", language, n=number), f"read:{item.passage.article_id}"))
    paging: list[Button] = []
    hints: list[str] = []
    if offset > 0:
        paging.append(Button(t("previous", language), f"more:{max(0, offset - k)}"))
        hints.append(t("previous_hint", language))
    if has_more:
        paging.append(Button(t("more", language), f"more:{offset + len(shown)}"))
        hints.append(t("more_hint", language))
    if shown:
        hints.append(t("read_hint", language, n=offset + 1))
        text += "\n\n(" + " · ".join(hints) + ")"
    elif hints:
        text += "\n\n(" + " · ".join(hints) + ")"
    if shown:
        paging.append(Button(t("share", language), share=share_query(question)))
    rows = tuple(row for row in (tuple(reads), tuple(paging)) if row)
    return Reply(body, text, rows)


@action("more", edit=True)
def more(request: Request) -> Reply | None:
    """Another page of the answer to the question the button's message answered."""
    offset = parse_number(request.args, high=MAX_OFFSET)
    if not request.question or offset is None:
        return None
    return answer(request, request.question, offset)


@action("read", private=True)
def read(request: Request) -> Reply | None:
    """The article of a result (``read:ID``, or ``read:ID:PART`` to go on)."""
    article_id, _, part = request.args.partition(":")
    found_id = parse_number(article_id, low=1)
    if found_id is None:
        return None
    return _article_reply(request, found_id, first=parse_number(part, low=0) or 0)


# -- commands ----------------------------------------------------------------------------------


def help_reply(request: Request) -> Reply:
    """What Dépêche does and how to ask, with examples and the commands this chat can run."""
    lang = request.language
    at = f"@{request.bot_username}" if request.bot_username else ""
    mention = at or "@Dépêche"
    examples = EXAMPLES[lang]
    console = request.chat_type == "console"
    if console:  # the terminal: what it runs, and its typed stand-ins for the buttons
        usages = [_usage_line(c, lang) for c in console_commands()]
        usages += [f"/{name} — {t(f'cmd_{name}', lang)}" for name in ("more", "previous", "quit")]
    else:
        group = request.chat_type in ("group", "supergroup")
        usages = [_usage_line(c, lang) for c in menu(group=group)]
    how = [] if console else [t("group_how", lang, at=at, mention=mention), ""]

    def escaped(text: str) -> str:
        return html.escape(text, quote=False)

    body = "\n".join(
        [
            f"<b>Dépêche</b> — {escaped(t('intro', lang))}",
            "",
            escaped(t("private_how", lang)),
            *(f"• <i>{escaped(e)}</i>" for e in examples),
            "",
            *map(escaped, how),
            f"<b>{escaped(t('commands_title', lang))}</b>",
            *map(escaped, usages),
        ]
    )
    text = "\n".join(
        [
            t("intro", lang),
            "",
            t("private_how", lang),
            *(f"  • {e}" for e in examples),
            "",
            *how,
            t("commands_title", lang),
            *(f"  {u}" for u in usages),
        ]
    )
    return Reply(body, text)


def _usage_line(spec: Command, language: Lang) -> str:
    usage = f" {t(spec.usage, language)}" if spec.usage else ""
    return f"/{spec.name}{usage} — {t(spec.description, language)}"


@command("start", "cmd_start")
def start(request: Request) -> Reply:
    """The welcome: the same as /help (and alerts resumed in a chat where they were paused)."""
    resumed = resume_on_start(request)
    deep_link = READ_LINK.fullmatch(request.args.strip())
    welcome = help_reply(request)
    if deep_link:  # t.me/<bot>?start=read_12: a Read pressed in a group before a first chat
        article_id, part = deep_link.groups()
        welcome = _article_reply(request, int(article_id), first=int(part or 0))
    if resumed is None or welcome.pages:
        return welcome
    return Reply(f"{resumed.html}\n\n{welcome.html}", f"{resumed.text}\n\n{welcome.text}")


@command("help", "cmd_help")
def help_(request: Request) -> Reply:
    """How to ask, with examples."""
    return help_reply(request)


@command("ask", "cmd_ask", usage="usage_ask")
def ask(request: Request) -> Reply:
    """Answer the question in the arguments; explain with an example when there is none."""
    if not request.args.strip():
        example = EXAMPLES[request.language][0]
        return Reply.plain(t("empty_ask", request.language, example=example))
    return answer(request, request.args)


def _day(value: datetime | None, language: Lang) -> str:
    """A date of the collection (stats, sources); the 1st at midnight is a month-only date."""
    if value is None:
        return ""
    month_only = value.day == 1 and value.hour == value.minute == 0
    return format_date(value, "month" if month_only else "day", language)


def _latest_arguments(args: str) -> tuple[int, str] | None:
    """``[n] [topic]`` of /latest: how many (5 by default) and the topic; None if n is wrong."""
    first, _, rest = args.strip().partition(" ")
    if first and any(c.isdigit() for c in first) and not any(c.isalpha() for c in first):
        count = parse_number(first, low=1, high=LATEST_MAX)
        return None if count is None else (count, rest.strip())
    return 5, args.strip()


@command("latest", "cmd_latest", usage="usage_latest")
def latest(request: Request) -> Reply:
    """The newest articles (on a topic, if given), numbered, each with a Read button."""
    lang = request.language
    arguments = _latest_arguments(request.args)
    if arguments is None:
        return Reply.plain(t("latest_usage", lang, max=LATEST_MAX))
    count, topic = arguments
    try:
        articles = request.service.latest(count, topic=topic or None)
    except TopicError as error:
        return Reply.plain(f"{error}\n{t('latest_usage', lang, max=LATEST_MAX)}")
    if not articles:
        if topic:
            return Reply.plain(t("latest_topic_none", lang, topic=topic))
        return Reply.plain(t("latest_none", lang))
    title = t("latest_topic_title", lang, topic=topic) if topic else t("latest_title", lang)
    lines = [f"<b>{html.escape(title, quote=False)}</b>"]
    text_lines = [title]
    buttons: list[Button] = []
    for number, item in enumerate(articles, start=1):
        linked = linked_title(item.title, item.url)
        cited = cite(item, lang)
        lines.append(f"{number}. {linked}\n{html.escape(cited, quote=False)}")
        text_lines.append(f"{number}. {item.title} — {cited}")
        buttons.append(Button(t("read", lang, n=number), f"read:{item.id}"))
    request.service.numbers.remember(
        request.chat_id, {n: a.id or 0 for n, a in enumerate(articles, start=1)}
    )
    rows = tuple(tuple(buttons[i : i + 5]) for i in range(0, len(buttons), 5))
    body = "\n\n".join([lines[0] + "\n", *lines[1:]]).replace("\n\n\n", "\n\n")
    text_lines.append("(" + t("read_hint", lang, n=1) + ")")
    return Reply(body, "\n".join(text_lines), rows)


@command("trend", "cmd_trend", usage="usage_trend")
def trend(request: Request) -> Reply:
    """A chart of the articles on a topic per day (the last 30 days, or the period asked)."""
    lang = request.language
    parsed = request.service.read_question(request.args)
    topic = parsed.text
    if not topic:
        return Reply.plain(t("trend_usage", lang))
    try:
        found = topic_trend(
            request.service, topic, period=parsed.filters.period, sources=parsed.filters.sources
        )
    except TopicError as error:
        return Reply.plain(f"{error}\n{t('trend_usage', lang)}")
    dates = format_period(found.period, lang)
    if not found.total:
        said = t("trend_none", lang, topic=topic, dates=dates)
        if found.month_only:
            said += " " + t("trend_month_only", lang, count=found.month_only)
        return Reply.plain(said)
    day, busiest = found.busiest()
    # The caption fits Telegram's 1,024 characters by construction: its one long part, the
    # topic, is at most 300 characters and 12 words (parse_topic refuses longer ones).
    caption = t(
        "trend_caption",
        lang,
        topic=topic,
        count=found.total,
        dates=dates,
        day=format_date(datetime(day.year, day.month, day.day), "day", lang),
        busiest=busiest,
    )
    if found.month_only:
        caption += " " + t("trend_month_only", lang, count=found.month_only)
    from bot.chat.charts import trend_png  # matplotlib: a third of the start-up, only for charts

    return Reply(html.escape(caption, quote=False), caption, photo=trend_png(found, lang))


@command("sources", "cmd_sources")
def sources(request: Request) -> Reply:
    """Articles per source."""
    lang = request.language
    counts = request.service.sources()
    if not counts:
        return Reply.plain(t("latest_none", lang))
    lines = [t("sources_title", lang)]
    for item in counts:
        date = _day(item.newest, lang)
        key = "sources_line" if date else "sources_line_undated"
        lines.append("• " + t(key, lang, source=item.source, count=item.articles, date=date))
    return Reply.plain("\n".join(lines))


@command("stats", "cmd_stats")
def stats(request: Request) -> Reply:
    """The size of the collection."""
    lang = request.language
    s = request.service.stats()
    lines = [t("stats", lang, articles=s.articles, passages=s.passages, sources=s.sources)]
    if s.oldest and s.newest:
        lines.append(
            t(
                "stats_dates",
                lang,
                oldest=_day(s.oldest, lang),
                newest=_day(s.newest, lang),
            )
        )
    return Reply.plain("\n".join(lines))


@command("article", "cmd_article", usage="usage_article")
def article(request: Request) -> Reply:
    """A whole article: result N of the last answer, or ``#id`` (several messages when long)."""
    lang = request.language
    arg, _, part = request.args.strip().partition(" ")
    if arg.startswith("#"):  # "#12 3": article 12 from its part 3 (the console's Continue)
        article_id = parse_number(arg[1:], low=1)
        if article_id is None:
            return Reply.plain(t("article_usage", lang))
        return _article_reply(request, article_id, first=parse_number(part, low=0) or 0)
    number = parse_number(arg, low=1)
    if number is None:
        return Reply.plain(t("article_usage", lang))
    found_id = request.service.numbers.article_id(request.chat_id, number)
    if found_id is None:
        return Reply.plain(t("no_such_result", lang, n=number))
    return _article_reply(request, found_id)


def _article_reply(request: Request, article_id: int, *, first: int = 0) -> Reply:
    lang = request.language
    found = request.service.article(article_id)
    if found is None:
        return Reply.plain(t("article_missing", lang, id=f"#{article_id}"))
    item, passages = found
    paragraphs = [(p.heading, p.text) for p in passages]
    cited = cite(item, lang)
    return capped_article(
        article_id,
        render_article_html(item.title, paragraphs, cited, item.url),
        render_article_text(item.title, paragraphs, cited + (f"\n{item.url}" if item.url else "")),
        url=item.url,
        first=first,
        language=lang,
    )


def capped_article(
    article_id: int, full_html: str, full_text: str, *, url: str | None, first: int, language: Lang
) -> Reply:
    """At most ``ARTICLE_MESSAGES`` messages of an article from part ``first``, then a note
    with "Continue" (the next parts) and a link to the article's page."""
    parts = split_html(full_html)
    if first == 0 and len(parts) <= ARTICLE_MESSAGES:
        return Reply(full_html, full_text)
    shown = parts[first : first + ARTICLE_MESSAGES]
    if not shown:
        return Reply.plain(t("no_more_results", language))
    following = first + len(shown)
    left = len(parts) - following
    buttons: list[Button] = []
    notes: list[str] = []
    if left:
        notes.append(t("article_more", language, parts=left))
        buttons.append(Button(t("continue", language), f"read:{article_id}:{following}"))
    if url and url.startswith(("http://", "https://")):
        buttons.append(Button(t("open_link", language), url=url))
    pages = [*shown, *(html.escape(n, quote=False) for n in notes)]
    text = "\n\n".join(html.unescape(_TAG.sub("", p)) for p in shown)
    if left:
        text += f"\n\n{notes[0]} (/article #{article_id} {following})"
    return Reply("\n\n".join(pages), text, (tuple(buttons),) if buttons else (), pages=tuple(pages))
