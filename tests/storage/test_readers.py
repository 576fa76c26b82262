"""Readers: the seed's wire format exactly, plain text, Markdown, JSON Lines, and bad inputs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.readers import (
    FRONT_MATTER_KEYS,
    ArticleDraft,
    ReaderError,
    discover,
    parse_jsonl,
    parse_markdown,
    parse_wire,
    read_file,
    split_front_matter,
)
from tests.helpers import SEEDS

SEED = SEEDS / "000_d069e54fa5cd9020.txt"


def only_draft(path: Path) -> ArticleDraft:
    drafts = list(read_file(path))
    assert len(drafts) == 1
    assert isinstance(drafts[0], ArticleDraft), drafts[0]
    return drafts[0]


def test_seed_dispatch_is_read_exactly() -> None:
    draft = only_draft(SEED)
    assert draft.source == "ATS"
    assert draft.published_at == datetime(2025, 6, 1, tzinfo=UTC)
    assert draft.published_precision == "month"
    assert (
        draft.title == "Donald Trump et son homologue russe Vladimir Poutine se sont parlé mercredi"
    )
    headings = [b.text for b in draft.blocks if b.heading]
    assert headings == ["Négociations 'utiles'"]
    paragraphs = [b.text for b in draft.blocks if not b.heading]
    assert len(paragraphs) == 8
    assert paragraphs[0].startswith("Donald Trump et son homologue")  # the date lead is gone
    assert paragraphs[-1].endswith("bombardiers stratégiques.")  # the slug line is gone
    assert not any("/ATS" in p for p in paragraphs)


@pytest.mark.parametrize(
    ("closing", "source", "slug"),
    [("/ATS2191", "ATS", "ATS2191"), ("/ATS", "ATS", None), ("/afp 42", "AFP", "AFP42")],
)
def test_closing_slug(closing: str, source: str, slug: str | None) -> None:
    draft = parse_wire(f" date 2025-06-04 Un paragraphe de test.\n\nUn autre.\n\n{closing}\n")
    assert (draft.source, draft.slug) == (source, slug)
    assert draft.published_precision == "day"
    assert [b.text for b in draft.blocks] == ["Un paragraphe de test.", "Un autre."]


def test_slug_identity_ties_resends_together() -> None:
    draft = parse_wire(" date 2025-06 Texte.\n\n/ATS2191")
    assert draft.identity == "ATS:ATS2191"


def test_wire_intertitles_are_headings_not_paragraphs() -> None:
    text = (
        " date 2025-06 Premier paragraphe assez long pour être un paragraphe.\n\n"
        "Réactions à Moscou\n\nLe Kremlin a réagi.\n\nEt ensuite ?\n\nFin du texte.\n\n/ATS1"
    )
    draft = parse_wire(text)
    assert [b.text for b in draft.blocks if b.heading] == ["Réactions à Moscou"]
    # A question ends with punctuation: it is a sentence, not an intertitle.
    assert "Et ensuite ?" in [b.text for b in draft.blocks if not b.heading]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no article text"),
        ("   \n\n  ", "no article text"),
        (" date 2025-06\n\n/ATS2191", "no article text"),
        (" date 2025-13 Un texte.", "unreadable date"),
    ],
)
def test_bad_wire_input_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(ReaderError, match=message) as error:
        parse_wire(text, origin="x.txt")
    assert "x.txt" in str(error.value)


def test_markdown_first_heading_is_the_title() -> None:
    draft = parse_markdown(
        "# Talks in **Istanbul**\n\nThe [Kremlin](http://x) said talks were *useful*.\n\n"
        "## Reactions\n\n- Kyiv disagreed strongly with that account of the talks.\n",
        origin="a.md",
    )
    assert draft.title == "Talks in Istanbul"
    assert [(b.heading, b.text) for b in draft.blocks] == [
        (False, "The Kremlin said talks were useful."),
        (True, "Reactions"),
        (False, "Kyiv disagreed strongly with that account of the talks."),
    ]


def test_plain_text_without_date_or_slug(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("The Kremlin said the talks were useful.\n\nMore text follows here.\n")
    draft = only_draft(path)
    # the first line is the title, and not also the start of the text
    assert draft.title == "The Kremlin said the talks were useful"
    assert [b.text for b in draft.blocks] == ["More text follows here."]


def test_jsonl_reads_every_field_and_reports_bad_lines_by_number() -> None:
    good = {
        "title": "Kremlin <b>statement</b>",
        "body": "<p>The Kremlin said &amp; repeated.</p><script>alert(1)</script>"
        "<h2>Next</h2><p>More.</p>",
        "url": "https://example.org/a",
        "source": "AFP",
        "published": "2025-06-04T10:30:00+02:00",
        "language": "en",
    }
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({"title": "no body"}),
        "",
        json.dumps(["a", "list"]),
        json.dumps({"body": "Texte.", "language": "de"}),
    ]
    results = list(parse_jsonl("\n".join(lines), origin="feed.jsonl"))
    draft = results[0]
    assert isinstance(draft, ArticleDraft)
    assert draft.title == "Kremlin statement"
    assert [(b.heading, b.text) for b in draft.blocks] == [
        (False, "The Kremlin said & repeated."),
        (True, "Next"),
        (False, "More."),
    ]
    assert draft.published_at == datetime(2025, 6, 4, 8, 30, tzinfo=UTC)
    assert (draft.source, draft.url, draft.language) == ("AFP", "https://example.org/a", "en")
    errors = results[1:]
    assert all(isinstance(e, ReaderError) for e in errors)
    assert [e.line for e in errors if isinstance(e, ReaderError)] == [2, 3, 5, 6]
    assert "line 2: invalid JSON" in str(errors[0])
    assert "body" in str(errors[1])
    assert "language" in str(errors[3])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Le Kremlin \xc3\x28 a dit", "not UTF-8"),
        (b"caf\xe9 au lait", "not UTF-8"),
        (b"\x00\x01\x02binary", "binary file"),
    ],
)
def test_undecodable_files_are_named(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    (error,) = list(read_file(path))
    assert isinstance(error, ReaderError)
    assert message in str(error) and str(path) in str(error)


def test_utf16_with_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("Le Kremlin a parlé.\n\n/ATS3\n".encode("utf-16"))
    assert only_draft(path).slug == "ATS3"


def test_utf8_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(
        " date 2025-06 Le texte.\r\n\r\nSuite du texte.\r\n\r\n/ATS7\r\n".encode("utf-8-sig")
    )
    draft = only_draft(path)
    assert draft.slug == "ATS7"
    assert [b.text for b in draft.blocks] == ["Le texte.", "Suite du texte."]


def test_discover_walks_folders_and_reports_missing_paths(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text("x")
    (tmp_path / "a" / "b" / "two.jsonl").write_text("x")
    (tmp_path / "a" / "image.png").write_bytes(b"x")
    (tmp_path / "a" / ".hidden.txt").write_text("x")
    found = list(discover([tmp_path / "a", tmp_path / "missing"]))
    paths = [p for p in found if isinstance(p, Path)]
    assert sorted(p.name for p in paths) == ["one.txt", "two.jsonl"]
    (missing,) = [e for e in found if isinstance(e, ReaderError)]
    assert "no such file" in str(missing)


def test_front_matter_is_read_and_leaves_the_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(
        "---\ntitle: Talks in Istanbul\nsource: Reuters\ndate: 2025-06-04\nlanguage: en\n"
        "url: https://example.test/talks\n---\nThe Kremlin said talks were useful.\n",
        encoding="utf-8",
    )
    draft = only_draft(path)
    assert (draft.title, draft.source, draft.language, draft.url) == (
        "Talks in Istanbul",
        "Reuters",
        "en",
        "https://example.test/talks",
    )
    assert draft.published_at == datetime(2025, 6, 4, tzinfo=UTC)
    assert draft.published_precision == "day"
    assert [b.text for b in draft.blocks] == ["The Kremlin said talks were useful."]


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("date: June the 4th", "unreadable date"),
        ("language: de", "unsupported language"),
        ("title: [unclosed", "unreadable front matter"),
        ("- a list", "key: value"),
    ],
)
def test_bad_front_matter_names_the_file(tmp_path: Path, front: str, message: str) -> None:
    path = tmp_path / "bad.md"
    path.write_text(f"---\n{front}\n---\nSome text.\n", encoding="utf-8")
    (error,) = list(read_file(path))
    assert isinstance(error, ReaderError) and message in str(error) and "bad.md" in str(error)


@given(st.text(max_size=300))
def test_any_front_matter_is_read_or_reported(body: str) -> None:
    try:
        fields, rest = split_front_matter(f"---\n{body}\n---\ntext", origin="x.md")
    except ReaderError:
        return
    assert set(fields) <= set(FRONT_MATTER_KEYS)
    assert rest.endswith("text")
