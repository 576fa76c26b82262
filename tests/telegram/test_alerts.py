"""Alerts: the outbox written with the article, and the sender that delivers it exactly once.

The sender is run directly (``AlertSender.send_due``) with a clock and a ``sleep`` the tests
control, against a stand-in for ``telegram.Bot`` that records messages and raises the Telegram
errors a test asks for. The end-to-end path through the application and the fake Bot API
server is in tests/telegram/test_alerts_telegram.py.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
from datetime import UTC, timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TimedOut

from bot.chat.render import render_alert, render_digest, utf16_len
from bot.service import Depeche
from bot.settings import Settings
from bot.telegram.delivery import HOST, AlertSender, Delivery, Pacer, deliver
from retrieval.topics import parse_topic
from storage import alert_queue
from storage import alerts as outbox
from storage.models import Alert, Chat, Subscription
from tests.helpers import START, Clock, StubBot, article, visible_text

PRIVATE = 1001
GROUP = -2002


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    # Alerts are stamped with the storing time: make it the test's clock.
    monkeypatch.setattr(outbox, "utcnow", clock)
    monkeypatch.setattr(alert_queue, "utcnow", clock)
    return clock


def make_sender(depeche: Depeche, clock: Clock, **options: Any) -> AlertSender:
    """A sender on the test's clock; alerts go at once (no settling) and unpaced, unless a
    test says otherwise (pacing has tests of its own)."""
    options.setdefault("digest_threshold", 3)
    options.setdefault("digest_window", timedelta(seconds=60))
    options.setdefault("settle", timedelta(0))
    options.setdefault("pacer", Pacer(rate=1e9, chat_gap=0, group_gap=0))
    return AlertSender(engine=depeche.engine, clock=clock, sleep=clock.sleep, **options)


def subscribe(depeche: Depeche, topic: str, chat_id: int = PRIVATE) -> int:
    subscription, _ = outbox.add_subscription(
        engine=depeche.engine, chat_id=chat_id, topic=parse_topic(topic)
    )
    assert subscription.id is not None
    return subscription.id


def alerts_by_status(depeche: Depeche) -> dict[str, int]:
    return outbox.alert_counts(engine=depeche.engine)


def all_alerts(depeche: Depeche) -> list[Alert]:
    with Session(depeche.engine) as session:
        return list(session.exec(select(Alert).order_by(Alert.id)).all())  # type: ignore[arg-type]


# -- the outbox --------------------------------------------------------------------------------


async def test_one_alert_per_article_even_when_ingested_twice(
    depeche: Depeche, clock: Clock
) -> None:
    subscribe(depeche, "Kremlin Istanbul")
    subscribe(depeche, "football")  # matches nothing
    first = depeche.ingest_drafts([article(1)])
    again = depeche.ingest_drafts([article(1)])
    assert (first.new, first.alerts_queued) == (1, 1)
    assert (again.unchanged, again.alerts_queued) == (1, 0)
    # stamped with the storing time, stored as every time is (SQLite compares them as text)
    with Session(depeche.engine) as session:
        stamped = select(func.count()).where(Alert.due_at == clock(), Alert.created_at == clock())
        assert session.exec(stamped).one() == 1

    bot = StubBot()
    report = await make_sender(depeche, clock).send_due(bot)  # type: ignore[arg-type]

    assert report.sent == 1 and len(bot.sent) == 1
    message = bot.sent[0]
    assert message.chat_id == PRIVATE and message.parse_mode == "HTML"
    assert "🔔 Kremlin Istanbul" in message.text
    assert '<a href="https://news.test.invalid/1">Le Kremlin et la réunion 1</a>' in message.text
    assert "<b>Kremlin</b>" in message.text and "<b>Istanbul</b>" in message.text  # the excerpt
    assert "TEST" in message.text
    # nothing is sent twice, also when the same article is corrected and stored again
    depeche.ingest_drafts([article(1, "Le Kremlin a commenté la réunion d'Istanbul. Corrigé.")])
    assert (await make_sender(depeche, clock).send_due(bot)).claimed == 0  # type: ignore[arg-type]
    assert len(bot.sent) == 1 and alerts_by_status(depeche) == {"sent": 1}


async def test_an_article_matching_two_topics_of_a_chat_is_sent_once(
    depeche: Depeche, clock: Clock
) -> None:
    subscribe(depeche, "Kremlin")
    subscribe(depeche, "Istanbul")
    subscribe(depeche, "Kremlin", chat_id=GROUP)
    depeche.ingest_drafts([article(1)])
    bot = StubBot()
    report = await make_sender(depeche, clock).send_due(bot)  # type: ignore[arg-type]
    assert report.sent == 3 and report.messages == 2
    private = next(m for m in bot.sent if m.chat_id == PRIVATE)
    assert "🔔 Kremlin, Istanbul" in private.text


async def test_a_burst_for_one_chat_becomes_one_digest(depeche: Depeche, clock: Clock) -> None:
    subscribe(depeche, "Kremlin")
    subscribe(depeche, "Kremlin", chat_id=GROUP)
    depeche.ingest_drafts([article(n) for n in range(1, 6)])
    bot = StubBot()
    report = await make_sender(depeche, clock).send_due(bot)  # type: ignore[arg-type]
    assert report.sent == 10 and len(bot.sent) == 2
    for message in bot.sent:
        # French articles: the header is in French too
        assert message.text.startswith("🔔 5 nouveaux articles · Kremlin")
        assert all(f"Le Kremlin et la réunion {n}</a>" in message.text for n in range(1, 6))
    assert alerts_by_status(depeche) == {"sent": 10}


async def test_a_big_burst_is_split_into_digests_that_show_every_article(
    depeche: Depeche, clock: Clock
) -> None:
    subscribe(depeche, "Kremlin")
    long_text = "<p>" + "Le Kremlin a longuement commenté la réunion d'Istanbul. " * 12 + "</p>"
    depeche.ingest_drafts([article(n, long_text + f"<p>Numéro {n}.</p>") for n in range(40)])
    bot = StubBot()
    report = await make_sender(depeche, clock).send_due(bot)  # type: ignore[arg-type]
    # over 15 articles: headlines without excerpts, as few messages as fit
    assert report.sent == 40 and 1 <= len(bot.sent) <= 2
    shown = [n for n in range(40) for m in bot.sent if f"réunion {n}</a>" in m.text]
    assert sorted(shown) == list(range(40))  # each article in exactly one digest
    assert all(len(m.text.encode("utf-16-le")) // 2 <= 4096 for m in bot.sent)


async def test_alerts_arriving_one_by_one_are_held_for_a_digest(
    depeche: Depeche, clock: Clock
) -> None:
    subscribe(depeche, "Kremlin")
    sender = make_sender(depeche, clock)
    bot = StubBot()
    depeche.ingest_drafts([article(1)])  # the first goes out as it comes
    assert (await sender.send_due(bot)).sent == 1  # type: ignore[arg-type]
    for n in (2, 3, 4):  # then the chat was just alerted: they wait for the window's end...
        clock.advance(2)
        depeche.ingest_drafts([article(n)])
        report = await sender.send_due(bot)  # type: ignore[arg-type]
        assert report.held == 1 and report.sent == 0
    assert len(bot.sent) == 1
    clock.advance(60)  # ...and go out together
    report = await sender.send_due(bot)  # type: ignore[arg-type]
    assert report.sent == 3 and len(bot.sent) == 2
    assert bot.sent[-1].text.startswith("🔔 3 nouveaux articles")


async def test_a_burst_being_stored_is_gathered_until_it_settles(
    depeche: Depeche, clock: Clock
) -> None:
    subscribe(depeche, "Kremlin")
    sender = make_sender(depeche, clock, settle=timedelta(seconds=5))
    bot = StubBot()
    for n in range(1, 5):  # an ingest storing one article a second
        depeche.ingest_drafts([article(n)])
        assert (await sender.send_due(bot)).claimed == 0  # type: ignore[arg-type]
        clock.advance(1)
    clock.advance(5)  # nothing new for 5 s: the whole burst goes, as one digest
    report = await sender.send_due(bot)  # type: ignore[arg-type]
    assert report.sent == 4 and len(bot.sent) == 1
    assert bot.sent[0].text.startswith("🔔 4 nouveaux articles")


async def test_a_burst_that_never_stops_is_sent_when_the_window_ends(
    depeche: Depeche, clock: Clock
) -> None:
    subscribe(depeche, "Kremlin")
    sender = make_sender(depeche, clock, settle=timedelta(seconds=5))
    bot = StubBot()
    for n in range(1, 32):  # an article every 2 s, for a minute
        depeche.ingest_drafts([article(n)])
        await sender.send_due(bot)  # type: ignore[arg-type]
        clock.advance(2)
    assert len(bot.sent) == 1  # at the window's end, the 31 stored so far in one digest
    assert bot.sent[0].text.startswith("🔔 31 nouveaux articles")


# -- restarts and leases -----------------------------------------------------------------------


async def test_alerts_claimed_by_a_process_that_died_are_sent_after_the_lease(
    depeche: Depeche, clock: Clock
) -> None:
    subscribe(depeche, "Kremlin")
    depeche.ingest_drafts([article(1)])
    lease = timedelta(minutes=2)
    dead = outbox.claim_chat_alerts(
        engine=depeche.engine,
        worker="elsewhere:1:dead",
        chat_ids=[PRIVATE],
        now=clock(),
        lease=lease,
        per_chat=10,
    )
    assert len(dead) == 1  # ...and the process stops before sending
    bot = StubBot()
    restarted = make_sender(depeche, clock, lease=lease)
    assert (await restarted.send_due(bot)).claimed == 0  # still leased
    clock.advance(lease.total_seconds() + 1)
    assert (await restarted.send_due(bot)).sent == 1  # type: ignore[arg-type]
    assert len(bot.sent) == 1


async def test_a_clean_stop_hands_back_its_claims(depeche: Depeche, clock: Clock) -> None:
    subscribe(depeche, "Kremlin")
    depeche.ingest_drafts([article(1)])
    first = make_sender(depeche, clock)
    outbox.claim_chat_alerts(
        engine=depeche.engine,
        worker=first.worker,
        chat_ids=[PRIVATE],
        now=clock(),
        lease=first.lease,
        per_chat=10,
    )
    await first.close()
    bot = StubBot()
    assert (await make_sender(depeche, clock).send_due(bot)).sent == 1  # type: ignore[arg-type]


def test_concurrent_claims_never_overlap(depeche: Depeche, clock: Clock) -> None:
    subscribe(depeche, "Kremlin")
    depeche.ingest_drafts([article(n) for n in range(40)])
    claimed: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def worker(name: str) -> None:
        barrier.wait()
        mine: list[int] = []
        while batch := outbox.claim_chat_alerts(
            engine=depeche.engine,
            worker=name,
            chat_ids=[PRIVATE],
            now=clock(),
            lease=timedelta(minutes=1),
            per_chat=3,
        ):
            mine += [a.id for a in batch]
        claimed[name] = mine

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    ids = [i for mine in claimed.values() for i in mine]
    assert len(ids) == 40 and len(set(ids)) == 40


async def test_articles_stored_by_another_process_are_alerted(
    depeche: Depeche, settings: Settings, clock: Clock
) -> None:
    subscribe(depeche, "Kremlin")
    other = Depeche.open(settings)  # `depeche ingest`
    other.ingest_drafts([article(1)])
    other.engine.dispose()
    bot = StubBot()
    assert (await make_sender(depeche, clock).send_due(bot)).sent == 1  # type: ignore[arg-type]


# -- Telegram's errors -------------------------------------------------------------------------


async def test_a_flood_limit_is_waited_out_then_sending_goes_on(
    depeche: Depeche, clock: Clock
) -> None:
    subscribe(depeche, "Kremlin")
    depeche.ingest_drafts([article(1)])
    bot = StubBot(faults=[RetryAfter(7)])
    report = await make_sender(depeche, clock).send_due(bot)  # type: ignore[arg-type]
    assert clock.slept == [7.0]
    assert report.sent == 1 and bot.calls == 2 and len(bot.sent) == 1


async def test_a_long_flood_limit_postpones_without_counting_an_attempt(
    depeche: Depeche, clock: Clock
) -> None:
    subscribe(depeche, "Kremlin")
    depeche.ingest_drafts([article(1)])
    bot = StubBot(faults=[RetryAfter(600)])
    sender = make_sender(depeche, clock, max_wait=30)
    await sender.send_due(bot)  # type: ignore[arg-type]
    [alert] = all_alerts(depeche)
    assert alert.status == "pending" and alert.attempts == 0
    assert alert.due_at.replace(tzinfo=UTC) == START + timedelta(seconds=600)
    clock.advance(601)
    assert (await sender.send_due(bot)).sent == 1  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "error",
    [
        Forbidden("Forbidden: bot was blocked by the user"),
        Forbidden("Forbidden: bot was kicked from the group chat"),
        BadRequest("Chat not found"),
    ],
)
async def test_a_blocked_or_vanished_chat_is_paused(
    depeche: Depeche, clock: Clock, error: Exception
) -> None:
    subscribe(depeche, "Kremlin")
    subscribe(depeche, "Kremlin", chat_id=GROUP)
    depeche.ingest_drafts([article(1)])
    bot = StubBot(faults=[error])
    report = await make_sender(depeche, clock).send_due(bot)  # type: ignore[arg-type]
    assert report.paused_chats == [PRIVATE]
    assert [m.chat_id for m in bot.sent] == [GROUP]  # the other chat still gets its alert
    statuses = {a.chat_id: (a.status, a.error) for a in all_alerts(depeche)}
    assert statuses[GROUP] == ("sent", None)
    assert statuses[PRIVATE][0] == "undeliverable"
    assert outbox.chat_is_paused(engine=depeche.engine, chat_id=PRIVATE)
    # a paused chat gets no alert for new articles; resumed, it does again
    assert depeche.ingest_drafts([article(2)]).alerts_queued == 1  # the group's only
    assert outbox.resume_chat(engine=depeche.engine, chat_id=PRIVATE)
    assert depeche.ingest_drafts([article(3)]).alerts_queued == 2


async def test_a_group_that_became_a_supergroup_keeps_its_subscriptions(
    depeche: Depeche, clock: Clock
) -> None:
    supergroup = -1009999
    subscribe(depeche, "Kremlin", chat_id=GROUP)
    depeche.ingest_drafts([article(1)])
    bot = StubBot(faults=[ChatMigrated(supergroup)])
    report = await make_sender(depeche, clock).send_due(bot)  # type: ignore[arg-type]
    assert report.migrated == [(GROUP, supergroup)]
    assert [m.chat_id for m in bot.sent] == [supergroup]
    assert [s.topic for s in outbox.list_subscriptions(engine=depeche.engine, chat_id=GROUP)] == []
    moved = outbox.list_subscriptions(engine=depeche.engine, chat_id=supergroup)
    assert [s.topic for s in moved] == ["Kremlin"]
    with Session(depeche.engine) as session:
        assert session.get(Chat, GROUP) is None
        assert session.get(Chat, supergroup) is not None
    clock.advance(60)  # past the digest window of the first alert
    depeche.ingest_drafts([article(2)])
    await make_sender(depeche, clock).send_due(bot)  # type: ignore[arg-type]
    assert [m.chat_id for m in bot.sent] == [supergroup, supergroup]


def test_migration_moves_pending_alerts_and_merges_a_topic_followed_twice(
    depeche: Depeche, clock: Clock
) -> None:
    supergroup = -1009999
    subscribe(depeche, "Kremlin", chat_id=GROUP)
    twin = subscribe(depeche, "Kremlin", chat_id=supergroup)
    subscribe(depeche, "Istanbul", chat_id=GROUP)
    depeche.ingest_drafts([article(1)])  # 3 alerts: one per subscription
    outbox.migrate_chat(engine=depeche.engine, old_chat_id=GROUP, new_chat_id=supergroup)
    with Session(depeche.engine) as session:
        subscriptions = session.exec(select(Subscription)).all()
    assert sorted((s.chat_id, s.topic) for s in subscriptions) == [
        (supergroup, "Istanbul"),
        (supergroup, "Kremlin"),
    ]
    alerts = all_alerts(depeche)
    assert {a.chat_id for a in alerts} == {supergroup}
    assert sorted(a.subscription_id for a in alerts if a.subscription_id == twin) == [twin]


async def test_timeouts_are_retried_with_backoff_then_given_up(
    depeche: Depeche, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    subscribe(depeche, "Kremlin")
    depeche.ingest_drafts([article(1)])
    bot = StubBot(faults=[TimedOut(), TimedOut()])
    sender = make_sender(depeche, clock, max_attempts=3, base_delay=timedelta(seconds=10))

    assert (await sender.send_due(bot)).retried == 1  # type: ignore[arg-type]
    [alert] = all_alerts(depeche)
    assert (alert.status, alert.attempts) == ("pending", 1)
    assert alert.due_at.replace(tzinfo=UTC) == START + timedelta(seconds=10)
    assert (await sender.send_due(bot)).claimed == 0  # not due yet
    clock.advance(10)
    await sender.send_due(bot)  # type: ignore[arg-type]
    [alert] = all_alerts(depeche)
    assert alert.attempts == 2
    assert alert.due_at.replace(tzinfo=UTC) == clock() + timedelta(seconds=20)  # doubled
    clock.advance(20)
    assert (await sender.send_due(bot)).sent == 1  # type: ignore[arg-type]  # third time lucky

    clock.advance(60)  # past the digest window of the first alert
    depeche.ingest_drafts([article(2)])
    bot.faults = [TimedOut(), TimedOut(), TimedOut()]
    for _ in range(3):
        await sender.send_due(bot)  # type: ignore[arg-type]
        clock.advance(3600)
    given_up = all_alerts(depeche)[-1]
    assert given_up.status == "undeliverable" and given_up.attempts == 3
    assert given_up.error is not None and "gave up after 3 attempts" in given_up.error
    assert "gave up on alert" in caplog.text


async def test_deliver_falls_back_to_plain_text_when_the_markup_is_refused() -> None:
    bot = StubBot(faults=[BadRequest("Can't parse entities: unexpected end tag")])
    result = await deliver(bot, 5, "<b>Kremlin</b> &amp; Istanbul")  # type: ignore[arg-type]
    assert result.outcome is Delivery.SENT
    assert bot.sent[0].text == "Kremlin & Istanbul" and bot.sent[0].parse_mode is None


async def test_deliver_reports_other_refusals_as_failed() -> None:
    bot = StubBot(faults=[BadRequest("Message is too long")])
    result = await deliver(bot, 5, "x")  # type: ignore[arg-type]
    assert result.outcome is Delivery.REFUSED and result.error == "Message is too long"


# -- messages that fit by construction ------------------------------------------------------


def contents_for(
    depeche: Depeche, clock: Clock, topics: list[str], drafts: list[Any]
) -> list[list[outbox.AlertContent]]:
    for topic in topics:
        subscribe(depeche, topic)
    depeche.ingest_drafts(drafts)
    claimed = outbox.claim_chat_alerts(
        engine=depeche.engine,
        worker="t",
        chat_ids=[PRIVATE],
        now=clock(),
        lease=timedelta(minutes=1),
        per_chat=10_000,
    )
    contents = outbox.load_alert_contents(engine=depeche.engine, alerts=claimed)
    grouped: dict[int, list[outbox.AlertContent]] = {}
    for item in contents.values():
        grouped.setdefault(item.alert.article_id, []).append(item)
    return list(grouped.values())


def test_a_long_alert_fits_one_message_and_its_plain_text_keeps_title_excerpt_and_link(
    depeche: Depeche, clock: Clock
) -> None:
    url = "https://news.test.invalid/a?" + "&".join(f"k{n}=v{n}" for n in range(200))
    topics = [f"Kremlin Istanbul porte-parole -{'exclu' * 6}{n}" for n in range(20)]
    title = ("Le Kremlin " + "et la très longue réunion " * 18)[:500].strip()
    [group] = contents_for(depeche, clock, topics, [article(1, title=title, url=url)])
    assert len(group) == 20
    part = render_alert(group)
    shown = visible_text(part.html)  # valid Telegram HTML
    assert utf16_len(shown) <= 4096 and part.size() <= 4096
    assert title in shown and url in shown and " +" in shown.split("\n")[0]  # "+17" topics
    assert title in part.text and url in part.text and "«" in part.text
    assert set(part.alert_ids) == {c.alert.id for c in group}


def test_a_digest_of_two_hundred_articles_shows_each_once_in_parts_that_fit(
    depeche: Depeche, clock: Clock
) -> None:
    groups = contents_for(depeche, clock, ["Kremlin"], [article(n) for n in range(200)])
    parts = render_digest(groups)
    assert len(parts) <= 5
    shown = [visible_text(p.html) for p in parts]
    assert all(utf16_len(s) <= 4096 for s in shown)
    assert all(utf16_len(p.text) <= 4096 for p in parts)
    titles = [f"Le Kremlin et la réunion {n}" for n in range(200)]
    for title in titles:
        assert sum(s.count(f"{title} —") for s in shown) == 1
    assert parts[0].html.startswith(f"🔔 200 nouveaux articles · Kremlin (1/{len(parts)})")
    ids = [i for p in parts for i in p.alert_ids]
    assert sorted(ids) == sorted(c.alert.id for g in groups for c in g)


async def test_refused_markup_sends_the_plain_text_with_title_and_link(
    depeche: Depeche, clock: Clock
) -> None:
    subscribe(depeche, "Kremlin")
    depeche.ingest_drafts([article(1)])
    bot = StubBot(faults=[BadRequest("Can't parse entities: unsupported start tag")])
    report = await make_sender(depeche, clock).send_due(bot)  # type: ignore[arg-type]
    assert report.sent == 1
    [sent] = bot.sent
    assert sent.parse_mode is None
    assert "Le Kremlin et la réunion 1" in sent.text and "https://news.test.invalid/1" in sent.text


# -- pacing and recovery -----------------------------------------------------------------------


async def test_the_pacer_keeps_telegrams_limits_and_serves_chats_in_turn() -> None:
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    pacer = Pacer(rate=10, monotonic=lambda: 0.0, sleep=sleep)  # time stands at 0
    slots: list[tuple[int, float]] = []
    # the order the sender's chat tasks ask in: each chat's next message after its last one
    for chat_id in [1, 2, 3, -4, 1, -4, 1, 1, 1]:
        waited.clear()
        await pacer.wait(chat_id)
        slots.append((chat_id, waited[0] if waited else 0.0))
    times = sorted(t for _, t in slots)
    assert all(b - a >= 0.1 - 1e-9 for a, b in itertools.pairwise(times))  # 10 a second
    mine = [t for c, t in slots if c == 1]
    assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(mine))  # 1 a second a chat
    group = [t for c, t in slots if c == -4]
    assert group[1] - group[0] >= 3.0 - 1e-9  # 20 a minute per group
    # the chat with five messages does not hold up the others' first ones
    assert max(t for c, t in slots if c in (2, 3)) < mine[1]


async def test_claims_of_a_killed_sender_on_this_host_are_taken_back_at_once(
    depeche: Depeche, clock: Clock
) -> None:
    subscribe(depeche, "Kremlin")
    depeche.ingest_drafts([article(1)])
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    outbox.claim_chat_alerts(
        engine=depeche.engine,
        worker=f"{HOST}:{gone.stdout.strip()}:deadbeef",
        chat_ids=[PRIVATE],
        now=clock(),
        lease=timedelta(minutes=2),
        per_chat=10,
    )
    bot = StubBot()
    assert (await make_sender(depeche, clock).send_due(bot)).sent == 1  # type: ignore[arg-type]
