"""The saved index file: a JSON header and 64-byte-aligned arrays, memory-mapped on load.

Layout: ``DEPBM25\\x01``, the header's length (8 bytes, little-endian), the header (JSON: the
caller's fields plus ``arrays``, each array's offset, dtype and length), zero padding to 64
bytes, then each array padded to 64 bytes. Writing is atomic (a temporary file, fsync, rename).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"DEPBM25\x02"  # 2: packed main postings
_ALIGN = 64


def _aligned(size: int) -> int:
    return -(-size // _ALIGN) * _ALIGN


def write(path: Path, fields: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Write ``fields`` and one-dimensional ``arrays`` to ``path``, replacing it atomically."""
    layout: dict[str, Any] = {}
    offset = 0
    for name, arr in arrays.items():
        layout[name] = {"offset": offset, "dtype": arr.dtype.str, "shape": [len(arr)]}
        offset += _aligned(arr.nbytes)
    header = json.dumps({**fields, "arrays": layout}).encode()
    head_len = _aligned(len(MAGIC) + 8 + len(header))
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(MAGIC)
        f.write(len(header).to_bytes(8, "little"))
        f.write(header)
        f.write(b"\0" * (head_len - len(MAGIC) - 8 - len(header)))
        for arr in arrays.values():
            data = np.ascontiguousarray(arr)
            f.write(data.data)
            f.write(b"\0" * (-data.nbytes % _ALIGN))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The header fields and the arrays (read-only views of one mapping of the file)."""
    with open(path, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise ValueError(f"{path} is not a saved BM25 index")
        size = int.from_bytes(f.read(8), "little")
        try:
            header = json.loads(f.read(size))
        except ValueError as exc:
            raise ValueError(f"{path} has a damaged header") from exc
    head_len = _aligned(len(MAGIC) + 8 + size)
    # Plain arrays over the mapping (a memmap subclass costs microseconds on every slice).
    raw = np.memmap(path, dtype=np.uint8, mode="r").view(np.ndarray)
    arrays: dict[str, np.ndarray] = {}
    for name, spec in header.pop("arrays").items():
        dtype = np.dtype(spec["dtype"])
        start = head_len + spec["offset"]
        stop = start + dtype.itemsize * spec["shape"][0]
        if stop > len(raw):
            raise ValueError(f"{path} is truncated")
        arrays[name] = raw[start:stop].view(dtype)
    return header, arrays


def encode_terms(terms: list[str]) -> dict[str, np.ndarray]:
    """The vocabulary as two arrays: UTF-8 text of every term, and where each term ends."""
    return {
        "term_ends": np.cumsum([len(t) for t in terms], dtype=np.int64),
        "terms": np.frombuffer("".join(terms).encode("utf-8"), np.uint8),
    }


def decode_terms(arrays: dict[str, np.ndarray]) -> Iterator[str]:
    """The terms :func:`encode_terms` stored, in order."""
    text = bytes(arrays["terms"]).decode("utf-8")
    start = 0
    for end in arrays["term_ends"].tolist():
        yield text[start:end]
        start = end
