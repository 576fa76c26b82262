"""Telegram handlers: each turns an update into a call of ``bot/chat`` and sends the reply.

The command logic runs in a worker thread (``asyncio.to_thread``): the search and the database
are synchronous, and one slow question must not stall the others. Which update reaches which
handler is decided in ``bot/telegram/app.py`` (``register_handlers``), with the filters
defined here.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from telegram import (
    Bot,
    Chat,
    ChatMember,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes, filters

from bot.chat import ACTIONS, COMMANDS, Button, Reply, Request, dispatch, questions, run_action
from bot.chat.inline import inline_answers
from bot.chat.language import interface_language
from bot.chat.messages import Lang, language_of_user, t
from storage import alerts as outbox

if TYPE_CHECKING:
    from bot.service import Depeche
    from bot.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
FRONT_KEY = "depeche"
GROUP_TYPES = (Chat.GROUP, Chat.SUPERGROUP)
CALLBACK_ANSWER_LIMIT = 200  # characters of a button's answer (a notice shown to the presser)


@dataclass(frozen=True)
class Front:
    """What the handlers and jobs need, kept in ``application.bot_data[FRONT_KEY]``."""

    service: Depeche
    settings: Settings


def front(context: ContextTypes.DEFAULT_TYPE) -> Front:
    """The service and settings the application was built with."""
    found: Front = context.bot_data[FRONT_KEY]
    return found


# -- filters: which messages are for this bot ---------------------------------------------------


class _FromHuman(filters.MessageFilter):
    """Sent by a person (or a group's anonymous admin), not by a bot, a channel or via a bot."""

    def filter(self, message: Message) -> bool:
        user = message.from_user
        if user is None or message.via_bot is not None:
            return False
        if user.is_bot:  # an anonymous admin posts as the group itself through a bot account
            return message.sender_chat is not None and message.sender_chat.id == message.chat.id
        return True


class _MentionsBot(filters.MessageFilter):
    """Mentions this bot (``@ThisBot``, in any case) in its text."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        for entity in message.entities:
            user = entity.user
            if entity.type == MessageEntity.TEXT_MENTION and user and user.id == bot.id:
                return True
        return bool(message.text and bot.username and _mention(bot.username).search(message.text))


class _RepliesToBot(filters.MessageFilter):
    """Replies to one of this bot's messages."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return bool(replied and replied.from_user and replied.from_user.id == message.get_bot().id)


FROM_HUMAN = _FromHuman(name="FROM_HUMAN")
MENTIONS_BOT = _MentionsBot(name="MENTIONS_BOT")
REPLIES_TO_BOT = _RepliesToBot(name="REPLIES_TO_BOT")


def _mention(username: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w@])@{re.escape(username)}\b", re.IGNORECASE)


_COMMAND = re.compile(r"^/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?")


def question_of(text: str | None, bot_username: str | None) -> str:
    """The question in a message: without a leading ``/ask[@bot]`` or mentions of the bot."""
    if not text:
        return ""
    text = text.strip()
    command = _COMMAND.match(text)
    if command:
        text = text[command.end() :]
    if bot_username:
        text = _mention(bot_username).sub(" ", text)
    return " ".join(text.split())


async def language_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Lang:
    """The language to speak: the chat's choice (/lang), else the user's, else English."""
    chat = update.effective_chat
    user = update.effective_user
    chosen = None
    if chat is not None:
        languages = front(context).service.chat_languages
        # Read once per chat; after that a dict look-up, not worth a trip to a worker thread.
        if languages.known(chat.id):
            chosen = languages.get(chat.id)
        else:
            chosen = await asyncio.to_thread(languages.get, chat.id)
    return interface_language(chosen, user.language_code if user else None)


async def _request(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    *,
    args: str = "",
    question: str | None = None,
) -> Request:
    deps = front(context)
    user = update.effective_user
    chat = update.effective_chat
    language = await language_of(update, context)
    return Request(
        service=deps.service,
        settings=deps.settings,
        language=language,
        chat_id=chat.id if chat else None,
        user_id=user.id if user else None,
        chat_type=chat.type if chat else Chat.PRIVATE,
        bot_username=context.bot.username,
        args=args,
        question=question,
    )


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup([[_button(b) for b in row] for row in reply.buttons])


def _button(button: Button) -> InlineKeyboardButton:
    if button.share is not None:
        return InlineKeyboardButton(button.label, switch_inline_query=button.share)
    if button.url is not None:
        return InlineKeyboardButton(button.label, url=button.url)
    return InlineKeyboardButton(button.label, callback_data=button.action)


async def send(message: Message, reply: Reply) -> None:
    """Send a reply quoting ``message``, split into ≤4,096-character messages, buttons last
    (a chart: one photo with its caption)."""
    if reply.photo is not None:
        await message.reply_photo(
            reply.photo,
            caption=reply.html,
            reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True),
            reply_markup=keyboard(reply),
        )
        return
    parts = reply.messages()
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        await message.reply_html(
            part,
            reply_parameters=(
                ReplyParameters(message.message_id, allow_sending_without_reply=True)
                if number == 0
                else None
            ),
            do_quote=False if number else None,
            reply_markup=keyboard(reply) if last else None,
        )


# -- handlers ----------------------------------------------------------------------------------


async def command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run a command registered in bot/chat and send its reply."""
    message = update.effective_message
    if message is None or not message.text:
        return
    found = _COMMAND.match(message.text)
    if found is None:
        return
    args = message.text[found.end() :].strip()
    request = await _request(update, context, args=args)
    spec = COMMANDS.get(found.group(1).lower())
    if spec is not None and spec.group_admin and request.chat_type in GROUP_TYPES:
        request = replace(request, chat_admin=await is_chat_admin(update, context))
    reply = await typing_while(
        message.chat_id, context.bot, asyncio.to_thread(dispatch, found.group(1), request)
    )
    if reply is None:
        if request.chat_type == Chat.PRIVATE:
            await unknown_command(update, context)
        return
    await send(message, reply)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell a private chat that a command does not exist and point to /help."""
    message = update.effective_message
    if message is None or not message.text:
        return
    found = _COMMAND.match(message.text)
    name = found.group(1) if found else message.text[1:].split()[0] if message.text[1:] else ""
    language = await language_of(update, context)
    await send(message, Reply.plain(t("unknown_command", language, name=name)))


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a question: any text in private, a mention of the bot or a reply to it in groups."""
    message = update.effective_message
    if message is None or not message.text:
        return
    request = await _request(update, context, args=question_of(message.text, context.bot.username))
    reply = await typing_while(
        message.chat_id, context.bot, asyncio.to_thread(questions.ask, request)
    )
    await send(message, reply)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run a button's action: edit the answer to another page, or send an article."""
    query = update.callback_query
    if query is None:
        return
    message = query.message if isinstance(query.message, Message) else None
    asked = message.reply_to_message if message else None
    recovered = question_of(asked.text, context.bot.username) if asked else ""
    request = await _request(update, context, question=recovered or None)
    language = request.language
    wanted = ACTIONS.get((query.data or "").partition(":")[0])
    if wanted is not None and wanted.group_admin and request.chat_type in GROUP_TYPES:
        request = replace(request, chat_admin=await is_chat_admin(update, context))
    if (
        wanted is not None
        and wanted.private
        and message is not None
        and message.chat.type in GROUP_TYPES
    ):
        await _reply_privately(update, context, request)
        return
    outcome = await asyncio.to_thread(run_action, query.data or "", request)
    spec, reply = outcome if outcome else (None, None)
    if spec is None or reply is None or message is None:
        await query.answer(t("ask_again", language), show_alert=True)
        return
    if spec.notice:  # shown to the presser only, not posted in the chat
        await query.answer(reply.text[:CALLBACK_ANSWER_LIMIT], show_alert=True)
        return
    if spec.edit:
        parts = reply.messages()
        try:
            await message.edit_text(parts[0] if parts else "…", reply_markup=keyboard(reply))
        except BadRequest as error:  # pressed twice: the page is already shown
            if "not modified" not in str(error).lower():
                raise
    else:
        await send(message, reply)
    await query.answer()


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer ``@Bot question`` typed in any chat with cited excerpts to send there."""
    query = update.inline_query
    if query is None:
        return
    request = await _request(update, context)
    page = await asyncio.to_thread(inline_answers, request, query.query, query.offset)
    results = [
        InlineQueryResultArticle(
            id=item.id,
            title=item.title,
            description=item.description,
            input_message_content=InputTextMessageContent(
                item.html,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            ),
            reply_markup=(
                InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton(
                                t("share", request.language), switch_inline_query=item.share
                            )
                        ]
                    ]
                )
                if item.share
                else None
            ),
        )
        for item in page.items
    ]
    nothing = not results and not query.offset and bool(query.query.strip())
    await query.answer(
        results,
        cache_time=page.cache_seconds,
        is_personal=True,  # in the user's language
        next_offset=page.next_offset,
        button=(
            InlineQueryResultsButton(t("inline_nothing", request.language), start_parameter="help")
            if nothing
            else None
        ),
    )


async def _reply_privately(
    update: Update, context: ContextTypes.DEFAULT_TYPE, request: Request
) -> None:
    """A group's button whose answer is for the presser alone (Read): send it to them in
    private, or, when the bot may not write to them yet (403), open the bot with a deep link
    that sends it once they press Start."""
    query = update.callback_query
    assert query is not None
    person = query.from_user
    chosen = await asyncio.to_thread(front(context).service.chat_languages.get, person.id)
    private = replace(
        request,
        chat_id=person.id,
        chat_type=Chat.PRIVATE,
        language=interface_language(chosen, person.language_code),
        chat_admin=False,
    )
    outcome = await asyncio.to_thread(run_action, query.data or "", private)
    reply = outcome[1] if outcome else None
    if reply is None:
        await query.answer(t("ask_again", request.language), show_alert=True)
        return
    try:
        await send_to(context.bot, person.id, reply)
    except Forbidden:  # never started a chat with the bot, or blocked it
        start = "read_" + (query.data or "").partition(":")[2].replace(":", "_")
        await query.answer(
            t("read_start_first", private.language),
            url=f"https://t.me/{context.bot.username}?start={start}",
        )
        return
    await query.answer(t("read_sent_privately", private.language))


async def send_to(bot: Bot, chat_id: int, reply: Reply) -> None:
    """Send a reply to a chat (not quoting anything), buttons under its last message."""
    parts = reply.messages()
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        await bot.send_message(chat_id, part, reply_markup=keyboard(reply) if last else None)


def database_unavailable(error: BaseException | None) -> bool:
    """Whether an error means the database cannot be reached (down, restarting, locked)."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    return isinstance(error, OperationalError) or (
        isinstance(error, DBAPIError) and bool(error.connection_invalidated)
    )


async def error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure and tell the user that something went wrong, without the details."""
    if database_unavailable(context.error):
        # A database outage: one line, not a traceback per tick. Jobs run again at their next
        # interval (claimed alerts stay in the outbox, so none is lost).
        log.warning(
            "the database is unavailable (%s); %s",
            str(getattr(context.error, "orig", None) or context.error).strip().split("\n")[0],
            "will retry at the next run" if update is None else f"update not answered: {update!r}",
        )
    else:
        log.error("handling update %r failed", update, exc_info=context.error)
    if not isinstance(update, Update):
        return
    user = update.effective_user
    try:
        language = await language_of(update, context)
    except Exception:  # the database may be what failed
        language = language_of_user(user.language_code if user else None)
    text = t("error", language)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_message is not None and update.effective_chat is not None:
            await update.effective_message.reply_text(
                text,
                reply_parameters=ReplyParameters(
                    update.effective_message.message_id, allow_sending_without_reply=True
                ),
                parse_mode=None,
            )
    except Exception:  # the user cannot be told (blocked, network): logging is all there is
        log.warning("could not tell the user about the failure", exc_info=True)


async def is_chat_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether the sender administers the group (an anonymous admin, or per getChatMember)."""
    message = update.effective_message
    chat = update.effective_chat
    user = update.effective_user
    if chat is None:
        return False
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id  # posting as the group: an anonymous admin
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as error:
        log.warning("getChatMember(%s, %s) failed: %s", chat.id, user.id, error)
        return False
    return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


_GONE = (ChatMember.LEFT, ChatMember.BANNED)


async def my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was removed from a chat or blocked: pause it; added back: resume it (and, in a
    group, say how to use it there)."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None:
        return
    engine = front(context).service.engine
    chat_id = change.chat.id
    old, new = change.old_chat_member.status, change.new_chat_member.status
    if new in _GONE:
        reason = "bot blocked" if change.chat.type == "private" else "bot removed from the group"
        await asyncio.to_thread(outbox.pause_chat, engine=engine, chat_id=chat_id, reason=reason)
    elif old in _GONE and new not in _GONE:
        await asyncio.to_thread(outbox.resume_chat, engine=engine, chat_id=chat_id)
        if change.chat.type in GROUP_TYPES:
            await greet(update, context)


async def greet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say once, in a group the bot was just added to, how to ask there and how to subscribe."""
    chat = update.effective_chat
    if chat is None:
        return
    language = await language_of(update, context)  # the chat's, else whoever added the bot
    at = f"@{context.bot.username}" if context.bot.username else ""
    text = t("greeting", language, at=at, mention=at or "@Dépêche")
    try:
        await context.bot.send_message(chat.id, html.escape(text, quote=False))
    except TelegramError as error:  # added without the right to post: nothing to say then
        log.warning("could not greet chat %s: %s", chat.id, error)


# Telegram shows "typing…" for five seconds, or until the bot's next message. Shown only
# past a second (the limit of an uninterrupted flow of thought): under a burst, typing at 0.3 s
# added a third more requests, and answers came later (300 questions: 2.97 -> 2.61 s at 10k).
TYPING_AFTER_SECONDS = 1.0
TYPING_EVERY_SECONDS = 4.5


async def typing_while(chat_id: int, bot: Bot, work: Awaitable[T]) -> T:
    """Await ``work``; if it takes longer than a few hundred milliseconds, show "typing…" in
    the chat until it is done (never waiting for the action itself: a 429 on it must not
    hold the answer)."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=TYPING_AFTER_SECONDS)
    if done:
        return task.result()
    typing = asyncio.create_task(_keep_typing(chat_id, bot))
    try:
        return await task
    finally:
        typing.cancel()


async def _keep_typing(chat_id: int, bot: Bot) -> None:
    while True:
        try:
            await bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError as error:  # a convenience: the answer matters, not the dots
            log.debug("sendChatAction failed in %s: %s", chat_id, error)
        await asyncio.sleep(TYPING_EVERY_SECONDS)
