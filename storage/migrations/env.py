"""Alembic's environment for Dépêche's migrations.

Alembic is configured from code (``storage.db.alembic_config``): no ``alembic.ini`` is needed.
``storage.db`` hands over an open connection in ``config.attributes["connection"]``; run by
hand (``alembic -c your.ini ...``), the URL is Alembic's own ``sqlalchemy.url`` option.
Storage sits below the application, so this never reads Dépêche's settings.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from storage import models  # noqa: F401  (registers every table on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError(
            "no database: set sqlalchemy.url in Alembic's configuration (or run `depeche db "
            "upgrade`, which hands over its connection)"
        )
    return url


def _render_item(kind: str, obj: Any, _context: Any) -> str | Literal[False]:
    """Autogenerate writes sqlmodel's string type as plain ``sa.String`` (no sqlmodel import)."""
    if kind == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        render_item=_render_item,
        **kwargs,
    )


def _run_online(connection: Connection) -> None:
    # SQLite cannot ALTER most things: later migrations use batch mode (copy and move).
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    """Run the migrations on the handed-over connection, or on the configured URL."""
    if context.is_offline_mode():
        _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_online(connection)
        return
    from storage.db import make_engine

    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _run_online(connection)
            connection.commit()
    finally:
        engine.dispose()


run_migrations()
