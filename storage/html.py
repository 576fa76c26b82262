"""HTML to plain paragraphs, for article bodies that arrive as HTML (feeds, JSON Lines)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from retrieval.passages import Block

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "tr",
        "table",
        "pre",
        "figure",
        "figcaption",
    ]
)
_HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_SKIPPED_TAGS = frozenset(
    ["script", "style", "noscript", "template", "iframe", "object", "svg", "head"]
)
_LOOKS_LIKE_HTML = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>|&[a-zA-Z]+;|&#\d+;")


def looks_like_html(text: str) -> bool:
    """Whether text carries tags or entities worth converting."""
    return bool(_LOOKS_LIKE_HTML.search(text))


class _BlockParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._buffer: list[str] = []
        self._heading = False
        self._skipping = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        if text:
            self.blocks.append(Block(text, heading=self._heading))
        self._buffer = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS or tag in _HEADING_TAGS:
            self._flush()
            self._heading = tag in _HEADING_TAGS

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS or tag in _HEADING_TAGS:
            self._flush()
            self._heading = False

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._buffer.append(data)


def html_to_blocks(markup: str) -> list[Block]:
    """Paragraphs and headings of an HTML fragment; scripts and styles are dropped."""
    parser = _BlockParser()
    parser.feed(markup)
    parser.close()
    parser._flush()
    return parser.blocks


def html_to_text(markup: str) -> str:
    """The plain text of an HTML fragment, paragraphs separated by blank lines."""
    if not looks_like_html(markup):
        return markup.strip()
    return "\n\n".join(b.text for b in html_to_blocks(markup))
