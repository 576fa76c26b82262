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


class ChatLanguages:
    """Each chat's chosen language, read once: only the bot's process changes them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._known: dict[int, str | None] = {}

    def get(self, chat_id: int) -> str | None:
        """The language a chat chose with /lang, or None (read at every update, so cached)."""
        if chat_id not in self._known:
            self._known[chat_id] = get_chat_language(engine=self.engine, chat_id=chat_id)
        return self._known[chat_id]

    def known(self, chat_id: int) -> bool:
        """Whether the chat's choice was read already (``get`` then reads nothing)."""
        return chat_id in self._known

    def set(self, chat_id: int, language: str | None, chat_type: str = "private") -> None:
        """Store a chat's choice."""
        set_chat_language(
            engine=self.engine, chat_id=chat_id, language=language, chat_type=chat_type
        )
        self._known[chat_id] = language
