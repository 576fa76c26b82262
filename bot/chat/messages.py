"""Every sentence Dépêche says to a user, in English and French.

Strings are plain text with ``{placeholders}``; the caller escapes them for Telegram HTML.
Add a key to both languages (a test checks that they hold the same keys and placeholders).
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["en", "fr"]

EXAMPLE_EN = "What did the Kremlin say?"
EXAMPLE_FR = "Qu'a dit le Kremlin ?"

STRINGS: dict[Lang, dict[str, str]] = {
    "en": {
        "intro": "Dépêche answers questions about the news with cited excerpts of stored articles.",
        "private_how": "Send me any question, for example:",
        "group_how": (
            "In a group, ask with /ask{at} question, mention me ({mention} question) "
            "or reply to one of my messages."
        ),
        "commands_title": "Commands:",
        "empty_ask": "Ask a question after /ask, for example: /ask {example}",
        "more": "More results ▸",
        "previous": "◂ Previous",
        "read": "Read {n}",
        "read_hint": "read a result: /article {n}",
        "more_hint": "next results: /more",
        "previous_hint": "previous results: /previous",
        "ask_again": "This button has expired: please ask your question again.",
        "article_usage": (
            "Give the number of a result of the last answer (/article 1), or an article id "
            "(/article #12)"
        ),
        "article_missing": "No article {id}: it may have been removed.",
        "latest_title": "Newest articles:",
        "latest_none": "No article is stored yet.",
        "latest_usage": (
            "Give how many articles to list, from 1 to {max}, and a topic if you like: "
            "/latest 5 · /latest Ukraine"
        ),
        "sources_title": "Articles per source:",
        "sources_line": "{source}: {count} (newest {date})",
        "sources_line_undated": "{source}: {count}",
        "stats": "{articles} articles, {passages} passages, {sources} sources",
        "stats_dates": "from {oldest} to {newest}",
        "unknown_command": "I don't know /{name}. Send /help to see what I can do.",
        "not_allowed": "Only the bot's administrators can use /{name}.",
        "error": "Sorry, something went wrong on my side. Please try again in a moment.",
        "no_more_console": "Nothing to page through: ask a question first.",
        "console_welcome": (
            "Dépêche, in the terminal. Ask a question, or type /help. Ctrl-D (or /quit) to leave."
        ),
        # command menu descriptions
        "cmd_start": "What Dépêche does",
        "cmd_help": "How to ask, with examples",
        "cmd_ask": "Answer a question from the articles",
        "cmd_latest": "The newest articles, on a topic if given",
        "cmd_sources": "Articles per source",
        "cmd_stats": "Size of the collection",
        "cmd_article": "Read a whole article: a result's number, or #id",
        "usage_ask": "question",
        "usage_latest": "[n] [topic]",
        "usage_article": "N | #id",
        # answers without results
        "no_question": "Ask a question, for example: What did the Kremlin say?",
        "only_common_words": "Your question has only very common words; add a name or a topic.",
        "no_more_results": "No more results.",
        "nothing_found": "Nothing found in the stored articles. Try other words.",
        "no_direct_answer": "No direct answer in the stored articles. The closest passages:",
        "also_searched": "Also searched: {forms}",
        "needs_subject": (
            "Say about whom or what, for example: What did Putin say? or What did the Kremlin say?"
        ),
        "unanalysed_script": (
            "Only French and English are analysed: this question was searched as typed."
        ),
        "digest_header": "{count} new articles · {topics}",
        # dates and quotations
        "day_one": "1",
        "quoted": "“{text}”",
        # news in time: periods, sources, numbering, trends
        "period_line": "Period: {phrase} ({dates})",
        "period_range": "{start} to {end}",
        "sources_filter": "Sources: {sources}",
        "nothing_in_period": "Nothing matches in the stored articles for {dates}.",
        "newest_outside": "The latest matching article is from {date}: {title}",
        "other_dates": "The closest passages, from other dates:",
        "no_answer_in_period": "No passage from {dates} answers directly; the best from any date:",
        "unknown_source": "No article from {sources}. Known sources: {known}",
        "no_sources": "No source yet: no article is stored.",
        "undated": "undated",
        "no_such_result": (
            "The last answer in this chat has no result {n}. Ask a question first, or give an "
            "article id: /article #{n}"
        ),
        "latest_topic_title": "Newest articles on {topic}:",
        "latest_topic_none": "No stored article matches {topic}.",
        "cmd_trend": "A chart of the articles on a topic, per day",
        "usage_trend": "topic [period]",
        "trend_usage": (
            "Give a topic, and a period if you like: /trend Ukraine · /trend Kremlin this month"
        ),
        "trend_none": "No article on {topic} for {dates}.",
        "trend_caption": (
            "{topic}: {count} articles, {dates}. Busiest day: {day} ({busiest} articles)."
        ),
        "trend_month_only": "{count} more dated only to their month are not drawn.",
        "trend_saved": "Chart saved to {path}",
        "trend_axis": "articles per day",
        # subscriptions and feeds
        "cmd_subscribe": "Get an alert for new articles on a topic",
        "cmd_unsubscribe": "Stop a subscription",
        "cmd_subscriptions": "This chat's subscriptions",
        "cmd_feeds": "Manage the RSS/Atom feeds (administrators)",
        "usage_subscribe": "topic",
        "usage_unsubscribe": "number or topic",
        "usage_feeds": "[add URL | remove ID | poll]",
        "subscribe_usage": (
            "Say which topic to follow, for example:\n/subscribe {example}\n"
            'All the words must appear; "quotes" for a phrase, -word to exclude, OR between '
            "alternatives."
        ),
        "topic_error": "{error}\nFor example: /subscribe {example}",
        "subscribed": (
            "Subscribed (#{id}): {topic}\nNew articles on it will be sent here. "
            "To stop: /unsubscribe {id}"
        ),
        "already_subscribed": "This chat already follows {topic} (#{id}).",
        "too_many_subscriptions": (
            "This chat already follows {count} topics, the most it can; remove one with "
            "/unsubscribe first."
        ),
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
        # alert controls
        "cmd_mute": "Hold alerts for a while (8 h unless told)",
        "cmd_unmute": "Send alerts again, the held ones now",
        "cmd_quiet": "Quiet hours: alerts held, then one digest",
        "cmd_digest": "One digest a day instead of alerts as they come",
        "usage_mute": "[30m|8h|1d]",
        "usage_quiet": "22:00-07:00 [time zone] | off",
        "usage_digest": "daily 08:00 [time zone] | off",
        "mute_usage": "Say for how long: /mute 8h (or 30m, 1d; at most 30 days).",
        "muted": (
            "Alerts muted until {until} ({tz}); they are held and sent as one digest then. "
            "/unmute to get them now."
        ),
        "unmuted": "Alerts are on again; any held ones are sent now.",
        "quiet_usage": (
            "Give the quiet hours as /quiet 22:00-07:00, optionally with a time zone "
            "(/quiet 22:00-07:00 Europe/Paris), or /quiet off."
        ),
        "quiet_set": (
            "Quiet hours {start}-{end} ({tz}): alerts are held and sent as one digest at {end}."
        ),
        "quiet_off": "Quiet hours off; any held alerts are sent now.",
        "quiet_none": "No quiet hours. For example: /quiet 22:00-07:00",
        "digest_usage": (
            "/digest daily 08:00 [time zone]: one digest a day instead of alerts as they come; "
            "/digest off: alerts as they come."
        ),
        "digest_set": "One digest a day at {at} ({tz}) instead of alerts as they come.",
        "digest_off": "Alerts are sent as they come again; any held ones now.",
        "digest_none": "Alerts are sent as they come. For one digest a day: /digest daily 08:00",
        "bad_timezone": "Unknown time zone {tz}: use a name such as Europe/Paris or UTC.",
        "button_read": "Read",
        "button_mute": "Mute 8 h",
        "button_unsubscribe": "Unsubscribe from {topic}",
        "feeds_usage": "/feeds · /feeds add URL [source] · /feeds remove ID · /feeds poll",
        "feeds_none": "No feed yet: /feeds add URL",
        "feeds_title": "Feeds:",
        "feed_added": (
            "Added feed #{id}: {title} — {entries} entries, {new} new stored.\n{url}\n"
            "It is polled every {minutes} minutes."
        ),
        "feed_refused": "Cannot add {url}: {error}",
        "feed_known": "Feed #{id} is already there: {url}",
        "feed_removed": "Removed feed #{id}: {url}",
        "feed_missing": "No feed {reference}. See /feeds",
        "feeds_polling": "Polling {count} feed(s) now; new articles are stored in a moment.",
        # the chat's language, the console, Telegram-native touches (issue 12)
        "cmd_lang": "The language I speak in this chat (en, fr)",
        "usage_lang": "en|fr",
        "lang_current": (
            "I speak English in this chat. To change it: /lang fr (français) or /lang en (English)."
        ),
        "lang_set": "From now on I speak English in this chat.",
        "lang_admins_only": (
            "Only this group's administrators can change the language I speak here."
        ),
        "cmd_more": "The next results of the last answer",
        "cmd_previous": "The previous results",
        "cmd_quit": "Leave (Ctrl-D too)",
        "greeting": (
            "Hello! I answer questions about the news with cited excerpts of stored articles.\n"
            "Ask here with /ask{at} question, by mentioning me ({mention} question) or by replying "
            "to one of my messages.\nAlerts on a topic for this group: /subscribe topic "
            "(administrators). More: /help"
        ),
        "description": (
            "I answer questions about the news with short cited excerpts of stored articles: the "
            "words that answer, and the article's title, source, date and link. Ask me anything, "
            "for example “What did the Kremlin say?”. In a group: /ask, a mention or a reply. "
            "/subscribe to a topic to get an alert for each new article on it."
        ),
        "short_description": "Questions about the news, answered with cited excerpts of articles.",
        "empty_collection": (
            "No article is stored yet, so there is nothing to answer from. An administrator adds "
            "some with `depeche ingest PATH` on the server, or a feed with /feeds add URL."
        ),
        "share": "Share ↗",
        "inline_nothing": "Nothing found: ask me in private",
        "read_sent_privately": "Sent to you in private.",
        "read_start_first": "Press Start in the chat with me, and the article comes.",
        "article_more": "The article goes on ({parts} more messages).",
        "continue": "Continue ▸",
        "open_link": "Read on the site ↗",
    },
    "fr": {
        "intro": (
            "Dépêche répond aux questions sur l'actualité par des extraits cités des articles "
            "enregistrés."
        ),
        "private_how": "Envoyez-moi une question, par exemple :",
        "group_how": (
            "Dans un groupe, demandez avec /ask{at} question, mentionnez-moi ({mention} question) "
            "ou répondez à l'un de mes messages."
        ),
        "commands_title": "Commandes :",
        "empty_ask": "Posez une question après /ask, par exemple : /ask {example}",
        "more": "Plus de résultats ▸",
        "previous": "◂ Précédents",
        "read": "Lire {n}",
        "read_hint": "lire un résultat : /article {n}",
        "more_hint": "résultats suivants : /more",
        "previous_hint": "résultats précédents : /previous",
        "ask_again": "Ce bouton a expiré : posez à nouveau votre question.",
        "article_usage": (
            "Indiquez le numéro d'un résultat de la dernière réponse (/article 1), ou "
            "l'identifiant d'un article (/article #12)"
        ),
        "article_missing": "Pas d'article {id} : il a peut-être été retiré.",
        "latest_title": "Derniers articles :",
        "latest_none": "Aucun article n'est encore enregistré.",
        "latest_usage": (
            "Indiquez combien d'articles lister, de 1 à {max}, et un sujet si vous voulez : "
            "/latest 5 · /latest Ukraine"
        ),
        "sources_title": "Articles par source :",
        "sources_line": "{source} : {count} (dernier {date})",
        "sources_line_undated": "{source} : {count}",
        "stats": "{articles} articles, {passages} passages, {sources} sources",
        "stats_dates": "du {oldest} au {newest}",
        "unknown_command": (
            "Je ne connais pas /{name}. Envoyez /help pour voir ce que je sais faire."
        ),
        "not_allowed": "Seuls les administrateurs du bot peuvent utiliser /{name}.",
        "error": "Désolé, un problème est survenu de mon côté. Réessayez dans un instant.",
        "no_more_console": "Rien à feuilleter : posez d'abord une question.",
        "console_welcome": (
            "Dépêche, dans le terminal. Posez une question, ou tapez /help. "
            "Ctrl-D (ou /quit) pour quitter."
        ),
        "cmd_start": "Ce que fait Dépêche",
        "cmd_help": "Comment poser une question, avec des exemples",
        "cmd_ask": "Répondre à une question à partir des articles",
        "cmd_latest": "Les derniers articles, sur un sujet si indiqué",
        "cmd_sources": "Articles par source",
        "cmd_stats": "Taille de la collection",
        "cmd_article": "Lire un article entier : numéro d'un résultat, ou #id",
        "usage_ask": "question",
        "usage_latest": "[n] [sujet]",
        "usage_article": "N | #id",
        "no_question": "Posez une question, par exemple : Qu'a dit le Kremlin ?",
        "only_common_words": (
            "Votre question ne contient que des mots trop courants ; ajoutez un nom ou un sujet."
        ),
        "no_more_results": "Pas d'autre résultat.",
        "nothing_found": "Rien trouvé dans les articles enregistrés. Essayez d'autres mots.",
        "no_direct_answer": (
            "Pas de réponse directe dans les articles enregistrés. Les passages les plus proches :"
        ),
        "also_searched": "Cherché aussi : {forms}",
        "needs_subject": (
            "Dites de qui ou de quoi, par exemple : Qu'a dit Poutine ? ou Qu'a dit le Kremlin ?"
        ),
        "unanalysed_script": (
            "Seuls le français et l'anglais sont analysés : "
            "la question a été cherchée telle quelle."
        ),
        "digest_header": "{count} nouveaux articles · {topics}",
        "day_one": "1er",
        "quoted": "« {text} »",
        # l'actualité dans le temps : périodes, sources, numérotation, tendances
        "period_line": "Période : {phrase} ({dates})",
        "period_range": "du {start} au {end}",
        "sources_filter": "Sources : {sources}",
        "nothing_in_period": "Rien ne correspond dans les articles enregistrés pour {dates}.",
        "newest_outside": "Le dernier article correspondant date de {date} : {title}",
        "other_dates": "Les passages les plus proches, à d'autres dates :",
        "no_answer_in_period": (
            "Aucun passage de {dates} ne répond directement ; les meilleurs, toutes dates "
            "confondues :"
        ),
        "unknown_source": "Aucun article de {sources}. Sources connues : {known}",
        "no_sources": "Aucune source : aucun article n'est enregistré.",
        "undated": "non daté",
        "no_such_result": (
            "La dernière réponse de cette discussion n'a pas de résultat {n}. Posez d'abord une "
            "question, ou donnez l'identifiant d'un article : /article #{n}"
        ),
        "latest_topic_title": "Derniers articles sur {topic} :",
        "latest_topic_none": "Aucun article enregistré ne correspond à {topic}.",
        "cmd_trend": "Un graphique des articles sur un sujet, par jour",
        "usage_trend": "sujet [période]",
        "trend_usage": (
            "Indiquez un sujet, et une période si vous voulez : /trend Ukraine · "
            "/trend Kremlin ce mois-ci"
        ),
        "trend_none": "Aucun article sur {topic} pour {dates}.",
        "trend_caption": (
            "{topic} : {count} articles, {dates}. Jour le plus chargé : {day} ({busiest} articles)."
        ),
        "trend_month_only": "{count} autres, datés seulement du mois, ne sont pas dessinés.",
        "trend_saved": "Graphique enregistré dans {path}",
        "trend_axis": "articles par jour",
        # abonnements et flux
        "cmd_subscribe": "Recevoir une alerte pour les nouveaux articles sur un sujet",
        "cmd_unsubscribe": "Arrêter un abonnement",
        "cmd_subscriptions": "Les abonnements de cette discussion",
        "cmd_feeds": "Gérer les flux RSS/Atom (administrateurs)",
        "usage_subscribe": "sujet",
        "usage_unsubscribe": "numéro ou sujet",
        "usage_feeds": "[add URL | remove ID | poll]",
        "subscribe_usage": (
            "Indiquez le sujet à suivre, par exemple :\n/subscribe {example}\n"
            'Tous les mots doivent apparaître ; des "guillemets" pour une expression, -mot '
            "pour exclure, OR entre des variantes."
        ),
        "topic_error": "{error}\nPar exemple : /subscribe {example}",
        "subscribed": (
            "Abonnement #{id} : {topic}\nLes nouveaux articles sur ce sujet seront envoyés ici. "
            "Pour arrêter : /unsubscribe {id}"
        ),
        "already_subscribed": "Cette discussion suit déjà {topic} (#{id}).",
        "too_many_subscriptions": (
            "Cette discussion suit déjà {count} sujets, le maximum ; arrêtez-en un avec "
            "/unsubscribe d'abord."
        ),
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
        # alert controls
        "cmd_mute": "Retenir les alertes un moment (8 h par défaut)",
        "cmd_unmute": "Renvoyer les alertes, celles retenues tout de suite",
        "cmd_quiet": "Heures calmes : alertes retenues, puis un résumé",
        "cmd_digest": "Un résumé par jour au lieu des alertes au fil de l'eau",
        "usage_mute": "[30m|8h|1j]",
        "usage_quiet": "22:00-07:00 [fuseau] | off",
        "usage_digest": "daily 08:00 [fuseau] | off",
        "mute_usage": "Indiquez pour combien de temps : /mute 8h (ou 30m, 1j ; 30 jours au plus).",
        "muted": (
            "Alertes en sourdine jusqu'au {until} ({tz}) ; elles sont retenues puis envoyées en "
            "un seul résumé. /unmute pour les recevoir maintenant."
        ),
        "unmuted": "Les alertes reprennent ; celles retenues sont envoyées maintenant.",
        "quiet_usage": (
            "Indiquez les heures calmes ainsi : /quiet 22:00-07:00, avec un fuseau si besoin "
            "(/quiet 22:00-07:00 Europe/Paris), ou /quiet off."
        ),
        "quiet_set": (
            "Heures calmes {start}-{end} ({tz}) : les alertes sont retenues et envoyées en un "
            "seul résumé à {end}."
        ),
        "quiet_off": "Heures calmes désactivées ; les alertes retenues sont envoyées maintenant.",
        "quiet_none": "Pas d'heures calmes. Par exemple : /quiet 22:00-07:00",
        "digest_usage": (
            "/digest daily 08:00 [fuseau] : un résumé par jour au lieu des alertes au fil de "
            "l'eau ; /digest off : les alertes au fil de l'eau."
        ),
        "digest_set": "Un résumé par jour à {at} ({tz}) au lieu des alertes au fil de l'eau.",
        "digest_off": (
            "Les alertes sont de nouveau envoyées au fil de l'eau ; celles retenues maintenant."
        ),
        "digest_none": (
            "Les alertes arrivent au fil de l'eau. Pour un résumé par jour : /digest daily 08:00"
        ),
        "bad_timezone": "Fuseau horaire inconnu {tz} : utilisez un nom comme Europe/Paris ou UTC.",
        "button_read": "Lire",
        "button_mute": "Sourdine 8 h",
        "button_unsubscribe": "Se désabonner de {topic}",
        "feeds_usage": "/feeds · /feeds add URL [source] · /feeds remove ID · /feeds poll",
        "feeds_none": "Aucun flux : /feeds add URL",
        "feeds_title": "Flux :",
        "feed_added": (
            "Flux #{id} ajouté : {title} — {entries} entrées, {new} nouvelles enregistrées.\n"
            "{url}\nIl est lu toutes les {minutes} minutes."
        ),
        "feed_refused": "Impossible d'ajouter {url} : {error}",
        "feed_known": "Le flux #{id} est déjà là : {url}",
        "feed_removed": "Flux #{id} retiré : {url}",
        "feed_missing": "Pas de flux {reference}. Voir /feeds",
        "feeds_polling": (
            "Lecture de {count} flux ; les nouveaux articles sont enregistrés dans un instant."
        ),
        # la langue de la discussion, la console, Telegram (ticket 12)
        "cmd_lang": "La langue que je parle dans cette discussion (en, fr)",
        "usage_lang": "en|fr",
        "lang_current": (
            "Je parle français dans cette discussion. Pour changer : /lang en (English) ou "
            "/lang fr (français)."
        ),
        "lang_set": "Désormais, je parle français dans cette discussion.",
        "lang_admins_only": (
            "Seuls les administrateurs de ce groupe peuvent changer la langue que j'y parle."
        ),
        "cmd_more": "Les résultats suivants de la dernière réponse",
        "cmd_previous": "Les résultats précédents",
        "cmd_quit": "Quitter (Ctrl-D aussi)",
        "greeting": (
            "Bonjour ! Je réponds aux questions sur l'actualité par des extraits cités "
            "d'articles enregistrés.\nDemandez ici avec /ask{at} question, en me mentionnant "
            "({mention} question) ou en répondant à l'un de mes messages.\nDes alertes sur un "
            "sujet pour ce groupe : /subscribe sujet (administrateurs). Plus : /help"
        ),
        "description": (
            "Je réponds aux questions sur l'actualité par de courts extraits cités d'articles "
            "enregistrés : les mots qui répondent, et le titre, la source, la date et le lien de "
            "l'article. Demandez-moi par exemple « Qu'a dit le Kremlin ? ». Dans un groupe : "
            "/ask, une mention ou une réponse. /subscribe à un sujet pour une alerte à chaque "
            "nouvel article."
        ),
        "short_description": ("Les questions sur l'actualité, avec des extraits cités d'articles."),
        "empty_collection": (
            "Aucun article n'est encore enregistré : je n'ai rien pour répondre. Un "
            "administrateur en ajoute avec `depeche ingest CHEMIN` sur le serveur, ou un flux "
            "avec /feeds add URL."
        ),
        "share": "Partager ↗",
        "inline_nothing": "Rien trouvé : demandez-moi en privé",
        "read_sent_privately": "Envoyé en privé.",
        "read_start_first": (
            "Appuyez sur Démarrer dans la discussion avec moi, et l'article arrive."
        ),
        "article_more": "L'article continue ({parts} messages de plus).",
        "continue": "Suite ▸",
        "open_link": "Lire sur le site ↗",
    },
}

EXAMPLES: dict[Lang, tuple[str, ...]] = {
    "en": (EXAMPLE_EN, "Ouchakov Istanbul", EXAMPLE_FR),
    "fr": (EXAMPLE_FR, "Ouchakov Istanbul", EXAMPLE_EN),
}


def language_of_user(language_code: str | None) -> Lang:
    """French for a Telegram ``language_code`` such as ``fr`` or ``fr-CA``, else English."""
    if language_code and language_code.lower().replace("_", "-").split("-")[0] == "fr":
        return "fr"
    return "en"


def t(key: str, language: Lang = "en", /, **values: object) -> str:
    """The sentence ``key`` in ``language`` (English when missing there), with its values."""
    table = STRINGS.get(language, STRINGS["en"])
    template = table.get(key) or STRINGS["en"][key]
    return template.format(**values) if values else template
