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
        "read_hint": "read an article: /article {id}",
        "more_hint": "next results: /more",
        "previous_hint": "previous results: /previous",
        "ask_again": "This button has expired: please ask your question again.",
        "article_usage": "Give the number of an article, for example: /article 1",
        "article_missing": "No article {id}: it may have been removed.",
        "latest_title": "Newest articles:",
        "latest_none": "No article is stored yet.",
        "latest_usage": "Give how many articles to list, from 1 to {max}: /latest 5",
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
            "Dépêche, in the terminal. Ask a question, or type /help. "
            "Ctrl-D (or /quit) to leave."
        ),
        # command menu descriptions
        "cmd_start": "What Dépêche does",
        "cmd_help": "How to ask, with examples",
        "cmd_ask": "Answer a question from the articles",
        "cmd_latest": "The newest articles",
        "cmd_sources": "Articles per source",
        "cmd_stats": "Size of the collection",
        "cmd_article": "Read a whole article by its number",
        "usage_ask": "question",
        "usage_latest": "[n]",
        "usage_article": "number",
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
        "read_hint": "lire un article : /article {id}",
        "more_hint": "résultats suivants : /more",
        "previous_hint": "résultats précédents : /previous",
        "ask_again": "Ce bouton a expiré : posez à nouveau votre question.",
        "article_usage": "Indiquez le numéro d'un article, par exemple : /article 1",
        "article_missing": "Pas d'article {id} : il a peut-être été retiré.",
        "latest_title": "Derniers articles :",
        "latest_none": "Aucun article n'est encore enregistré.",
        "latest_usage": "Indiquez combien d'articles lister, de 1 à {max} : /latest 5",
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
        "cmd_latest": "Les derniers articles",
        "cmd_sources": "Articles par source",
        "cmd_stats": "Taille de la collection",
        "cmd_article": "Lire un article entier par son numéro",
        "usage_ask": "question",
        "usage_latest": "[n]",
        "usage_article": "numéro",
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
