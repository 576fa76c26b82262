"""Helpers shared by the tests: paths, throwaway PostgreSQL schemas and a relay to cut the
server off (``Outage``), article factories, a
stand-in ``telegram.Bot`` for the alert sender, a test clock and a strict Telegram HTML reader.

Tests import them from here, never from conftest.py or from one another.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.readers import ArticleDraft, blocks_from_body

if TYPE_CHECKING:
    from bot.service import Depeche

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
POSTGRES_URL = os.environ.get("DEPECHE_TEST_POSTGRES_URL", "").strip()
POSTGRES_SKIP_REASON = (
    "DEPECHE_TEST_POSTGRES_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test); "
    ".ci/run sets it when the local server answers"
)
START = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)


# -- databases ---------------------------------------------------------------------------------


def postgres_schema_url(base: str) -> Iterator[str]:
    """A throwaway schema on the test server, so tests never see each other's rows."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = make_url(base)
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sa_url = url.set(drivername="postgresql+psycopg").update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield sa_url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def table_count(service: Depeche, table: str) -> int:
    """Rows in a table, for tests that check nothing was stored twice."""
    with service.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


class Outage:
    """A TCP relay to PostgreSQL that the test can cut and restore, like a server restart."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()

    def up(self) -> None:
        if self._listener is not None:
            return  # already up
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept() up
            self._listener.close()
            self._listener = None
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


# -- articles ----------------------------------------------------------------------------------


def article(n: int, text: str | None = None, **fields: Any) -> ArticleDraft:
    body = text or (
        f"<p>Le Kremlin a commenté lundi la réunion numéro {n} tenue à Istanbul, selon son "
        f"porte-parole.</p><p>Aucune date n'a été fixée pour la suite ({n}).</p>"
    )
    values: dict[str, Any] = {
        "source": "TEST",
        "title": f"Le Kremlin et la réunion {n}",
        "url": f"https://news.test.invalid/{n}",
        "language": "fr",
    }
    values.update(fields)
    return ArticleDraft(blocks=blocks_from_body(body), **values)


# Two sentences that answer nothing and fill most of an excerpt's room (300 characters): put
# between a test text's sentences, they keep the room an excerpt fills from reaching the others.
FILLER = {
    "en": (
        "Nothing further was added in the document that followed, which repeated the points "
        "made earlier without anything new or any reply to the questions raised. The tone had "
        "not changed since the previous document, which had been worded in much the same way "
        "and published through the same channels."
    ),
    "fr": (
        "Rien de plus n'a été ajouté dans le document qui a suivi, lequel reprenait les points "
        "déjà connus sans apporter d'élément nouveau ni de réponse aux questions posées. Le ton "
        "n'avait pas changé depuis le document précédent, rédigé à peu près de la même manière "
        "et publié par les mêmes canaux."
    ),
}


CITIES = "Lyon Nantes Lille Brest Nice Metz Dijon Tours Reims Caen Pau Albi".split()
TOPICS = "harbour tramway bridge museum stadium library market airport canal".split()


def write_zeppelin_articles(folder: Path, count: int) -> Path:
    """Articles that all mention the zeppelin, each in different enough words."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        city, topic = CITIES[n % len(CITIES)], TOPICS[n % len(TOPICS)]
        (folder / f"zeppelin-{n}.md").write_text(
            f"# Zeppelin over {city}\n\nA zeppelin flew over the {topic} of {city} on day {n}, "
            f"and {city}'s {topic} keepers counted {n + 3} onlookers near the {topic}.\n",
            encoding="utf-8",
        )
    return folder


# -- the alert sender's world: a stand-in Bot and a clock ----------------------------------------


@dataclass
class Sent:
    chat_id: int
    text: str
    parse_mode: str | None


@dataclass
class StubBot:
    """Records send_message calls; ``faults`` are raised first, one per call, in order."""

    sent: list[Sent] = field(default_factory=list)
    faults: list[Exception] = field(default_factory=list)
    calls: int = 0

    async def send_message(
        self, chat_id: int, text: str, parse_mode: str | None = None, **_: Any
    ) -> Any:
        self.calls += 1
        if self.faults:
            raise self.faults.pop(0)
        self.sent.append(Sent(chat_id, text, parse_mode))

        @dataclass
        class _Message:
            message_id: int

        return _Message(len(self.sent))


class Clock:
    """A clock the test moves; sleeping moves it too (and is recorded)."""

    def __init__(self) -> None:
        self.now = START
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)


# -- Telegram HTML -------------------------------------------------------------------------------


ALLOWED_TAGS = {"b", "i", "a", "code", "pre", "u", "s", "blockquote"}


class _Checker(HTMLParser):
    """Parses Telegram HTML the strict way: known tags only, properly nested."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED_TAGS, f"tag <{tag}> would be rejected by Telegram"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, f"misnested </{tag}>"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible_text(markup: str) -> str:
    """The text Telegram would show, after checking that the HTML is valid."""
    assert not re.search(r"&(?!(?:amp|lt|gt|quot|#\d+);)", markup), "bare & in HTML"
    checker = _Checker()
    checker.feed(markup)
    checker.close()
    assert not checker.stack, f"unclosed tags {checker.stack}"
    return "".join(checker.text)
