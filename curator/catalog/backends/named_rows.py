"""Rows by name: a read's record declares each column once, its SQL beside it.

A read's record is a `NamedTuple` whose every field is `Annotated[type,
"sql"]`, the type being what the driver gives:

    class _PlanRow(NamedTuple):
        photo_id: Annotated[int, "photo.id"]
        cull: Annotated[str, "photo.cull"]

`select_list(_PlanRow)` is its SELECT list in the fields' order, and
`_PlanRow._make(row)` names a row of it, so the reader says `row.cull`, never
`row[1]`, and a column is added or moved in one place. Naming a row is one
call (~0.3 µs: ~20 ms of the proposal plan's 0.5-0.7 s at 100,000 photos). A
column known only when the read runs (one another tool's file may lack) is
given by name: `select_list(_LrImageRow, width=width_sql)`.

Invariants: every field carries its SQL (`select_list` raises otherwise);
the list is computed once per record (and set of given columns).
"""

from __future__ import annotations

from functools import cache
from typing import Any, get_type_hints


@cache
def select_list(record: type[tuple[Any, ...]], **given: str) -> str:
    """The record's SELECT list: each field's SQL, in the fields' order (`given`:
    the SQL of fields known only when the read runs, by name)."""
    hints = get_type_hints(record, include_extras=True)
    names = record._fields  # type: ignore[attr-defined]
    if unknown := set(given) - set(names):
        raise TypeError(f"{record.__name__} has no field {', '.join(sorted(unknown))}")
    sql = []
    for name in names:
        found = [m for m in getattr(hints[name], "__metadata__", ()) if isinstance(m, str)]
        if len(found) != 1:
            raise TypeError(f"{record.__name__}.{name}: annotate it Annotated[type, 'its SQL']")
        sql.append(given.get(name, found[0]))
    return ", ".join(sql)
