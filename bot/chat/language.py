"""The language the interface speaks: the chat's choice (/lang), else the user's, else English.

Never the question's: a question's words only steer how it is analysed (retrieval), so an
English-speaking user asking "Ukraine Russie Kremlin" still reads "Read 1", not "Lire 1".
"""

from __future__ import annotations

from bot.chat.messages import Lang, language_of_user, t
from bot.chat.registry import Reply, Request, command

LANGUAGES: tuple[Lang, ...] = ("en", "fr")


def interface_language(chosen: str | None, user_language_code: str | None) -> Lang:
    """The chat's chosen language when it chose one, else the user's Telegram language."""
    if chosen in LANGUAGES:
        return "fr" if chosen == "fr" else "en"
    return language_of_user(user_language_code)


@command("lang", "cmd_lang", usage="usage_lang", group_admin=True, console=False)
def lang(request: Request) -> Reply:
    """Show or set the chat's language; in groups only administrators set it."""
    wanted = request.args.strip().lower().removeprefix("/")
    if request.chat_id is None or wanted not in LANGUAGES:
        return Reply.plain(t("lang_current", request.language))
    if request.chat_type in ("group", "supergroup") and not request.chat_admin:
        return Reply.plain(t("lang_admins_only", request.language))
    chosen: Lang = "fr" if wanted == "fr" else "en"
    request.service.chat_languages.set(request.chat_id, chosen, request.chat_type)
    return Reply.plain(t("lang_set", chosen))
