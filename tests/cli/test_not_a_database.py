"""An SQLite file that is not a database: one sentence naming it, exit status 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli


@pytest.mark.parametrize(
    "arguments",
    [["stats"], ["ask", "Kremlin"], ["ingest", "."], ["db", "current"], ["health"], ["run"]],
)
def test_a_file_that_is_not_a_database(tmp_path: Path, arguments: list[str]) -> None:
    database = tmp_path / "data" / "depeche.db"
    database.parent.mkdir()
    content = b"These are my notes, not a database. " * 200
    database.write_bytes(content)
    run = CliRunner(
        env={"DEPECHE_DATA_DIR": str(database.parent), "DEPECHE_TELEGRAM_TOKEN": "123:abc"}
    )
    result = run.invoke(cli, arguments)
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        f"Error: {database} is not a usable SQLite database (file is not a database); set "
        "DEPECHE_DATABASE_URL to another file, or move this one away to start afresh."
    ]
    assert database.read_bytes() == content  # left as it was
