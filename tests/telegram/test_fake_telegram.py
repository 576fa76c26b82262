"""The fake Bot API server against PTB's real client: round trips, errors, entities, polling."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    ChatMemberAdministrator,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TimedOut,
)
from telegram.ext import CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from tests.fake_telegram import (
    NOT_FOUND,
    FakeTelegram,
    fake_telegram,  # noqa: F401 - the fixture, until conftest imports it
    make_callback_query,
    make_group_chat,
    make_message,
    make_my_chat_member,
    make_private_chat,
    make_user,
    parse_html,
    utf16_len,
)

pytestmark = pytest.mark.timeout(20)

ALICE = make_user(1001, "Alice", username="alice")


@pytest_asyncio.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:  # noqa: F811
    """A real PTB Bot talking to the fake."""
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:
        yield bot


async def test_get_me_and_unknown_methods(fake_telegram: FakeTelegram, bot: Bot) -> None:  # noqa: F811
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "DepecheTestBot", True)
    assert me.can_join_groups and not me.can_read_all_group_messages
    # PTB turns 404 into EndPointNotFound once initialised, InvalidToken before.
    async with httpx.AsyncClient() as client:
        url = f"{fake_telegram.base_url}{fake_telegram.token}"
        unknown = await client.post(f"{url}/noSuchMethod")
        assert (unknown.status_code, unknown.json()) == (404, NOT_FOUND)
        lower = await client.get(f"{url}/getme")  # method names are case-insensitive
        assert lower.json()["result"]["username"] == "DepecheTestBot"
        wrong = await client.post(f"{fake_telegram.base_url}999:nope/getMe")
        assert wrong.status_code == 401
    methods = [call.method for call in fake_telegram.calls]
    assert methods == ["getMe", "getMe", "noSuchMethod", "getMe"]  # the first: Bot.initialize
    with pytest.raises(InvalidToken):  # Bot.initialize calls getMe
        await Bot("999:nope", base_url=fake_telegram.base_url).initialize()


async def test_send_message_round_trip(fake_telegram: FakeTelegram, bot: Bot) -> None:  # noqa: F811
    incoming = fake_telegram.send_text("hello", from_user=ALICE)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:1")]])
    sent = await bot.send_message(
        ALICE["id"],
        "<b>Bold</b> &amp; <a href='https://example.org'>link</a> 42",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        reply_parameters=ReplyParameters(incoming["message_id"]),
    )
    assert sent.text == "Bold & link 42"
    assert sent.message_id == incoming["message_id"] + 1  # one sequence per chat
    assert sent.from_user.id == 123456 and sent.chat.id == ALICE["id"]
    assert sent.parse_entities(MessageEntity.BOLD) == {sent.entities[0]: "Bold"}
    assert sent.entities[1].url == "https://example.org"
    assert sent.reply_markup == keyboard
    assert sent.reply_to_message.text == "hello"

    (params,) = fake_telegram.sent_messages(ALICE["id"])
    assert params["text"].startswith("<b>Bold</b>") and params["parse_mode"] == "HTML"
    assert params["reply_markup"] == {
        "inline_keyboard": [[{"text": "More", "callback_data": "more:1"}]]
    }
    assert params["link_preview_options"] == {"is_disabled": True}
    assert params["reply_parameters"] == {"message_id": incoming["message_id"]}
    assert params["chat_id"] == ALICE["id"]

    # Telegram's own refusals
    with pytest.raises(BadRequest, match=r"(?i)Unsupported start tag"):
        await bot.send_message(ALICE["id"], "1 < 2", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALICE["id"], "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(ALICE["id"], "hi", reply_parameters=ReplyParameters(99))
    assert await bot.send_message(ALICE["id"], "42")  # a numeric text stays a string
    assert fake_telegram.sent_messages()[-1]["text"] == "42"


async def test_edit_and_callback_round_trip(fake_telegram: FakeTelegram, bot: Bot) -> None:  # noqa: F811
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Next", callback_data="page:2")]])
    sent = await bot.send_message(ALICE["id"], "page 1", reply_markup=keyboard)
    query = fake_telegram.press_button("page:2", sent.to_dict(), ALICE)
    (update,) = await bot.get_updates(timeout=0)
    assert update.callback_query.data == "page:2"
    assert update.callback_query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query["id"], text="Loading…")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query["id"])

    edited = await bot.edit_message_text("page 2", ALICE["id"], sent.message_id)
    assert isinstance(edited, Message) and edited.text == "page 2"
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("page 2", ALICE["id"], sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", ALICE["id"], 9999)
    again = await bot.edit_message_reply_markup(ALICE["id"], sent.message_id, reply_markup=keyboard)
    assert again.reply_markup == keyboard
    assert fake_telegram.bot_messages(ALICE["id"])[0]["text"] == "page 2"
    assert fake_telegram.answered_callbacks[query["id"]]["text"] == "Loading…"


async def test_commands_with_scopes(fake_telegram: FakeTelegram, bot: Bot) -> None:  # noqa: F811
    private = [BotCommand("start", "Start"), BotCommand("help", "Help")]
    groups = [BotCommand("ask", "Ask a question")]
    assert await bot.set_my_commands(private)
    assert await bot.set_my_commands(groups, scope=BotCommandScopeAllGroupChats())
    assert await bot.set_my_commands(groups, scope=BotCommandScopeChat(-100), language_code="fr")
    assert await bot.get_my_commands() == tuple(private)
    assert await bot.get_my_commands(scope=BotCommandScopeAllGroupChats()) == tuple(groups)
    assert await bot.get_my_commands(scope=BotCommandScopeChat("-100"), language_code="fr") == (
        tuple(groups)
    )
    assert await bot.get_my_commands(language_code="fr") == ()
    assert fake_telegram.get_commands({"type": "all_group_chats"}) == [
        {"command": "ask", "description": "Ask a question"}
    ]
    assert await bot.delete_my_commands(scope=BotCommandScopeAllGroupChats())
    assert await bot.get_my_commands(scope=BotCommandScopeAllGroupChats()) == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_chat_member_chat_and_actions(fake_telegram: FakeTelegram, bot: Bot) -> None:  # noqa: F811
    group = fake_telegram.add_chat(make_group_chat())
    fake_telegram.set_chat_member(group["id"], 1001, "creator")
    fake_telegram.set_chat_member(group["id"], 1002, "administrator")
    assert isinstance(await bot.get_chat_member(group["id"], 1001), ChatMemberOwner)
    assert isinstance(await bot.get_chat_member(group["id"], 1002), ChatMemberAdministrator)
    plain = await bot.get_chat_member(group["id"], 1003)
    assert isinstance(plain, ChatMemberMember) and plain.user.id == 1003
    chat = await bot.get_chat(group["id"])
    assert (chat.title, chat.type) == ("Dépêche readers", "supergroup")
    assert await bot.send_chat_action(group["id"], "typing")
    assert await bot.leave_chat(group["id"])
    with pytest.raises(Forbidden, match=r"(?i)not a member"):
        await bot.send_message(group["id"], "still here?")
    strict = FakeTelegram(strict_chats=True)
    async with strict, strict.bot() as other:
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await other.send_message(42, "hi")


async def test_get_updates_long_polling_and_offsets(fake_telegram: FakeTelegram, bot: Bot) -> None:  # noqa: F811
    assert await bot.get_updates(timeout=0) == ()
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=0.3) == ()  # waits for the timeout
    assert loop.time() - started >= 0.25

    async def later() -> None:
        await asyncio.sleep(0.1)
        fake_telegram.send_text("/start", from_user=ALICE)

    task = asyncio.create_task(later())
    (first,) = await bot.get_updates(timeout=5)  # woken by the push, not the timeout
    await task
    assert loop.time() - started < 2
    assert first.message.text == "/start" and first.update_id == 1
    fake_telegram.send_text("two", from_user=ALICE)
    fake_telegram.send_text("three", from_user=ALICE)
    assert [u.update_id for u in await bot.get_updates(timeout=0, limit=2)] == [1, 2]
    assert [u.update_id for u in await bot.get_updates(offset=2, timeout=0)] == [2, 3]
    assert [u.update_id for u in await bot.get_updates(offset=-1, timeout=0)] == [3]
    assert await bot.get_updates(offset=4, timeout=0) == ()
    assert fake_telegram.pending_updates == []

    fake_telegram.change_my_status(make_group_chat(), "left", "member")
    assert await bot.get_updates(timeout=0, allowed_updates=["message"]) == ()

    assert await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.log_out() and await bot.close()


async def test_faults_map_to_ptb_exceptions(
    fake_telegram: FakeTelegram,  # noqa: F811
    bot: Bot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # RetryAfter.retry_after as a timedelta, no warning
    fake_telegram.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(1001, "a")
    assert flood.value.retry_after == dtm.timedelta(seconds=3)

    fake_telegram.fail_blocked("sendMessage", chat_id=1001)
    await bot.send_message(1002, "another chat is unaffected")
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(1001, "b")

    fake_telegram.fail_chat_not_found("sendMessage")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(1001, "c")

    fake_telegram.fail_migrated(-1001234567890, "sendmessage")
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-4012345678, "d")
    assert migrated.value.new_chat_id == -1001234567890

    fake_telegram.fail_next("getMe", error_code=403, times=2)
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.get_me()
    assert await bot.get_me()

    fake_telegram.delay_next("sendMessage", 1.0)
    with pytest.raises(TimedOut):
        await bot.send_message(1001, "slow", read_timeout=0.2)
    assert [p["text"] for p in fake_telegram.sent_messages(1001)] == ["a", "b", "c", "slow"]

    user = make_user(2002, "Bob")
    fake_telegram.block_bot(user)
    await bot.get_updates(timeout=0)
    with pytest.raises(Forbidden, match=r"(?i)blocked"):
        await bot.send_message(2002, "hello?")


async def test_delay_is_cut_short_by_stop() -> None:
    tg = FakeTelegram()
    async with tg:
        request = HTTPXRequest(read_timeout=0.2)
        tg.delay_next("getMe", 30)
        bot = Bot(tg.token, base_url=tg.base_url, request=request)
        with pytest.raises(TimedOut):
            await bot.initialize()  # which calls getMe
        await bot.shutdown()
    # reaching this line quickly is the point: stop() does not wait out the 30 s delay


async def test_wait_for_and_wait_for_messages(fake_telegram: FakeTelegram, bot: Bot) -> None:  # noqa: F811
    async def chatty() -> None:
        for n in range(3):
            await asyncio.sleep(0.02)
            await bot.send_message(1001, f"n{n}")

    task = asyncio.create_task(chatty())
    texts = [p["text"] for p in await fake_telegram.wait_for_messages(1001, 3, timeout=3)]
    await task
    assert texts == ["n0", "n1", "n2"]
    assert len(await fake_telegram.wait_for("SENDMESSAGE", 2)) == 3
    with pytest.raises(TimeoutError, match="1 editMessageText"):
        await fake_telegram.wait_for("editMessageText", timeout=0.05)


async def test_json_multipart_and_query_string_bodies(fake_telegram: FakeTelegram) -> None:  # noqa: F811
    url = f"{fake_telegram.base_url}{fake_telegram.token}"
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    async with httpx.AsyncClient() as client:
        as_json = await client.post(
            f"{url}/sendMessage", json={"chat_id": 7, "text": "j", "reply_markup": markup}
        )
        assert as_json.json()["result"]["reply_markup"] == markup
        multipart = await client.post(
            f"{url}/SENDMESSAGE",
            data={"chat_id": "7", "text": "true", "reply_markup": json.dumps(markup)},
            files={"thumbnail": ("t.jpg", b"\xff\xd8", "image/jpeg")},
        )
        assert multipart.json()["ok"]
        query = await client.get(f"{url}/getChat", params={"chat_id": "7"})
        assert query.json()["result"]["id"] == 7
    first, second, third = fake_telegram.calls
    assert first.params == {"chat_id": 7, "text": "j", "reply_markup": markup}
    assert second.method == "sendMessage"
    assert second.params["text"] == "true" and second.params["reply_markup"] == markup
    assert second.params["thumbnail"].data == b"\xff\xd8"
    assert third.params == {"chat_id": 7}


def test_make_message_entities_parse_back_in_ptb() -> None:
    chat = make_private_chat(ALICE)
    message = Message.de_json(
        make_message("/search@DepecheTestBot zeppelins", chat=chat, from_user=ALICE), None
    )
    assert list(message.parse_entities().values()) == ["/search@DepecheTestBot"]
    assert message.entities[0].type == MessageEntity.BOT_COMMAND

    text = "🇫🇷👍🏽 ask @DepecheTestBot about /latest, not me@example.org"
    data = make_message(text, chat=make_group_chat(), from_user=ALICE)
    assert data["entities"][0]["offset"] == utf16_len("🇫🇷👍🏽 ask ")  # 10, not 7
    parsed = Message.de_json(data, None).parse_entities()
    assert sorted((e.type, t) for e, t in parsed.items()) == [
        ("bot_command", "/latest"),
        ("mention", "@DepecheTestBot"),
    ]
    assert "entities" not in make_message("plain words", chat=chat)
    assert make_message("/x", chat=chat, entities=[])["text"] == "/x"


def test_other_factories_are_valid_ptb_objects() -> None:
    group = make_group_chat()
    sent = make_message("pick one", chat=group, from_user=make_user(123456, is_bot=True))
    query = make_callback_query("more:2", from_user=ALICE, message=sent)
    update = Update.de_json({"update_id": 1, "callback_query": query}, None)
    assert update.callback_query.data == "more:2" and update.effective_chat.id == group["id"]
    change = make_my_chat_member(group, ALICE, "left", "administrator")
    update = Update.de_json({"update_id": 2, "my_chat_member": change}, None)
    assert update.my_chat_member.new_chat_member.status == "administrator"


def test_html_parser_matches_telegrams_rules() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">x &lt; 1</code></pre>'
        "<blockquote expandable>q</blockquote><span class=tg-spoiler>s</span>"
    )
    assert text == "x < 1qs"
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("pre", 0, 5),
        ("expandable_blockquote", 5, 1),
        ("spoiler", 6, 1),
    ]
    assert entities[0]["language"] == "python"
    for bad, reason in [
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("é</b>", "Unexpected end tag at byte offset 2"),
        ("<p>x</p>", 'Unsupported start tag "p"'),
    ]:
        with pytest.raises(Exception, match=reason):
            parse_html(bad)


async def test_application_polls_and_replies(fake_telegram: FakeTelegram) -> None:  # noqa: F811
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        name = update.effective_user.first_name
        await update.effective_message.reply_text(f"Bonjour {name}", do_quote=True)

    application = fake_telegram.application_builder().build()
    application.add_handler(CommandHandler("start", start))
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        incoming = fake_telegram.send_text("/start", from_user=ALICE)
        (reply,) = await fake_telegram.wait_for_messages(ALICE["id"], 1, timeout=5)
        assert reply["text"] == "Bonjour Alice"
        assert reply["reply_parameters"]["message_id"] == incoming["message_id"]
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
    # the updater's last getUpdates confirmed the update
    assert fake_telegram.pending_updates == []
    assert fake_telegram.calls_to("getUpdates")[-1].params["offset"] == 2
