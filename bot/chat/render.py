"""Rendering answers, articles, alerts and digests: Telegram HTML and plain text, all pure.

One helper each for the pieces they share: :func:`citation` (source · date · slug),
:func:`linked_title` (a title linking to its article) and :func:`highlighted` (an excerpt with
its matched words marked).
"""

from __future__ import annotations

import html
import re
from calendar import monthrange
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from babel import dates as babel_dates

from bot.chat.messages import Lang, t
from retrieval.analysis import Language, iter_words, term
from retrieval.excerpt import Excerpt, make_excerpt
from retrieval.topics import cached_topic
from storage.feeds import redact

if TYPE_CHECKING:  # search's types only: importing it loads the index (slow CLI start)
    from retrieval.filters import Period
    from retrieval.search import Answer, Results, Scope
    from storage.alerts import AlertContent

TELEGRAM_LIMIT = 4096


_DATE_PATTERNS = {"year": "y", "month": "LLLL y", "day": "d MMMM y", "time": "d MMMM y HH:mm"}


def format_date(value: datetime | None, precision: str, language: str = "en") -> str:
    """A published date only as precise as it is known, in ``language`` (CLDR's month names,
    by babel): ``juin 2025``, ``1er juin 2025``, ``3 June 2025 14:05 UTC``."""
    if value is None:
        return ""
    lang: Lang = "fr" if language == "fr" else "en"
    value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    pattern = _DATE_PATTERNS.get(precision, _DATE_PATTERNS["day"])
    text = babel_dates.format_datetime(value, pattern, tzinfo=UTC, locale=lang)
    if precision in ("day", "time") and value.day == 1:
        text = t("day_one", lang) + text[1:]  # le 1er juin, but the 2 juin
    if precision == "time":
        text += " UTC"
    return text


def citation(
    *,
    source: str,
    published_at: datetime | None,
    precision: str,
    slug: str | None,
    language: str = "en",
) -> str:
    """The citation after an article's title: ``AFP · 3 June 2025 · ukraine-russie``; an
    article without a date says so (``AFP · undated``), never an empty field."""
    lang: Lang = "fr" if language == "fr" else "en"
    parts = [source, format_date(published_at, precision, language) or t("undated", lang)]
    if slug and slug != source:
        parts.append(slug)
    return " · ".join(p for p in parts if p and p != "unknown")


def cite(item: Any, language: str | None = None) -> str:
    """:func:`citation` of anything with an article's ``source``, ``published_at``,
    ``published_precision`` and ``slug`` (a passage record, an article, an alert's content);
    the date in ``language``, else in the article's own."""
    return citation(
        source=item.source,
        published_at=item.published_at,
        precision=item.published_precision,
        slug=item.slug,
        language=language or str(getattr(item, "language", "en")),
    )


def linked_title(title: str, url: str | None) -> str:
    """A title as Telegram HTML, linking to its article when the URL is a web address."""
    escaped = html.escape(title, quote=False)
    if url and url.startswith(("http://", "https://")):
        return f'<a href="{html.escape(url, quote=True)}">{escaped}</a>'
    return escaped


def highlighted(excerpt: Excerpt, *, markup: bool = True) -> str:
    """An excerpt with its matched words marked: ``<b>word</b>`` in HTML (all text escaped),
    ``[word]`` in plain text."""
    open_mark, close_mark = ("<b>", "</b>") if markup else ("[", "]")

    def out(text: str) -> str:
        return html.escape(text, quote=False) if markup else text

    parts: list[str] = []
    last = 0
    for start, end in excerpt.highlights:
        parts.append(f"{out(excerpt.text[last:start])}{open_mark}{out(excerpt.text[start:end])}")
        parts.append(close_mark)
        last = end
    parts.append(out(excerpt.text[last:]))
    return "".join(parts)


def quoted(text: str, language: str) -> str:
    """Text in the quotation marks of its language."""
    return t("quoted", "fr" if language == "fr" else "en", text=text)


# At most this many other forms are named in "also searched", each cut to a sensible length.
MAX_ALSO_SEARCHED = 5
MAX_FORM_CHARS = 40


def answer_notes(results: Results, language: str = "en") -> list[str]:
    """What to say before the answers: that none answers directly, what else was searched,
    that the question's script is not analysed (plain text, one line each)."""
    lang: Lang = "fr" if language == "fr" else "en"
    notes = []
    if not results.analysed:
        notes.append(t("unanalysed_script", lang))
    if results.answers and not results.answered and not results.offset:
        notes.append(t("no_direct_answer", lang))
    forms = [f[:MAX_FORM_CHARS] for f in results.also_searched[:MAX_ALSO_SEARCHED]]
    if results.answers and forms:
        notes.append(t("also_searched", lang, forms=", ".join(forms)))
    return notes


def format_period(period: Period, language: str = "en") -> str:
    """A period as dates: ``4 June 2025``, ``June 2025``, ``1 June 2025 to 5 June 2025``."""
    lang: Lang = "fr" if language == "fr" else "en"

    def day(value: date) -> str:
        return format_date(datetime(value.year, value.month, value.day, tzinfo=UTC), "day", lang)

    start, end = period.start, period.end
    if start == end:
        return day(start)
    whole_month = (
        start.day == 1
        and (start.year, start.month) == (end.year, end.month)
        and end.day == monthrange(end.year, end.month)[1]
    )
    if whole_month:
        return format_date(datetime(start.year, start.month, 1, tzinfo=UTC), "month", lang)
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return t("period_range", lang, start=day(start), end=day(end))


def scope_lines(scope: Scope, language: str = "en") -> list[str]:
    """The filters a reply applied, stated before its answers (plain text)."""
    lang: Lang = "fr" if language == "fr" else "en"
    lines = []
    period = scope.filters.period
    if period is not None:
        lines.append(
            t("period_line", lang, phrase=period.phrase, dates=format_period(period, lang))
        )
    if scope.filters.sources:
        lines.append(t("sources_filter", lang, sources=", ".join(scope.filters.sources)))
    if scope.unanswered_in_period:
        assert period is not None
        lines.append(t("no_answer_in_period", lang, dates=format_period(period, lang)))
    elif scope.widened:
        lines += [*_nothing_in_period(scope, lang), t("other_dates", lang)]
    return lines


def _nothing_in_period(scope: Scope, lang: Lang) -> list[str]:
    assert scope.filters.period is not None
    said = [t("nothing_in_period", lang, dates=format_period(scope.filters.period, lang))]
    newest = scope.newest_outside
    if newest is not None:
        dated = format_date(newest.published_at, newest.published_precision, lang)
        said.append(t("newest_outside", lang, date=dated, title=newest.title))
    return said


def render_answer_text(results: Results, language: str = "en") -> str:
    """Answers as plain text for the terminal: numbered excerpts with their citations."""
    scope = scope_lines(results.scope, language)
    if not results.answers:
        return "\n".join([*scope, no_answer_text(results, language)])
    notes = [*scope, *answer_notes(results, language)]
    blocks = ["\n".join(notes)] if notes else []
    for number, answer in enumerate(results.answers, start=results.offset + 1):
        passage = answer.passage
        said = [quoted(highlighted(e, markup=False), language) for e in answer.excerpts]
        lines = [f"{number}. {said[0]}", *(f"   {more}" for more in said[1:])]
        lines.append(f"   — {passage.title}")
        cited = cite(passage, language)
        if cited:
            lines.append(f"     {cited}")
        if passage.url:
            lines.append(f"     {passage.url}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def no_answer_text(results: Results, language: str = "en") -> str:
    """The sentence shown when a question has no usable words or nothing matches."""
    lang: Lang = "fr" if language == "fr" else "en"
    scope = results.scope
    if scope.unknown_sources:
        known = ", ".join(scope.known_sources) or t("no_sources", lang)
        return t("unknown_source", lang, sources=", ".join(scope.unknown_sources), known=known)
    if not any(True for _ in iter_words(results.question)):  # empty, or only emoji/punctuation
        return t("no_question", lang)
    if results.needs_subject:  # "what did he say?"
        return t("needs_subject", lang)
    if not results.analysed:
        return f"{t('unanalysed_script', lang)}\n{t('nothing_found', lang)}"
    if not results.terms:
        return t("only_common_words", lang)
    if results.offset:
        return t("no_more_results", lang)
    if scope.filters.period is not None:
        return "\n".join(_nothing_in_period(scope, lang))
    return t("nothing_found", lang)


def render_answer_html(results: Results, language: str = "en") -> str:
    """Answers as Telegram HTML: excerpts with matched words in bold, cited and linked.

    Everything that comes from an article is escaped, so a title holding ``<script>`` or ``&``
    shows as text.
    """
    scope = [
        f"<i>{html.escape(line, quote=False)}</i>" for line in scope_lines(results.scope, language)
    ]
    if not results.answers:
        return "\n".join([*scope, html.escape(no_answer_text(results, language), quote=False)])
    notes = [
        *scope,
        *(f"<i>{html.escape(n, quote=False)}</i>" for n in answer_notes(results, language)),
    ]
    blocks = ["\n".join(notes)] if notes else []
    blocks += [
        _answer_html(a, n, language) for n, a in enumerate(results.answers, results.offset + 1)
    ]
    return "\n\n".join(blocks)


def _answer_html(answer: Answer, number: int, language: str) -> str:
    return f"{number}. {cited_excerpt_html(answer, language)}"


def cited_excerpt_html(answer: Answer, language: str, *, with_link: bool = False) -> str:
    """One answer as Telegram HTML: the quoted excerpt (and the passage's next one, for the
    best answer), its article's linked title and the citation (``with_link``: the article's
    address written out too, for a shared message)."""
    passage = answer.passage
    cited = html.escape(cite(passage, language), quote=False)
    lines = [quoted(highlighted(e), language) for e in answer.excerpts]
    lines.append(f"— <i>{linked_title(passage.title, passage.url)}</i>")
    if cited:
        lines.append(cited)
    if with_link and passage.url and passage.url.startswith(("http://", "https://")):
        lines.append(html.escape(passage.url, quote=False))
    return "\n".join(lines)


def article_card_html(item: Any, language: str) -> str:
    """An article as a shared message: its linked title, citation and address."""
    lines = [f"<b>{linked_title(item.title, item.url)}</b>"]
    cited = cite(item, language)
    if cited:
        lines.append(f"<i>{html.escape(cited, quote=False)}</i>")
    if item.url and item.url.startswith(("http://", "https://")):
        lines.append(html.escape(item.url, quote=False))
    return "\n".join(lines)


def render_article_text(title: str, paragraphs: Sequence[tuple[str | None, str]], cite: str) -> str:
    """A whole article as plain text: title, citation, then paragraphs under their intertitles."""
    lines = [title, cite, ""]
    heading: str | None = None
    for passage_heading, text in paragraphs:
        if passage_heading and passage_heading != heading:
            lines += [passage_heading.upper(), ""]
            heading = passage_heading
        lines += [text, ""]
    return "\n".join(lines).rstrip()


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: characters outside the BMP (most emoji) count twice."""
    return len(text.encode("utf-16-le")) // 2


_HTML_TOKEN = re.compile(r"(<[^>]*>|&#?\w+;)")
_HTML_ATOM = re.compile(r"\n\n+|\s|[^\s]{1,64}")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z-]+)")
_ANY_TAG = re.compile(r"<[^>]*>")


def _atoms(text: str) -> list[str]:
    """Tags, entities, white space (a paragraph break is one atom) and words of ≤ 64 chars."""
    atoms: list[str] = []
    for i, piece in enumerate(_HTML_TOKEN.split(text)):
        if i % 2:
            atoms.append(piece)
        else:
            atoms.extend(_HTML_ATOM.findall(piece))
    return atoms


def _has_visible_text(markup: str) -> bool:
    return bool(_ANY_TAG.sub("", markup).strip())


@dataclass(frozen=True)
class _Cut:
    """White space where a message may end: ``at`` atoms in, the message ``size`` long
    without it and ``after`` with it, these tags open there."""

    at: int
    size: int
    after: int
    open_tags: list[tuple[str, str]]
    paragraph: bool


def split_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split Telegram HTML into messages of at most ``limit`` characters, each valid on its own.

    Cuts fall between paragraphs when one is in the second half of a message, else at the last
    white space, and only inside a word longer than a whole message; never inside a tag or an
    entity such as ``&amp;``. The white space at a cut is where one message ends and the next
    begins, so no words are glued and no visible text is lost; a part with no visible text
    (``<b></b>``) is never sent. A tag open at a cut is closed before it and opened again
    after. The markup is counted too, so every part is within the limit however Telegram
    counts.
    """
    if utf16_len(text) <= limit:
        return [text] if _has_visible_text(text) else []
    parts: list[str] = []
    current: list[str] = []
    size = 0
    stack: list[tuple[str, str]] = []  # (name, opening tag) of the tags open at this point
    cuts: list[_Cut] = []  # the white space in ``current``, in order
    base = 0  # the size of the tags ``current`` reopens, before any text of its own

    def closing(open_tags: list[tuple[str, str]]) -> str:
        return "".join(f"</{name}>" for name, _ in reversed(open_tags))

    def reopened(open_tags: list[tuple[str, str]]) -> list[str]:
        return [opening for _, opening in open_tags]

    def emit(atoms: list[str], open_tags: list[tuple[str, str]]) -> None:
        body = "".join(atoms).strip() + closing(open_tags)
        if _has_visible_text(body):
            parts.append(body)

    pending = deque(_atoms(text))
    while pending:
        atom = pending.popleft()
        new_stack = stack
        if atom.startswith("<"):
            match = _TAG_NAME.match(atom)
            name = match.group(1).lower() if match else ""
            if atom.startswith("</"):
                new_stack = stack[:-1] if stack and stack[-1][0] == name else stack
            elif not atom.endswith("/>"):
                new_stack = [*stack, (name, atom)]
        atom_size = utf16_len(atom)
        while size + atom_size + utf16_len(closing(new_stack)) > limit and size > base:
            usable = [c for c in cuts if c.size > base]
            paragraphs = [c for c in usable if c.paragraph and c.size > limit // 2]
            cut = paragraphs[-1] if paragraphs else usable[-1] if usable else None
            if cut is not None:
                # End at that white space; what follows it starts the next message.
                emit(current[: cut.at], cut.open_tags)
                prefix = reopened(cut.open_tags)
                current = prefix + current[cut.at :]
                base = utf16_len("".join(prefix))
                cuts = [
                    replace(
                        c,
                        at=c.at - cut.at + len(prefix),
                        size=c.size - cut.after + base,
                        after=c.after - cut.after + base,
                    )
                    for c in cuts
                    if c.at > cut.at
                ]
            else:  # one word (or tag) fills the message: cut right here
                emit(current, stack)
                current = reopened(stack)
                base = utf16_len("".join(current))
                cuts = []
            size = utf16_len("".join(current))
        room = limit - size - utf16_len(closing(new_stack))
        if atom_size > room and not atom.startswith(("<", "&")) and room > 1:
            # A word that fills a message by itself (emoji count twice): what fits, then the rest.
            fits = atom[: room // 2]
            while utf16_len(fits + atom[len(fits)]) <= room:
                fits += atom[len(fits)]
            pending.appendleft(atom[len(fits) :])
            atom, atom_size = fits, utf16_len(fits)
        if atom.isspace() and size == base:
            stack = new_stack
            continue  # white space at the very start of a message shows nothing
        current.append(atom)
        size += atom_size
        stack = new_stack
        if atom.isspace():
            # Cutting here drops this white space: the cut itself stands for it.
            paragraph = atom.startswith("\n\n") and not stack
            cuts.append(_Cut(len(current), size - atom_size, size, list(stack), paragraph))
    emit(current, stack)
    return parts


def render_article_html(
    title: str,
    paragraphs: Sequence[tuple[str | None, str]],
    cite: str,
    url: str | None = None,
) -> str:
    """A whole article as Telegram HTML (split it with :func:`split_html`); all text escaped."""
    blocks = [f"<b>{linked_title(title, url)}</b>"]
    if cite:
        blocks[0] += f"\n<i>{html.escape(cite, quote=False)}</i>"
    heading: str | None = None
    for passage_heading, text in paragraphs:
        if passage_heading and passage_heading != heading:
            blocks.append(f"<b>{html.escape(passage_heading, quote=False)}</b>")
            heading = passage_heading
        blocks.append(html.escape(text, quote=False))
    return "\n\n".join(blocks)


def feed_line(feed: Any) -> str:
    """One feed as a line: id, URL (credentials hidden), title, when polled and how it went."""
    parts = [f"[{feed.id}] {redact(feed.url)}"]
    if feed.title or feed.source:
        parts.append(f"({feed.source or feed.title})")
    if feed.last_polled_at:
        parts.append(f"polled {feed.last_polled_at:%Y-%m-%d %H:%M}")
    else:
        parts.append("never polled")
    if feed.failures:
        parts.append(f"{feed.failures} failure(s): {feed.last_error}")
    return " ".join(parts)


# -- alerts and digests ------------------------------------------------------------------------


def best_excerpt(
    topic_text: str,
    passages: Sequence[tuple[str | None, str]],
    language: str,
    *,
    max_chars: int = 300,
) -> Excerpt | None:
    """The excerpt of the passage that holds most of the topic's words, matches marked."""
    topic = cached_topic(topic_text)
    if not passages:
        return None
    lang: Language = "en" if language == "en" else "fr"
    terms: frozenset[str] = topic.terms if topic is not None else frozenset()
    best_text, best_count = passages[0][1], -1
    for _heading, text in passages:
        found = {t for w in iter_words(text) if (t := term(w.text, lang)) in terms and t}
        if len(found) > best_count:
            best_text, best_count = text, len(found)
    return make_excerpt(best_text, terms, lang, max_chars=max_chars)


def plain_text(markup: str) -> str:
    """What Telegram shows of our HTML: the tags removed, entities unescaped."""
    return html.unescape(_HTML_TAG.sub("", markup))


_HTML_TAG = re.compile(r"<[^>]*>")
TOPICS_BUDGET = 200  # characters of topic names in an alert's or a digest's first line
ALERT_EXCERPT_CHARS = (300, 160, 0)  # tried in turn until the alert fits one message


@dataclass(frozen=True)
class AlertPart:
    """One message of an alert or a digest: its HTML, the plain text sent if Telegram refuses
    the HTML (title, excerpt and link all kept), and the alerts whose article title it holds."""

    html: str
    text: str
    articles: tuple[tuple[str, tuple[int, ...]], ...]  # (title, its alerts) of each article

    @property
    def alert_ids(self) -> tuple[int, ...]:
        """Every alert this message delivers."""
        return tuple(i for _, ids in self.articles for i in ids)

    def size(self) -> int:
        """Its length as Telegram counts it, HTML or plain, whichever is longer."""
        return max(utf16_len(plain_text(self.html)), utf16_len(self.text))


def topic_names(contents: Sequence[AlertContent], budget: int = TOPICS_BUDGET) -> str:
    """The distinct topics, as many as fit ``budget`` characters, then ``+N``."""
    names = list(dict.fromkeys(c.topic for c in contents))
    shown: list[str] = []
    for name in names:
        if shown and len(", ".join([*shown, name])) > budget:
            break
        shown.append(name if len(name) <= budget else name[: budget - 1].rstrip() + "…")
    rest = len(names) - len(shown)
    return ", ".join(shown) + (f" +{rest}" if rest else "")


def _web(url: str | None) -> str | None:
    return url if url and url.startswith(("http://", "https://")) else None


def render_alert(contents: Sequence[AlertContent], language: str | None = None) -> AlertPart:
    """One article's alert (for one or more of a chat's topics): topics, headline, excerpt,
    citation, link — the excerpt shortened, then left out, until it fits one message."""
    first = contents[0]
    lang = language or first.language
    topics = topic_names(contents)
    cited = cite(first, lang)
    url = _web(first.url)
    part = None
    for max_chars in ALERT_EXCERPT_CHARS:
        excerpt = (
            best_excerpt(first.topic, first.passages, first.language, max_chars=max_chars)
            if max_chars
            else None
        )
        markup = [
            f"🔔 {html.escape(topics, quote=False)}",
            f"<b>{linked_title(first.title, url)}</b>",
        ]
        plain = [f"🔔 {topics}", first.title]
        if excerpt is not None and excerpt.text:
            markup.append(quoted(highlighted(excerpt), first.language))
            plain.append(quoted(highlighted(excerpt, markup=False), first.language))
        if cited:
            markup.append(f"<i>{html.escape(cited, quote=False)}</i>")
            plain.append(cited)
        if url:
            markup.append(html.escape(url, quote=False))
            plain.append(url)
        part = AlertPart(
            "\n".join(markup),
            "\n".join(plain),
            ((first.title, tuple(c.alert.id for c in contents)),),
        )
        if part.size() <= TELEGRAM_LIMIT:
            break
    assert part is not None
    return part


MAX_DIGEST_EXCERPTS = 15  # up to this many articles, a digest shows an excerpt of each
DIGEST_EXCERPT_CHARS = 160


def _digest_item(group: Sequence[AlertContent], number: int, lang: str, excerpt: bool) -> AlertPart:
    first = group[0]
    url = _web(first.url)
    cited = cite(first, lang) if excerpt else first.source
    markup = f"{number}. <b>{linked_title(first.title, url)}</b>"
    plain = f"{number}. {first.title}"
    if cited and cited != "unknown":
        markup += f" — <i>{html.escape(cited, quote=False)}</i>"
        plain += f" — {cited}"
    found = (
        best_excerpt(first.topic, first.passages, first.language, max_chars=DIGEST_EXCERPT_CHARS)
        if excerpt
        else None
    )
    if found is not None and found.text:
        markup += "\n" + quoted(highlighted(found), first.language)
        plain += "\n" + quoted(highlighted(found, markup=False), first.language)
    if url:
        plain += f"\n{url}"
    return AlertPart(markup, plain, ((first.title, tuple(c.alert.id for c in group)),))


def _digest_language(groups: Sequence[Sequence[AlertContent]]) -> Lang:
    languages = [group[0].language for group in groups]
    return "fr" if languages.count("fr") > len(languages) / 2 else "en"


def render_digest(
    articles: Sequence[Sequence[AlertContent]], language: str | None = None
) -> list[AlertPart]:
    """Several articles for one chat as few messages as fit: every article shown (numbered,
    headline linked, source), with an excerpt when there are at most 15 of them."""
    lang: Lang = ("fr" if language == "fr" else "en") if language else _digest_language(articles)
    with_excerpts = len(articles) <= MAX_DIGEST_EXCERPTS
    items = [
        _digest_item(group, number, lang, with_excerpts)
        for number, group in enumerate(articles, start=1)
    ]
    topics = topic_names([c for group in articles for c in group])
    header = "🔔 " + t("digest_header", lang, count=len(articles), topics=topics)
    # room for the header and its " (12/12)"
    room = TELEGRAM_LIMIT - utf16_len(header) - 10
    chunks: list[list[AlertPart]] = [[]]
    used = 0
    for item in items:
        size = item.size() + 2  # the blank line before it
        if chunks[-1] and used + size > room:
            chunks.append([])
            used = 0
        chunks[-1].append(item)
        used += size
    parts = []
    for index, chunk in enumerate(chunks, start=1):
        title = header if len(chunks) == 1 else f"{header} ({index}/{len(chunks)})"
        parts.append(
            AlertPart(
                "\n\n".join([html.escape(title, quote=False), *(i.html for i in chunk)]),
                "\n\n".join([title, *(i.text for i in chunk)]),
                tuple(a for i in chunk for a in i.articles),
            )
        )
    return parts
