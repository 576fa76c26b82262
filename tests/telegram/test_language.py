"""The interface speaks the chat's language (/lang), else the user's, never the question's."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.service import Depeche
from bot.settings import Settings
from tests.fake_bot_api import (
    Chatting,
    FakeBotAPI,
    buttons,
    group_chat,
    private_chat,
    start_application,
    stop_application,
    user,
)
from tests.helpers import article


async def test_a_question_in_another_language_gets_the_users_interface(bot: Chatting) -> None:
    person = user("en")
    answer = await bot.ask(private_chat(person), person, "Ukraine Russie Kremlin drones")
    assert [b["text"] for b in buttons(answer)] == ["Read 1", "Share ↗"]
    assert "June 2025" in answer["text"] and "juin" not in answer["text"]
    assert "“" in answer["text"] and "« " not in answer["text"]


async def test_lang_sets_the_chats_language_and_it_survives_a_restart(
    bot: Chatting, bot_settings: Settings, api: FakeBotAPI
) -> None:
    person = user("en")
    chat = private_chat(person)
    assert "I speak English" in (await bot.ask(chat, person, "/lang"))["text"]
    assert "Désormais, je parle français" in (await bot.ask(chat, person, "/lang fr"))["text"]
    answer = await bot.ask(chat, person, "What did the Kremlin say?")
    assert [b["text"] for b in buttons(answer)] == ["Lire 1", "Partager ↗"]
    assert "juin 2025" in answer["text"]
    assert "I speak English" not in (await bot.ask(chat, person, "/lang xx"))["text"]

    await stop_application(bot.app)  # a restart: a new service over the same database
    service = Depeche.open(bot_settings)
    application = await start_application(bot_settings, service)
    try:
        again = await Chatting(api, application, service).ask(chat, person, "/help")
        assert "Envoyez-moi une question" in again["text"]
    finally:
        await api.end_long_polls()
        await stop_application(application)
        service.engine.dispose()


async def test_in_a_group_only_administrators_set_the_language(bot: Chatting) -> None:
    group, member, admin = group_chat(), user("en"), user("en")
    bot.api.members[(group["id"], admin["id"])] = "administrator"
    refused = await bot.ask(group, member, "/lang@DepecheTestBot fr")
    assert "Only this group's administrators" in refused["text"]
    assert "Désormais" in (await bot.ask(group, admin, "/lang fr"))["text"]
    # Everyone in the group now reads French, whatever their own Telegram language.
    answer = await bot.ask(group, member, "/ask Kremlin")
    assert [b["text"] for b in buttons(answer)] == ["Lire 1", "Partager ↗"]
    # The group's choice is the group's: the member's private chat still speaks English.
    private = await bot.ask(private_chat(member), member, "Kremlin")
    assert [b["text"] for b in buttons(private)] == ["Read 1", "Share ↗"]


async def test_latest_writes_every_date_in_the_chats_language(bot: Chatting) -> None:
    first_of_december = datetime(2026, 12, 1, tzinfo=UTC)
    bot.service.ingest_drafts(
        [
            article(1, published_at=first_of_december, title="Sommet à Genève"),
            article(2, published_at=datetime(2026, 11, 30, tzinfo=UTC), language="en"),
        ]
    )
    english, french = user("en"), user("fr")
    shown = (await bot.ask(private_chat(english), english, "/latest"))["text"]
    assert "1 December 2026" in shown and "30 November 2026" in shown
    assert "décembre" not in shown and "1er" not in shown
    shown = (await bot.ask(private_chat(french), french, "/latest"))["text"]
    assert "1er décembre 2026" in shown and "30 novembre 2026" in shown
    assert "November" not in shown
