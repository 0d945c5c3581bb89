"""Rows by name: a read's record declares each column once, its SQL beside it.

A record is a `NamedTuple` whose fields are `Annotated[type, "sql"]`:

    class _PlanRow(NamedTuple):
        photo_id: Annotated[int, "photo.id"]
        cull: Annotated[str, "photo.cull"]

`select_list(_PlanRow)` is its SELECT list; `_PlanRow._make(row)` names a row
(~0.3 µs). A column known only at run time is given by name:
`select_list(_LrImageRow, width=width_sql)`.

Invariants: every field carries its SQL (`select_list` raises otherwise); the
list is computed once per record and set of given columns.
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
