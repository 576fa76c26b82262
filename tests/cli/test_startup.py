"""The CLI starts fast: each command loads only what it uses, checked in a fresh interpreter
(``--help`` loads click alone; the database commands neither the index, numpy, Alembic on an
up-to-date schema, nor the Telegram stack)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from storage.db import _declared_head, head_revision
from tests.helpers import ROOT

# Runs a command as the console script does, then lists the modules it loaded.
PROBE = """
import json, sys
from bot.cli import cli
try:
    cli.main(sys.argv[2:], prog_name="depeche")
except SystemExit:
    pass
with open(sys.argv[1], "w") as out:
    json.dump(sorted(sys.modules), out)
"""

TELEGRAM = ("telegram", "bot.telegram")
SEARCH = ("retrieval.index", "retrieval.search", "numpy", "bot.service")
DATABASE = ("sqlalchemy", "sqlmodel", "pydantic", "pydantic_settings", "bot.settings")


def loaded_by(args: list[str], env: dict[str, str], tmp_path: Path) -> set[str]:
    out = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", PROBE, str(out), *args],
        cwd=tmp_path,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
        timeout=60,
    )
    return set(json.loads(out.read_text()))


def loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = {
        "DEPECHE_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'depeche.db'}",
        "DEPECHE_DATA_DIR": str(tmp_path / "data"),
    }
    assert CliRunner(env=values).invoke(cli, ["db", "upgrade"]).exit_code == 0
    return values


def test_help_loads_click_alone(env: dict[str, str], tmp_path: Path) -> None:
    modules = loaded_by(["--help"], env, tmp_path)
    assert "click" in modules
    assert not loaded(modules, (*TELEGRAM, *SEARCH, *DATABASE, "alembic"))


@pytest.mark.parametrize("command", [["feeds", "list"], ["db", "current"], ["health"]])
def test_database_commands_load_neither_the_index_nor_telegram(
    command: list[str], env: dict[str, str], tmp_path: Path
) -> None:
    modules = loaded_by(command, env, tmp_path)
    assert "sqlalchemy" in modules  # it did run
    assert not loaded(modules, (*TELEGRAM, *SEARCH, "alembic"))


def test_ask_loads_no_telegram_and_no_alembic(env: dict[str, str], tmp_path: Path) -> None:
    modules = loaded_by(["ask", "Kremlin"], env, tmp_path)
    assert "retrieval.index" in modules
    assert not loaded(modules, (*TELEGRAM, "alembic"))


def test_the_head_read_without_alembic_is_alembics() -> None:
    assert _declared_head() == head_revision()
