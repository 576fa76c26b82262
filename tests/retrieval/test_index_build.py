"""A start-up build (``BM25Index.add_all``): the same index as adding batch by batch, refusals
that leave the index as it was, and a build abandoned midway that leaves it usable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from retrieval.index import BM25Index, TermIds

DOCS = [
    ["kremlin", "talks", "istanbul"],
    ["ukraine", "talks", "talks"],
    [],
    ["geneva", "zeppelin", "kremlin"],
    ["budget", "strike", "police", "budget"],
    ["istanbul", "ceasefire"],
]
IDS = [3, 5, 8, 13, 21, 34]
QUERIES = [["kremlin"], ["talks", "istanbul"], ["budget", "zeppelin"], ["ceasefire", "talks"]]


def batches(size: int) -> Iterator[tuple[list[int], TermIds]]:
    for i in range(0, len(IDS), size):
        yield IDS[i : i + size], TermIds.of(DOCS[i : i + size])


def same_results(one: BM25Index, other: BM25Index) -> bool:
    for query in QUERIES:
        a, b = one.search(query, k=10), other.search(query, k=10)
        if a.ids.tolist() != b.ids.tolist() or not np.allclose(a.scores, b.scores, atol=1e-12):
            return False
    return dict(one.terms) == dict(other.terms) and one.ids.tolist() == other.ids.tolist()


@pytest.mark.parametrize("size", [1, 2, 6])
def test_a_streamed_build_is_the_index_of_adding_each_batch(size: int, tmp_path: Path) -> None:
    added = BM25Index()
    for i in range(0, len(IDS), size):
        added.add(IDS[i : i + size], DOCS[i : i + size])
    built = BM25Index()
    assert built.add_all(batches(size)) == len(IDS)
    assert len(built) == len(IDS) and 8 in built  # an empty passage counts too
    assert same_results(built, added)
    built.save(tmp_path / "built.index")
    assert same_results(BM25Index.load(tmp_path / "built.index"), added)


@pytest.mark.parametrize(
    "given",
    [
        [([5, 3], [["a"], ["b"]])],  # descending within a batch
        [([3, 5], [["a"], ["b"]]), ([4], [["c"]])],  # descending across batches
        [([3, 3], [["a"], ["b"]])],  # twice
        [([3], [["a"], ["b"]])],  # one id for two passages
        [([100, 101], [["a"], ["b"]]), ([13], [["c"]])],  # already indexed
    ],
)
def test_a_refused_build_adds_nothing(given: list[tuple[list[int], list[list[str]]]]) -> None:
    index = BM25Index()
    index.add([13, 50], [["kremlin"], ["talks"]])
    with pytest.raises(ValueError):
        index.add_all((ids, TermIds.of(docs)) for ids, docs in given)
    assert index.ids.tolist() == [13, 50]
    assert index.search(["a"], k=5).ids.tolist() == []
    assert index.search(["kremlin"], k=5).ids.tolist() == [13]


def test_a_build_abandoned_midway_leaves_the_index_usable(tmp_path: Path) -> None:
    """The database fails while a start-up build streams from it."""
    index = BM25Index()
    index.add([1], [["kremlin"]])

    def failing() -> Iterator[tuple[list[int], TermIds]]:
        many = [f"word{n}" for n in range(5_000)]  # more new terms than the arrays had room for
        yield [2, 3], TermIds.of([["zeppelin", "kremlin", *many], ["geneva"]])
        raise ConnectionError("the database went away")

    with pytest.raises(ConnectionError):
        index.add_all(failing())
    assert index.ids.tolist() == [1]
    assert index.search(["zeppelin"], k=5).ids.tolist() == []  # interned, never added
    assert index.search(["word4999"], k=5).ids.tolist() == []
    assert index.idf(["zeppelin"]) == {"zeppelin": 0.0}
    index.save(tmp_path / "after.index")
    again = BM25Index.load(tmp_path / "after.index")
    again.add([2], [["zeppelin"]])
    assert again.search(["zeppelin"], k=5).ids.tolist() == [2]


@pytest.mark.parametrize(
    "texts", [[], [""], ["", ""], ["a b a", "", "c", "b c d", ""], ["", "x"], ["ü ß", "x y"]]
)
def test_passages_joined_by_spaces_read_as_their_token_lists(texts: list[str]) -> None:
    joined = TermIds.of_joined(texts)
    assert len(joined) == len(texts)
    assert joined.lens.tolist() == [len(t.split()) for t in texts]
    assert [joined.terms[i] for i in joined.tokens.tolist()] == " ".join(texts).split()
