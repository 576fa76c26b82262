"""Subscriptions and alerts end to end: the application of ``depeche run`` against a Bot API
server on 127.0.0.1 (tests/fake_bot_api.py: getChatMember statuses, injected errors, timestamps).

Articles are stored as ``depeche ingest`` or a feed poll would store them; the alert job of the
running application delivers them. Waits are on the server's recorded calls or on the
database, never blind sleeps.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiolimiter import AsyncLimiter
from sqlmodel import Session, select
from telegram.ext import Application

from bot.service import Depeche
from bot.settings import Settings
from bot.telegram.app import sender_of
from bot.telegram.limits import AnswersFirst
from storage import alert_queue
from storage import alerts as outbox
from storage.models import Alert
from storage.readers import ArticleDraft, blocks_from_body
from tests.fake_bot_api import (
    BOT,
    Chatting,
    FakeBotAPI,
    buttons,
    group_chat,
    private_chat,
    settings_for,
    start_application,
    user,
)
from tests.fake_bot_api import stop_application as stop
from tests.feed_server import FeedServer, run_feed_server
from tests.helpers import Clock

ADMIN_ID = 9001


def my_chat_member(chat: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    actor = {"id": chat["id"] if chat["type"] == "private" else ADMIN_ID, "is_bot": False}
    actor["first_name"] = "Someone"
    return {
        "my_chat_member": {
            "chat": chat,
            "from": actor,
            "date": int(time.time()),
            "old_chat_member": {"status": old, "user": BOT},
            "new_chat_member": {
                "status": new,
                "user": BOT,
                **({"until_date": 0} if new == "kicked" else {}),
            },
        }
    }


def draft(n: int, topic_word: str = "Zeppelin") -> ArticleDraft:
    return ArticleDraft(
        blocks=blocks_from_body(
            f"<p>Un {topic_word} a survolé Genève mardi ({n}), a indiqué la police.</p>"
            f"<p>Il s'est posé sans encombre près du lac, selon les témoins ({n}).</p>"
        ),
        source="TEST",
        title=f"Un {topic_word} au-dessus de Genève ({n})",
        url=f"https://news.test.invalid/zeppelin/{n}",
        language="fr",
    )


async def eventually(check: Callable[[], bool], timeout: float = 10) -> None:
    """Wait until ``check()`` holds (it reads the database, which the bot updates)."""
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(check):
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


@pytest.fixture
def bot_settings(settings: Settings, api: FakeBotAPI) -> Settings:
    return settings_for(
        settings,
        api,
        admin_ids=[ADMIN_ID],
        alert_interval_seconds=0.2,
        # a burst settles after 0.3 s and a chat just alerted waits 2 s (minutes in production)
        alert_settle_seconds=0.3,
        digest_window_seconds=2,
        timezone="UTC",
        feed_poll_minutes=0.01,
        index_sync_seconds=0.5,
        feeds_allow_private=True,  # the feed server is on 127.0.0.1
    )


Start = Callable[[], Awaitable[Chatting]]


@pytest.fixture
async def start_bot(
    depeche: Depeche, bot_settings: Settings, api: FakeBotAPI
) -> AsyncIterator[Start]:
    """Start applications of ``depeche run`` (several: a restart is a new one)."""
    running: list[Application] = []  # type: ignore[type-arg]

    async def start() -> Chatting:
        application = await start_application(bot_settings, depeche)
        running.append(application)
        return Chatting(api, application, depeche)

    yield start
    await api.end_long_polls()
    for application in running:
        await stop(application)


async def store(service: Depeche, *drafts: ArticleDraft) -> int:
    report = await asyncio.to_thread(service.ingest_drafts, list(drafts))
    return report.alerts_queued


async def test_subscribe_in_private_then_one_alert_per_article(start_bot: Start) -> None:
    bot = await start_bot()
    person = user()
    chat = private_chat(person)
    answer = await bot.ask(chat, person, "/subscribe zeppelin Genève")
    assert "Subscribed (#1): zeppelin Genève" in answer["text"]

    assert await store(bot.service, draft(1)) == 1  # stored by `depeche ingest` or a feed
    [_, alert] = await bot.answers(chat, 2)
    assert alert["parse_mode"] == "HTML"
    assert "Un Zeppelin au-dessus de Genève (1)" in alert["text"]
    assert "https://news.test.invalid/zeppelin/1" in alert["text"]
    assert "<b>Zeppelin</b>" in alert["text"]

    assert await store(bot.service, draft(1)) == 0  # the same article again: no new alert
    assert (await sender_of(bot.app).send_due(bot.app.bot)).claimed == 0
    assert len(bot.api.sent_to(chat["id"])) == 2

    listed = await bot.ask(chat, person, "/subscriptions")
    assert "#1 zeppelin Genève" in listed["text"]
    assert "Unsubscribed" in (await bot.ask(chat, person, "/unsubscribe 1"))["text"]
    assert await store(bot.service, draft(2)) == 0


async def test_in_a_group_only_administrators_subscribe(start_bot: Start) -> None:
    bot = await start_bot()
    group = group_chat()
    member, admin = user(), user()
    bot.api.members[(group["id"], admin["id"])] = "administrator"

    refused = await bot.ask(group, member, "/subscribe Zeppelin")
    assert "Only this group's administrators" in refused["text"]
    asked = bot.api.calls_to("getChatMember")
    assert [int(a["user_id"]) for a in asked] == [member["id"]]

    accepted = await bot.ask(group, admin, f"/subscribe@{BOT['username']} Zeppelin")
    assert "Subscribed (#1): Zeppelin" in accepted["text"]
    listed = await bot.ask(group, member, "/subscriptions")  # anyone may list
    assert "#1 Zeppelin" in listed["text"]
    assert len(bot.api.calls_to("getChatMember")) == 2  # listing asks nothing

    await store(bot.service, draft(1))
    alerts = await bot.answers(group, 4)
    assert "Un Zeppelin au-dessus de Genève (1)" in alerts[3]["text"]


async def test_a_burst_arrives_as_one_digest(start_bot: Start) -> None:
    bot = await start_bot()
    person = user()
    chat = private_chat(person)
    await bot.ask(chat, person, "/subscribe Zeppelin")
    # The burst lands between two runs of the sender (six commits are not atomic otherwise).
    [sender_job] = bot.app.job_queue.get_jobs_by_name("send-alerts")
    sender_job.enabled = False
    assert await store(bot.service, *(draft(n) for n in range(1, 7))) == 6
    sender_job.enabled = True
    [_, digest] = await bot.answers(chat, 2)
    assert digest["text"].startswith("🔔 6 nouveaux articles · Zeppelin")
    await eventually(lambda: outbox.alert_counts(engine=bot.service.engine) == {"sent": 6})
    assert len(bot.api.sent_to(chat["id"])) == 2


async def test_a_flood_limit_is_waited_out(start_bot: Start) -> None:
    bot = await start_bot()
    person = user()
    chat = private_chat(person)
    await bot.ask(chat, person, "/subscribe Zeppelin")
    bot.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await store(bot.service, draft(1))
    calls = await bot.answers(chat, 3)  # the answer, the refused alert, the alert
    assert calls[1].get("_failed") and not calls[2].get("_failed")
    assert calls[2]["text"] == calls[1]["text"]
    sends = [when for method, when in bot.api.stamps if method == "sendMessage"]
    assert sends[-1] - sends[-2] >= 1.0  # retry_after was waited out
    await eventually(lambda: outbox.alert_counts(engine=bot.service.engine) == {"sent": 1})
    assert len(bot.api.delivered(chat["id"])) == 2


async def test_alerts_are_held_to_the_overall_rate_answers_are_not(start_bot: Start) -> None:
    bot = await start_bot()
    limiter = bot.app.bot.rate_limiter
    assert isinstance(limiter, AnswersFirst)
    taken: list[str] = []

    class Counting(AsyncLimiter):
        async def acquire(self, amount: float = 1) -> None:
            taken.append("sent")
            await super().acquire(amount)

    limiter.overall = Counting(30, 1)
    person = user()
    chat = private_chat(person)
    await bot.ask(chat, person, "/subscribe Zeppelin")
    assert taken == []  # an answer
    await store(bot.service, draft(1))
    await bot.answers(chat, 2)
    assert taken == ["sent"]  # an alert, sent by the job


async def test_a_blocked_bot_pauses_the_chat(start_bot: Start) -> None:
    bot = await start_bot()
    person = user()
    chat = private_chat(person)
    await bot.ask(chat, person, "/subscribe Zeppelin")
    bot.api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await store(bot.service, draft(1))
    engine = bot.service.engine
    await eventually(lambda: outbox.chat_is_paused(engine=engine, chat_id=chat["id"]))
    assert outbox.alert_counts(engine=engine) == {"undeliverable": 1}
    assert await store(bot.service, draft(2)) == 0  # paused: nothing more is queued

    answer = await bot.ask(chat, person, "/start")  # unblocked, and says hello again
    assert answer["text"].startswith("Alerts to this chat are on again.")
    assert await store(bot.service, draft(3)) == 1
    alerts = await bot.answers(chat, 4)
    assert "(3)" in alerts[3]["text"]


async def test_removed_from_a_group_pauses_and_start_resumes(start_bot: Start) -> None:
    bot = await start_bot()
    group = group_chat()
    admin = user()
    bot.api.members[(group["id"], admin["id"])] = "administrator"
    await bot.ask(group, admin, "/subscribe Zeppelin")
    engine = bot.service.engine

    await bot.api.push(my_chat_member(group, "member", "left"))
    await bot.settle()
    await eventually(lambda: outbox.chat_is_paused(engine=engine, chat_id=group["id"]))
    assert await store(bot.service, draft(1)) == 0
    paused = outbox.chat_state(engine=engine, chat_id=group["id"])
    assert paused is not None and paused.paused_reason == "bot removed from the group"

    await bot.api.push(my_chat_member(group, "left", "member"))  # added back
    await bot.settle()
    await eventually(lambda: not outbox.chat_is_paused(engine=engine, chat_id=group["id"]))

    person = user()
    chat = private_chat(person)
    await bot.ask(chat, person, "/subscribe Zeppelin")
    await bot.api.push(my_chat_member(chat, "member", "kicked"))  # blocked in private
    await bot.settle()
    await eventually(lambda: outbox.chat_is_paused(engine=engine, chat_id=chat["id"]))
    assert "on again" in (await bot.ask(chat, person, "/start"))["text"]


async def test_a_group_upgraded_to_a_supergroup_keeps_its_alerts(start_bot: Start) -> None:
    bot = await start_bot()
    group = {"id": -4242, "type": "group", "title": "Old group"}
    admin = user()
    bot.api.members[(group["id"], admin["id"])] = "creator"
    await bot.ask(group, admin, "/subscribe Zeppelin")
    supergroup = -1004242
    bot.api.fail_next(
        "sendMessage",
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=supergroup,
    )
    await store(bot.service, draft(1))
    [alert] = await bot.api.wait_for("sendMessage", 1, chat_id=supergroup)
    assert "Un Zeppelin au-dessus de Genève (1)" in alert["text"]
    engine = bot.service.engine
    await eventually(
        lambda: (
            [s.topic for s in outbox.list_subscriptions(engine=engine, chat_id=supergroup)]
            == ["Zeppelin"]
        )
    )
    await store(bot.service, draft(2))
    assert len(await bot.api.wait_for("sendMessage", 2, chat_id=supergroup)) == 2


async def test_alerts_queued_while_the_bot_was_down_go_out_after_a_restart(
    start_bot: Start,
) -> None:
    first = await start_bot()
    person = user()
    chat = private_chat(person)
    await first.ask(chat, person, "/subscribe Zeppelin")
    await stop(first.app)

    assert await store(first.service, draft(1), draft(2)) == 2  # `depeche ingest`, bot down
    before = len(first.api.sent_to(chat["id"]))

    second = await start_bot()  # a new application, as after a restart

    def alerts() -> list[str]:
        return [m["text"] for m in second.api.delivered(chat["id"]) if m["text"].startswith("🔔")]

    await eventually(lambda: len(alerts()) >= 2)
    assert len(alerts()) == 2
    assert sorted(a.split("\n")[1] for a in alerts()) == [
        f'<b><a href="https://news.test.invalid/zeppelin/{n}">Un Zeppelin au-dessus de Genève '
        f"({n})</a></b>"
        for n in (1, 2)
    ]
    assert len(first.api.sent_to(chat["id"])) >= before + 2


async def test_a_feed_added_by_an_admin_is_polled_and_alerted(
    start_bot: Start, feed_server: FeedServer
) -> None:
    bot = await start_bot()
    person = user()
    chat = private_chat(person)
    await bot.ask(chat, person, "/subscribe Kremlin Istanbul")
    url = feed_server.serve_file("depeches.rss", "depeches.rss")
    refused = await bot.ask(chat, person, f"/feeds add {url}")
    assert "Only the bot's administrators can use /feeds" in refused["text"]

    boss = user(id=ADMIN_ID)
    boss_chat = private_chat(boss)
    added = await bot.ask(boss_chat, boss, f"/feeds add {url}")
    assert "Added feed #1" in added["text"]
    alerts = await bot.answers(chat, 3)  # the poll job fetches it; the sender alerts
    assert "Le Kremlin salue les pourparlers d'Istanbul" in alerts[2]["text"]
    assert feed_server.requests_for("depeches.rss")


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    yield from run_feed_server()


# -- races -------------------------------------------------------------------------------------


async def test_thirty_concurrent_subscribes_of_a_new_chat_keep_the_limit(start_bot: Start) -> None:
    bot = await start_bot()
    person = user()
    chat = private_chat(person)
    topics = [f"Zeppelin {word}" for word in CITIES[:30]]
    sent = [await bot.say(chat, person, f"/subscribe {topic}") for topic in topics]  # at once
    replies = await bot.answers(chat, 30)
    by_question = {r["reply_parameters"]["message_id"]: r["text"] for r in replies}
    texts = [by_question[m["message_id"]] for m in sent]
    subscribed = [t for t in texts if t.startswith("Subscribed (#")]
    refused = [t for t in texts if "already follows 20 topics" in t]
    assert (len(subscribed), len(refused)) == (20, 10), texts  # no "something went wrong"
    found = outbox.list_subscriptions(engine=bot.service.engine, chat_id=chat["id"])
    assert len(found) == 20
    assert sorted(s.topic for s in found) == sorted(
        t.split(": ", 1)[1].split("\n")[0] for t in subscribed
    )


CITIES = (
    "Lyon Nantes Lille Brest Nice Metz Dijon Tours Reims Caen Pau Albi Sète Agen Arles Autun "
    "Blois Brive Dole Evian Gap Laval Lens Melun Niort Rodez Sedan Vichy Vire Redon"
).split()


# -- alert controls ----------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The outbox's and the alert sender's clock, moved by the test (and kept across a
    restart: the new application's sender gets it too)."""
    clock = Clock()
    monkeypatch.setattr(outbox, "utcnow", clock)
    monkeypatch.setattr(alert_queue, "utcnow", clock)
    return clock


@pytest.fixture
async def start_clocked(
    depeche: Depeche, bot_settings: Settings, api: FakeBotAPI, clock: Clock
) -> AsyncIterator[Start]:
    running: list[Application] = []  # type: ignore[type-arg]

    def on_the_clock(application: Application) -> None:  # type: ignore[type-arg]
        sender_of(application).clock = clock

    async def start() -> Chatting:
        application = await start_application(bot_settings, depeche, before_start=on_the_clock)
        running.append(application)
        return Chatting(api, application, depeche)

    yield start
    await api.end_long_polls()
    for application in running:
        await stop(application)


def held(engine: Any) -> int:
    return sum(1 for a in all_alerts(engine) if a.status == "pending" and a.error == outbox.HELD)


def all_alerts(engine: Any) -> list[Alert]:
    with Session(engine) as session:
        return list(session.exec(select(Alert)).all())


async def test_quiet_hours_hold_alerts_and_send_one_digest_after_a_restart(
    start_clocked: Start, clock: Clock
) -> None:
    clock.now = datetime(2025, 6, 3, 21, 0, tzinfo=UTC)
    first = await start_clocked()
    person = user()
    chat = private_chat(person)
    await first.ask(chat, person, "/subscribe Zeppelin")
    answer = await first.ask(chat, person, "/quiet 22:00-07:00")
    assert "Quiet hours 22:00-07:00 (UTC)" in answer["text"]
    clock.now = datetime(2025, 6, 3, 23, 30, tzinfo=UTC)
    await store(first.service, draft(1), draft(2))
    engine = first.service.engine
    await eventually(lambda: held(engine) == 2)
    await stop(first.app)
    assert [m for m in first.api.delivered(chat["id"]) if "🔔" in m["text"]] == []

    clock.now = datetime(2025, 6, 4, 6, 59, tzinfo=UTC)
    second = await start_clocked()  # restarted: the settings and held alerts are kept
    listed = await second.ask(chat, person, "/subscriptions")
    assert "Quiet hours 22:00-07:00" in listed["text"], listed["text"]
    await asyncio.sleep(0.5)
    assert held(engine) == 2  # still quiet
    clock.now = datetime(2025, 6, 4, 7, 0, 5, tzinfo=UTC)
    await eventually(lambda: outbox.alert_counts(engine=engine) == {"sent": 2})
    [digest] = [m for m in second.api.delivered(chat["id"]) if m["text"].startswith("🔔")]
    assert digest["text"].startswith("🔔 2 nouveaux articles")
    labels = [b["text"] for b in buttons(digest)]
    # in the articles' language while the chat has none of its own
    assert {"Lire 1", "Lire 2", "Sourdine 8 h", "Se désabonner de Zeppelin"} <= set(labels)
    await eventually(lambda: outbox.alert_counts(engine=engine) == {"sent": 2})


async def test_a_daily_digest_waits_for_its_time_across_a_restart(
    start_clocked: Start, clock: Clock
) -> None:
    clock.now = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)
    first = await start_clocked()
    group = group_chat()
    admin, member = user(), user()
    first.api.members[(group["id"], admin["id"])] = "administrator"
    refused = await first.ask(group, member, "/digest daily 08:00 Europe/Paris")
    assert "Only this group's administrators" in refused["text"]
    await first.ask(group, admin, "/subscribe Zeppelin")
    answer = await first.ask(group, admin, "/digest daily 08:00 Europe/Paris")
    assert "One digest a day at 08:00 (Europe/Paris)" in answer["text"]
    await store(first.service, draft(1), draft(2), draft(3))
    engine = first.service.engine
    await eventually(lambda: held(engine) == 3)
    await stop(first.app)

    clock.now = datetime(2025, 6, 4, 5, 59, tzinfo=UTC)  # 07:59 in Paris
    second = await start_clocked()
    await asyncio.sleep(0.5)
    assert held(engine) == 3
    clock.now = datetime(2025, 6, 4, 6, 0, 5, tzinfo=UTC)  # 08:00 in Paris
    digests = await second.api.wait_for("sendMessage", 4, chat_id=group["id"])
    assert digests[-1]["text"].startswith("🔔 3 nouveaux articles")
    assert len([d for d in digests if d["text"].startswith("🔔")]) == 1
    await eventually(lambda: outbox.alert_counts(engine=engine) == {"sent": 3})
    answer = await second.ask(group, admin, "/digest off")
    assert "as they come" in answer["text"]


async def test_alert_buttons_mute_and_unsubscribe_for_group_admins_only(
    start_clocked: Start, clock: Clock
) -> None:
    clock.now = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)
    bot = await start_clocked()
    group = group_chat()
    admin, member = user(), user()
    bot.api.members[(group["id"], admin["id"])] = "administrator"
    await bot.ask(group, admin, "/subscribe Zeppelin")
    await store(bot.service, draft(1))
    clock.advance(1)  # the clock stands still unless moved: past the burst's settling
    [alert] = [m for m in await bot.answers(group, 2) if m["text"].startswith("🔔")]
    actions = {b["text"]: b["callback_data"] for b in buttons(alert)}
    alert = next(
        m
        for (cid, _), m in bot.api.messages.items()
        if cid == group["id"] and m["text"].startswith("🔔")
    )  # the message as stored by the server, with its id
    assert actions["Lire"] == f"read:{all_alerts(bot.service.engine)[0].article_id}"
    engine = bot.service.engine

    await bot.press(group, member, alert["message_id"], actions["Se désabonner de Zeppelin"])
    [notice] = await bot.api.wait_for("answerCallbackQuery", 1)
    assert "Only this group's administrators" in notice["text"]
    assert len(outbox.list_subscriptions(engine=engine, chat_id=group["id"])) == 1

    await bot.press(group, admin, alert["message_id"], actions["Sourdine 8 h"])
    notices = await bot.api.wait_for("answerCallbackQuery", 2)
    assert "Alerts muted until 2025-06-03 20:00 (UTC)" in notices[1]["text"]
    clock.advance(3600)
    await store(bot.service, draft(2))
    await eventually(lambda: held(engine) == 1)  # muted: held, not sent
    clock.advance(8 * 3600)
    await eventually(lambda: outbox.alert_counts(engine=engine) == {"sent": 2})
    later = bot.api.delivered(group["id"])[-1]
    assert "Un Zeppelin au-dessus de Genève (2)" in later["text"]

    await bot.press(group, admin, alert["message_id"], actions["Se désabonner de Zeppelin"])
    notices = await bot.api.wait_for("answerCallbackQuery", 3)
    assert "Unsubscribed from Zeppelin" in notices[2]["text"]
    assert outbox.list_subscriptions(engine=engine, chat_id=group["id"]) == []
    assert len([n for n in bot.api.calls_to("sendMessage") if "muted" in n["text"]]) == 0


async def test_mute_and_unmute_commands(start_clocked: Start, clock: Clock) -> None:
    clock.now = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)
    bot = await start_clocked()
    person = user()
    chat = private_chat(person)
    await bot.ask(chat, person, "/subscribe Zeppelin")
    assert "Say for how long" in (await bot.ask(chat, person, "/mute forever"))["text"]
    answer = await bot.ask(chat, person, "/mute 1d")
    assert "Alerts muted until 2025-06-04 12:00 (UTC)" in answer["text"]
    await store(bot.service, draft(1))
    engine = bot.service.engine
    await eventually(lambda: held(engine) == 1)
    assert "on again" in (await bot.ask(chat, person, "/unmute"))["text"]
    clock.advance(1)
    await eventually(lambda: outbox.alert_counts(engine=engine) == {"sent": 1})
