"""A fake Telegram Bot API server on 127.0.0.1, so tests talk real HTTP without reaching Telegram.

The bot under test is built as in production with its base URL pointed here
(``tg.application_builder()`` or ``ApplicationBuilder().token(tg.token).base_url(tg.base_url)``).
The server answers the methods Dépêche uses with the Bot API's own shapes and error texts,
records every call, queues updates pushed by the test for ``getUpdates``, and can be told to
fail or stall the next calls of a method. Factories build the Bot API dicts of users, chats,
messages and callback queries, with entities computed as Telegram would (UTF-16 offsets).

Deliberate simplifications: Markdown/MarkdownV2 texts are stored as sent (HTML is parsed and
checked like Telegram does), message texts are not trimmed, and unless a ``getUpdates`` call
names ``allowed_updates`` every update type is delivered (Telegram hides ``chat_member`` and
reactions by default).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest_asyncio
from aiohttp import web
from telegram import Bot
from telegram.ext import ApplicationBuilder

JSONDict = dict[str, Any]

DEFAULT_TOKEN = "123456:TEST-token"
DEFAULT_USERNAME = "DepecheTestBot"
TEXT_LIMIT = 4096  # UTF-16 code units, after entity parsing
CALLBACK_DATA_LIMIT = 64  # bytes

NOT_FOUND: JSONDict = {"ok": False, "error_code": 404, "description": "Not Found"}
UNAUTHORIZED: JSONDict = {"ok": False, "error_code": 401, "description": "Unauthorized"}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was blocked by the user",
    409: POLL_CONFLICT,
    502: "Bad Gateway",
}
MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"

# Sent as form fields, these are always strings, even when they look like JSON ("42", "true").
_STRING_PARAMS = frozenset(
    "action address animation audio business_connection_id callback_data callback_query_id "
    "caption certificate currency custom_emoji_id custom_title data description document "
    "emoji explanation file_id first_name foursquare_id foursquare_type google_place_id "
    "google_place_type inline_message_id inline_query_id invite_link ip_address language_code "
    "last_name message_effect_id name next_offset parse_mode payload phone_number photo "
    "provider_token query question secret_token short_description start_parameter sticker "
    "sticker_set_name switch_pm_parameter switch_pm_text text title url vcard video voice".split()
)
# Objects and arrays a JSON client may still send as JSON-encoded strings.
_JSON_PARAMS = frozenset(
    "allowed_updates caption_entities commands entities link_preview_options media "
    "menu_button message_ids options permissions reaction reply_markup reply_parameters "
    "rights scope".split()
)
_CHAT_ACTIONS = frozenset(
    "choose_sticker find_location record_video record_video_note record_voice typing "
    "upload_document upload_photo upload_video upload_video_note upload_voice".split()
)
# Accepted and answered with ``true`` so that a bot setting its profile does not crash here.
_TRUE_METHODS = tuple(
    "setMyDescription setMyShortDescription setMyName setChatMenuButton "
    "setMyDefaultAdministratorRights pinChatMessage unpinChatMessage unpinAllChatMessages "
    "setMessageReaction".split()
)
_ADMIN_RIGHTS = tuple(
    "can_manage_chat can_delete_messages can_manage_video_chats can_restrict_members "
    "can_promote_members can_change_info can_invite_users can_post_stories can_edit_stories "
    "can_delete_stories".split()
)
_RESTRICTED_RIGHTS = tuple(
    "can_send_messages can_send_audios can_send_documents can_send_photos can_send_videos "
    "can_send_video_notes can_send_voice_notes can_send_polls can_send_other_messages "
    "can_add_web_page_previews can_change_info can_invite_users can_pin_messages "
    "can_manage_topics can_edit_tag".split()
)


# -- text helpers ------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Bot API offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


# A command starts the text or follows a space; Telegram allows /cmd@SomeBot (any bot).
_COMMAND = re.compile(r"(?<![^\s(])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])")
# A mention is not glued to a word (e-mail addresses are not mentions).
_MENTION = re.compile(r"(?<![A-Za-z0-9_@/.])@[A-Za-z0-9_]{3,32}(?![A-Za-z0-9_@])")


def compute_entities(text: str) -> list[JSONDict]:
    """The ``bot_command`` and ``mention`` entities Telegram would detect in a plain text."""
    found: list[tuple[int, int, str]] = []
    for match in _COMMAND.finditer(text):
        found.append((match.start(), match.end(), "bot_command"))
    for match in _MENTION.finditer(text):
        if not any(start <= match.start() < end for start, end, _ in found):
            found.append((match.start(), match.end(), "mention"))
    found.sort()
    return [
        {"offset": utf16_len(text[:start]), "length": utf16_len(text[start:end]), "type": kind}
        for start, end, kind in found
    ]


class ApiError(Exception):
    """A Bot API error answer: its HTTP status / error_code, description and parameters."""

    def __init__(self, error_code: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        """The JSON body Telegram answers with."""
        body: JSONDict = {"ok": False, "error_code": self.error_code}
        body["description"] = self.description
        if self.parameters:
            body["parameters"] = self.parameters
        return body


_HTML_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "span": "spoiler",
}
_HTML_ENTITY = re.compile(r"&(?:#(\d+)|#x([0-9A-Fa-f]+)|(lt|gt|amp|quot));")
_HTML_ATTR = re.compile(r"""\s*([A-Za-z-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?""")


def _unescape(fragment: str) -> str:
    """Telegram decodes only &lt; &gt; &amp; &quot; and numeric references."""

    def one(match: re.Match[str]) -> str:
        if match.group(1) or match.group(2):
            code = int(match.group(1)) if match.group(1) else int(match.group(2), 16)
            return chr(code) if 0 < code < 0x110000 else match.group(0)
        return {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}[match.group(3)]

    return _HTML_ENTITY.sub(one, fragment)


def parse_html(source: str) -> tuple[str, list[JSONDict]]:
    """Plain text and entities of an HTML-formatted text; ``ApiError`` with Telegram's message.

    Follows TDLib's parser: only the Bot API's tags, any ``<`` opens a tag, every tag closed in
    order.
    """

    def fail(reason: str) -> ApiError:
        return ApiError(400, f"Bad Request: can't parse entities: {reason}")

    def byte_offset(index: int) -> int:
        return len(source[:index].encode())

    out: list[str] = []
    out_len = 0  # UTF-16 units written so far
    stack: list[tuple[str, int, JSONDict]] = []  # tag, offset, entity without offset/length
    entity: JSONDict
    entities: list[JSONDict] = []
    i = 0
    while i < len(source):
        lt = source.find("<", i)
        chunk = _unescape(source[i : lt if lt != -1 else len(source)])
        out.append(chunk)
        out_len += utf16_len(chunk)
        if lt == -1:
            break
        begin = lt
        if source.startswith("</", lt):
            if not stack:
                raise fail(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            j = lt + 2
            while j < len(source) and (source[j].isalnum() or source[j] == "-"):
                j += 1
            name = source[lt + 2 : j].lower()
            tag, offset, entity = stack.pop()
            if name != tag:
                raise fail(
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                    f'expected "</{tag}>", found "</{name}>"'
                )
            while j < len(source) and source[j].isspace():
                j += 1
            if j >= len(source) or source[j] != ">":
                raise fail(f"Can't find end of tag at byte offset {byte_offset(begin)}")
            i = j + 1
            if out_len > offset:
                entity = {
                    "type": entity["type"],
                    "offset": offset,
                    "length": out_len - offset,
                    **{k: v for k, v in entity.items() if k != "type"},
                }
                if entity["type"] == "pre" and entities and entities[-1]["type"] == "code":
                    # <pre><code class="language-x"> is one pre entity with a language
                    inner = entities[-1]
                    if (inner["offset"], inner["length"]) == (offset, out_len - offset):
                        entities.pop()
                        if "language" in inner:
                            entity["language"] = inner["language"]
                entities.append(entity)
            continue
        j = lt + 1
        while j < len(source) and not source[j].isspace() and source[j] != ">":
            j += 1
        if j >= len(source):
            raise fail(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        name = source[lt + 1 : j].lower()
        if name not in _HTML_SIMPLE:
            raise fail(f'Unsupported start tag "{name}" at byte offset {byte_offset(begin)}')
        close = source.find(">", j)
        if close == -1:
            raise fail(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        attrs = {
            m.group(1).lower(): _unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _HTML_ATTR.finditer(source[j:close])
            if m.group(1)
        }
        entity = {"type": _HTML_SIMPLE[name]}
        if name == "a":
            if not attrs.get("href"):
                entity = {"type": "_plain"}  # Telegram keeps the text, drops the link
            else:
                entity["url"] = attrs["href"]
        elif name == "span" and attrs.get("class") != "tg-spoiler":
            raise fail(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
            )
        elif name == "tg-emoji":
            if "emoji-id" not in attrs:
                raise fail(
                    f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                    f"{byte_offset(begin)}"
                )
            entity["custom_emoji_id"] = attrs["emoji-id"]
        elif name == "code" and attrs.get("class", "").startswith("language-"):
            entity["language"] = attrs["class"][len("language-") :]
        elif name == "blockquote" and "expandable" in attrs:
            entity["type"] = "expandable_blockquote"
        stack.append((name, out_len, entity))
        i = close + 1
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities = [e for e in entities if e["type"] != "_plain"]
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


# -- factories (pure: they build Bot API dicts and push nothing) --------------------------------

_message_ids = itertools.count(1_000_000)
_callback_ids = itertools.count(1)


def _now() -> int:
    """Unix time, as the Bot API dates things."""
    return int(time.time())


def make_bot_user(
    token: str = DEFAULT_TOKEN, username: str = DEFAULT_USERNAME, first_name: str = "Dépêche"
) -> JSONDict:
    """The bot's ``User``; its id is the token's numeric prefix, as on Telegram."""
    return {
        "id": int(token.split(":")[0]),
        "is_bot": True,
        "first_name": first_name,
        "username": username,
    }


def make_user(
    id: int = 1001,
    first_name: str = "Alice",
    *,
    language_code: str | None = "en",
    is_bot: bool = False,
    username: str | None = None,
    last_name: str | None = None,
) -> JSONDict:
    """A ``User``; optional fields left out when ``None``, as Telegram omits them."""
    user: JSONDict = {"id": id, "is_bot": is_bot, "first_name": first_name}
    if last_name is not None:
        user["last_name"] = last_name
    if username is not None:
        user["username"] = username
    if language_code is not None:
        user["language_code"] = language_code
    return user


def make_private_chat(user: JSONDict) -> JSONDict:
    """The private ``Chat`` between the bot and ``user``."""
    chat: JSONDict = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    for key in ("last_name", "username"):
        if key in user:
            chat[key] = user[key]
    return chat


def make_group_chat(
    id: int | None = None,
    title: str = "Dépêche readers",
    type: str = "supergroup",
    *,
    username: str | None = None,
    is_forum: bool = False,
) -> JSONDict:
    """A group ``Chat``; supergroup ids are -100…, basic group ids plain negatives."""
    if id is None:
        id = -1001234567890 if type == "supergroup" else -4012345678
    chat: JSONDict = {"id": id, "title": title, "type": type}
    if username is not None:
        chat["username"] = username
    if is_forum:
        chat["is_forum"] = True
    return chat


def make_channel_chat(
    id: int = -1009876543210,
    title: str = "Dépêche wire",
    *,
    username: str | None = "depeche_wire",
) -> JSONDict:
    """A channel ``Chat``."""
    chat: JSONDict = {"id": id, "title": title, "type": "channel"}
    if username is not None:
        chat["username"] = username
    return chat


def _quoted(message: JSONDict) -> JSONDict:
    """A message as embedded in ``reply_to_message``: Telegram nests one level only."""
    return {k: v for k, v in message.items() if k != "reply_to_message"}


def make_message(
    text: str,
    *,
    chat: JSONDict,
    from_user: JSONDict | None = None,
    message_id: int | None = None,
    reply_to_message: JSONDict | None = None,
    entities: list[JSONDict] | None = None,
    date: int | None = None,
    **extra: Any,
) -> JSONDict:
    """A text ``Message``; ``entities=None`` computes bot_command / mention entities.

    ``from_user`` defaults to the private chat's user; channel messages get ``sender_chat``.
    """
    message: JSONDict = {
        "message_id": next(_message_ids) if message_id is None else message_id,
        "date": _now() if date is None else date,
        "chat": chat,
    }
    if from_user is None and chat["type"] == "private":
        from_user = make_user(
            chat["id"], chat.get("first_name", "User"), username=chat.get("username")
        )
    if from_user is not None:
        message["from"] = from_user
    if chat["type"] == "channel":
        message["sender_chat"] = chat
    if reply_to_message is not None:
        message["reply_to_message"] = _quoted(reply_to_message)
    message["text"] = text
    found = compute_entities(text) if entities is None else entities
    if found:
        message["entities"] = found
    message.update(extra)
    return message


def make_edited_message(message: JSONDict, text: str, *, edit_date: int | None = None) -> JSONDict:
    """``message`` after its author edited its text (entities recomputed)."""
    edited = {k: v for k, v in message.items() if k != "entities"}
    edited["text"] = text
    edited["edit_date"] = _now() if edit_date is None else edit_date
    found = compute_entities(text)
    if found:
        edited["entities"] = found
    return edited


def make_channel_post(
    text: str,
    *,
    chat: JSONDict | None = None,
    message_id: int | None = None,
    author_signature: str | None = None,
    entities: list[JSONDict] | None = None,
    date: int | None = None,
) -> JSONDict:
    """A channel post: no ``from``, ``sender_chat`` is the channel."""
    extra: JSONDict = {"author_signature": author_signature} if author_signature else {}
    return make_message(
        text,
        chat=chat or make_channel_chat(),
        message_id=message_id,
        entities=entities,
        date=date,
        **extra,
    )


def make_callback_query(
    data: str,
    *,
    from_user: JSONDict,
    message: JSONDict,
    id: str | None = None,
    chat_instance: str | None = None,
) -> JSONDict:
    """A ``CallbackQuery`` for a button with ``callback_data=data`` under ``message``."""
    return {
        "id": id or f"cbq-{next(_callback_ids)}",
        "from": from_user,
        "message": message,
        "chat_instance": chat_instance or str(abs(message["chat"]["id"]) * 7 + 1),
        "data": data,
    }


def make_chat_member(user: JSONDict, status: str, **extra: Any) -> JSONDict:
    """A ``ChatMember`` of any status with the fields PTB requires for it."""
    member: JSONDict = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(can_be_edited=False, is_anonymous=False)
        member.update(dict.fromkeys(_ADMIN_RIGHTS, True))
        member["can_promote_members"] = False
    elif status == "restricted":
        member.update(is_member=True, until_date=0)
        member.update(dict.fromkeys(_RESTRICTED_RIGHTS, False))
    elif status == "kicked":
        member["until_date"] = 0
    elif status not in ("member", "left"):
        raise ValueError(f"unknown chat member status {status!r}")
    member.update(extra)
    return member


def make_my_chat_member(
    chat: JSONDict,
    from_user: JSONDict,
    old_status: str,
    new_status: str,
    *,
    bot_user: JSONDict | None = None,
    date: int | None = None,
) -> JSONDict:
    """A ``ChatMemberUpdated`` for the bot itself (added, promoted, removed, blocked)."""
    bot = bot_user or make_bot_user()
    return {
        "chat": chat,
        "from": from_user,
        "date": _now() if date is None else date,
        "old_chat_member": make_chat_member(bot, old_status),
        "new_chat_member": make_chat_member(bot, new_status),
    }


# -- the server --------------------------------------------------------------------------------


@dataclass
class Call:
    """One request the bot made: canonical method name and decoded parameters."""

    method: str
    params: JSONDict
    at: float = field(default_factory=time.monotonic)


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str
    data: bytes


@dataclass
class _Rule:
    """A pending fault or delay for the next ``times`` matching calls."""

    method: str  # lower case
    chat_id: int | str | None
    times: int
    error: ApiError | None = None
    delay: float = 0.0

    def matches(self, method: str, params: JSONDict) -> bool:
        if self.times <= 0 or method.lower() != self.method:
            return False
        return self.chat_id is None or _chat_key(params.get("chat_id")) == self.chat_id


def _chat_key(value: Any) -> int | str | None:
    """A chat_id as sent (int, "123", "@name") in one comparable form."""
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value).lower()


def _bad_request(error: Exception) -> ApiError:
    """A 400 for a request body that could not be read."""
    return ApiError(400, f"Bad Request: {error}")


def _decode(name: str, value: Any) -> Any:
    """A form field or JSON value as the Bot API understands that parameter."""
    if not isinstance(value, str):
        return value
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _canonical_scope(scope: Any) -> str:
    """A BotCommandScope as a dict key (default scope when absent)."""
    scope = dict(scope or {"type": "default"})
    if "chat_id" in scope:
        scope["chat_id"] = _chat_key(scope["chat_id"])
    return json.dumps(scope, sort_keys=True)


class FakeTelegram:
    """The fake Bot API server for one bot. Use ``async with FakeTelegram() as tg:``."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = DEFAULT_USERNAME,
        first_name: str = "Dépêche",
        can_join_groups: bool = True,
        can_read_all_group_messages: bool = False,
        max_long_poll: float = 1.0,
        strict_chats: bool = False,
    ) -> None:
        self.token = token
        self.bot_user = make_bot_user(token, username, first_name)
        self.can_join_groups = can_join_groups
        self.can_read_all_group_messages = can_read_all_group_messages
        # Long polls are capped so a test's shutdown never waits on Telegram's usual 10+ s.
        self.max_long_poll = max_long_poll
        # Lenient by default: a sendMessage to an unseen chat id invents the chat.
        self.strict_chats = strict_chats
        self.calls: list[Call] = []
        self.chats: dict[int | str, JSONDict] = {}
        self.users: dict[int, JSONDict] = {}
        self.messages: dict[tuple[int, int], JSONDict] = {}  # (chat_id, message_id) -> Message
        self.members: dict[tuple[int, int], JSONDict] = {}  # (chat_id, user_id) -> ChatMember
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}  # (scope, language) -> list
        self.files: dict[str, tuple[JSONDict, bytes]] = {}
        self.webhook: JSONDict = {}
        self.bot_status: dict[int, str] = {}  # chat_id -> the bot's status there, when known
        self.answered_callbacks: dict[str, JSONDict] = {}
        self._pending: list[JSONDict] = []  # updates not yet confirmed by an offset
        self._delivered: set[int] = set()
        self._callbacks: set[str] = set()
        self._allowed_updates: list[str] = []
        self._rules: list[_Rule] = []
        self._next_update_id = 1
        self._next_ids: dict[int, int] = {}  # chat_id -> next message_id
        self._poll_generation = 0
        self._changed = asyncio.Condition()
        self._closing = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._methods: dict[str, tuple[str, Callable[[JSONDict], Awaitable[Any]]]] = {}
        for name in (
            "getMe",
            "logOut",
            "close",
            "getUpdates",
            "setWebhook",
            "deleteWebhook",
            "getWebhookInfo",
            "setMyCommands",
            "getMyCommands",
            "deleteMyCommands",
            "sendMessage",
            "editMessageText",
            "editMessageReplyMarkup",
            "deleteMessage",
            "answerCallbackQuery",
            "sendChatAction",
            "getChatMember",
            "getChat",
            "leaveChat",
            "getFile",
        ):
            self._methods[name.lower()] = (name, getattr(self, f"_m_{name}"))
        for name in _TRUE_METHODS:
            self._methods[name.lower()] = (name, self._m_true)

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The Bot API base URL for PTB (the token is appended by PTB)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """The file download base URL for PTB."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> FakeTelegram:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        # Handlers still waiting are woken by _closing, so a short grace period suffices.
        self._runner = web.AppRunner(app, shutdown_timeout=2.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Wake pending long polls and delays, then close the server."""
        self._closing.set()
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def bot(self, **kwargs: Any) -> Bot:
        """A ``telegram.Bot`` talking to this server."""
        return Bot(self.token, base_url=self.base_url, base_file_url=self.base_file_url, **kwargs)

    def application_builder(self) -> ApplicationBuilder:
        """``ApplicationBuilder`` with this server's token and URLs set."""
        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )

    # -- configuration ---------------------------------------------------------------------

    def add_chat(self, chat: JSONDict) -> JSONDict:
        """Make a chat known (strict mode answers "chat not found" for unknown ones)."""
        self.chats[chat["id"]] = chat
        if chat.get("username"):
            self.chats["@" + chat["username"].lower()] = chat
        return chat

    def set_chat_member(self, chat_id: int, user_id: int, status: str, **extra: Any) -> None:
        """What ``getChatMember(chat_id, user_id)`` answers (default: member)."""
        user = self.bot_user if user_id == self.bot_user["id"] else self._user(user_id)
        self.members[(chat_id, user_id)] = make_chat_member(user, status, **extra)

    def add_file(
        self, content: bytes, *, file_id: str | None = None, file_path: str | None = None
    ) -> JSONDict:
        """Serve ``content`` through ``getFile`` and the file URL; returns the ``File``."""
        number = len(self.files) + 1
        file_id = file_id or f"file-{number}"
        info = {
            "file_id": file_id,
            "file_unique_id": f"u{number}",
            "file_size": len(content),
            "file_path": file_path or f"documents/file_{number}",
        }
        self.files[file_id] = (info, content)
        return info

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
        chat_id: int | str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id``) with an error.

        PTB raises ChatMigrated for ``migrate_to_chat_id`` and RetryAfter for a non-zero
        ``retry_after`` whatever the code, else by code: 403 Forbidden, 400 BadRequest,
        401/404 InvalidToken, 409 Conflict, others NetworkError. A 429 without a
        ``retry_after`` gets 1, as Telegram always sends one.
        """
        parameters: JSONDict = {}
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        if retry_after is None and error_code == 429:
            retry_after = 1
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if description is None:
            if migrate_to_chat_id is not None:
                description = MIGRATED
            elif error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
        error = ApiError(error_code, description, **parameters)
        self._rules.append(_Rule(method.lower(), _chat_key(chat_id), times, error=error))

    def fail_flood(self, method: str, retry_after: int = 1, **kwargs: Any) -> None:
        """429 with ``retry_after`` (PTB: RetryAfter)."""
        self.fail_next(method, error_code=429, retry_after=retry_after, **kwargs)

    def fail_blocked(self, method: str = "sendMessage", **kwargs: Any) -> None:
        """403 "bot was blocked by the user" (PTB: Forbidden)."""
        self.fail_next(method, error_code=403, **kwargs)

    def fail_chat_not_found(self, method: str = "sendMessage", **kwargs: Any) -> None:
        """400 "chat not found" (PTB: BadRequest)."""
        self.fail_next(method, error_code=400, **kwargs)

    def fail_migrated(self, new_chat_id: int, method: str = "sendMessage", **kwargs: Any) -> None:
        """400 with ``migrate_to_chat_id`` (PTB: ChatMigrated with ``new_chat_id``)."""
        self.fail_next(method, error_code=400, migrate_to_chat_id=new_chat_id, **kwargs)

    def delay_next(
        self, method: str, seconds: float, *, times: int = 1, chat_id: int | str | None = None
    ) -> None:
        """Hold the next ``times`` answers to ``method`` for ``seconds`` (for client timeouts).

        The call is recorded on arrival and its effect (e.g. the message sent) happens after
        the delay, as when Telegram is slow rather than down.
        """
        self._rules.append(_Rule(method.lower(), _chat_key(chat_id), times, delay=seconds))

    # -- injecting updates -----------------------------------------------------------------

    def push_update(self, update: JSONDict) -> JSONDict:
        """Queue a raw update for getUpdates (``update_id`` assigned unless given)."""
        update = dict(update)
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self._learn(update)
        self._pending.append(update)
        self._notify()
        return update

    def send_text(
        self,
        text: str,
        *,
        chat: JSONDict | None = None,
        from_user: JSONDict | None = None,
        reply_to: JSONDict | int | None = None,
        entities: list[JSONDict] | None = None,
        **extra: Any,
    ) -> JSONDict:
        """Push a ``message`` update from a user; returns the message.

        Defaults: user ``make_user()`` in their private chat. ``reply_to`` is a message (one the
        bot sent, as returned by sendMessage, works) or a message id in that chat.
        """
        from_user = from_user or (None if chat and chat["type"] == "channel" else make_user())
        chat = chat or make_private_chat(from_user)  # type: ignore[arg-type]
        replied = self._resolve(chat["id"], reply_to) if reply_to is not None else None
        message = make_message(
            text,
            chat=chat,
            from_user=from_user,
            message_id=self._next_message_id(chat["id"]),
            reply_to_message=replied,
            entities=entities,
            **extra,
        )
        self.push_update({"message": message})
        return message

    def edit_text(self, message: JSONDict, text: str) -> JSONDict:
        """Push an ``edited_message`` update: the user edited ``message``; returns it."""
        edited = make_edited_message(message, text)
        self.push_update({"edited_message": edited})
        return edited

    def post_in_channel(self, text: str, *, chat: JSONDict | None = None) -> JSONDict:
        """Push a ``channel_post`` update; returns the post."""
        chat = chat or make_channel_chat()
        post = make_channel_post(text, chat=chat, message_id=self._next_message_id(chat["id"]))
        self.push_update({"channel_post": post})
        return post

    def press_button(
        self,
        callback_data: str,
        message: JSONDict | int,
        from_user: JSONDict | None = None,
        *,
        chat_id: int | None = None,
    ) -> JSONDict:
        """Push a ``callback_query`` update for a button of ``message``; returns the query.

        ``message`` is a message dict (the bot's, as sent) or its id with ``chat_id``; the
        current version (after the bot's edits) is used when the server knows it. It must
        carry a button with that data, as only such presses exist on Telegram.
        """
        if isinstance(message, int):
            if chat_id is None:
                raise ValueError("press_button(message_id) needs chat_id")
            message = self._resolve(chat_id, message)
        current = self.messages.get((message["chat"]["id"], message["message_id"]), message)
        datas = [
            button.get("callback_data")
            for row in (current.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
        ]
        if callback_data not in datas:
            raise AssertionError(f"no button with callback_data {callback_data!r}: {datas}")
        if from_user is None:
            chat = current["chat"]
            from_user = self.users.get(chat["id"]) or make_user(
                chat["id"] if chat["type"] == "private" else 1001
            )
        query = make_callback_query(callback_data, from_user=from_user, message=current)
        self.push_update({"callback_query": query})
        return query

    def change_my_status(
        self,
        chat: JSONDict,
        old_status: str,
        new_status: str,
        from_user: JSONDict | None = None,
    ) -> JSONDict:
        """Push a ``my_chat_member`` update (added to a group, blocked by a user...)."""
        from_user = from_user or (
            make_user(chat["id"], chat.get("first_name", "User"))
            if chat["type"] == "private"
            else make_user()
        )
        update = make_my_chat_member(
            chat, from_user, old_status, new_status, bot_user=self.bot_user
        )
        self.push_update({"my_chat_member": update})
        return update

    def block_bot(self, user: JSONDict) -> JSONDict:
        """The user blocks the bot: the update, and 403 on later sends to them."""
        return self.change_my_status(make_private_chat(user), "member", "kicked", user)

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by a getUpdates offset."""
        return list(self._pending)

    # -- inspecting calls ------------------------------------------------------------------

    def calls_to(self, method: str, *, chat_id: int | str | None = None) -> list[Call]:
        """Recorded calls of ``method`` (case-insensitive), optionally to one chat."""
        key = _chat_key(chat_id)
        return [
            call
            for call in self.calls
            if call.method.lower() == method.lower()
            and (key is None or _chat_key(call.params.get("chat_id")) == key)
        ]

    def sent_messages(self, chat_id: int | str | None = None) -> list[JSONDict]:
        """Parameters of every sendMessage call, in order (including failed ones)."""
        return [call.params for call in self.calls_to("sendMessage", chat_id=chat_id)]

    def bot_messages(self, chat_id: int | None = None) -> list[JSONDict]:
        """The bot's messages as they stand now (edits applied, deletions gone)."""
        return [
            message
            for (chat, _), message in self.messages.items()
            if message.get("from", {}).get("id") == self.bot_user["id"]
            and (chat_id is None or chat == chat_id)
        ]

    def get_commands(self, scope: JSONDict | None = None, language_code: str = "") -> list:
        """The command list set for a scope and language (what getMyCommands answers)."""
        return self.commands.get((_canonical_scope(scope), language_code), [])

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5,
        *,
        chat_id: int | str | None = None,
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` have arrived in all; returns them."""
        return await self._wait(
            lambda: self.calls_to(method, chat_id=chat_id),
            count,
            timeout,
            f"{count} {method} call(s)",
        )

    async def wait_for_messages(
        self, chat_id: int | str | None = None, n: int = 1, timeout: float = 5
    ) -> list[JSONDict]:
        """Wait until ``n`` sendMessage calls to ``chat_id`` have arrived; returns their params."""
        calls = await self.wait_for("sendMessage", n, timeout, chat_id=chat_id)
        return [call.params for call in calls]

    async def wait_until_delivered(self, timeout: float = 5) -> None:
        """Wait until getUpdates has handed out every pushed update at least once."""

        def undelivered() -> list[int]:
            return [u["update_id"] for u in self._pending if u["update_id"] not in self._delivered]

        await self._wait(
            lambda: [None] if not undelivered() else [],
            1,
            timeout,
            "every pushed update to be fetched",
        )

    async def _wait(
        self, probe: Callable[[], list[Any]], count: int, timeout: float, what: str
    ) -> list[Any]:
        """Wait until ``probe()`` lists ``count`` items, woken by each call."""
        deadline = asyncio.get_running_loop().time() + timeout
        async with self._changed:
            while len(found := probe()) < count:
                left = deadline - asyncio.get_running_loop().time()
                if left <= 0:
                    seen = [call.method for call in self.calls if call.method != "getUpdates"]
                    raise TimeoutError(f"waited {timeout}s for {what}; calls so far: {seen}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), left)
        return found

    # -- plumbing --------------------------------------------------------------------------

    def _notify(self) -> None:
        """Wake waiters; callable from sync code running on the loop."""

        async def notify() -> None:
            async with self._changed:
                self._changed.notify_all()

        with contextlib.suppress(RuntimeError):  # no running loop: nobody can be waiting
            task = asyncio.get_running_loop().create_task(notify())
            self._tasks.add(task)  # the loop only keeps weak references to tasks
            task.add_done_callback(self._tasks.discard)

    def _learn(self, update: JSONDict) -> None:
        """Remember the users, chats, messages and queries an update reveals."""
        for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
            if kind in update:
                self._remember(update[kind])
        if "callback_query" in update:
            query = update["callback_query"]
            self._callbacks.add(query["id"])
            self.users.setdefault(query["from"]["id"], query["from"])
        if "my_chat_member" in update:
            change = update["my_chat_member"]
            if change["chat"]["id"] not in self.chats:
                self.add_chat(change["chat"])
            self.bot_status[change["chat"]["id"]] = change["new_chat_member"]["status"]
            self.members[(change["chat"]["id"], self.bot_user["id"])] = change["new_chat_member"]

    def _remember(self, message: JSONDict) -> None:
        chat = message["chat"]
        if chat["id"] not in self.chats:
            self.add_chat(chat)
        if "from" in message:
            self.users.setdefault(message["from"]["id"], message["from"])
        self.messages[(chat["id"], message["message_id"])] = message
        following = message["message_id"] + 1
        self._next_ids[chat["id"]] = max(self._next_ids.get(chat["id"], 1), following)

    def _next_message_id(self, chat_id: int) -> int:
        """Telegram numbers messages per chat; users' and the bot's share the sequence."""
        message_id = self._next_ids.get(chat_id, 1)
        self._next_ids[chat_id] = message_id + 1
        return message_id

    def _resolve(self, chat_id: int, message: JSONDict | int) -> JSONDict:
        if isinstance(message, dict):
            return self.messages.get((chat_id, message["message_id"]), message)
        try:
            return self.messages[(chat_id, message)]
        except KeyError:
            raise KeyError(f"no message {message} in chat {chat_id}") from None

    def _user(self, user_id: int) -> JSONDict:
        return self.users.get(user_id) or make_user(user_id, f"User{user_id}", language_code=None)

    def _chat(self, chat_id: Any) -> JSONDict:
        """The chat a method names; unknown ids are invented unless strict."""
        key = _chat_key(chat_id)
        if key is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat = self.chats.get(key)
        if chat is not None:
            return chat
        if self.strict_chats or isinstance(key, str):
            raise ApiError(400, "Bad Request: chat not found")
        if key > 0:
            chat = {"id": key, "type": "private", "first_name": self._user(key)["first_name"]}
        elif key <= -1_000_000_000_000:
            chat = {"id": key, "title": f"Chat {key}", "type": "supergroup"}
        else:
            chat = {"id": key, "title": f"Chat {key}", "type": "group"}
        return self.add_chat(chat)

    def _check_can_send(self, chat: JSONDict) -> None:
        status = self.bot_status.get(chat["id"])
        kind = chat["type"]
        if kind == "private":
            if status == "kicked":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            return
        if status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        if status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")

    async def _read_params(self, request: web.Request) -> JSONDict:
        raw: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    raise ApiError(400, "Bad Request: invalid JSON body")
                raw.update(body)
            else:
                form = await request.post()  # urlencoded or multipart alike
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        raw[key] = UploadedFile(
                            value.filename, value.content_type, value.file.read()
                        )
                    else:
                        raw[key] = value
        return {key: _decode(key, value) for key, value in raw.items()}

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but not past the server's shutdown."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    async def _handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if token != self.token:
            # Telegram: 404 for a malformed token, 401 for a well-formed unknown one.
            body = UNAUTHORIZED if re.fullmatch(r"\d+:[\w-]+", token) else NOT_FOUND
            return web.json_response(body, status=body["error_code"])
        name = request.match_info["method"]
        canonical, handler = self._methods.get(name.lower(), (name, None))
        try:
            params = await self._read_params(request)
        except (ApiError, ValueError) as error:
            problem = error if isinstance(error, ApiError) else _bad_request(error)
            return web.json_response(problem.payload(), status=problem.error_code)
        call = Call(canonical, params)
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        for rule in self._rules:
            if rule.delay and rule.matches(canonical, params):
                rule.times -= 1
                await self._sleep(rule.delay)
                break
        for rule in self._rules:
            if rule.error and rule.matches(canonical, params):
                rule.times -= 1
                return web.json_response(rule.error.payload(), status=rule.error.error_code)
        if handler is None:
            return web.json_response(NOT_FOUND, status=404)
        try:
            result = await handler(params)
        except ApiError as error:
            return web.json_response(error.payload(), status=error.error_code)
        async with self._changed:
            self._changed.notify_all()  # state the waiters may probe changed too
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(UNAUTHORIZED, status=401)
        for info, content in self.files.values():
            if info["file_path"] == request.match_info["path"]:
                return web.Response(body=content, content_type="application/octet-stream")
        return web.json_response(NOT_FOUND, status=404)

    # -- methods ---------------------------------------------------------------------------

    async def _m_true(self, params: JSONDict) -> bool:
        return True

    async def _m_getMe(self, params: JSONDict) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": self.can_join_groups,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_logOut(self, params: JSONDict) -> bool:
        return True

    async def _m_close(self, params: JSONDict) -> bool:
        return True

    async def _m_getUpdates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook.get("url"):
            raise ApiError(409, WEBHOOK_CONFLICT)
        self._poll_generation += 1
        generation = self._poll_generation
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = min(float(params.get("timeout") or 0), self.max_long_poll)
        if params.get("allowed_updates"):
            self._allowed_updates = list(params["allowed_updates"])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._confirm(offset)
        async with self._changed:
            # A newer getUpdates ends this one, as on Telegram (two instances polling).
            self._changed.notify_all()
            while True:
                if generation != self._poll_generation:
                    raise ApiError(409, POLL_CONFLICT)
                ready = [u for u in self._pending if self._allowed(u)][:limit]
                left = deadline - loop.time()
                if ready or left <= 0 or self._closing.is_set():
                    self._delivered.update(u["update_id"] for u in ready)
                    return ready
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), left)

    def _confirm(self, offset: int) -> None:
        """Forget updates below ``offset`` (a negative one keeps the last -offset)."""
        if offset < 0:
            self._pending = self._pending[offset:]
        elif offset:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        # Updates of a type the bot did not ask for are never delivered: drop them.
        self._pending = [u for u in self._pending if self._allowed(u)]

    def _allowed(self, update: JSONDict) -> bool:
        if not self._allowed_updates:
            return True
        return any(kind in update for kind in self._allowed_updates)

    async def _m_setWebhook(self, params: JSONDict) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: " + "An HTTPS URL must be provided for webhook"
            )
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = {k: v for k, v in params.items() if k != "certificate"} if url else {}
        return True

    async def _m_deleteWebhook(self, params: JSONDict) -> bool:
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = {}
        return True

    async def _m_getWebhookInfo(self, params: JSONDict) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": "certificate" in self.webhook,
            "pending_update_count": len(self._pending),
        }
        for key in ("max_connections", "ip_address", "allowed_updates"):
            if key in self.webhook:
                info[key] = self.webhook[key]
        return info

    async def _m_setMyCommands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands is invalid")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description is invalid")
        key = (_canonical_scope(params.get("scope")), str(params.get("language_code") or ""))
        self.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _m_getMyCommands(self, params: JSONDict) -> list[JSONDict]:
        return self.get_commands(params.get("scope"), str(params.get("language_code") or ""))

    async def _m_deleteMyCommands(self, params: JSONDict) -> bool:
        key = (_canonical_scope(params.get("scope")), str(params.get("language_code") or ""))
        self.commands.pop(key, None)
        return True

    def _formatted(self, params: JSONDict) -> tuple[str, list[JSONDict]]:
        """Text and entities of a sent text, checked like Telegram does."""
        text = params.get("text")
        if text is None or str(text) == "":
            raise ApiError(400, "Bad Request: message text is empty")
        text = str(text)
        mode = str(params.get("parse_mode") or "").lower()
        if params.get("entities") is not None:
            plain, entities = text, list(params["entities"])
        elif mode == "html":
            plain, entities = parse_html(text)
        else:
            plain, entities = text, compute_entities(text) if not mode else []
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        return plain, entities

    def _check_markup(self, markup: Any) -> JSONDict | None:
        """The inline keyboard to store on the message; other keyboards are not echoed."""
        if not markup:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return None
        for row in markup["inline_keyboard"]:
            for button in row:
                if not isinstance(button.get("text"), str):
                    raise ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: "
                        'Field "text" must be of type String',
                    )
                if len(button) < 2:
                    raise ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard",
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    async def _m_sendMessage(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params.get("chat_id"))
        self._check_can_send(chat)
        text, entities = self._formatted(params)
        markup = self._check_markup(params.get("reply_markup"))
        reply = params.get("reply_parameters") or {}
        if not reply and params.get("reply_to_message_id"):  # pre-7.0 clients
            reply = {"message_id": params["reply_to_message_id"]}
        replied = None
        if reply:
            reply_chat = self._chat(reply.get("chat_id", chat["id"]))["id"]
            replied = self.messages.get((reply_chat, int(reply["message_id"])))
            if replied is None and not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        message: JSONDict = {
            "message_id": self._next_message_id(chat["id"]),
            "from": self.bot_user,
            "date": _now(),
            "chat": chat,
        }
        if chat["type"] == "channel":
            message.pop("from")
            message["sender_chat"] = chat
        if replied is not None:
            message["reply_to_message"] = _quoted(replied)
        message["text"] = text
        if entities:
            message["entities"] = entities
        if markup:
            message["reply_markup"] = markup
        self._remember(message)
        return message

    def _own_message(self, params: JSONDict) -> tuple[tuple[int, int], JSONDict] | None:
        """The bot's message an edit names; None for inline messages."""
        if params.get("inline_message_id"):
            return None
        chat = self._chat(params.get("chat_id"))
        key = (chat["id"], int(params.get("message_id") or 0))
        message = self.messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.bot_user["id"] and chat["type"] != "channel":
            raise ApiError(400, "Bad Request: message can't be edited")
        return key, message

    async def _m_editMessageText(self, params: JSONDict) -> JSONDict | bool:
        text, entities = self._formatted(params)
        markup = self._check_markup(params.get("reply_markup"))
        found = self._own_message(params)
        if found is None:
            return True
        key, message = found
        if (message.get("text"), message.get("entities", []), message.get("reply_markup")) == (
            text,
            entities,
            markup,
        ):
            raise ApiError(400, NOT_MODIFIED)
        edited = {k: v for k, v in message.items() if k not in ("entities", "reply_markup")}
        edited.update(text=text, edit_date=_now())
        if entities:
            edited["entities"] = entities
        if markup:  # an edit without reply_markup removes the inline keyboard
            edited["reply_markup"] = markup
        self.messages[key] = edited
        return edited

    async def _m_editMessageReplyMarkup(self, params: JSONDict) -> JSONDict | bool:
        markup = self._check_markup(params.get("reply_markup"))
        found = self._own_message(params)
        if found is None:
            return True
        key, message = found
        if message.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        edited = {k: v for k, v in message.items() if k != "reply_markup"}
        edited["edit_date"] = _now()
        if markup:
            edited["reply_markup"] = markup
        self.messages[key] = edited
        return edited

    async def _m_deleteMessage(self, params: JSONDict) -> bool:
        chat = self._chat(params.get("chat_id"))
        key = (chat["id"], int(params.get("message_id") or 0))
        if self.messages.pop(key, None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _m_answerCallbackQuery(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._callbacks or query_id in self.answered_callbacks:
            raise ApiError(400, QUERY_TOO_OLD)
        self.answered_callbacks[query_id] = params
        return True

    async def _m_sendChatAction(self, params: JSONDict) -> bool:
        chat = self._chat(params.get("chat_id"))
        self._check_can_send(chat)
        if params.get("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _m_getChatMember(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params.get("chat_id"))
        try:
            user_id = int(params["user_id"])
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "Bad Request: invalid user_id specified") from None
        member = self.members.get((chat["id"], user_id))
        if member is not None:
            return member
        if user_id == self.bot_user["id"]:
            return make_chat_member(self.bot_user, "member")
        if chat["type"] == "private" and user_id != chat["id"]:
            raise ApiError(400, "Bad Request: user not found")
        return make_chat_member(self._user(user_id), "member")

    async def _m_getChat(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params.get("chat_id"))
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            True,
        )
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    async def _m_leaveChat(self, params: JSONDict) -> bool:
        chat = self._chat(params.get("chat_id"))
        if chat["type"] == "private":
            raise ApiError(400, "Bad Request: chat member status can't be changed in private chats")
        self.bot_status[chat["id"]] = "left"
        return True

    async def _m_getFile(self, params: JSONDict) -> JSONDict:
        found = self.files.get(str(params.get("file_id") or ""))
        if found is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return found[0]


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A started FakeTelegram for one test; stopped afterwards."""
    async with FakeTelegram() as tg:
        yield tg
