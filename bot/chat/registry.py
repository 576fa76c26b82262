"""The command registry shared by Telegram and the terminal chat, and its Request/Reply types.

Each command is a plain function ``(Request) -> Reply`` registered with :func:`command`; it
takes the service and the command's arguments and returns what to say (Telegram HTML, plain
text for the terminal, buttons). It never touches Telegram, so the same function serves the
bot (``bot/telegram/handlers.py``), the terminal chat (``bot/cli/console.py``) and the tests.

To add a command (say ``/subscribe``), in a module imported by ``bot/chat/__init__.py``::

    @command("subscribe", "cmd_subscribe")      # a key of bot/chat/messages.py for the menus
    def subscribe(request: Request) -> Reply:
        ...
        return Reply.plain(t("subscribed", request.language, topic=request.args))

It is then answered on Telegram (private chats, and groups unless ``group=False``), listed in
the command menus and /help, and typed in ``depeche chat``. ``admin=True`` keeps a command to
``settings.admin_ids`` (and out of the menus); ``console=False`` keeps it out of the
terminal. Buttons carry an *action* (``name:value``, callback data of at most 64 bytes)
registered with :func:`action` the same way.

Commands run in a worker thread (the search and the database are synchronous), never on the
event loop.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.chat.messages import Lang, t
from bot.chat.render import split_html

if TYPE_CHECKING:
    from bot.service import Depeche
    from bot.settings import Settings

CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for an inline button's callback data


@dataclass(frozen=True)
class Button:
    """An inline button: its label and the action it triggers (``more:3``, ``read:12``), or
    with ``share`` a button that opens inline mode with that query in a chat the user picks."""

    label: str
    action: str = ""
    share: str | None = None
    url: str | None = None  # a link button instead

    def __post_init__(self) -> None:
        if len(self.action.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {self.action!r}")


@dataclass(frozen=True)
class Reply:
    """What to answer: Telegram HTML, the same as plain text, and rows of buttons.

    ``html`` may be longer than one Telegram message: :meth:`messages` splits it cleanly.
    An empty reply (``Reply.silent()``) means say nothing. With ``photo`` (PNG bytes), the
    reply is that picture and ``html`` its caption (at most 1,024 characters).
    """

    html: str
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    photo: bytes | None = None
    # The messages themselves when the reply chose its cuts (a capped article); else ``html``
    # is split.
    pages: tuple[str, ...] = ()

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
        if self.pages:
            return list(self.pages)
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
    console: bool = True  # offered in the terminal chat (``depeche chat``) too


@dataclass(frozen=True)
class Action:
    """A registered button action; ``edit``: its reply replaces the message holding the button;
    ``notice``: its reply is shown to the presser only (the button's answer), not posted;
    ``group_admin``: in groups, the handler first asks whether the presser is an admin;
    ``private``: pressed in a group, its reply goes privately to whoever pressed it."""

    name: str
    run: ActionFunction
    edit: bool = False
    notice: bool = False
    group_admin: bool = False
    private: bool = False


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
    console: bool = True,
) -> Callable[[CommandFunction], CommandFunction]:
    """Register a function as the command ``/name`` (see the module docstring)."""

    def register(function: CommandFunction) -> CommandFunction:
        COMMANDS[name] = Command(
            name, function, description, private, group, admin, menu, usage, group_admin, console
        )
        return function

    return register


def action(
    name: str,
    *,
    edit: bool = False,
    notice: bool = False,
    group_admin: bool = False,
    private: bool = False,
) -> Callable[[ActionFunction], ActionFunction]:
    """Register a function as the button action ``name:...`` (its value in ``request.args``)."""

    def register(function: ActionFunction) -> ActionFunction:
        ACTIONS[name] = Action(name, function, edit, notice, group_admin, private)
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
        c for c in COMMANDS.values() if c.menu and not c.admin and (c.group if group else c.private)
    ]


def console_commands() -> list[Command]:
    """The commands the terminal chat runs (its user is an administrator)."""
    return [c for c in COMMANDS.values() if c.console and (c.menu or c.admin)]
