"""The database engine and sessions, for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import ast
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, create_engine

from storage import models  # noqa: F401  (registers every table on SQLModel.metadata)

if TYPE_CHECKING:  # Alembic is imported only to migrate, or when the schema is not current
    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The revision a database made by ``create_all`` before migrations existed is stamped with.
BASELINE_REVISION = "0001"
# Any fixed number: PostgreSQL processes starting together upgrade one at a time.
MIGRATION_LOCK_KEY = 0x64657065  # "depe"


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create the engine for a database URL; a SQLite file's folder is created if missing."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # The bot reads from several threads (search runs off the event loop).
        kwargs["connect_args"] = {
            "check_same_thread": False,
            "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
        }
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if is_sqlite(engine):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the bot read while `depeche ingest` writes from another process; foreign keys are
    # off by default in SQLite and the cascades depend on them.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_schema(engine: Engine) -> None:
    """Create the tables straight from the models, without migrations.

    Only the migration tests use it (as the reference the migrations must match); the bot and
    the CLI bring a database up to date with :func:`prepare_schema`.
    """
    SQLModel.metadata.create_all(engine)


# -- schema migrations -------------------------------------------------------------------------


class SchemaError(RuntimeError):
    """The database's schema cannot be used by this version of Dépêche."""


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against the migrations this code knows."""

    current: str | None  # None: no Dépêche table yet (or tables made before migrations)
    head: str
    known: bool  # whether ``current`` is one of this code's revisions (None counts as known)
    legacy: bool = False  # tables made by create_all before migrations existed, not stamped

    @property
    def up_to_date(self) -> bool:
        """Whether the database is at the newest revision."""
        return self.current == self.head


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, from code: the packaged migrations, on ``connection``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Alembic interpolates "%" in options; the URL is not needed when a connection is given.
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


@cache
def _declared_head() -> str | None:
    """The newest revision, read from the migration files' ``revision`` and ``down_revision``
    without Alembic (importing it costs a command's start ~0.3 s); None unless there is exactly
    one head. Only trusted to say "up to date": anything else asks Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        values: dict[str, Any] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target: ast.expr
            if isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            else:
                continue
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                values[target.id] = ast.literal_eval(value)
        if isinstance(values.get("revision"), str):
            revisions.add(values["revision"])
            down = values.get("down_revision")
            parents.update([down] if isinstance(down, str) else down or ())
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def head_revision() -> str:
    """The newest migration this code knows."""
    head = _script().get_current_head()
    assert head is not None, "no migration in storage/migrations/versions"
    return head


def _stamped_revisions(connection: Connection) -> list[str]:
    """The revisions in Alembic's version table, without Alembic."""
    if not inspect(connection).has_table("alembic_version"):
        return []
    return [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]


def schema_state(engine: Engine) -> SchemaState:
    """Which revision the database is at, and whether this code knows it."""
    with engine.connect() as connection:
        stamped = _stamped_revisions(connection)
    head = _declared_head()
    if head is not None and stamped == [head]:  # the usual start: no need to load Alembic
        return SchemaState(head, head, True)
    from alembic.runtime.migration import MigrationContext

    script = _script()
    head = head_revision()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        legacy = current is None and inspect(connection).has_table("article")
    if current is None:
        return SchemaState(None, head, True, legacy)
    try:
        known = script.get_revision(current) is not None
    except Exception:  # alembic raises for an unknown revision id
        known = False
    return SchemaState(current, head, known)


def _too_new(state: SchemaState) -> SchemaError:
    return SchemaError(
        f"the database schema is at revision {state.current}, which this version of Dépêche "
        f"does not know (its newest is {state.head}): a newer Dépêche has upgraded it; run that "
        "version, or restore a backup made before the upgrade"
    )


@contextmanager
def _migration_lock(connection: Connection) -> Iterator[None]:
    """One process at a time migrates a PostgreSQL database (others wait, then see it done)."""
    if connection.dialect.name != "postgresql":
        yield
        return
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    connection.commit()
    try:
        yield
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
        connection.commit()


def upgrade_schema(engine: Engine, revision: str = "heads") -> tuple[str | None, str]:
    """Bring the database to ``revision`` (the newest by default); returns (before, after).

    A database whose tables were made before migrations existed is stamped with the first
    revision, then upgraded. A database at a revision this code does not know is refused.
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection, _migration_lock(connection):
        state = schema_state(engine)
        if not state.known:
            raise _too_new(state)
        config = alembic_config(connection)
        if state.legacy:
            log.info("database made before migrations: stamping it at %s", BASELINE_REVISION)
            command.stamp(config, BASELINE_REVISION)
            connection.commit()
        if state.current != state.head or state.legacy:
            command.upgrade(config, revision)
            connection.commit()
        after = MigrationContext.configure(connection).get_current_revision()
    if after != state.current:
        log.info("database schema upgraded from %s to %s", state.current or "nothing", after)
    return state.current, after or ""


def prepare_schema(engine: Engine, *, upgrade: bool = True) -> SchemaState:
    """Check the schema at start: upgrade it (or say how), refuse one newer than the code."""
    state = schema_state(engine)
    if not state.known:
        raise _too_new(state)
    if state.up_to_date:
        return state
    if not upgrade:
        raise SchemaError(
            f"the database schema is at revision {state.current or 'none'}, older than this "
            f"version of Dépêche ({state.head}): run `depeche db upgrade` (and keep a backup)"
        )
    upgrade_schema(engine)
    return schema_state(engine)


# -- an unreachable database -------------------------------------------------------------------


def wait_for_database(
    engine: Engine,
    *,
    attempts: int,
    delay: float,
    max_delay: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Connect, retrying with a doubling delay; the last OperationalError is raised."""
    for attempt in range(1, max(attempts, 1) + 1):
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return
        except OperationalError as error:
            if attempt >= attempts:
                raise
            wait = min(delay * 2 ** (attempt - 1), max_delay)
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            log.warning(
                "database unavailable (%s); attempt %d of %d, retrying in %.1fs",
                reason,
                attempt,
                attempts,
                wait,
            )
            sleep(wait)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
