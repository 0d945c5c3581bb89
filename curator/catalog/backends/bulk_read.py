"""Catalog-wide reads in slices: a big result turned into Python rows a few
thousand at a time, so a worker's read never holds the GIL for long.

Why: psycopg's `fetchall()` converts the whole result (already received
into libpq's memory) to Python objects in ONE C call that holds the GIL.
At 100,000 photos a 25-column read (the proposal plan's) took the GIL for
~110-140 ms while the UI thread waited for it (issue 51 §2: the stall
watch's propose on PostgreSQL, 115 ms). `fetchmany(SLICE)` converts
`SLICE` rows a call; between calls the worker runs Python again, where the
interpreter hands the GIL to a waiting thread (the GUI's switch interval:
1 ms). Measured on the same result: the longest wait of a ticking thread
was 95-138 ms with `fetchall()`, 10-17 ms in slices of 2,000 or 5,000
(and 68-176 ms in slices of 10,000), for the same total time.
SQLite's driver lets the GIL go on every row it steps, so the slices cost
nothing there: one helper serves both backends.

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
