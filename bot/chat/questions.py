"""Questions and reading: /ask (and plain questions), paging buttons, /article, /latest,
/sources, /stats, /start and /help."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import datetime

from bot.chat.messages import EXAMPLES, Lang, t
from bot.chat.registry import Button, Command, Reply, Request, action, command, menu
from bot.chat.render import (
    TELEGRAM_LIMIT,
    cite,
    format_date,
    linked_title,
    render_answer_html,
    render_answer_text,
    render_article_html,
    render_article_text,
    split_html,
    utf16_len,
)
from bot.chat.subscriptions import resume_on_start
from retrieval.analysis import detect_language

LATEST_MAX = 20


# -- questions ---------------------------------------------------------------------------------


def answer_language(question: str, fallback: Lang) -> Lang:
    """The language to answer a question in: its own when long enough to tell, else the user's."""
    if len(question.split()) < 3:
        return fallback
    return detect_language(question, default=fallback)


def answer(request: Request, question: str, offset: int = 0) -> Reply:
    """A page of cited excerpts for ``question``, with Read and paging buttons.

    The page always fits in one Telegram message (so that paging can edit it): answers are
    dropped from the end of the page (they come on the next one) until it fits.
    """
    question = question.strip()
    language = answer_language(question, request.language)
    k = request.settings.results_per_page
    results = request.service.ask(question, k=k, offset=offset)
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
        first_id = shown[0].passage.article_id
        hints.append(t("read_hint", language, id=first_id))
        text += "\n\n(" + " · ".join(hints) + ")"
    elif hints:
        text += "\n\n(" + " · ".join(hints) + ")"
    rows = tuple(row for row in (tuple(reads), tuple(paging)) if row)
    return Reply(body, text, rows)


@action("more", edit=True)
def more(request: Request) -> Reply | None:
    """Another page of the answer to the question the button's message answered."""
    if not request.question or not request.args.isdigit():
        return None
    return answer(request, request.question, int(request.args))


@action("read")
def read(request: Request) -> Reply | None:
    """The whole article of a result."""
    return article(request)


# -- commands ----------------------------------------------------------------------------------


def help_reply(request: Request) -> Reply:
    """What Dépêche does and how to ask, with examples and the list of commands."""
    lang = request.language
    at = f"@{request.bot_username}" if request.bot_username else ""
    mention = at or "@Dépêche"
    examples = EXAMPLES[lang]
    lines = [
        f"<b>Dépêche</b> — {html.escape(t('intro', lang), quote=False)}",
        "",
        html.escape(t("private_how", lang), quote=False),
        *(f"• <i>{html.escape(e, quote=False)}</i>" for e in examples),
        "",
        html.escape(t("group_how", lang, at=at, mention=mention), quote=False),
        "",
        f"<b>{html.escape(t('commands_title', lang), quote=False)}</b>",
    ]
    group = request.chat_type in ("group", "supergroup")
    for spec in menu(group=group):
        lines.append(html.escape(_usage_line(spec, lang), quote=False))
    body = "\n".join(lines)
    text = "\n".join(
        [
            t("intro", lang),
            "",
            t("private_how", lang),
            *(f"  • {e}" for e in examples),
            "",
            t("group_how", lang, at=at, mention=mention),
            "",
            t("commands_title", lang),
            *(f"  {_usage_line(c, lang)}" for c in menu(group=group)),
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
    welcome = help_reply(request)
    if resumed is None:
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


@command("latest", "cmd_latest", usage="usage_latest")
def latest(request: Request) -> Reply:
    """The newest articles, each with a Read button."""
    lang = request.language
    arg = request.args.strip()
    if arg and not (arg.isdigit() and 1 <= int(arg) <= LATEST_MAX):
        return Reply.plain(t("latest_usage", lang, max=LATEST_MAX))
    articles = request.service.latest(int(arg) if arg else 5)
    if not articles:
        return Reply.plain(t("latest_none", lang))
    lines = [f"<b>{html.escape(t('latest_title', lang), quote=False)}</b>"]
    text_lines = [t("latest_title", lang)]
    buttons: list[Button] = []
    for number, item in enumerate(articles, start=1):
        title = linked_title(item.title, item.url)
        cited = cite(item)
        lines.append(
            f"{number}. {title}" + (f"\n{html.escape(cited, quote=False)}" if cited else "")
        )
        text_lines.append(f"[{item.id}] {item.title}" + (f" — {cited}" if cited else ""))
        buttons.append(Button(t("read", lang, n=number), f"read:{item.id}"))
    rows = tuple(tuple(buttons[i : i + 5]) for i in range(0, len(buttons), 5))
    body = "\n\n".join([lines[0] + "\n", *lines[1:]]).replace("\n\n\n", "\n\n")
    return Reply(body, "\n".join(text_lines), rows)


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
    """A whole article by its number (split into several messages when long)."""
    lang = request.language
    arg = request.args.strip().lstrip("#")
    if not arg.isdigit():
        return Reply.plain(t("article_usage", lang))
    found = request.service.article(int(arg))
    if found is None:
        return Reply.plain(t("article_missing", lang, id=arg))
    item, passages = found
    paragraphs = [(p.heading, p.text) for p in passages]
    cited = cite(item)
    return Reply(
        render_article_html(item.title, paragraphs, cited, item.url),
        render_article_text(item.title, paragraphs, cited + (f"\n{item.url}" if item.url else "")),
    )
