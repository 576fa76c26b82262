"""Dépêche on Telegram, end to end: the application of ``depeche run`` (``build_application``)
polling a Bot API server on 127.0.0.1 that records every call.

The server here is a small stand-in (``MiniBotAPI``) that checks what Telegram checks for the
calls the front makes — valid HTML, at most 4,096 characters after parsing, callback data of
at most 64 bytes — and answers with real message objects (``reply_to_message`` included), so
that paging through "More results" works as it does on Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from pydantic import SecretStr
from telegram.ext import Application

from bot.app import build_application
from bot.service import Depeche
from bot.settings import Settings
from tests.test_render import visible_text

TOKEN = "123456:TEST-token"
BOT = {"id": 123456, "is_bot": True, "first_name": "Dépêche", "username": "DepecheTestBot"}
LIMIT = 4096


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class BadRequest(Exception):
    """What Telegram answers with a 400."""


class MiniBotAPI:
    """A Bot API server for one bot: updates pushed by the test, calls recorded."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.updates: list[dict[str, Any]] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self.api_url = ""
        self._runner: web.AppRunner | None = None
        self._closing = False

    # -- the server ----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.api_url = f"http://127.0.0.1:{port}/bot"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
        method = request.match_info["method"]
        if request.content_type == "application/json":
            data = await request.json()
        else:
            data = {}
            for key, value in (await request.post()).items():
                try:
                    data[key] = json.loads(str(value))
                except ValueError:
                    data[key] = value
        if method != "getUpdates":
            async with self._changed:
                self.calls.append((method, data))
                self._changed.notify_all()
        try:
            result = await getattr(self, f"_{method}", self._true)(data)
        except BadRequest as error:
            return web.json_response(
                {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"}
            )
        return web.json_response({"ok": True, "result": result})

    async def _true(self, data: dict[str, Any]) -> bool:
        return True

    async def _getMe(self, data: dict[str, Any]) -> dict[str, Any]:
        return {**BOT, "can_join_groups": True, "can_read_all_group_messages": False}

    async def _getUpdates(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(data.get("offset") or 0)
        deadline = time.monotonic() + float(data.get("timeout") or 0)
        async with self._changed:
            while True:
                pending = [u for u in self.updates if u["update_id"] >= offset]
                if pending or self._closing or time.monotonic() >= deadline:
                    return pending
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())

    def _check_text(self, data: dict[str, Any]) -> str:
        text = str(data.get("text", ""))
        shown = visible_text(text) if data.get("parse_mode") == "HTML" else text
        if not shown.strip():
            raise BadRequest("message text is empty")
        if utf16(shown) > LIMIT:
            raise BadRequest("message is too long")
        for row in (data.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    raise BadRequest("BUTTON_DATA_INVALID")
        return text

    async def _sendMessage(self, data: dict[str, Any]) -> dict[str, Any]:
        text = self._check_text(data)
        chat_id = int(data["chat_id"])
        chat = self._chat(chat_id)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": BOT,
            "text": text,
        }
        reply = data.get("reply_parameters") or {}
        replied = self.messages.get((chat_id, int(reply.get("message_id", 0))))
        if replied:
            message["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_markup"}
        if data.get("reply_markup"):
            message["reply_markup"] = data["reply_markup"]
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def _editMessageText(self, data: dict[str, Any]) -> dict[str, Any]:
        text = self._check_text(data)
        key = (int(data["chat_id"]), int(data["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise BadRequest("message to edit not found")
        if message["text"] == text and message.get("reply_markup") == data.get("reply_markup"):
            raise BadRequest("message is not modified")
        message = {**message, "text": text, "edit_date": int(time.time())}
        message.pop("reply_markup", None)
        if data.get("reply_markup"):
            message["reply_markup"] = data["reply_markup"]
        self.messages[key] = message
        return message

    def _chat(self, chat_id: int) -> dict[str, Any]:
        for (cid, _), message in self.messages.items():
            if cid == chat_id:
                return dict(message["chat"])
        return {"id": chat_id, "type": "private"}

    # -- what the tests use --------------------------------------------------------------------

    async def end_long_polls(self) -> None:
        """Answer getUpdates at once from now on, so that the bot stops without waiting."""
        async with self._changed:
            self._closing = True
            self._changed.notify_all()

    async def push(self, update: dict[str, Any]) -> dict[str, Any]:
        update["update_id"] = next(self._update_ids)
        message = update.get("message") or update.get("channel_post")
        if message:
            self.messages[(message["chat"]["id"], message["message_id"])] = message
        async with self._changed:
            self.updates.append(update)
            self._changed.notify_all()
        return update

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [data for name, data in self.calls if name == method]

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        return [d for d in self.calls_to("sendMessage") if int(d["chat_id"]) == chat_id]

    async def wait_for(self, method: str, count: int = 1, **match: Any) -> list[dict[str, Any]]:
        def found() -> list[dict[str, Any]]:
            return [
                d
                for d in self.calls_to(method)
                if all(str(d.get(k)) == str(v) for k, v in match.items())
            ]

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(found()) >= count), 10)
        return found()


# -- updates -----------------------------------------------------------------------------------

_ids = itertools.count(1)


def user(language_code: str | None = "en", **extra: Any) -> dict[str, Any]:
    uid = 500 + next(_ids)
    found = {"id": uid, "is_bot": False, "first_name": f"User{uid}", **extra}
    if language_code:
        found["language_code"] = language_code
    return found


def private_chat(person: dict[str, Any]) -> dict[str, Any]:
    return {"id": person["id"], "type": "private", "first_name": person["first_name"]}


def group_chat() -> dict[str, Any]:
    return {"id": -1000 - next(_ids), "type": "supergroup", "title": "Newsroom"}


def message(chat: dict[str, Any], sender: dict[str, Any], text: str, **extra: Any) -> dict:
    found: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": sender,
        "text": text,
        **extra,
    }
    entities = []
    if text.startswith("/"):
        entities.append({"type": "bot_command", "offset": 0, "length": len(text.split()[0])})
    position = 0
    while (at := text.find("@", position)) >= 0:
        end = at + 1
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        if end - at > 1 and not (entities and entities[0]["length"] > at):
            entities.append({"type": "mention", "offset": utf16(text[:at]), "length": end - at})
        position = end
    if entities:
        found["entities"] = entities
    return found


class Chatting:
    """The bot under test, the server and a few helpers."""

    def __init__(self, api: MiniBotAPI, application: Application, service: Depeche) -> None:
        self.api = api
        self.app = application
        self.service = service

    async def say(self, chat: dict, sender: dict, text: str, **extra: Any) -> dict[str, Any]:
        sent = message(chat, sender, text, **extra)
        await self.api.push({"message": sent})
        return sent

    async def answers(self, chat: dict[str, Any], count: int = 1) -> list[dict[str, Any]]:
        return await self.api.wait_for("sendMessage", count, chat_id=chat["id"])

    async def ask(self, chat: dict, sender: dict, text: str) -> dict[str, Any]:
        """Send a message and return the bot's (first new) answer to it."""
        before = len(self.api.sent_to(chat["id"]))
        sent = await self.say(chat, sender, text)
        answers = await self.answers(chat, before + 1)
        answer = answers[before]
        assert answer["reply_parameters"]["message_id"] == sent["message_id"]
        return answer

    async def press(self, chat: dict, sender: dict, answer_id: int, data: str) -> None:
        held = self.api.messages[(chat["id"], answer_id)]
        await self.api.push(
            {
                "callback_query": {
                    "id": str(next(_ids)),
                    "from": sender,
                    "chat_instance": "1",
                    "message": held,
                    "data": data,
                }
            }
        )

    async def settle(self) -> None:
        """Wait until every update delivered so far has been handled."""
        await asyncio.wait_for(self.app.update_queue.join(), 10)

    async def silent_on(self, chat: dict[str, Any], *updates: dict[str, Any]) -> None:
        """Push updates that must be ignored; prove it with a question answered after them."""
        for update in updates:
            await self.api.push(update)
        witness = user()
        await self.ask(private_chat(witness), witness, "Kremlin")
        await self.settle()
        assert self.api.sent_to(chat["id"]) == []


def buttons(sent: dict[str, Any]) -> list[dict[str, Any]]:
    markup = sent.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
async def api() -> AsyncIterator[MiniBotAPI]:
    server = MiniBotAPI()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def bot_settings(settings: Settings, api: MiniBotAPI) -> Settings:
    return settings.model_copy(
        update={
            "telegram_token": SecretStr(TOKEN),
            "telegram_api_url": api.api_url,
            "index_sync_seconds": 0.2,
        }
    )


@pytest.fixture
async def bot(seeded: Depeche, bot_settings: Settings, api: MiniBotAPI) -> AsyncIterator[Chatting]:
    """The bot of ``depeche run``, started as ``run_polling`` would, against the server."""
    application = build_application(bot_settings, seeded)
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield Chatting(api, application, seeded)
    finally:
        await api.end_long_polls()
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        assert application.post_shutdown is not None
        await application.post_shutdown(application)


def zeppelin_articles(folder: Path, count: int) -> Path:
    from tests.test_console import write_zeppelin_articles

    return write_zeppelin_articles(folder, count)


# -- private chats -----------------------------------------------------------------------------


async def test_a_private_question_gets_cited_excerpts_in_html(bot: Chatting) -> None:
    person = user("en")
    chat = private_chat(person)
    answer = await bot.ask(chat, person, "What did the Kremlin say?")
    assert answer["parse_mode"] == "HTML"
    assert answer["link_preview_options"] == {"is_disabled": True}
    assert "<b>Kremlin</b>" in answer["text"]
    assert "ATS · June 2025" in answer["text"]  # English citation for an English question
    shown = visible_text(answer["text"])
    assert shown.startswith("1. “") and utf16(shown) <= LIMIT
    labels = [b["text"] for b in buttons(answer)]
    assert labels == ["Read 1"]
    assert buttons(answer)[0]["callback_data"] == "read:1"


async def test_a_french_question_is_answered_in_french(bot: Chatting) -> None:
    person = user("fr")
    answer = await bot.ask(private_chat(person), person, "Qu'a dit le Kremlin ?")
    assert "« " in answer["text"] and "ATS · juin 2025" in answer["text"]
    assert [b["text"] for b in buttons(answer)] == ["Lire 1"]


@pytest.mark.parametrize(
    ("language_code", "expected", "unexpected"),
    [
        ("en", "Send me any question, for example:", "Envoyez-moi"),
        ("fr", "Envoyez-moi une question, par exemple :", "Send me"),
        ("fr-CA", "Envoyez-moi une question", "Send me"),
        (None, "Send me any question", "Envoyez-moi"),
    ],
)
async def test_start_explains_in_the_users_language(
    bot: Chatting, language_code: str | None, expected: str, unexpected: str
) -> None:
    person = user(language_code)
    answer = await bot.ask(private_chat(person), person, "/start")
    assert expected in answer["text"] and unexpected not in answer["text"]
    assert "/ask@DepecheTestBot" in answer["text"] and "/latest [n]" in answer["text"]
    visible_text(answer["text"])


async def test_help_latest_sources_stats_and_article(bot: Chatting) -> None:
    person = user("en")
    chat = private_chat(person)
    assert "How to ask" in (await bot.ask(chat, person, "/help"))["text"]
    latest = await bot.ask(chat, person, "/latest 3")
    assert "Newest articles:" in latest["text"] and "Donald Trump" in latest["text"]
    assert buttons(latest)[0]["callback_data"] == "read:1"
    assert "Give how many" in (await bot.ask(chat, person, "/latest lots"))["text"]
    assert "ATS: 1" in (await bot.ask(chat, person, "/sources"))["text"]
    assert "1 articles, 7 passages, 1 sources" in (await bot.ask(chat, person, "/stats"))["text"]
    article = await bot.ask(chat, person, "/article 1")
    assert "<b>Négociations 'utiles'</b>" in article["text"]
    assert "No article 42" in (await bot.ask(chat, person, "/article 42"))["text"]
    assert "I don't know /nope" in (await bot.ask(chat, person, "/nope"))["text"]


async def test_the_command_menus_are_set_for_private_chats_and_groups(bot: Chatting) -> None:
    menus = bot.api.calls_to("setMyCommands")
    scopes = {(m["scope"]["type"], m.get("language_code")) for m in menus}
    assert scopes == {
        ("all_private_chats", None),
        ("all_private_chats", "fr"),
        ("all_group_chats", None),
        ("all_group_chats", "fr"),
    }
    english = next(
        m for m in menus if m["scope"]["type"] == "all_private_chats" and "language_code" not in m
    )
    names = [c["command"] for c in english["commands"]]
    assert {"start", "help", "ask", "latest", "sources", "stats", "article"} <= set(names)


# -- groups ------------------------------------------------------------------------------------


async def test_groups_answer_commands_mentions_and_replies_only(bot: Chatting) -> None:
    group, person = group_chat(), user("en")
    first = await bot.ask(group, person, "/ask@DepecheTestBot What did the Kremlin say?")
    assert "<b>Kremlin</b>" in first["text"]
    assert "<b>Kremlin</b>" in (await bot.ask(group, person, "/ask Kremlin"))["text"]
    mention = await bot.ask(group, person, "@depechetestbot what about Istanbul?")
    assert "<b>Istanbul</b>" in mention["text"]
    # A reply to one of the bot's messages is a question too.
    bot_message_id = next(
        mid for (cid, mid), m in bot.api.messages.items() if cid == group["id"] and m["from"] == BOT
    )
    replied = bot.api.messages[(group["id"], bot_message_id)]
    sent = message(group, person, "and Ouchakov?", reply_to_message=replied)
    before = len(bot.api.sent_to(group["id"]))
    await bot.api.push({"message": sent})
    answers = await bot.answers(group, before + 1)
    assert "<b>Ouchakov</b>" in answers[before]["text"]
    assert answers[before]["reply_parameters"]["message_id"] == sent["message_id"]


async def test_groups_ignore_chatter_and_commands_for_other_bots(bot: Chatting) -> None:
    group, person = group_chat(), user("en")
    other_bots_message = {
        "message_id": 77,
        "date": 0,
        "chat": group,
        "text": "hello",
        "from": {"id": 42, "is_bot": False, "first_name": "Bob"},
    }
    await bot.silent_on(
        group,
        {"message": message(group, person, "What did the Kremlin say?")},
        {"message": message(group, person, "/ask@OtherBot What did the Kremlin say?")},
        {"message": message(group, person, "/latest@OtherBot")},
        {"message": message(group, person, "mail me at someone@DepecheTestBotx.org")},
        {"message": message(group, person, "Kremlin?", reply_to_message=other_bots_message)},
    )


async def test_channel_posts_bots_and_edits_are_ignored(bot: Chatting) -> None:
    group, person = group_chat(), user("en")
    channel = {"id": -100999, "type": "channel", "title": "News"}
    other_bot = {"id": 777, "is_bot": True, "first_name": "Other", "username": "OtherBot"}
    private = private_chat(person)
    edited = message(private, person, "What did the Kremlin say?", edit_date=int(time.time()))
    await bot.silent_on(
        channel,
        {"channel_post": {**message(channel, person, "/ask Kremlin"), "from": None}},
    )
    await bot.silent_on(
        group,
        {"message": message(group, other_bot, "/ask@DepecheTestBot Kremlin")},
        {"message": message(group, other_bot, "@DepecheTestBot Kremlin")},
    )
    await bot.silent_on(private, {"edited_message": edited})


# -- answers -----------------------------------------------------------------------------------


async def test_more_results_pages_by_editing_and_stale_buttons_ask_again(
    bot: Chatting, tmp_path: Path
) -> None:
    bot.service.ingest_paths([zeppelin_articles(tmp_path / "z", 7)])
    person = user("en")
    chat = private_chat(person)
    answer = await bot.ask(chat, person, "zeppelin")
    assert "1. “" in answer["text"] and "4. “" not in answer["text"]
    more = [b for b in buttons(answer) if b["text"] == "More results ▸"]
    assert more and len(more[0]["callback_data"].encode()) <= 64
    held = next(
        m for (cid, _), m in bot.api.messages.items() if cid == chat["id"] and m["from"] == BOT
    )
    await bot.press(chat, person, held["message_id"], more[0]["callback_data"])
    edits = await bot.api.wait_for("editMessageText", 1)
    assert edits[0]["message_id"] == held["message_id"]
    assert "4. “" in edits[0]["text"] and "1. “" not in edits[0]["text"]
    labels = [b["text"] for b in buttons(edits[0])]
    assert "◂ Previous" in labels and "More results ▸" in labels
    await bot.api.wait_for("answerCallbackQuery", 1)

    # After a restart the button still works: the question is read back from the replied-to
    # message. Without it, the user is asked to ask again.
    stale = {**held}
    stale.pop("reply_to_message")
    bot.api.messages[(chat["id"], held["message_id"])] = stale
    await bot.press(chat, person, held["message_id"], "more:3")
    answered = await bot.api.wait_for("answerCallbackQuery", 2)
    assert "ask your question again" in answered[-1]["text"]
    await bot.press(chat, person, held["message_id"], "something:else")
    answered = await bot.api.wait_for("answerCallbackQuery", 3)
    assert "ask your question again" in answered[-1]["text"]


async def test_read_sends_the_whole_article_in_messages_within_the_limit(
    bot: Chatting, tmp_path: Path
) -> None:
    paragraphs = "\n\n".join(
        f"Paragraph {n} about the <script>alert('x')</script> Zanzibar & Co ferry. "
        + "Waves. " * 150
        for n in range(12)
    )
    (tmp_path / "long.md").write_text(f"# Zanzibar <b>ferry</b> & co\n\n{paragraphs}\n")
    bot.service.ingest_paths([tmp_path / "long.md"])
    person = user("en")
    chat = private_chat(person)
    answer = await bot.ask(chat, person, "Zanzibar ferry")
    assert "Zanzibar &lt;b&gt;ferry&lt;/b&gt; &amp; co" in answer["text"]
    assert "&lt;script&gt;" in answer["text"] and "<script>" not in answer["text"]
    read = next(b for b in buttons(answer) if b["text"] == "Read 1")
    held = max(
        (m for (cid, _), m in bot.api.messages.items() if cid == chat["id"] and m["from"] == BOT),
        key=lambda m: m["message_id"],
    )
    before = len(bot.api.sent_to(chat["id"]))
    await bot.press(chat, person, held["message_id"], read["callback_data"])
    await bot.api.wait_for("answerCallbackQuery", 1)
    parts = bot.api.sent_to(chat["id"])[before:]
    assert len(parts) >= 2
    texts = [visible_text(p["text"]) for p in parts]
    assert all(utf16(p["text"]) <= LIMIT for p in parts)
    assert texts[0].startswith("Zanzibar <b>ferry</b> & co")
    assert "Paragraph 11 about the <script>alert('x')</script> Zanzibar & Co" in texts[-1]


async def test_a_long_answer_is_shortened_to_one_message(bot: Chatting, tmp_path: Path) -> None:
    folder = tmp_path / "titles"
    folder.mkdir()
    for n in range(6):
        title = f"Quokka {n} " + " & ".join(["<&>"] * 150)
        place = ["sea", "sun", "sky", "rock", "bay", "hill"][n]
        body = f"The quokka number {n} smiled at the {place}."
        (folder / f"q{n}.jsonl").write_text(
            json.dumps(
                {"title": title, "body": body, "url": f"https://x.org/{n}?a=1&b=" + "z" * 900}
            )
            + "\n"
        )
    bot.service.ingest_paths([folder])
    person = user("en")
    chat = private_chat(person)
    answer = await bot.ask(chat, person, "quokka")
    assert utf16(answer["text"]) <= LIMIT and utf16(visible_text(answer["text"])) <= LIMIT
    assert any(b["text"] == "More results ▸" for b in buttons(answer))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/ask", "Ask a question after /ask, for example: /ask What did the Kremlin say?"),
        ("/ask   ", "Ask a question after /ask"),
        ("😀🔥🇫🇷", "Ask a question, for example"),
        ("the of and", "only very common words"),
        ("photosynthèse chlorophylle", "Nothing found"),
    ],
)
async def test_questions_without_an_answer_are_explained(
    bot: Chatting, text: str, expected: str
) -> None:
    person = user("en")
    answer = await bot.ask(private_chat(person), person, text)
    assert expected in visible_text(answer["text"])
    assert buttons(answer) == []


async def test_a_4000_character_question_and_html_in_questions(bot: Chatting) -> None:
    person = user("en")
    chat = private_chat(person)
    long_question = ("Kremlin Istanbul négociations " * 200)[:4000]
    answer = await bot.ask(chat, person, long_question)
    assert "<b>Kremlin</b>" in answer["text"] or "<b>Istanbul</b>" in answer["text"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons(answer))
    for question in (
        "<b>Kremlin</b> & <script>alert(1)</script>",
        "**Kremlin** _Istanbul_ [link](http://x.org) `code`",
        "Kremlin </i></b><a href='x'>",
    ):
        answer = await bot.ask(chat, person, question)
        assert "<b>Kremlin</b>" in answer["text"]  # the server parsed the HTML: it is valid


async def test_a_failure_is_logged_and_the_user_told_without_details(
    bot: Chatting, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk /var/lib/secret.db password=hunter2")

    monkeypatch.setattr(bot.service, "ask", broken)
    person = user("fr")
    answer = await bot.ask(private_chat(person), person, "Kremlin")
    assert answer["text"].startswith("Désolé, un problème est survenu")
    assert "hunter2" not in answer["text"] and "RuntimeError" not in answer["text"]
    assert "hunter2" in caplog.text  # the details are in the log


async def test_a_slow_question_does_not_hold_up_the_others(
    bot: Chatting, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = asyncio.Event()
    loop = asyncio.get_running_loop()
    real_ask = bot.service.ask

    def ask(question: str, **kwargs: Any) -> Any:
        if "slow" in question:
            asyncio.run_coroutine_threadsafe(release.wait(), loop).result(10)
        return real_ask(question, **kwargs)

    monkeypatch.setattr(bot.service, "ask", ask)
    slow_user, quick_user = user("en"), user("en")
    await bot.say(private_chat(slow_user), slow_user, "slow Kremlin")
    quick = await bot.ask(private_chat(quick_user), quick_user, "Kremlin")
    assert "<b>Kremlin</b>" in quick["text"]
    assert bot.api.sent_to(slow_user["id"]) == []
    release.set()
    slow = await bot.answers(private_chat(slow_user))
    assert "<b>Kremlin</b>" in slow[0]["text"]


async def test_articles_stored_by_another_process_become_searchable(
    bot: Chatting, bot_settings: Settings, tmp_path: Path
) -> None:
    other = Depeche.open(bot_settings)  # as `depeche ingest` would, with its own index
    other.ingest_paths([zeppelin_articles(tmp_path / "z", 2)])
    other.engine.dispose()
    person = user("en")
    chat = private_chat(person)
    deadline = time.monotonic() + 10
    while True:
        answer = await bot.ask(chat, person, "zeppelin")
        if "<b>Zeppelin</b>" in answer["text"] or "<b>zeppelin</b>" in answer["text"]:
            break
        assert time.monotonic() < deadline, answer["text"]
        await asyncio.sleep(0.1)


async def test_the_index_is_saved_on_shutdown(
    seeded: Depeche, bot_settings: Settings, api: MiniBotAPI
) -> None:
    application = build_application(bot_settings, seeded)
    await application.initialize()
    await application.shutdown()
    assert application.post_shutdown is not None
    bot_settings.index_path.unlink(missing_ok=True)
    await application.post_shutdown(application)
    assert bot_settings.index_path.exists()
