"""Catalog-wide reads in slices: a big result turned into Python rows a few
thousand at a time, so a worker's read never holds the GIL for long.

psycopg's `fetchall()` converts a whole result holding the GIL (~110-140 ms for
100,000 photos); `fetchmany(SLICE)` lets it go between slices (the longest wait
10-17 ms: docs/decisions/catalog.md). SQLite's driver lets it go per row, so
one helper serves both.

Invariants: rows, order and types as `fetchall()` gives; the cursor is read to its end.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

SLICE = 2_000  # rows converted per call: ~2-5 ms of GIL for a wide row


def fetch_all(cursor: Any, slice_rows: int = SLICE) -> list[Any]:
    """`cursor.fetchall()`, converted `slice_rows` rows at a time."""
    out: list[Any] = []
    while rows := cursor.fetchmany(slice_rows):
        out.extend(rows)
    return out


def slices(cursor: Any, slice_rows: int = SLICE) -> Iterator[list[Any]]:
    """The cursor's rows, `slice_rows` at a time (to fold as they come)."""
    while rows := cursor.fetchmany(slice_rows):
        yield rows
