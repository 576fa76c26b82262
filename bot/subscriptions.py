"""Subscriptions and feeds in the chat: /subscribe, /unsubscribe, /subscriptions and /feeds,
the ``my_chat_member`` handler that pauses a chat the bot was removed from, and the jobs that
send alerts and poll feeds.

The commands are registered with ``bot.commands.command`` like every other command, so they
are answered on Telegram and in ``depeche chat`` alike. In groups, changing subscriptions is
for the group's administrators: the Telegram handler asks ``getChatMember`` before the command
runs (``Request.chat_admin``). ``/feeds`` is for the bot's administrators
(``DEPECHE_ADMIN_IDS``).

``install`` wires the rest into an application built by ``bot.app.build_application``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from telegram import ChatMember, ChatMemberUpdated, Update
from telegram.error import TelegramError
from telegram.ext import ChatMemberHandler, ContextTypes

from bot.commands import Reply, Request, command
from bot.messages import STRINGS, Lang, t
from retrieval.topics import EXAMPLE, TopicError, parse_topic
from storage import alerts as outbox
from storage import feeds as feed_store

if TYPE_CHECKING:
    from telegram.ext import Application

    from bot.alerts import AlertSender
    from bot.feeds import FeedPoller
    from bot.service import Depeche
    from bot.settings import Settings

log = logging.getLogger(__name__)

GROUP_TYPES = ("group", "supergroup")
SENDER_KEY = "alert_sender"
POLLER_KEY = "feed_poller"
# How often the feed job looks for due feeds (each feed has its own next poll time).
FEED_TICK_SECONDS = 30.0

MESSAGES: dict[Lang, dict[str, str]] = {
    "en": {
        "cmd_subscribe": "Get an alert for new articles on a topic",
        "cmd_unsubscribe": "Stop a subscription",
        "cmd_subscriptions": "This chat's subscriptions",
        "cmd_feeds": "Manage the RSS/Atom feeds (administrators)",
        "usage_subscribe": "topic",
        "usage_unsubscribe": "number or topic",
        "usage_feeds": "[add URL | remove ID | poll]",
        "subscribe_usage": (
            "Say which topic to follow, for example:\n/subscribe {example}\n"
            "All the words must appear; \"quotes\" for a phrase, -word to exclude, OR between "
            "alternatives."
        ),
        "topic_error": "{error}\nFor example: /subscribe {example}",
        "subscribed": (
            "Subscribed (#{id}): {topic}\nNew articles on it will be sent here. "
            "To stop: /unsubscribe {id}"
        ),
        "already_subscribed": "This chat already follows {topic} (#{id}).",
        "group_admins_only": "Only this group's administrators can change its subscriptions.",
        "console_no_alerts": (
            "Alerts are sent on Telegram: subscribe from a chat with the bot (depeche run)."
        ),
        "unsubscribe_usage": "Say which subscription to stop: /unsubscribe 3 (see /subscriptions)",
        "unsubscribed": "Unsubscribed from {topic} (#{id}).",
        "no_such_subscription": "This chat has no subscription {reference}. See /subscriptions",
        "subscriptions_title": "This chat's subscriptions:",
        "subscriptions_none": "This chat has no subscription. For example: /subscribe {example}",
        "subscriptions_hint": "To stop one: /unsubscribe ID",
        "paused": "Alerts to this chat are paused ({reason}); send /start to resume them.",
        "resumed": "Alerts to this chat are on again.",
        "feeds_usage": "/feeds · /feeds add URL [source] · /feeds remove ID · /feeds poll",
        "feeds_none": "No feed yet: /feeds add URL",
        "feeds_title": "Feeds:",
        "feed_added": "Added feed #{id}: {url}\nIt is polled within a minute.",
        "feed_known": "Feed #{id} is already there: {url}",
        "feed_removed": "Removed feed #{id}: {url}",
        "feed_missing": "No feed {reference}. See /feeds",
        "feeds_polling": "Polling {count} feed(s) now; new articles are stored in a moment.",
    },
    "fr": {
        "cmd_subscribe": "Recevoir une alerte pour les nouveaux articles sur un sujet",
        "cmd_unsubscribe": "Arrêter un abonnement",
        "cmd_subscriptions": "Les abonnements de cette discussion",
        "cmd_feeds": "Gérer les flux RSS/Atom (administrateurs)",
        "usage_subscribe": "sujet",
        "usage_unsubscribe": "numéro ou sujet",
        "usage_feeds": "[add URL | remove ID | poll]",
        "subscribe_usage": (
            "Indiquez le sujet à suivre, par exemple :\n/subscribe {example}\n"
            "Tous les mots doivent apparaître ; des \"guillemets\" pour une expression, -mot "
            "pour exclure, OR entre des variantes."
        ),
        "topic_error": "{error}\nPar exemple : /subscribe {example}",
        "subscribed": (
            "Abonnement #{id} : {topic}\nLes nouveaux articles sur ce sujet seront envoyés ici. "
            "Pour arrêter : /unsubscribe {id}"
        ),
        "already_subscribed": "Cette discussion suit déjà {topic} (#{id}).",
        "group_admins_only": (
            "Seuls les administrateurs de ce groupe peuvent modifier ses abonnements."
        ),
        "console_no_alerts": (
            "Les alertes sont envoyées sur Telegram : abonnez-vous depuis une discussion avec "
            "le bot (depeche run)."
        ),
        "unsubscribe_usage": (
            "Indiquez l'abonnement à arrêter : /unsubscribe 3 (voir /subscriptions)"
        ),
        "unsubscribed": "Abonnement arrêté : {topic} (#{id}).",
        "no_such_subscription": (
            "Cette discussion n'a pas d'abonnement {reference}. Voir /subscriptions"
        ),
        "subscriptions_title": "Abonnements de cette discussion :",
        "subscriptions_none": (
            "Cette discussion n'a aucun abonnement. Par exemple : /subscribe {example}"
        ),
        "subscriptions_hint": "Pour en arrêter un : /unsubscribe ID",
        "paused": (
            "Les alertes de cette discussion sont suspendues ({reason}) ; envoyez /start pour "
            "les reprendre."
        ),
        "resumed": "Les alertes de cette discussion reprennent.",
        "feeds_usage": "/feeds · /feeds add URL [source] · /feeds remove ID · /feeds poll",
        "feeds_none": "Aucun flux : /feeds add URL",
        "feeds_title": "Flux :",
        "feed_added": "Flux #{id} ajouté : {url}\nIl sera lu d'ici une minute.",
        "feed_known": "Le flux #{id} est déjà là : {url}",
        "feed_removed": "Flux #{id} retiré : {url}",
        "feed_missing": "Pas de flux {reference}. Voir /feeds",
        "feeds_polling": (
            "Lecture de {count} flux ; les nouveaux articles sont enregistrés dans un instant."
        ),
    },
}
for _language, _strings in MESSAGES.items():
    STRINGS[_language].update(_strings)


def _is_group(request: Request) -> bool:
    return request.chat_type in GROUP_TYPES


def _may_change(request: Request) -> Reply | None:
    """None when the sender may change this chat's subscriptions, else the refusal."""
    if request.chat_type == "console" or request.chat_id is None:
        return Reply.plain(t("console_no_alerts", request.language))
    if _is_group(request) and not request.chat_admin:
        return Reply.plain(t("group_admins_only", request.language))
    return None


@command("subscribe", "cmd_subscribe", usage="usage_subscribe", group_admin=True)
def subscribe(request: Request) -> Reply:
    """Follow a topic: new matching articles are alerted to this chat."""
    lang = request.language
    if not request.args.strip():
        return Reply.plain(t("subscribe_usage", lang, example=EXAMPLE))
    refusal = _may_change(request)
    if refusal is not None:
        return refusal
    assert request.chat_id is not None
    try:
        topic = parse_topic(request.args)
    except TopicError as error:
        return Reply.plain(t("topic_error", lang, error=str(error), example=EXAMPLE))
    engine = request.service.engine
    try:
        subscription, created = outbox.add_subscription(
            engine=engine,
            chat_id=request.chat_id,
            topic=topic,
            created_by=request.user_id,
            chat_type=request.chat_type,
        )
    except outbox.SubscriptionError as error:
        return Reply.plain(str(error))
    outbox.resume_chat(engine=engine, chat_id=request.chat_id)
    key = "subscribed" if created else "already_subscribed"
    return Reply.plain(t(key, lang, id=subscription.id, topic=subscription.topic))


@command("unsubscribe", "cmd_unsubscribe", usage="usage_unsubscribe", group_admin=True)
def unsubscribe(request: Request) -> Reply:
    """Stop a subscription, given its number or its topic."""
    lang = request.language
    reference = request.args.strip()
    if not reference:
        return Reply.plain(t("unsubscribe_usage", lang))
    refusal = _may_change(request)
    if refusal is not None:
        return refusal
    assert request.chat_id is not None
    removed = outbox.remove_subscription(
        engine=request.service.engine, chat_id=request.chat_id, reference=reference
    )
    if removed is None:
        return Reply.plain(t("no_such_subscription", lang, reference=reference))
    return Reply.plain(t("unsubscribed", lang, id=removed.id, topic=removed.topic))


@command("subscriptions", "cmd_subscriptions")
def subscriptions(request: Request) -> Reply:
    """This chat's subscriptions with their numbers (anyone may list them)."""
    lang = request.language
    if request.chat_type == "console" or request.chat_id is None:
        return Reply.plain(t("console_no_alerts", lang))
    engine = request.service.engine
    found = outbox.list_subscriptions(engine=engine, chat_id=request.chat_id)
    if not found:
        return Reply.plain(t("subscriptions_none", lang, example=EXAMPLE))
    lines = [t("subscriptions_title", lang)]
    lines += [f"#{s.id} {s.topic}" for s in found]
    lines.append(t("subscriptions_hint", lang))
    chat = outbox.chat_state(engine=engine, chat_id=request.chat_id)
    if chat is not None and chat.paused:
        lines.append(t("paused", lang, reason=chat.paused_reason or "?"))
    return Reply.plain("\n".join(lines))


def resume_on_start(request: Request) -> Reply | None:
    """``/start`` in a paused chat resumes its alerts; the sentence to say so, or None."""
    if request.chat_type == "console" or request.chat_id is None:
        return None
    if outbox.resume_chat(engine=request.service.engine, chat_id=request.chat_id):
        return Reply.plain(t("resumed", request.language))
    return None


@command("feeds", "cmd_feeds", usage="usage_feeds", admin=True, menu=False)
def feeds(request: Request) -> Reply:
    """List, add, remove or poll the RSS/Atom feeds (the bot's administrators only)."""
    lang = request.language
    engine = request.service.engine
    verb, _, rest = request.args.strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    if verb in ("", "list"):
        registered = feed_store.list_feeds(engine=engine)
        if not registered:
            return Reply.plain(t("feeds_none", lang))
        from bot.cli import feed_line

        return Reply.plain("\n".join([t("feeds_title", lang), *map(feed_line, registered)]))
    if verb == "add" and rest:
        url, _, source = rest.partition(" ")
        try:
            feed, created = feed_store.add_feed(
                engine=engine, url=url, source=source or None, added_by=request.user_id
            )
        except feed_store.FeedError as error:
            return Reply.plain(str(error))
        key = "feed_added" if created else "feed_known"
        return Reply.plain(t(key, lang, id=feed.id, url=feed.url))
    if verb == "remove" and rest:
        removed = feed_store.remove_feed(engine=engine, reference=rest)
        if removed is None:
            return Reply.plain(t("feed_missing", lang, reference=rest))
        return Reply.plain(t("feed_removed", lang, id=removed.id, url=removed.url))
    if verb == "poll":
        if request.chat_type == "console":  # no job queue here: poll now, in this thread
            from bot.feeds import FeedPoller

            poller = FeedPoller.from_settings(request.settings, request.service)
            results = asyncio.run(poller.poll(due_only=False))
            return Reply.plain("\n".join(r.summary() for r in results) or t("feeds_none", lang))
        count = feed_store.mark_all_due(engine=engine)
        return Reply.plain(t("feeds_polling", lang, count=count))
    return Reply.plain(t("feeds_usage", lang))


# -- Telegram: group administrators, the bot's membership ----------------------------------------


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
    """The bot was removed from a chat or blocked: pause it; added back: resume it."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None:
        return
    engine = context.bot_data[SENDER_KEY].engine
    chat_id = change.chat.id
    old, new = change.old_chat_member.status, change.new_chat_member.status
    if new in _GONE:
        reason = "bot blocked" if change.chat.type == "private" else "bot removed from the group"
        await asyncio.to_thread(outbox.pause_chat, engine=engine, chat_id=chat_id, reason=reason)
    elif old in _GONE and new not in _GONE:
        await asyncio.to_thread(outbox.resume_chat, engine=engine, chat_id=chat_id)


# -- wiring ------------------------------------------------------------------------------------


def install(application: Application, settings: Settings, service: Depeche) -> None:
    """Add the membership handler and the alert and feed jobs to an application."""
    from bot.alerts import AlertSender
    from bot.feeds import FeedPoller

    sender = AlertSender.from_settings(settings, service.engine)
    poller = FeedPoller.from_settings(settings, service)
    application.bot_data[SENDER_KEY] = sender
    application.bot_data[POLLER_KEY] = poller
    application.add_handler(ChatMemberHandler(my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    queue = application.job_queue
    if queue is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError('install python-telegram-bot with the "job-queue" extra')
    queue.run_repeating(
        sender.job,
        interval=settings.alert_interval_seconds,
        first=min(1.0, settings.alert_interval_seconds),
        name="send-alerts",
        job_kwargs={"coalesce": True, "max_instances": 1},
    )
    queue.run_repeating(
        poller.job,
        interval=timedelta(seconds=min(FEED_TICK_SECONDS, settings.feed_poll_minutes * 60)),
        first=2.0,
        name="poll-feeds",
        job_kwargs={"coalesce": True, "max_instances": 1},
    )


async def shutdown(application: Application) -> None:
    """Hand back the alerts this process claimed but did not send."""
    sender: AlertSender | None = application.bot_data.get(SENDER_KEY)
    if sender is not None:
        await sender.close()


def sender_of(application: Application) -> AlertSender:
    """The application's alert sender (tests run it directly)."""
    found: AlertSender = application.bot_data[SENDER_KEY]
    return found


def poller_of(application: Application) -> FeedPoller:
    """The application's feed poller."""
    found: FeedPoller = application.bot_data[POLLER_KEY]
    return found

