"""Catalog-wide reads in slices: a big result turned into Python rows a few
thousand at a time, so a worker's read never holds the GIL for long.

psycopg's `fetchall()` converts the whole result to Python objects in ONE C
call that holds the GIL (a 25-column read of 100,000 photos: ~110-140 ms the
UI thread waited). `fetchmany(SLICE)` converts `SLICE` rows a call, and
between calls the interpreter hands the GIL to a waiting thread: the longest
wait of a ticking thread fell to 10-17 ms, for the same total time (the
slice sizes tried: docs/decisions/catalog.md). SQLite's driver lets the GIL
go on every row it steps, so one helper serves both backends.

Invariants: the rows, their order and their types are those `fetchall()`
gives; the cursor is read to its end.
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
