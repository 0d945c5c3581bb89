"""The faces summary as the catalog stores it: `photo_faces`' summary columns,
all taken from the one table (`records.FACES_SUMMARY`, `FacesSummary`'s fields).

`columns(alias)` for a SELECT, `summary_from` for a row, `stored_values` for a
write; `PhotoFaces`' fields come from the same table, and every reader uses
`columns` and `summary_from`, so a new field (with its migration) is written
and read by all.

Invariants: a row is one `FacesSummary`; no row, no summary (None); no ml import.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import call
from typing import Any

from curator.records import FACES_SUMMARY, FacesSummary


def _figure(value: Any) -> float | None:
    return None if value is None else float(value)


# A stored value as the record's field, by the field's annotation (a flag is
# 0/1 on both backends). Builtins, not the peewee fields' own adapt methods
# (a Python call each): the plan makes 100,000 summaries at once.
CONVERTERS: dict[str, Callable[[Any], Any]] = {"bool": bool, "int": int, "float | None": _figure}
COLUMNS: tuple[str, ...] = tuple(f.column for f in FACES_SUMMARY)
_CONVERT = tuple(CONVERTERS[f.type] for f in FACES_SUMMARY)


def columns(alias: str = "") -> str:
    """The summary's columns for a SELECT ("pf.faces, pf.judged, …" for "pf")."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{c}" for c in COLUMNS)


def summary_from(values: Sequence[Any]) -> FacesSummary:
    """The summary of a row's `columns()` values, in their order."""
    return FacesSummary(*map(call, _CONVERT, values))


def stored_values(summary: FacesSummary) -> dict[str, Any]:
    """`summary` as `photo_faces`' columns (the write's values)."""
    return {f.column: getattr(summary, f.name) for f in FACES_SUMMARY}
