"""What every command shares: settings from the environment, the database opened with one
sentence for each way it can fail, and the service."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

import click

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bot.service import Depeche
    from bot.settings import Settings


P = ParamSpec("P")
R = TypeVar("R")


def _settings(verbose: bool = False) -> Settings:
    import logging

    from pydantic import ValidationError

    from bot.settings import load_settings

    try:
        settings = load_settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in error.errors()
        )
        raise click.ClickException(f"invalid configuration: {problems}") from None
    if not logging.getLogger().handlers:  # once per process (tests invoke the CLI many times)
        from bot.cli.logs import configure_logging

        configure_logging(settings, verbose=verbose)
    return settings


def pass_settings(command: Callable[Concatenate[Settings, P], R]) -> Callable[P, R]:
    """Hand the command the settings, read when it runs (not for ``--help``)."""

    @functools.wraps(command)
    def with_settings(*args: P.args, **kwargs: P.kwargs) -> R:
        root = click.get_current_context().find_root()
        if root.obj is None:
            root.obj = _settings(verbose=bool(root.params.get("verbose")))
        return command(root.obj, *args, **kwargs)

    return with_settings


@contextmanager
def _database_errors() -> Iterator[None]:
    """Turn an unreachable or locked database into one clear sentence and exit code 2."""
    try:
        yield
    except Exception as error:
        from sqlalchemy.exc import DatabaseError, OperationalError

        from storage.db import SchemaError

        if isinstance(error, OperationalError):
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            click.echo(
                f"Error: the database is unavailable ({reason}). Nothing was lost: what was "
                "stored before stays stored, and ingesting again is safe.",
                err=True,
            )
            sys.exit(2)
        if isinstance(error, SchemaError):
            click.echo(f"Error: {error}.", err=True)
            sys.exit(2)
        if isinstance(error, DatabaseError):  # not OperationalError: a file that is no database
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            click.echo(f"Error: {_not_a_database(reason)}", err=True)
            sys.exit(2)
        raise


def _not_a_database(reason: str) -> str:
    """One sentence for a database that answers but cannot be used (SQLite: not a database)."""
    from sqlalchemy.engine import make_url

    from bot.settings import Settings

    context = click.get_current_context(silent=True)
    settings = context.find_object(Settings) if context else None
    url = make_url(settings.database_url) if settings else None
    if url is not None and url.get_backend_name() == "sqlite" and url.database:
        return (
            f"{url.database} is not a usable SQLite database ({reason}); set "
            "DEPECHE_DATABASE_URL to another file, or move this one away to start afresh."
        )
    return f"the database refused to work ({reason}); nothing was changed."


def open_service(settings: Settings, *, wait: bool = False) -> Depeche:
    """Open the database and index named by the settings (``Depeche.open``).

    With ``wait`` (``depeche run``) a database that does not answer yet is retried with backoff.
    """
    from bot.service import Depeche

    return Depeche.open(settings, wait=wait)


def open_database(settings: Settings) -> Engine:
    """The database alone, its schema checked (or brought up to date) as ``Depeche.open``
    does, for the commands that need no search index."""
    from storage.db import make_engine, prepare_schema

    engine = make_engine(settings.database_url)
    prepare_schema(engine, upgrade=settings.auto_migrate)
    return engine
