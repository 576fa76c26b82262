"""The fake Telegram Bot API server the bot's tests talk to, and the Bot API dicts they push.

``FakeBotAPI`` serves one bot over real HTTP on 127.0.0.1 (aiohttp), so the application of
``depeche run`` (``build_application``) runs unchanged with its base URL pointed here. It
checks what Telegram checks for the calls the front makes — valid HTML, at most 4,096
characters (UTF-16 code units) after parsing, callback data of at most 64 bytes — and answers
errors as Telegram does (HTTP status and ``error_code``, ``parameters``), so PTB raises the
exceptions production code handles. It answers with real message objects
(``reply_to_message`` included), keeps what every chat member's status is for
``getChatMember``, records every call (``calls``, with ``stamps`` of when), queues the updates a
test pushes for ``getUpdates`` and can be told to fail (``fail_next`` and its shorthands) or
stall (``delay_next``) the next call of a method.

Deliberately stricter than Telegram: a bare ``&`` in HTML is refused (Telegram keeps it as
text), since Dépêche escapes everything it sends. Methods it does not model answer ``true``.

Factories (``make_user``, ``make_private_chat``, ``make_group_chat``, ``make_message``; short
aliases ``user``, ``private_chat``... for the test bodies) build updates with the entities
Telegram would attach (``bot_command``, ``mention``; offsets and lengths in UTF-16 code units).
``Chatting`` wraps a running application and the server for the tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from aiohttp import web
from pydantic import SecretStr
from telegram.ext import Application

from bot.service import Depeche
from bot.settings import Settings
from bot.telegram.app import build_application

TOKEN = "123456:TEST-token"
BOT = {"id": 123456, "is_bot": True, "first_name": "Dépêche", "username": "DepecheTestBot"}
LIMIT = 4096  # UTF-16 code units of a message's text, after entity parsing
CAPTION_LIMIT = 1024  # characters of a photo's caption, after parsing
CALLBACK_DATA_LIMIT = 64  # bytes
INLINE_QUERY_LIMIT = 256  # characters of an inline query (a Share button's too)

FLOOD = "Too Many Requests: retry after {}"
BLOCKED = "Forbidden: bot was blocked by the user"
CHAT_NOT_FOUND = "Bad Request: chat not found"
MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"

JSONDict = dict[str, Any]


def utf16(text: str) -> int:
    """Length in UTF-16 code units, the unit of the Bot API's offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


class BadRequest(Exception):
    """What Telegram answers with a 400 (the text after "Bad Request: ")."""


# -- Telegram's HTML ---------------------------------------------------------------------------

# The tags the Bot API accepts in parse_mode=HTML.
HTML_TAGS = frozenset(
    "b strong i em u ins s strike del span tg-spoiler a code pre blockquote tg-emoji".split()
)
_BARE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);)")


class _TelegramHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        before = "".join(self.rawdata.splitlines(keepends=True)[: line - 1])
        return len(before.encode()) + len(self.rawdata[len(before) :][:column].encode())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            raise BadRequest(
                f'can\'t parse entities: Unsupported start tag "{tag}" '
                f"at byte offset {self._offset()}"
            )
        if tag == "span" and dict(attrs).get("class") != "tg-spoiler":
            raise BadRequest(
                'can\'t parse entities: Tag "span" must have class "tg-spoiler" '
                f"at byte offset {self._offset()}"
            )
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise BadRequest(
            f'can\'t parse entities: Unsupported start tag "{tag}/" at byte offset {self._offset()}'
        )

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            raise BadRequest(
                f"can't parse entities: Unexpected end tag at byte offset {self._offset()}"
            )
        expected = self.stack.pop()
        if expected != tag:
            raise BadRequest(
                f"can't parse entities: Unmatched end tag at byte offset {self._offset()}, "
                f'expected "</{expected}>", found "</{tag}>"'
            )

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def telegram_text(markup: str) -> str:
    """The text Telegram shows for an HTML message; ``BadRequest`` as Telegram words it."""
    bare = _BARE_AMPERSAND.search(markup)
    if bare:
        raise BadRequest(
            "can't parse entities: bare & (escape it as &amp;) "
            f"at byte offset {len(markup[: bare.start()].encode())}"
        )
    parser = _TelegramHTML()
    parser.feed(markup)
    parser.close()
    if parser.rawdata:  # an unfinished "<..." HTMLParser keeps waiting for
        raise BadRequest("can't parse entities: Unclosed start tag")
    if parser.stack:
        raise BadRequest(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{parser.stack[-1]}"'
        )
    return "".join(parser.text)


# -- the server --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateLimits:
    """Telegram's sending limits, enforced with a 429 ``retry_after`` as Telegram does:
    messages a second overall, a second per chat, a minute per group."""

    overall_per_second: int = 30
    chat_per_second: int = 1
    group_per_minute: int = 20


class FakeBotAPI:
    """A Bot API server for one bot: updates pushed by the test, calls recorded."""

    def __init__(self, limits: RateLimits | None = None) -> None:
        self.limits = limits
        self._sends: list[tuple[float, int]] = []  # (time, chat id) of accepted sendMessage
        self.calls: list[tuple[str, JSONDict]] = []  # failed ones carry "_failed": True
        self._calls_of: dict[str, list[JSONDict]] = {}  # the same, by method
        self.stamps: list[tuple[str, float]] = []  # (method, time.monotonic()), every request
        self.updates: list[JSONDict] = []
        self.messages: dict[tuple[int, int], JSONDict] = {}
        self.members: dict[tuple[int, int], str] = {}  # (chat id, user id) -> status
        self._chats: dict[int, JSONDict] = {}  # each chat as its first pushed message gave it
        self.faults: dict[str, list[JSONDict]] = {}
        self.delays: dict[str, list[float]] = {}
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self._stopping = asyncio.Event()
        self.api_url = ""
        self._runner: web.AppRunner | None = None
        self._closing = False

    async def start(self) -> FakeBotAPI:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.api_url = f"http://127.0.0.1:{port}/bot"
        return self

    async def stop(self) -> None:
        self._stopping.set()  # cuts delay_next short
        await self.end_long_polls()
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- what the tests use --------------------------------------------------------------------

    def fail_next(self, method: str, error_code: int, description: str, **parameters: Any) -> None:
        """Answer the next call of ``method`` with this error (``retry_after``...), once."""
        error: JSONDict = {"ok": False, "error_code": error_code, "description": description}
        if parameters:
            error["parameters"] = parameters
        self.faults.setdefault(method, []).append(error)

    def fail_flood(self, method: str = "sendMessage", retry_after: int = 1) -> None:
        """429 Too Many Requests: PTB raises ``RetryAfter``."""
        self.fail_next(method, 429, FLOOD.format(retry_after), retry_after=retry_after)

    def fail_blocked(self, method: str = "sendMessage") -> None:
        """403 bot was blocked by the user: PTB raises ``Forbidden``."""
        self.fail_next(method, 403, BLOCKED)

    def fail_chat_not_found(self, method: str = "sendMessage") -> None:
        """400 chat not found: PTB raises ``BadRequest``."""
        self.fail_next(method, 400, CHAT_NOT_FOUND)

    def fail_migrated(self, new_chat_id: int, method: str = "sendMessage") -> None:
        """400 with migrate_to_chat_id: PTB raises ``ChatMigrated``."""
        self.fail_next(method, 400, MIGRATED, migrate_to_chat_id=new_chat_id)

    def delay_next(self, method: str, seconds: float) -> None:
        """Hold the answer to the next call of ``method`` for ``seconds`` (``stop`` cuts it
        short). The call itself is carried out first, as when Telegram sent the message but
        the answer came too late for the client's read timeout."""
        self.delays.setdefault(method, []).append(seconds)

    async def end_long_polls(self) -> None:
        """Answer getUpdates at once from now on, so that the bot stops without waiting."""
        async with self._changed:
            self._closing = True
            self._changed.notify_all()

    async def push(self, update: JSONDict) -> JSONDict:
        """Queue an update for the bot's next getUpdates."""
        update["update_id"] = next(self._update_ids)
        message = update.get("message") or update.get("channel_post")
        if message:
            self.messages[(message["chat"]["id"], message["message_id"])] = message
            self._chats.setdefault(message["chat"]["id"], message["chat"])
        async with self._changed:
            self.updates.append(update)
            self._changed.notify_all()
        return update

    def calls_to(self, method: str) -> list[JSONDict]:
        return list(self._calls_of.get(method, ()))

    def sent_to(self, chat_id: int) -> list[JSONDict]:
        """Every sendMessage to a chat, the failed ones included."""
        return [d for d in self.calls_to("sendMessage") if int(d["chat_id"]) == chat_id]

    def delivered(self, chat_id: int) -> list[JSONDict]:
        """Messages Telegram accepted for a chat (failed calls left out)."""
        return [d for d in self.sent_to(chat_id) if not d.get("_failed")]

    async def wait_for(
        self, method: str, count: int = 1, timeout: float = 10, **match: Any
    ) -> list[JSONDict]:
        """The calls of ``method`` whose parameters match, once there are ``count`` of them.

        Each call is looked at once, when it is recorded: a benchmark waiting for its 300th
        answer must not cost the bot it measures a scan of every call at each new one."""
        calls = self._calls_of.setdefault(method, [])
        found: list[JSONDict] = []
        seen = 0

        def enough() -> bool:
            nonlocal seen
            found.extend(
                d for d in calls[seen:] if all(str(d.get(k)) == str(v) for k, v in match.items())
            )
            seen = len(calls)
            return len(found) >= count

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(enough), timeout)
        return found

    # -- HTTP ----------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.stamps.append((method, time.monotonic()))
        if request.match_info["token"] != TOKEN:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        if request.content_type == "application/json":
            data = await request.json()
        else:
            data = {}
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):  # an upload (sendPhoto): its bytes
                    data[key] = value.file.read()
                    continue
                try:
                    data[key] = json.loads(str(value))
                except ValueError:
                    data[key] = value
        pending = self.faults.get(method)
        if pending:
            error = pending.pop(0)
            await self._record(method, {**data, "_failed": True})
            return web.json_response(error, status=error["error_code"])
        flood = self._flood(method, data)
        if flood is not None:
            await self._record(method, {**data, "_failed": True})
            return web.json_response(flood, status=429)
        if method != "getUpdates":
            await self._record(method, data)
        try:
            result = await getattr(self, f"_{method}", self._true)(data)
        except BadRequest as error:
            answer = web.json_response(
                {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"},
                status=400,
            )
        else:
            answer = web.json_response({"ok": True, "result": result})
        delays = self.delays.get(method)
        if delays:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delays.pop(0))
        return answer

    def _flood(self, method: str, data: JSONDict) -> JSONDict | None:
        """The 429 answer when a sendMessage would exceed ``limits``, else None (and counted)."""
        if self.limits is None or method != "sendMessage":
            return None
        now = time.monotonic()
        self._sends = [(t, c) for t, c in self._sends if now - t < 60]
        chat_id = int(data["chat_id"])
        last_second = [c for t, c in self._sends if now - t < 1]
        in_chat = [t for t, c in self._sends if c == chat_id]
        over = (
            len(last_second) >= self.limits.overall_per_second
            or last_second.count(chat_id) >= self.limits.chat_per_second
            or (chat_id < 0 and len(in_chat) >= self.limits.group_per_minute)
        )
        if not over:
            self._sends.append((now, chat_id))
            return None
        retry = 1 if chat_id > 0 or len(in_chat) < self.limits.group_per_minute else 60
        return {
            "ok": False,
            "error_code": 429,
            "description": FLOOD.format(retry),
            "parameters": {"retry_after": retry},
        }

    async def _record(self, method: str, data: JSONDict) -> None:
        async with self._changed:
            self.calls.append((method, data))
            self._calls_of.setdefault(method, []).append(data)
            self._changed.notify_all()

    # -- methods -------------------------------------------------------------------------------

    async def _true(self, data: JSONDict) -> bool:
        return True

    async def _getMe(self, data: JSONDict) -> JSONDict:
        return {**BOT, "can_join_groups": True, "can_read_all_group_messages": False}

    async def _getUpdates(self, data: JSONDict) -> list[JSONDict]:
        offset = int(data.get("offset") or 0)
        deadline = time.monotonic() + float(data.get("timeout") or 0)
        async with self._changed:
            if offset:  # as Telegram does: updates below the offset are confirmed, forgotten
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while True:
                pending = [u for u in self.updates if u["update_id"] >= offset]
                if pending or self._closing or time.monotonic() >= deadline:
                    return pending
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())

    def _check_text(self, data: JSONDict) -> str:
        text = str(data.get("text", data.get("message_text", "")))
        shown = telegram_text(text) if str(data.get("parse_mode")).upper() == "HTML" else text
        if not shown.strip():
            raise BadRequest("message text is empty")
        if utf16(shown) > LIMIT:
            raise BadRequest("message is too long")
        for row in (data.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > CALLBACK_DATA_LIMIT:
                    raise BadRequest("BUTTON_DATA_INVALID")
                if len(button.get("switch_inline_query", "")) > INLINE_QUERY_LIMIT:
                    raise BadRequest("BUTTON_DATA_INVALID")
        return text

    async def _sendMessage(self, data: JSONDict) -> JSONDict:
        text = self._check_text(data)
        chat_id = int(data["chat_id"])
        chat = self._chat(chat_id)
        message: JSONDict = {
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

    async def _sendPhoto(self, data: JSONDict) -> JSONDict:
        photo = data.get("photo")
        if not isinstance(photo, bytes) or not photo:
            raise BadRequest("there is no photo in the request")
        caption = str(data.get("caption", ""))
        shown = telegram_text(caption) if str(data.get("parse_mode")).upper() == "HTML" else caption
        if utf16(shown) > CAPTION_LIMIT:
            raise BadRequest("message caption is too long")
        chat_id = int(data["chat_id"])
        message: JSONDict = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": BOT,
            "photo": [{"file_id": "photo", "file_unique_id": "p", "width": 800, "height": 400}],
            "caption": caption,
        }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def _editMessageText(self, data: JSONDict) -> JSONDict:
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

    async def _answerInlineQuery(self, data: JSONDict) -> bool:
        results = data.get("results") or []
        if len(results) > 50:
            raise BadRequest("RESULTS_TOO_MUCH")
        ids = [str(r.get("id", "")) for r in results]
        if len(set(ids)) != len(ids) or any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise BadRequest("RESULT_ID_INVALID")
        if len(str(data.get("next_offset", "")).encode()) > 64:
            raise BadRequest("NEXT_OFFSET_INVALID")
        for result in results:
            if not str(result.get("title", "")).strip():
                raise BadRequest("RESULT_TITLE_EMPTY")
            self._check_text(
                {**result["input_message_content"], "reply_markup": result.get("reply_markup")}
            )
        return True

    async def _getChatMember(self, data: JSONDict) -> JSONDict:
        key = (int(data["chat_id"]), int(data["user_id"]))
        status = self.members.get(key, "member")
        return chat_member(status, {"id": key[1], "is_bot": False, "first_name": "Member"})

    def _chat(self, chat_id: int) -> JSONDict:
        return dict(self._chats.get(chat_id) or {"id": chat_id, "type": "private"})


# -- factories ---------------------------------------------------------------------------------


def chat_member(status: str, member: JSONDict) -> JSONDict:
    """A ChatMember as the Bot API sends it, with the fields its status requires."""
    found: JSONDict = {"status": status, "user": member}
    if status == "creator":
        found["is_anonymous"] = False
    if status == "administrator":
        found.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
        )
    if status == "kicked":
        found["until_date"] = 0
    return found


_ids = itertools.count(1)

# As Telegram detects them: a command starts the text or follows white space (/cmd@AnyBot);
# a mention is not glued to a word (someone@example.org is not one).
_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])")
_MENTION = re.compile(r"(?<![A-Za-z0-9_@/])@[A-Za-z0-9_]{3,32}(?![A-Za-z0-9_@])")


def make_entities(text: str) -> list[JSONDict]:
    """The ``bot_command`` and ``mention`` entities Telegram attaches to a text."""
    found = [(m.start(), m.end(), "bot_command") for m in _COMMAND.finditer(text)]
    found += [
        (m.start(), m.end(), "mention")
        for m in _MENTION.finditer(text)
        if not any(start <= m.start() < end for start, end, _ in found)
    ]
    return [
        {"type": kind, "offset": utf16(text[:start]), "length": utf16(text[start:end])}
        for start, end, kind in sorted(found)
    ]


def make_user(language_code: str | None = "en", **extra: Any) -> JSONDict:
    uid = 500 + next(_ids)
    found = {"id": uid, "is_bot": False, "first_name": f"User{uid}", **extra}
    if language_code:
        found["language_code"] = language_code
    return found


def make_private_chat(person: JSONDict) -> JSONDict:
    return {"id": person["id"], "type": "private", "first_name": person["first_name"]}


def make_group_chat(title: str = "Newsroom") -> JSONDict:
    return {"id": -1000 - next(_ids), "type": "supergroup", "title": title}


def make_message(chat: JSONDict, sender: JSONDict, text: str, **extra: Any) -> JSONDict:
    """A message from ``sender`` in ``chat``, with Telegram's entities."""
    found: JSONDict = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": sender,
        "text": text,
        **extra,
    }
    entities = make_entities(text)
    if entities:
        found["entities"] = entities
    return found


def make_callback_query(sender: JSONDict, message: JSONDict, data: str) -> JSONDict:
    """The update of ``sender`` pressing a button with ``data`` under ``message``."""
    return {
        "callback_query": {
            "id": str(next(_ids)),
            "from": sender,
            "chat_instance": "1",
            "message": message,
            "data": data,
        }
    }


def make_my_chat_member(chat: JSONDict, actor: JSONDict, old: str, new: str) -> JSONDict:
    """The update of ``actor`` changing the bot's status in ``chat`` (added: left → member)."""
    return {
        "my_chat_member": {
            "chat": chat,
            "from": actor,
            "date": int(time.time()),
            "old_chat_member": chat_member(old, BOT),
            "new_chat_member": chat_member(new, BOT),
        }
    }


def make_inline_query(sender: JSONDict, query: str, offset: str = "") -> JSONDict:
    """The update of ``sender`` typing ``@bot query`` in any chat."""
    return {
        "inline_query": {
            "id": str(next(_ids)),
            "from": sender,
            "query": query,
            "offset": offset,
            "chat_type": "private",
        }
    }


# Short names, as the test bodies use them.
user = make_user
private_chat = make_private_chat
group_chat = make_group_chat
message = make_message


def buttons(sent: JSONDict) -> list[JSONDict]:
    """The inline buttons of a sent message, row after row."""
    markup = sent.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


# -- the bot under test ------------------------------------------------------------------------


def settings_for(settings: Settings, api: FakeBotAPI, **overrides: Any) -> Settings:
    """``settings`` with the bot's token and base URL pointed at the server."""
    return settings.model_copy(
        update={"telegram_token": SecretStr(TOKEN), "telegram_api_url": api.api_url, **overrides}
    )


async def start_application(
    settings: Settings,
    service: Depeche,
    *,
    before_start: Callable[[Application], None] | None = None,
) -> Application:
    """The application of ``depeche run``, started as ``run_polling`` would start it
    (``before_start`` may first adjust it, e.g. give the alert sender a test clock)."""
    application = build_application(settings, service)
    if before_start is not None:
        before_start(application)
    await start_polling(application)
    return application


async def start_polling(application: Application) -> None:
    """Start a built application as ``run_polling`` would, polling the server at once."""
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)


async def stop_application(application: Application) -> None:
    """Stop it as ``run_polling`` would (post_shutdown saves the index); again is a no-op."""
    if not application.running:
        return
    assert application.updater is not None
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    assert application.post_shutdown is not None
    await application.post_shutdown(application)


class Chatting:
    """The bot under test, the server and a few helpers."""

    def __init__(self, api: FakeBotAPI, application: Application, service: Depeche) -> None:
        self.api = api
        self.app = application
        self.service = service

    async def say(self, chat: JSONDict, sender: JSONDict, text: str, **extra: Any) -> JSONDict:
        sent = make_message(chat, sender, text, **extra)
        await self.api.push({"message": sent})
        return sent

    async def answers(self, chat: JSONDict, count: int = 1) -> list[JSONDict]:
        return await self.api.wait_for("sendMessage", count, chat_id=chat["id"])

    async def ask(self, chat: JSONDict, sender: JSONDict, text: str) -> JSONDict:
        """Send a message and return the bot's (first new) answer to it."""
        before = len(self.api.sent_to(chat["id"]))
        sent = await self.say(chat, sender, text)
        answers = await self.answers(chat, before + 1)
        answer = answers[before]
        assert answer["reply_parameters"]["message_id"] == sent["message_id"]
        return answer

    async def press(self, chat: JSONDict, sender: JSONDict, answer_id: int, data: str) -> None:
        held = self.api.messages[(chat["id"], answer_id)]
        await self.api.push(make_callback_query(sender, held, data))

    async def settle(self) -> None:
        """Wait until every update delivered so far has been handled."""
        await asyncio.wait_for(self.app.update_queue.join(), 10)

    async def silent_on(self, chat: JSONDict, *updates: JSONDict) -> None:
        """Push updates that must be ignored; prove it with a question answered after them."""
        for update in updates:
            await self.api.push(update)
        witness = make_user()
        await self.ask(make_private_chat(witness), witness, "Kremlin")
        await self.settle()
        assert self.api.sent_to(chat["id"]) == []
