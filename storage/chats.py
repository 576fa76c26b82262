"""A chat's row: created safely under concurrency, and its alert controls.

``ensure_chat`` is how every writer gets a chat's row (subscribing, pausing, migrating,
changing its controls): created with ``INSERT … ON CONFLICT DO NOTHING`` and locked for the
rest of the transaction, so the first concurrent commands of a new chat never clash on its id
and per-chat limits are checked one transaction at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.db import is_sqlite, session_scope
from storage.models import Chat, as_utc, utcnow


@dataclass(frozen=True)
class AlertControls:
    """A chat's /mute, /quiet and /digest settings (times of day "HH:MM" in ``timezone``)."""

    muted_until: datetime | None = None
    quiet_start: str | None = None
    quiet_end: str | None = None
    daily_digest_at: str | None = None
    timezone: str | None = None

    @classmethod
    def of(cls, chat: Chat | None) -> AlertControls:
        if chat is None:
            return cls()
        return cls(
            muted_until=as_utc(chat.muted_until),
            quiet_start=chat.quiet_start,
            quiet_end=chat.quiet_end,
            daily_digest_at=chat.daily_digest_at,
            timezone=chat.timezone,
        )


def ensure_chat(
    session: Session, chat_id: int, *, chat_type: str | None = None, title: str | None = None
) -> Chat:
    """The chat's row, created if missing, locked for the rest of the transaction.

    ``INSERT … ON CONFLICT DO NOTHING`` so that two first commands of a new chat never clash on
    its id; then ``SELECT … FOR UPDATE`` on PostgreSQL. On SQLite that insert is the
    transaction's first statement and takes the database's write lock, so the transaction is
    serialised with every other writer from there on (no read-then-upgrade).
    """
    # Imported here: loading PostgreSQL's dialect costs a SQLite command's start ~50 ms.
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = sqlite if is_sqlite(session.get_bind()) else postgresql  # type: ignore[arg-type]
    session.execute(
        dialect.insert(Chat)
        .values(id=chat_id, type=chat_type or "private", title=(title or None), created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["id"])
    )
    chat = session.exec(select(Chat).where(col(Chat.id) == chat_id).with_for_update()).one()
    if chat_type and chat.type != chat_type:
        chat.type = chat_type
    if title and chat.title != title[:300]:
        chat.title = title[:300]
    session.add(chat)
    return chat


def set_alert_controls(*, engine: Engine, chat_id: int, **values: object) -> AlertControls:
    """Change a chat's alert controls (``muted_until``, ``quiet_start``… as in ``Chat``)."""
    allowed = {"muted_until", "quiet_start", "quiet_end", "daily_digest_at", "timezone"}
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"not an alert control: {sorted(unknown)}")
    with session_scope(engine) as session:
        chat = ensure_chat(session, chat_id)
        for name, value in values.items():
            setattr(chat, name, value)
        session.add(chat)
        session.flush()
        return AlertControls.of(chat)


def alert_controls(*, engine: Engine, chat_id: int) -> AlertControls:
    """A chat's alert controls (all off for a chat never seen)."""
    with session_scope(engine) as session:
        return AlertControls.of(session.get(Chat, chat_id))
