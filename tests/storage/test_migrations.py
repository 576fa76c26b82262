"""Schema migrations: they build exactly the models' schema (so a model changed without a
migration fails here), start-up upgrades, a database newer than the code is refused, and the
``depeche db`` and ``depeche health`` commands."""

from __future__ import annotations

import fnmatch
import re
import threading
import tomllib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot.cli import cli
from bot.service import Depeche
from bot.settings import Settings
from storage.db import (
    MIGRATIONS,
    SchemaError,
    alembic_config,
    create_schema,
    head_revision,
    make_engine,
    schema_state,
    upgrade_schema,
)
from tests.helpers import POSTGRES_URL, ROOT, SEEDS, postgres_schema_url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _reference(database_url: str, tmp_path: Path, stack: ExitStack) -> Engine:
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'reference.db'}"
    else:
        url = stack.enter_context(contextmanager(postgres_schema_url)(POSTGRES_URL))
    engine = make_engine(url)
    stack.callback(engine.dispose)
    return engine


def schema_of(engine: Engine) -> dict[str, Any]:
    """Everything the database says about the tables, in a comparable form."""
    inspector = inspect(engine)
    tables: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        if table == "alembic_version":
            continue
        tables[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in inspector.get_columns(table)
            ],
            "pk": inspector.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted(
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    tuple(sorted((fk.get("options") or {}).items())),
                )
                for fk in inspector.get_foreign_keys(table)
            ),
            "unique": sorted(
                (u["name"] or "", tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            "indexes": sorted(
                (i["name"] or "", tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
        }
    if engine.dialect.name == "sqlite":
        # AUTOINCREMENT (ids never reused) shows only in the CREATE TABLE statement.
        with engine.connect() as connection:
            for name, sql in connection.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            ):
                if name in tables:
                    tables[name]["autoincrement"] = "AUTOINCREMENT" in sql
    return tables


def test_the_migrations_build_exactly_the_models_schema(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """Fails when storage/models.py changed without a migration: add one with
    ``alembic revision --autogenerate`` (see storage/migrations/env.py), then check it here."""
    upgrade_schema(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], (
        "storage/models.py and the migrations disagree; add a migration in "
        f"storage/migrations/versions: {differences}"
    )
    with ExitStack() as stack:
        reference = _reference(database_url, tmp_path, stack)
        create_schema(reference)
        assert schema_of(engine) == schema_of(reference)


def test_the_schema_keeps_ids_chat_ids_and_cascades(engine: Engine) -> None:
    upgrade_schema(engine)
    schema = schema_of(engine)
    assert set(schema) == {t.name for t in SQLModel.metadata.sorted_tables}
    chat_id = {c[0]: c[1] for c in schema["chat"]["columns"]}["id"]
    assert chat_id == "BIGINT"
    alert_fks = {fk[0]: dict(fk[3]) for fk in schema["alert"]["fks"]}
    assert alert_fks[("article_id",)].get("ondelete") == "CASCADE"
    if engine.dialect.name == "sqlite":
        for table in ("article", "passage", "passage_removal"):
            assert schema[table]["autoincrement"], table


def test_downgrade_to_nothing_and_up_again(engine: Engine) -> None:
    upgrade_schema(engine)
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), "base")
        connection.commit()
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade_schema(engine)
    assert schema_state(engine).up_to_date


def test_the_first_start_creates_the_schema_and_a_second_changes_nothing(
    settings: Settings,
) -> None:
    service = Depeche.open(settings)
    state = schema_state(service.engine)
    assert state.current == head_revision() and state.up_to_date
    service.ingest_paths([SEEDS])
    service.engine.dispose()
    again = Depeche.open(settings)
    assert again.stats().articles == 1
    again.engine.dispose()


def test_a_database_made_before_migrations_is_stamped_and_kept(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    create_schema(engine)
    Depeche(engine=engine).ingest_paths([SEEDS])
    assert schema_state(engine).legacy
    service = Depeche.open(settings, engine=engine)
    assert schema_state(engine).up_to_date
    assert service.stats().articles == 1
    engine.dispose()


def _pretend_a_newer_version_upgraded(engine: Engine) -> None:
    upgrade_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))


def test_a_database_newer_than_the_code_is_refused_at_start(
    settings: Settings, database_url: str
) -> None:
    engine = make_engine(settings.database_url)
    _pretend_a_newer_version_upgraded(engine)
    with pytest.raises(SchemaError, match=r"9999_from_the_future.*does not know.*newer"):
        Depeche.open(settings, engine=engine)
    with pytest.raises(SchemaError):
        upgrade_schema(engine)
    engine.dispose()
    env = {"DEPECHE_DATABASE_URL": database_url, "DEPECHE_DATA_DIR": str(settings.data_dir)}
    for args in (["stats"], ["db", "upgrade"], ["health"]):
        result = CliRunner(env=env).invoke(cli, args)
        assert result.exit_code in (1, 2), (args, result.output)
        assert "9999_from_the_future" in result.output, args
        assert "Traceback" not in result.output


def test_with_auto_migrate_off_an_old_schema_says_which_command_to_run(
    settings: Settings,
) -> None:
    engine = make_engine(settings.database_url)
    with pytest.raises(SchemaError, match="depeche db upgrade"):
        Depeche.open(settings.model_copy(update={"auto_migrate": False}), engine=engine)
    assert schema_state(engine).current is None
    engine.dispose()


def test_db_upgrade_current_and_health_commands(database_url: str, tmp_path: Path) -> None:
    run = CliRunner(env={"DEPECHE_DATABASE_URL": database_url, "DEPECHE_DATA_DIR": str(tmp_path)})
    unhealthy = run.invoke(cli, ["health"])
    assert unhealthy.exit_code == 1 and "unhealthy" in unhealthy.output
    current = run.invoke(cli, ["db", "current"])
    assert current.exit_code == 0 and "empty" in current.output and "behind" in current.output
    upgraded = run.invoke(cli, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"from nothing to {head_revision()}" in upgraded.output
    again = run.invoke(cli, ["db", "upgrade"])
    assert again.exit_code == 0 and "already at" in again.output
    assert "up to date" in run.invoke(cli, ["db", "current"]).output
    healthy = run.invoke(cli, ["health"])
    assert healthy.exit_code == 0 and healthy.output.startswith("ok:")


@pytest.mark.postgres
def test_processes_starting_together_upgrade_once(postgres_url: str) -> None:
    engines = [make_engine(postgres_url) for _ in range(4)]
    errors: list[BaseException] = []

    def start(engine: Engine) -> None:
        try:
            upgrade_schema(engine)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert schema_state(engines[0]).up_to_date
    for engine in engines:
        engine.dispose()


def test_the_migrations_are_in_the_installed_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["storage"]
    needed = [
        p.relative_to(MIGRATIONS.parent).as_posix()
        for p in MIGRATIONS.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert "migrations/env.py" in needed and "migrations/script.py.mako" in needed
    for path in needed:
        assert any(fnmatch.fnmatch(path, pattern) for pattern in patterns), path
    assert not (ROOT / "alembic.ini").exists()  # configured from code


def test_every_migration_has_a_revision_and_one_head() -> None:
    versions = sorted((MIGRATIONS / "versions").glob("*.py"))
    assert versions
    for path in versions:
        assert re.search(r"^revision: str = ", path.read_text(encoding="utf-8"), re.M), path
    assert head_revision()
