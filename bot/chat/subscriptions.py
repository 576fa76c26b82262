"""Subscriptions and feeds in the chat: /subscribe, /unsubscribe, /subscriptions and /feeds.

They are registered with ``bot.chat.registry.command`` like every other command, so they are
answered on Telegram and in ``depeche chat`` alike. In groups, changing subscriptions is for
the group's administrators: the Telegram handler asks ``getChatMember`` before the command
runs (``Request.chat_admin``). ``/feeds`` is for the bot's administrators
(``DEPECHE_ADMIN_IDS``).
"""

from __future__ import annotations

import asyncio

from bot.chat.alert_controls import controls_lines, may_change
from bot.chat.messages import t
from bot.chat.registry import Reply, Request, command
from bot.chat.render import feed_line
from retrieval.topics import EXAMPLE, TopicError, parse_topic
from storage import alerts as outbox


@command("subscribe", "cmd_subscribe", usage="usage_subscribe", group_admin=True, console=False)
def subscribe(request: Request) -> Reply:
    """Follow a topic: new matching articles are alerted to this chat."""
    lang = request.language
    if not request.args.strip():
        return Reply.plain(t("subscribe_usage", lang, example=EXAMPLE))
    refusal = may_change(request)
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
    except outbox.SubscriptionError:
        limit = outbox.MAX_SUBSCRIPTIONS_PER_CHAT
        return Reply.plain(t("too_many_subscriptions", lang, count=limit))
    outbox.resume_chat(engine=engine, chat_id=request.chat_id)
    key = "subscribed" if created else "already_subscribed"
    return Reply.plain(t(key, lang, id=subscription.id, topic=subscription.topic))


@command(
    "unsubscribe", "cmd_unsubscribe", usage="usage_unsubscribe", group_admin=True, console=False
)
def unsubscribe(request: Request) -> Reply:
    """Stop a subscription, given its number or its topic."""
    lang = request.language
    reference = request.args.strip()
    if not reference:
        return Reply.plain(t("unsubscribe_usage", lang))
    refusal = may_change(request)
    if refusal is not None:
        return refusal
    assert request.chat_id is not None
    removed = outbox.remove_subscription(
        engine=request.service.engine, chat_id=request.chat_id, reference=reference
    )
    if removed is None:
        return Reply.plain(t("no_such_subscription", lang, reference=reference))
    return Reply.plain(t("unsubscribed", lang, id=removed.id, topic=removed.topic))


@command("subscriptions", "cmd_subscriptions", console=False)
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
    lines += controls_lines(request)
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
    # Imported here: the feed reader and its HTTP client are a slow import for every front.
    from bot.feeds import FeedPoller
    from storage import feeds as feed_store

    lang = request.language
    engine = request.service.engine
    verb, _, rest = request.args.strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    if verb in ("", "list"):
        registered = feed_store.list_feeds(engine=engine)
        if not registered:
            return Reply.plain(t("feeds_none", lang))
        return Reply.plain("\n".join([t("feeds_title", lang), *map(feed_line, registered)]))
    if verb == "add" and rest:
        url, _, source = rest.partition(" ")
        poller = FeedPoller.from_settings(request.settings, request.service)
        try:  # fetched once now (in this worker thread): a wrong address is said at once
            added = asyncio.run(poller.add(url, source=source or None, added_by=request.user_id))
        except feed_store.FeedError as error:
            return Reply.plain(t("feed_refused", lang, url=feed_store.redact(url), error=error))
        shown = feed_store.redact(added.feed.url)
        if not added.created:
            return Reply.plain(t("feed_known", lang, id=added.feed.id, url=shown))
        return Reply.plain(
            t(
                "feed_added",
                lang,
                id=added.feed.id,
                url=shown,
                title=added.title or shown,
                entries=added.entries,
                new=added.poll.new if added.poll else 0,
                minutes=f"{request.settings.feed_poll_minutes:g}",
            )
        )
    if verb == "remove" and rest:
        removed = feed_store.remove_feed(engine=engine, reference=rest)
        if removed is None:
            return Reply.plain(t("feed_missing", lang, reference=rest))
        shown = feed_store.redact(removed.url)
        return Reply.plain(t("feed_removed", lang, id=removed.id, url=shown))
    if verb == "poll":
        if request.chat_type == "console":  # no job queue here: poll now, in this thread
            poller = FeedPoller.from_settings(request.settings, request.service)
            results = asyncio.run(poller.poll(due_only=False))
            return Reply.plain("\n".join(r.summary() for r in results) or t("feeds_none", lang))
        count = feed_store.mark_all_due(engine=engine)
        return Reply.plain(t("feeds_polling", lang, count=count))
    return Reply.plain(t("feeds_usage", lang))
