"""Readers: turn a source file (wire dispatch, plain text, Markdown, JSON Lines) into drafts.

A reader never touches the database; it returns ``ArticleDraft`` values, or ``ReaderError``
values naming the file (and line) when part of a source cannot be read, so that the rest of a
batch still goes in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from retrieval.analysis import normalize
from retrieval.passages import Block, split_sentences
from storage.html import html_to_blocks, looks_like_html

WIRE_SUFFIXES = frozenset({".txt", ".wire"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
SUPPORTED_SUFFIXES = WIRE_SUFFIXES | MARKDOWN_SUFFIXES | JSONL_SUFFIXES
MAX_TITLE_CHARS = 120
MAX_FILE_BYTES = 50 * 1024 * 1024
# Dates outside these years are typing or conversion errors (9999-12-31 placeholders), and
# some overflow once moved to UTC: the record is refused.
MIN_YEAR, MAX_YEAR = 1900, 2100

_WIRE_DATE = re.compile(r"^\s*date\s+(\d{4}(?:-\d{2}(?:-\d{2})?)?)\s*", re.IGNORECASE)
# The closing line of an agency dispatch: "/ATS2191", "/ATS", "/AFP 123", "/ats-afp".
_WIRE_SLUG = re.compile(r"^/\s*([A-Za-z][A-Za-z-]{1,15}?)[\s-]?(\d+)?\s*$")
_SENTENCE_PUNCTUATION = ".!?…:;,"
_CLOSING_QUOTES = "'\"»”’)]"
MAX_INTERTITLE_CHARS = 80
MAX_INTERTITLE_WORDS = 10


class ReaderError(ValueError):
    """A source, or one line of it, that could not be read."""

    def __init__(self, origin: str, message: str, *, line: int | None = None) -> None:
        self.origin = origin
        self.line = line
        self.message = message
        where = f"{origin}, line {line}" if line is not None else origin
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class ArticleDraft:
    """An article as read from a source, before it is stored."""

    blocks: tuple[Block, ...]
    source: str = "unknown"
    title: str | None = None
    slug: str | None = None
    url: str | None = None
    language: str | None = None
    published_at: datetime | None = None
    published_precision: str = "day"
    origin: str | None = None
    external_id: str | None = field(default=None)
    line: int | None = None  # the line of ``origin`` it was read from (JSON Lines)

    @property
    def identity(self) -> str | None:
        """What ties re-sends of one dispatch together: agency slug, entry id or link."""
        if self.external_id:
            return self.external_id
        if self.slug:
            return f"{self.source}:{self.slug}"
        if self.url:
            return f"url:{self.url}"
        return None


def parse_date(value: str) -> tuple[datetime, str]:
    """Parse ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or an ISO timestamp, with its precision."""
    value = value.strip()
    leading = re.match(r"\d{4}", value)
    if leading and not MIN_YEAR <= int(leading.group()) <= MAX_YEAR:
        raise ValueError(f"unreadable date {value!r}: year outside {MIN_YEAR}-{MAX_YEAR}")
    try:
        if re.fullmatch(r"\d{4}", value):
            return datetime(int(value), 1, 1, tzinfo=UTC), "year"
        if re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = value.split("-")
            return datetime(int(year), int(month), 1, tzinfo=UTC), "month"
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return datetime.fromisoformat(value).replace(tzinfo=UTC), "day"
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            raise ValueError(f"year outside {MIN_YEAR}-{MAX_YEAR}")
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC), "time"
    except (ValueError, OverflowError) as error:
        raise ValueError(f"unreadable date {value!r}: {error}") from None


def derive_title(blocks: Iterable[Block]) -> str:
    """A title from the lead sentence, for sources that carry none (wire dispatches)."""
    for block in blocks:
        if block.heading:
            continue
        sentences = split_sentences(block.text)
        lead = sentences[0] if sentences else block.text
        return shorten(lead.rstrip(" ."), MAX_TITLE_CHARS)
    return "(untitled)"


def shorten(text: str, limit: int) -> str:
    """Cut text at a word boundary to at most ``limit`` characters, marking the cut with …."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > 0 else limit - 1].rstrip(" ,;:") + "…"


def _is_intertitle(paragraph: str) -> bool:
    if "\n" in paragraph.strip():
        return False
    text = paragraph.strip().rstrip(_CLOSING_QUOTES)
    return (
        0 < len(text) <= MAX_INTERTITLE_CHARS
        and len(text.split()) <= MAX_INTERTITLE_WORDS
        and text[-1] not in _SENTENCE_PUNCTUATION
        and not text.startswith("/")
    )


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _blocks_from_paragraphs(paragraphs: list[str]) -> tuple[Block, ...]:
    """Paragraphs as blocks; a short unpunctuated paragraph between others is an intertitle."""
    blocks = []
    for i, paragraph in enumerate(paragraphs):
        heading = 0 < i < len(paragraphs) - 1 and _is_intertitle(paragraph)
        blocks.append(Block(" ".join(paragraph.split()), heading=heading))
    return tuple(blocks)


def parse_wire(text: str, *, origin: str = "<text>") -> ArticleDraft:
    """Read an agency dispatch: `` date YYYY-MM`` lead, blank-line paragraphs, ``/ATS2191`` slug."""
    text = normalize(text).replace("\r\n", "\n").replace("\r", "\n")
    published_at: datetime | None = None
    precision = "day"
    date_match = _WIRE_DATE.match(text)
    if date_match:
        try:
            published_at, precision = parse_date(date_match.group(1))
        except ValueError as error:
            raise ReaderError(origin, str(error), line=1) from None
        text = text[date_match.end() :]
    paragraphs = _paragraphs(text)
    source, slug = "unknown", None
    if paragraphs and (slug_match := _WIRE_SLUG.match(paragraphs[-1])):
        source = slug_match.group(1).upper()
        number = slug_match.group(2)
        slug = f"{source}{number}" if number else None
        paragraphs.pop()
    if not paragraphs:
        raise ReaderError(origin, "no article text (the file is empty or holds only a date/slug)")
    blocks = _blocks_from_paragraphs(paragraphs)
    return ArticleDraft(
        blocks=blocks,
        source=source,
        title=derive_title(blocks),
        slug=slug,
        published_at=published_at,
        published_precision=precision,
        origin=origin,
    )


_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_MD_MARKUP = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def _strip_markdown(line: str) -> str:
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_MARKUP.sub(r"\2", line)
    return re.sub(r"^\s*(?:[-*+]|\d+[.)]|>)\s+", "", line)


def parse_markdown(
    text: str, *, origin: str = "<text>", source: str = "unknown", first_line_title: bool = False
) -> ArticleDraft:
    """Read plain text or Markdown: ``#`` lines are headings, the first one is the title.

    With ``first_line_title`` (plain ``.txt``), a text that does not start with a ``#`` heading
    takes its first line as its title, and that line is not part of the first passage.
    """
    text = normalize(text).replace("\r\n", "\n")
    if first_line_title and not _MD_HEADING.match(text.lstrip().split("\n", 1)[0]):
        first, _, rest = text.strip().partition("\n")
        if first.strip() and rest.strip() and not looks_like_html(first):
            text = f"# {first.strip().rstrip(' .')}\n\n{rest}"
    if looks_like_html(text) and re.search(r"</?(p|div|h\d|br)\b", text, re.IGNORECASE):
        blocks: list[Block] = html_to_blocks(text)
    else:
        blocks = []
        for paragraph in _paragraphs(text):
            heading = _MD_HEADING.match(paragraph) if "\n" not in paragraph else None
            if heading:
                blocks.append(Block(_strip_markdown(heading.group(1)), heading=True))
            else:
                lines = [_strip_markdown(line) for line in paragraph.splitlines()]
                blocks.append(Block(" ".join(" ".join(lines).split())))
    title = None
    if blocks and blocks[0].heading:
        title = shorten(blocks.pop(0).text, MAX_TITLE_CHARS * 2)
    blocks = [b for b in blocks if b.text]
    if not any(not b.heading for b in blocks):
        raise ReaderError(origin, "no article text")
    return ArticleDraft(
        blocks=tuple(blocks),
        source=source,
        title=title or derive_title(blocks),
        origin=origin,
    )


def looks_like_wire(text: str) -> bool:
    """Whether a .txt file follows the agency format (date lead or closing slug)."""
    stripped = normalize(text).strip()
    last_line = stripped.rsplit("\n", 1)[-1].strip() if stripped else ""
    return bool(_WIRE_DATE.match(stripped) or _WIRE_SLUG.match(last_line))


def blocks_from_body(body: str) -> tuple[Block, ...]:
    """Blocks of a body given as HTML or as blank-line separated text."""
    body = normalize(body)
    if looks_like_html(body):
        return tuple(html_to_blocks(body))
    return _blocks_from_paragraphs(_paragraphs(body))


def draft_from_record(
    record: Mapping[str, Any], *, origin: str, line: int | None = None
) -> ArticleDraft:
    """An article from one JSON object (title, body, url, source, published, language)."""
    body = record.get("body") or record.get("text") or record.get("content")
    if not isinstance(body, str) or not body.strip():
        raise ValueError('missing "body" (a non-empty string)')
    for key in ("title", "url", "source", "published", "language", "slug", "id"):
        value = record.get(key)
        if value is not None and not isinstance(value, str | int):
            raise ValueError(f'"{key}" must be a string')
    published_at, precision = None, "day"
    if record.get("published"):
        published_at, precision = parse_date(str(record["published"]))
    language = record.get("language")
    if language is not None and str(language).lower()[:2] not in {"fr", "en"}:
        raise ValueError(f'unsupported "language" {language!r} (use "fr" or "en")')
    blocks = blocks_from_body(body)
    if not blocks:
        raise ValueError('"body" holds no text')
    title = record.get("title")
    if isinstance(title, str) and looks_like_html(title):
        title = " ".join(b.text for b in html_to_blocks(title))
    return ArticleDraft(
        blocks=blocks,
        source=str(record.get("source") or "unknown").strip()[:100] or "unknown",
        title=shorten(normalize(str(title)), MAX_TITLE_CHARS * 2)
        if title
        else derive_title(blocks),
        slug=str(record["slug"]) if record.get("slug") else None,
        url=str(record["url"]).strip() if record.get("url") else None,
        language=str(language).lower()[:2] if language else None,
        published_at=published_at,
        published_precision=precision,
        origin=origin,
        external_id=f"id:{record['id']}" if record.get("id") else None,
        line=line,
    )


def parse_jsonl(text: str, *, origin: str = "<text>") -> Iterator[ArticleDraft | ReaderError]:
    """Read JSON Lines, one article a line; a bad line yields an error and reading goes on."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("each line must be a JSON object")
            yield draft_from_record(record, origin=origin, line=number)
        except json.JSONDecodeError as error:
            yield ReaderError(
                origin, f"invalid JSON ({error.msg}, column {error.colno})", line=number
            )
        except ValueError as error:
            yield ReaderError(origin, str(error), line=number)
        except RecursionError:
            yield ReaderError(origin, "JSON nested too deeply", line=number)
        except Exception as error:  # one record's surprise never stops the file
            yield ReaderError(origin, f"unreadable record ({type(error).__name__})", line=number)


def decode(data: bytes, *, origin: str) -> str:
    """Decode a file as UTF-8 (or UTF-16 with its BOM), or explain why it cannot be read."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReaderError(origin, "broken UTF-16 text") from None
    if b"\x00" in data[:8192]:
        raise ReaderError(origin, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReaderError(
            origin,
            f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "convert it first, e.g. iconv -f latin1 -t utf-8",
        ) from None


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
FRONT_MATTER_KEYS = ("title", "source", "date", "url", "language", "slug")


def split_front_matter(text: str, *, origin: str) -> tuple[dict[str, str], str]:
    """A leading YAML block between ``---`` lines (title, source, date, url, language, slug)
    and the text after it; a text without one is returned whole."""
    match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if match is None:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise ReaderError(origin, f"unreadable front matter ({error})", line=line) from None
    if not isinstance(data, dict):
        raise ReaderError(origin, "front matter must be key: value lines", line=2)
    fields: dict[str, str] = {}
    for key in FRONT_MATTER_KEYS:
        value = data.get(key, data.get("published") if key == "date" else None)
        if value is None or value == "":
            continue
        if isinstance(value, datetime | date):
            value = value.isoformat()
        if not isinstance(value, str | int):
            raise ReaderError(origin, f'front matter "{key}" must be text', line=2)
        fields[key] = str(value).strip()
    return fields, text[match.end() + (len(text) - len(text.lstrip("\ufeff"))) :]


def apply_front_matter(
    draft: ArticleDraft, fields: Mapping[str, str], *, origin: str
) -> ArticleDraft:
    """The draft with what its front matter says (which wins over what the text suggests)."""
    if not fields:
        return draft
    changes: dict[str, Any] = {}
    if "title" in fields:
        changes["title"] = shorten(normalize(fields["title"]), MAX_TITLE_CHARS * 2)
    if "source" in fields:
        changes["source"] = fields["source"][:100]
    if "url" in fields:
        changes["url"] = fields["url"]
    if "slug" in fields:
        changes["slug"] = fields["slug"][:100]
    if "language" in fields:
        language = fields["language"].lower()[:2]
        if language not in {"fr", "en"}:
            raise ReaderError(origin, f"unsupported language {fields['language']!r} (fr or en)")
        changes["language"] = language
    if "date" in fields:
        try:
            changes["published_at"], changes["published_precision"] = parse_date(fields["date"])
        except ValueError as error:
            raise ReaderError(origin, f"front matter: {error}") from None
    return replace(draft, **changes)


def with_defaults(
    draft: ArticleDraft,
    *,
    source: str | None = None,
    language: str | None = None,
    published: tuple[datetime, str] | None = None,
) -> ArticleDraft:
    """The draft with these values where its file gave none (``depeche ingest --source``)."""
    changes: dict[str, Any] = {}
    if source and draft.source in ("unknown", "file", ""):
        changes["source"] = source[:100]
    if language and draft.language is None:
        changes["language"] = language
    if published and draft.published_at is None:
        changes["published_at"], changes["published_precision"] = published
    return replace(draft, **changes) if changes else draft


def read_file(path: Path) -> Iterator[ArticleDraft | ReaderError]:
    """Drafts from one file, chosen by its suffix; errors are yielded, not raised."""
    origin = str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ReaderError(origin, f"file larger than {MAX_FILE_BYTES // 2**20} MiB")
        text = decode(path.read_bytes(), origin=origin)
        suffix = path.suffix.lower()
        if suffix in JSONL_SUFFIXES:
            yield from parse_jsonl(text, origin=origin)
            return
        fields, text = split_front_matter(text, origin=origin)
        if suffix in MARKDOWN_SUFFIXES or not looks_like_wire(text):
            draft = parse_markdown(
                text, origin=origin, first_line_title=suffix not in MARKDOWN_SUFFIXES
            )
        else:
            draft = parse_wire(text, origin=origin)
        yield apply_front_matter(draft, fields, origin=origin)
    except ReaderError as error:
        yield error
    except OSError as error:
        yield ReaderError(origin, f"cannot read: {error.strerror or error}")
    except RecursionError:
        yield ReaderError(origin, "nested too deeply to read")
    except Exception as error:  # a reader's surprise costs this file, never the batch
        yield ReaderError(origin, f"unreadable ({type(error).__name__}: {error})")


def discover(paths: Iterable[Path]) -> Iterator[Path | ReaderError]:
    """The readable files under the given files and folders (recursive, hidden ones skipped)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path).parts
                hidden = any(p.startswith(".") for p in relative)
                if child.is_file() and not hidden and child.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield child
        elif path.is_file():
            yield path
        else:
            yield ReaderError(str(path), "no such file or folder")
