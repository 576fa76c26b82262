"""Rendering answers and articles: Telegram HTML and plain text, both pure functions."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime

from retrieval.analysis import iter_words
from retrieval.excerpt import Excerpt
from retrieval.search import Answer, PassageRecord, Results

TELEGRAM_LIMIT = 4096

_MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "en": "January February March April May June July August September October November December",
}


def format_date(value: datetime | None, precision: str, language: str = "en") -> str:
    """A published date only as precise as it is known: ``juin 2025``, ``3 June 2025``."""
    if value is None:
        return ""
    months = _MONTHS["fr" if language == "fr" else "en"].split()
    month = months[value.month - 1]
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return f"{month} {value.year}"
    day = "1er" if language == "fr" and value.day == 1 else str(value.day)
    text = f"{day} {month} {value.year}"
    if precision == "time":
        text += f" {value:%H:%M} UTC"
    return text


def citation_parts(passage: PassageRecord, language: str = "en") -> list[str]:
    """Source, date and slug of a passage's article, the parts of a citation after its title."""
    parts = [passage.source]
    date = format_date(passage.published_at, passage.published_precision, language)
    if date:
        parts.append(date)
    if passage.slug and passage.slug != passage.source:
        parts.append(passage.slug)
    return [p for p in parts if p and p != "unknown"]


def _marked(excerpt: Excerpt, open_mark: str, close_mark: str, escape: bool) -> str:
    out: list[str] = []
    last = 0
    text = excerpt.text
    for start, end in excerpt.highlights:
        chunk, word = text[last:start], text[start:end]
        if escape:
            chunk, word = html.escape(chunk, quote=False), html.escape(word, quote=False)
        out.append(f"{chunk}{open_mark}{word}{close_mark}")
        last = end
    tail = text[last:]
    out.append(html.escape(tail, quote=False) if escape else tail)
    return "".join(out)


def render_answer_text(results: Results, language: str = "en") -> str:
    """Answers as plain text for the terminal: numbered excerpts with their citations."""
    if not results.answers:
        return no_answer_text(results, language)
    blocks = []
    for number, answer in enumerate(results.answers, start=results.offset + 1):
        passage = answer.passage
        excerpt = _marked(answer.excerpt, "[", "]", escape=False)
        lines = [f"{number}. « {excerpt} »" if language == "fr" else f"{number}. “{excerpt}”"]
        lines.append(f"   — {passage.title}")
        cite = " · ".join(citation_parts(passage, language))
        if cite:
            lines.append(f"     {cite}")
        if passage.url:
            lines.append(f"     {passage.url}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def no_answer_text(results: Results, language: str = "en") -> str:
    """The sentence shown when a question has no usable words or nothing matches."""
    if not any(True for _ in iter_words(results.question)):  # empty, or only emoji/punctuation
        return (
            "Posez une question, par exemple : Qu'a dit le Kremlin ?"
            if language == "fr"
            else "Ask a question, for example: What did the Kremlin say?"
        )
    if not results.terms:
        return (
            "Votre question ne contient que des mots trop courants ; ajoutez un nom ou un sujet."
            if language == "fr"
            else "Your question has only very common words; add a name or a topic."
        )
    if results.offset:
        return "Pas d'autre résultat." if language == "fr" else "No more results."
    return (
        "Rien trouvé dans les articles enregistrés. Essayez d'autres mots."
        if language == "fr"
        else "Nothing found in the stored articles. Try other words."
    )


def render_answer_html(results: Results, language: str = "en") -> str:
    """Answers as Telegram HTML: excerpts with matched words in bold, cited and linked.

    Everything that comes from an article is escaped, so a title holding ``<script>`` or ``&``
    shows as text.
    """
    if not results.answers:
        return html.escape(no_answer_text(results, language), quote=False)
    blocks = [
        _answer_html(a, n, language) for n, a in enumerate(results.answers, results.offset + 1)
    ]
    return "\n\n".join(blocks)


def _answer_html(answer: Answer, number: int, language: str) -> str:
    passage = answer.passage
    excerpt = _marked(answer.excerpt, "<b>", "</b>", escape=True)
    title = html.escape(passage.title, quote=False)
    if passage.url and passage.url.startswith(("http://", "https://")):
        title = f'<a href="{html.escape(passage.url, quote=True)}">{title}</a>'
    cite = html.escape(" · ".join(citation_parts(passage, language)), quote=False)
    quote = f"« {excerpt} »" if language == "fr" else f"“{excerpt}”"
    lines = [f"{number}. {quote}", f"— <i>{title}</i>"]
    if cite:
        lines.append(cite)
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


def split_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split Telegram HTML into messages of at most ``limit`` characters, each valid on its own.

    Cuts fall between paragraphs when possible, else between words; never inside a tag or an
    entity such as ``&amp;``. A tag open at a cut is closed before it and opened again after.
    The markup is counted too, so every part is within the limit however Telegram counts.
    """
    if utf16_len(text) <= limit:
        return [text]
    atoms: list[str] = []
    for i, piece in enumerate(_HTML_TOKEN.split(text)):
        if i % 2:
            atoms.append(piece)
        else:
            atoms.extend(_HTML_ATOM.findall(piece))
    parts: list[str] = []
    current: list[str] = []
    size = 0
    stack: list[tuple[str, str]] = []  # (name, opening tag) of the tags open at this point
    # (atom index in current, size there, copy of stack) at the last paragraph break
    last_break: tuple[int, int, list[tuple[str, str]]] | None = None

    def closing(open_tags: list[tuple[str, str]]) -> str:
        return "".join(f"</{name}>" for name, _ in reversed(open_tags))

    def flush(upto: int, open_tags: list[tuple[str, str]]) -> None:
        body = "".join(current[:upto]).strip()
        if body.replace("\n", ""):
            parts.append(body + closing(open_tags))

    for atom in atoms:
        new_stack = stack
        if atom.startswith("<"):
            match = _TAG_NAME.match(atom)
            name = match.group(1).lower() if match else ""
            if atom.startswith("</"):
                new_stack = stack[:-1] if stack and stack[-1][0] == name else stack
            elif not atom.endswith("/>"):
                new_stack = [*stack, (name, atom)]
        atom_size = utf16_len(atom)
        if current and size + atom_size + utf16_len(closing(new_stack)) > limit:
            if last_break is not None and last_break[1] > limit // 2:
                at, _, open_tags = last_break
                rest = current[at:]
                flush(at, open_tags)
                current = [opening for _, opening in open_tags] + rest
            else:
                flush(len(current), stack)
                current = [opening for _, opening in stack]
            size = utf16_len("".join(current))
            last_break = None
            if atom.isspace():
                stack = new_stack
                continue
        current.append(atom)
        size += atom_size
        stack = new_stack
        if atom.startswith("\n\n") and not stack:
            last_break = (len(current), size, [])
    flush(len(current), stack)
    return parts


def render_article_html(
    title: str,
    paragraphs: Sequence[tuple[str | None, str]],
    cite: str,
    url: str | None = None,
) -> str:
    """A whole article as Telegram HTML (split it with :func:`split_html`); all text escaped."""
    head = html.escape(title, quote=False)
    if url and url.startswith(("http://", "https://")):
        head = f'<a href="{html.escape(url, quote=True)}">{head}</a>'
    head = f"<b>{head}</b>"
    blocks = [head]
    if cite:
        blocks[0] += f"\n<i>{html.escape(cite, quote=False)}</i>"
    heading: str | None = None
    for passage_heading, text in paragraphs:
        if passage_heading and passage_heading != heading:
            blocks.append(f"<b>{html.escape(passage_heading, quote=False)}</b>")
            heading = passage_heading
        blocks.append(html.escape(text, quote=False))
    return "\n\n".join(blocks)
