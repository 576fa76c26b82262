"""``depeche chat``: Dépêche in the terminal, through the same command logic as Telegram.

Questions and commands (/latest, /sources, /stats, /article, /help...) go to
``bot/chat`` exactly as Telegram's handlers send them; the buttons of an answer become
typed commands: /more and /previous page through it, /article N reads a result.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.chat import Reply, Request, dispatch, questions
from bot.chat.messages import Lang, language_of_user, t
from bot.chat.numbers import parse_number
from bot.service import Depeche
from bot.settings import Settings

log = logging.getLogger(__name__)

QUIT = frozenset({"quit", "exit", "q"})


def terminal_language(settings: Settings) -> Lang:
    """French when the terminal's locale is French (``LANG=fr_FR.UTF-8``), else English."""
    return language_of_user(settings.locale or None)


@dataclass
class ConsoleChat:
    """One terminal conversation: it remembers the last question to page through it."""

    service: Depeche
    settings: Settings
    language: Lang = "en"
    question: str | None = None
    offset: int = 0
    pages: dict[str, int] = field(default_factory=dict)  # "more"/"previous" -> offset
    # Where charts (/trend) are written, since a terminal cannot show them.
    chart_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()))

    def request(self, args: str = "") -> Request:
        """A request from the terminal's user."""
        return Request(
            service=self.service,
            settings=self.settings,
            args=args,
            language=self.language,
            chat_type="console",
        )

    def reply_to(self, line: str) -> str | None:
        """What to print for one line typed by the user; None to leave."""
        line = line.strip()
        if not line:
            return ""
        if not line.startswith("/"):
            return self._ask(line)
        name, _, args = line[1:].partition(" ")
        name = name.split("@")[0].lower()
        args = args.strip()
        if name in QUIT:
            return None
        if name in ("more", "previous"):
            if self.question is None or name not in self.pages:
                return t("no_more_console", self.language)
            return self._page(self.question, self.pages[name])
        if name == "ask" and args:
            return self._ask(args)
        reply = dispatch(name, self.request(args))
        if reply is None:
            return t("unknown_command", self.language, name=name)
        if reply.photo is not None:
            path = self.chart_dir / f"depeche-{name}.png"
            path.write_bytes(reply.photo)
            return f"{reply.text}\n{t('trend_saved', self.language, path=path)}"
        return reply.text

    def _ask(self, question: str) -> str:
        reply = questions.ask(self.request(question))
        self.question = question
        self.offset = 0
        self._remember(reply)
        return reply.text

    def _page(self, question: str, offset: int) -> str:
        reply = questions.answer(self.request(), question, offset)
        self.offset = offset
        self._remember(reply)
        return reply.text

    def _remember(self, reply: Reply) -> None:
        self.pages = {}
        for row in reply.buttons:
            for button in row:
                name, _, value = button.action.partition(":")
                offset = parse_number(value) if name == "more" else None
                if offset is not None:
                    self.pages["more" if offset > self.offset else "previous"] = offset


def run_chat(
    chat: ConsoleChat,
    lines: Iterable[str],
    echo: Callable[[str], None],
    *,
    show_input: bool = False,
) -> None:
    """Answer each line until the input ends or the user types /quit; a failure is reported
    and the chat goes on. ``show_input``: print each line (``> line``) before its answer, so
    that a scripted session reads as a transcript."""
    for line in lines:
        if show_input and line.strip():
            echo(f"> {line.strip()}")
        try:
            out = chat.reply_to(line)
        except Exception:
            log.exception("the terminal chat failed on %r", line)
            out = t("error", chat.language)
        if out is None:
            return
        if out:
            echo(out + "\n")


def interactive_lines(prompt: str = "> ") -> Iterable[str]:
    """Lines typed at a prompt (with line editing when available), until Ctrl-D."""
    with contextlib.suppress(ImportError):  # line editing and history for input()
        import readline  # noqa: F401
    while True:
        try:
            yield input(prompt)
        except (EOFError, KeyboardInterrupt):
            print()
            return
