"""Shared fixtures: no network, a fresh database per test (SQLite, and PostgreSQL when asked),
the fake Bot API server (tests/fake_bot_api.py)."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.service import Depeche
from bot.settings import Settings
from tests.fake_bot_api import FakeBotAPI, settings_for
from tests.helpers import POSTGRES_SKIP_REASON, POSTGRES_URL, SEEDS, postgres_schema_url

# -- no test may reach the network -------------------------------------------------------------


def _is_local(host: Any) -> bool:
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like
    if host in {"localhost", ""}:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


class NetworkAccessError(RuntimeError):
    """A test tried to leave the machine."""


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
        raise NetworkAccessError(f"tests must not reach the network (tried {address!r})")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
        raise NetworkAccessError(f"tests must not reach the network (tried {address!r})")
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(host, bytes):
        host = host.decode()
    if host is not None and not _is_local(host):
        raise NetworkAccessError(f"tests must not resolve {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _real_getaddrinfo


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's own DEPECHE_* variables and .env out of the tests."""
    for name in list(os.environ):
        if (
            name.startswith("DEPECHE_") and name != "DEPECHE_TEST_POSTGRES_URL"
        ) or name == "TELEGRAM_BOT_TOKEN":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


# -- databases ---------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test that uses it runs on SQLite and, when configured, on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'depeche.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP_REASON)
    yield from postgres_schema_url(POSTGRES_URL)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL schema, for tests of what only PostgreSQL does (several writers
    at once, SKIP LOCKED); skipped with the reason when DEPECHE_TEST_POSTGRES_URL is unset."""
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP_REASON)
    yield from postgres_schema_url(POSTGRES_URL)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for a fresh database and data folder, seeds from the repository."""
    return Settings(database_url=database_url, data_dir=tmp_path / "data", seeds_dir=SEEDS)


@pytest.fixture
def service(settings: Settings) -> Iterator[Depeche]:
    """An empty Dépêche over the test database."""
    depeche = Depeche.open(settings)
    yield depeche
    depeche.engine.dispose()


@pytest.fixture
def depeche(service: Depeche) -> Depeche:
    """Dépêche as every front opens it, stored articles queuing their alerts (the alert tests'
    name for ``service``)."""
    return service


@pytest.fixture
def seeded(service: Depeche) -> Depeche:
    """Dépêche holding the seed dispatch."""
    report = service.ingest_paths([SEEDS])
    assert report.new == 1, report.failures
    return service


# -- the fake Telegram Bot API server ------------------------------------------------------------


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """The fake Bot API server, on 127.0.0.1."""
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
def bot_settings(settings: Settings, api: FakeBotAPI) -> Settings:
    """Settings of a bot that talks to the fake Bot API server."""
    return settings_for(settings, api, index_sync_seconds=0.2)
