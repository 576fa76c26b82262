"""Subscriptions in a chat: /subscribe, /unsubscribe, /subscriptions and /feeds.

The command logic is called as the Telegram handlers and the terminal chat call it
(``bot.chat.dispatch``); whether a group member is an administrator arrives in
``Request.chat_admin`` (the handler asks Telegram's getChatMember first).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot import chat as commands
from bot.chat import Request
from bot.service import Depeche
from bot.settings import Settings
from storage import alerts as outbox
from storage import feeds as feed_store
from tests.feed_server import FeedServer, run_feed_server

USER = 501
ADMIN_USER = 777
GROUP = -3003


@pytest.fixture
def private(depeche: Depeche, settings: Settings) -> Request:
    return Request(
        service=depeche,
        settings=settings.model_copy(update={"admin_ids": [ADMIN_USER]}),
        chat_id=USER,
        user_id=USER,
        chat_type="private",
    )


def say(request: Request, line: str, **changes: object) -> str:
    name, _, args = line.lstrip("/").partition(" ")
    reply = commands.dispatch(name, replace(request, args=args, **changes))  # type: ignore[arg-type]
    assert reply is not None, line
    return reply.text


def test_subscribe_list_and_unsubscribe_in_a_private_chat(private: Request) -> None:
    answer = say(private, '/subscribe Kremlin "cessez-le-feu" -football')
    assert 'Subscribed (#1): Kremlin "cessez-le-feu" -football' in answer
    assert "/unsubscribe 1" in answer
    assert "already follows" in say(private, '/subscribe kremlin "Cessez-le-feu" -FOOTBALL')
    say(private, "/subscribe Ukraine OR Russie drones")

    listed = say(private, "/subscriptions")
    assert '#1 Kremlin "cessez-le-feu" -football' in listed
    assert "#2 Ukraine OR Russie drones" in listed

    assert "Unsubscribed from Ukraine OR Russie drones (#2)" in say(private, "/unsubscribe 2")
    assert "Unsubscribed" in say(private, '/unsubscribe Kremlin "cessez-le-feu" -football')
    assert "no subscription 7" in say(private, "/unsubscribe 7")
    assert "no subscription" in say(private, "/subscriptions")


def test_a_subscription_belongs_to_its_chat(private: Request) -> None:
    say(private, "/subscribe Kremlin")
    other = replace(private, chat_id=USER + 1, user_id=USER + 1)
    assert "no subscription 1" in say(other, "/unsubscribe 1")
    assert "#1 Kremlin" not in say(other, "/subscriptions")


@pytest.mark.parametrize(
    ("topic", "explanation"),
    [
        ('"cessez le feu', "A quotation mark is not closed"),
        ("Kremlin OR", "OR needs a word on each side"),
        ("-football", "not only what to exclude"),
        ("the of", "very common words"),
    ],
)
def test_an_unparseable_topic_is_explained_with_an_example(
    private: Request, topic: str, explanation: str
) -> None:
    answer = say(private, f"/subscribe {topic}")
    assert explanation in answer
    assert 'For example: /subscribe Kremlin "cessez-le-feu"' in answer
    assert outbox.list_subscriptions(engine=private.service.engine, chat_id=USER) == []


def test_subscribe_without_a_topic_shows_how(private: Request) -> None:
    answer = say(private, "/subscribe")
    assert "/subscribe Kremlin" in answer and '"quotes" for a phrase' in answer


def test_in_a_group_only_administrators_change_subscriptions(private: Request) -> None:
    member = replace(private, chat_id=GROUP, chat_type="supergroup", chat_admin=False)
    admin = replace(member, user_id=ADMIN_USER + 1, chat_admin=True)

    assert "Only this group's administrators" in say(member, "/subscribe Kremlin")
    assert "Subscribed (#1): Kremlin" in say(admin, "/subscribe Kremlin")
    assert "#1 Kremlin" in say(member, "/subscriptions")  # anyone may list them
    assert "Only this group's administrators" in say(member, "/unsubscribe 1")
    assert "Unsubscribed" in say(admin, "/unsubscribe 1")


def test_french_speakers_are_answered_in_french(private: Request) -> None:
    french = replace(private, language="fr")
    assert "Abonnement #1 : Kremlin" in say(french, "/subscribe Kremlin")
    assert "Par exemple : /subscribe" in say(french, '/subscribe "paix')


def test_start_resumes_a_paused_chat(private: Request) -> None:
    engine = private.service.engine
    say(private, "/subscribe Kremlin")
    outbox.pause_chat(engine=engine, chat_id=USER, reason="bot blocked")
    assert "paused (bot blocked)" in say(private, "/subscriptions")
    assert "Alerts to this chat are on again." in say(private, "/start")
    assert not outbox.chat_is_paused(engine=engine, chat_id=USER)
    assert "on again" not in say(private, "/start")


def test_the_terminal_chat_explains_that_alerts_go_to_telegram(private: Request) -> None:
    console = replace(private, chat_type="console", chat_id=None)
    assert "Alerts are sent on Telegram" in say(console, "/subscribe Kremlin")


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    yield from run_feed_server()


def test_feeds_are_for_the_bot_administrators(private: Request, feed_server: FeedServer) -> None:
    url = feed_server.serve_file("feed.rss", "depeches.rss")
    refused = say(private, f"/feeds add {url}")
    assert "Only the bot's administrators can use /feeds" in refused
    assert feed_store.list_feeds(engine=private.service.engine) == []

    admin = replace(private, user_id=ADMIN_USER)
    admin = replace(admin, settings=admin.settings.model_copy(update={"feeds_allow_private": True}))
    assert "No feed yet" in say(admin, "/feeds")
    added = say(admin, f"/feeds add {url} Léman")
    assert "Added feed #1: Dépêches du Léman (test) — 5 entries, 3 new stored." in added
    assert "already there" in say(admin, f"/feeds add {url}")
    assert "not a feed address" in say(admin, "/feeds add ftp://x")
    gone = say(admin, f"/feeds add {feed_server.url('missing.rss')}")
    assert "Cannot add" in gone and "HTTP 404" in gone
    assert f"[1] {url} (Léman) polled" in say(admin, "/feeds list")
    assert "Polling 1 feed(s) now" in say(admin, "/feeds poll")
    assert "Removed feed #1" in say(admin, "/feeds remove 1")
    assert "No feed 1" in say(admin, "/feeds remove 1")
    assert "/feeds add URL" in say(admin, "/feeds frobnicate")


def test_a_feed_at_an_internal_address_is_refused_from_the_chat(private: Request) -> None:
    admin = replace(private, user_id=ADMIN_USER)
    answer = say(admin, "/feeds add http://127.0.0.1:5432/")
    assert "Cannot add http://127.0.0.1:5432/: 127.0.0.1 is a loopback address" in answer
    assert feed_store.list_feeds(engine=private.service.engine) == []


def test_feeds_are_not_in_the_menus_but_subscriptions_are() -> None:
    private_menu = {c.name for c in commands.menu(group=False)}
    group_menu = {c.name for c in commands.menu(group=True)}
    assert {"subscribe", "unsubscribe", "subscriptions"} <= private_menu & group_menu
    assert "feeds" not in private_menu | group_menu
