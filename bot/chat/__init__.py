"""The chat, front-agnostic: commands and button actions as ``(Request) -> Reply`` functions.

Every command is registered here, by importing the modules that define them; Telegram
(``bot/telegram/``) and the terminal chat (``bot/cli/console.py``) answer the same ones.
"""

from bot.chat import alert_controls, language, questions, subscriptions
from bot.chat.registry import (
    ACTIONS,
    COMMANDS,
    Action,
    Button,
    Command,
    Reply,
    Request,
    dispatch,
    menu,
    run_action,
)

__all__ = [
    "ACTIONS",
    "COMMANDS",
    "Action",
    "Button",
    "Command",
    "Reply",
    "Request",
    "alert_controls",
    "dispatch",
    "language",
    "menu",
    "questions",
    "run_action",
    "subscriptions",
]
