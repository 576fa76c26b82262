"""The language a chat chose with /lang, kept on its ``chat`` row (``Chat.language_code``)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from storage.db import session_scope
from storage.models import Chat


def get_chat_language(*, engine: Engine, chat_id: int) -> str | None:
    """The chat's chosen language (``"fr"``, ``"en"``), or None when it never chose."""
    with session_scope(engine) as session:
        chat = session.get(Chat, chat_id)
        return chat.language_code if chat is not None else None


def set_chat_language(
    *, engine: Engine, chat_id: int, language: str | None, chat_type: str = "private"
) -> None:
    """Remember the chat's language (None: back to each user's own)."""
    with session_scope(engine) as session:
        chat = session.get(Chat, chat_id)
        if chat is None:
            chat = Chat(id=chat_id, type=chat_type)
        chat.language_code = language
        session.add(chat)
