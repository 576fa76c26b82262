"""The command logic shared by Telegram and the terminal chat.

Each command is a plain function ``(Request) -> Reply`` registered with :func:`command`; it
takes the service and the command's arguments and returns what to say (Telegram HTML, plain
text for the terminal, buttons). It never touches Telegram, so the same function serves the
bot (``bot/handlers.py``), the terminal chat (``bot/console.py``) and the tests.

To add a command (say ``/subscribe``)::

    @command("subscribe", "cmd_subscribe")      # a key of bot/messages.py for the menus
    def subscribe(request: Request) -> Reply:
        ...
        return Reply.plain(t("subscribed", request.language, topic=request.args))

It is then answered on Telegram (private chats, and groups unless ``group=False``), listed in
the command menus and /help, and typed in ``depeche chat``. ``admin=True`` keeps a command to
``settings.admin_ids`` (and out of the menus). Buttons carry an *action* (``name:value``,
callback data of at most 64 bytes) registered with :func:`action` the same way.

Commands run in a worker thread (the search and the database are synchronous), never on the
event loop.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.messages import EXAMPLES, Lang, t
from bot.render import (
    TELEGRAM_LIMIT,
    format_date,
    render_answer_html,
    render_answer_text,
    render_article_html,
    render_article_text,
    split_html,
    utf16_len,
)
from retrieval.analysis import detect_language

if TYPE_CHECKING:
    from bot.service import Depeche
    from bot.settings import Settings
    from storage.models import Article

CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for an inline button's callback data
LATEST_MAX = 20


@dataclass(frozen=True)
class Button:
    """An inline button: its label and the action it triggers (``more:3``, ``read:12``)."""

    label: str
    action: str

    def __post_init__(self) -> None:
        if len(self.action.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {self.action!r}")


@dataclass(frozen=True)
class Reply:
    """What to answer: Telegram HTML, the same as plain text, and rows of buttons.

    ``html`` may be longer than one Telegram message: :meth:`messages` splits it cleanly.
    An empty reply (``Reply.silent()``) means say nothing.
    """

    html: str
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()

    @classmethod
    def plain(cls, text: str, buttons: tuple[tuple[Button, ...], ...] = ()) -> Reply:
        """A reply without formatting (escaped for HTML)."""
        return cls(html.escape(text, quote=False), text, buttons)

    @classmethod
    def silent(cls) -> Reply:
        """Nothing to say."""
        return cls("", "")

    def messages(self) -> list[str]:
        """The HTML as Telegram messages of at most 4,096 characters each."""
        return split_html(self.html) if self.html else []


@dataclass(frozen=True)
class Request:
    """Who asks what: the service, the arguments, the language and where the asking happens."""

    service: Depeche
    settings: Settings
    args: str = ""
    language: Lang = "en"
    chat_id: int | None = None
    user_id: int | None = None
    chat_type: str = "private"  # Telegram's chat type, or "console" for the terminal chat
    bot_username: str | None = None
    # For a button's action: the question the message holding the button answered, if known.
    question: str | None = None
    # In a group, whether the sender administers it (asked of Telegram for ``group_admin``
    # commands only; False otherwise).
    chat_admin: bool = False

    @property
    def is_admin(self) -> bool:
        """Whether the sender may run admin commands (the terminal's user always may)."""
        return self.chat_type == "console" or (
            self.user_id is not None and self.user_id in self.settings.admin_ids
        )


CommandFunction = Callable[[Request], Reply]
ActionFunction = Callable[[Request], Reply | None]


@dataclass(frozen=True)
class Command:
    """A registered command and where it is offered."""

    name: str
    run: CommandFunction
    description: str  # key in bot/messages.py
    private: bool = True
    group: bool = True
    admin: bool = False
    menu: bool = True
    usage: str = ""  # key in bot/messages.py for the arguments shown in /help, or ""
    group_admin: bool = False  # in groups, the handler first asks whether the sender is an admin


@dataclass(frozen=True)
class Action:
    """A registered button action; ``edit``: its reply replaces the message holding the button."""

    name: str
    run: ActionFunction
    edit: bool = False


COMMANDS: dict[str, Command] = {}
ACTIONS: dict[str, Action] = {}


def command(
    name: str,
    description: str,
    *,
    private: bool = True,
    group: bool = True,
    admin: bool = False,
    menu: bool = True,
    usage: str = "",
    group_admin: bool = False,
) -> Callable[[CommandFunction], CommandFunction]:
    """Register a function as the command ``/name`` (see the module docstring)."""

    def register(function: CommandFunction) -> CommandFunction:
        COMMANDS[name] = Command(
            name, function, description, private, group, admin, menu, usage, group_admin
        )
        return function

    return register


def action(name: str, *, edit: bool = False) -> Callable[[ActionFunction], ActionFunction]:
    """Register a function as the button action ``name:...`` (its value in ``request.args``)."""

    def register(function: ActionFunction) -> ActionFunction:
        ACTIONS[name] = Action(name, function, edit)
        return function

    return register


def dispatch(name: str, request: Request) -> Reply | None:
    """Run the command ``name``; None when there is no such command (for this kind of chat)."""
    spec = COMMANDS.get(name.lower())
    if spec is None or (request.chat_type in ("group", "supergroup") and not spec.group):
        return None
    if spec.admin and not request.is_admin:
        return Reply.plain(t("not_allowed", request.language, name=spec.name))
    return spec.run(request)


def run_action(data: str, request: Request) -> tuple[Action, Reply | None] | None:
    """Run the action named by a button's callback data; None for data no action knows."""
    name, _, value = data.partition(":")
    spec = ACTIONS.get(name)
    if spec is None:
        return None
    return spec, spec.run(replace(request, args=value))


def menu(*, group: bool) -> list[Command]:
    """The commands offered in private chats' or in groups' menu."""
    return [
        c
        for c in COMMANDS.values()
        if c.menu and not c.admin and (c.group if group else c.private)
    ]


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
    from bot.subscriptions import resume_on_start

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


def _cite(article: Article) -> str:
    date = format_date(article.published_at, article.published_precision, article.language)
    parts = [article.source, date]
    if article.slug and article.slug != article.source:
        parts.append(article.slug)
    return " · ".join(p for p in parts if p and p != "unknown")


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
        title = html.escape(item.title, quote=False)
        if item.url and item.url.startswith(("http://", "https://")):
            title = f'<a href="{html.escape(item.url, quote=True)}">{title}</a>'
        cite = _cite(item)
        lines.append(f"{number}. {title}" + (f"\n{html.escape(cite, quote=False)}" if cite else ""))
        text_lines.append(f"[{item.id}] {item.title}" + (f" — {cite}" if cite else ""))
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
    cite = _cite(item)
    return Reply(
        render_article_html(item.title, paragraphs, cite, item.url),
        render_article_text(item.title, paragraphs, cite + (f"\n{item.url}" if item.url else "")),
    )


# /subscribe, /unsubscribe, /subscriptions and /feeds live in their own module; importing it
# registers them here.
from bot import subscriptions as _subscriptions  # noqa: E402, F401

