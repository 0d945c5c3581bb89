"""Decisions on many photos at once, as a handful of statements.

The set-based half of catalog.decisions' path, for groups like Accept the
Rest's 60,000 (photo by photo it cost minutes): ONE SELECT of the decision
columns (`read_columns`), ONE UPDATE and ONE INSERT … SELECT of the log rows
from packed JSON arrays (`write`), in order; and `decide_culls`.

Invariants (catalog.decisions' own): call inside a write transaction; every
row of a call carries one stamp `at` (`new_stamp()`), the seat, the pass and
`undoes`; the same triggers fire (m023's, the seats' news); `decide_culls`
writes exactly the rows, in order, that `decisions.set_cull` would by id (a
photo gone or judged is left alone; pair mates follow; a reject clears a pick).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, NamedTuple

from curator.catalog.backends.dialect import dialect_of
from curator.catalog.backends.named_rows import select_list
from curator.catalog.backends.seat import current_seat
from curator.catalog.models import CullState, Decision, DecisionKind, Photo, utcnow
from curator.catalog.paths_codec import pairing_on

# A photo's decision columns, each as the log writes it (None, "kept", "3", "1").
PhotoColumns = dict[str, str | None]
COLUMNS = ("cull", "rating", "picked", "label", "rotation")


@dataclass(frozen=True)
class LogRow:
    """One decision row to append (catalog.models.Decision)."""

    photo_id: int
    kind: str
    old: str | None
    new: str | None
    pass_: str
    undoes: int | None = None


def text(value: object) -> str | None:
    """A value as the log writes it: None, "1"/"0" for a flag, else str()."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def new_stamp() -> datetime:
    """Now, but strictly after the newest row: a new group's stamp."""
    now = utcnow()
    last = Decision.select(Decision.created_at).order_by(Decision.id.desc()).first()
    if last is not None and last.created_at >= now:
        now = last.created_at + timedelta(microseconds=1)
    return now


def _db():  # type: ignore[no-untyped-def]
    return Photo._meta.database


def read_columns(photo_ids: Iterable[int], *, live: bool = False) -> dict[int, PhotoColumns]:
    """The decision columns of those of `photo_ids` in the catalog (`live`:
    and not deleted), by id: one SELECT."""
    db = _db()
    d = dialect_of(db)
    sql = f"SELECT {select_list(_Decided)} FROM photo WHERE id IN {d.id_list()}" + (
        " AND deleted_at IS NULL" if live else ""
    )
    found: dict[int, PhotoColumns] = {}
    for r in map(_Decided._make, db.execute_sql(sql, [d.id_param(photo_ids)])):
        found[int(r.id)] = {
            "cull": text(r.cull),
            "rating": text(r.rating),
            "picked": text(bool(r.picked)),
            "label": text(r.label),
            "rotation": text(int(r.rotation or 0)),
        }
    return found


class _Decided(NamedTuple):
    """A photo's decision columns as `read_columns` reads them."""

    id: Annotated[int, "id"]
    cull: Annotated[str, "cull"]
    rating: Annotated[int | None, "rating"]
    picked: Annotated[int, "picked"]
    label: Annotated[str | None, "label"]
    rotation: Annotated[int | None, "rotation"]


_UPDATE_SQLITE = (
    "UPDATE photo SET cull = j.cull, rating = j.rating, picked = j.picked, label = j.label,"
    " rotation = j.rotation, updated_at = ? FROM (SELECT json_extract(value, '$[0]') AS id,"
    " json_extract(value, '$[1]') AS cull, json_extract(value, '$[2]') AS rating,"
    " json_extract(value, '$[3]') AS picked, json_extract(value, '$[4]') AS label,"
    " json_extract(value, '$[5]') AS rotation FROM json_each(?)) AS j WHERE photo.id = j.id"
)
_UPDATE_POSTGRES = (
    "UPDATE photo SET cull = j.cull, rating = j.rating, picked = j.picked, label = j.label,"
    " rotation = j.rotation, updated_at = CAST(? AS timestamp) FROM (SELECT"
    " CAST(value->>0 AS bigint) AS id, value->>1 AS cull, CAST(value->>2 AS bigint) AS rating,"
    " CAST(value->>3 AS bigint) AS picked, value->>4 AS label,"
    " CAST(value->>5 AS bigint) AS rotation"
    " FROM json_array_elements(CAST(? AS json)) AS e(value)) AS j WHERE photo.id = j.id"
)
_INSERT = (
    "INSERT INTO decision"
    " (photo_id, kind, old_value, new_value, pass, undoes, created_at, seat_user, seat_host,"
    " seat_desk) "
)
_ROWS_SQLITE = (
    "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),"
    " json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]'),"
    " json_extract(value, '$[5]'), ?, ?, ?, ? FROM json_each(?) ORDER BY key"
)
_ROWS_POSTGRES = (
    "SELECT CAST(value->>0 AS bigint), value->>1, value->>2, value->>3, value->>4,"
    " CAST(value->>5 AS bigint), CAST(? AS timestamp), CAST(? AS text), CAST(? AS text),"
    " CAST(? AS text)"
    " FROM json_array_elements(CAST(? AS json)) WITH ORDINALITY AS e(value, n) ORDER BY n"
)


PACK_CHUNK = 2_000  # items encoded per json.dumps call (see `pack_json`)


def pack_json(items: Iterable[Sequence[object]]) -> str:
    """`items` as one JSON array, encoded `PACK_CHUNK` items at a time: the C
    encoder holds the GIL for a whole call (the 60,000 rows of an undone
    accept: ~70 ms the UI thread waited)."""
    listed = list(items)
    parts = (
        json.dumps(listed[i : i + PACK_CHUNK], separators=(",", ":"))[1:-1]
        for i in range(0, len(listed), PACK_CHUNK)
    )
    return "[" + ",".join(parts) + "]"


def write(columns: Mapping[int, PhotoColumns], rows: Sequence[LogRow], at: datetime) -> None:
    """Set each photo of `columns` to its values (and `updated_at` to now) and
    append `rows`, in their order, stamped `at` and with this seat: one UPDATE,
    one INSERT. Nothing is written for an empty argument."""
    db = _db()
    postgres = dialect_of(db).is_postgres
    if columns:
        packed = pack_json(
            [
                pid,
                c["cull"],
                None if c["rating"] is None else int(c["rating"]),
                int(c["picked"] == "1"),
                c["label"],
                int(c["rotation"] or 0),
            ]
            for pid, c in columns.items()
        )
        now = Photo.updated_at.db_value(utcnow())
        db.execute_sql(_UPDATE_POSTGRES if postgres else _UPDATE_SQLITE, [now, packed])
    if rows:
        seat = current_seat()
        packed = pack_json([r.photo_id, r.kind, r.old, r.new, r.pass_, r.undoes] for r in rows)
        stamp = Decision.created_at.db_value(at)
        db.execute_sql(
            _INSERT + (_ROWS_POSTGRES if postgres else _ROWS_SQLITE),
            [stamp, seat.user, seat.host, seat.desk, packed],
        )


def _families(photo_ids: Sequence[int]) -> dict[int, list[int]]:
    """Each of `photo_ids` -> every live file of its RAW+JPEG pair but itself
    (catalog.paths_codec.pair_mates, for many photos in one SELECT)."""
    if not pairing_on() or not photo_ids:
        return {}
    db = _db()
    d = dialect_of(db)
    rows = db.execute_sql(
        "SELECT me.id, p.id FROM photo me JOIN photo p ON (p.id = COALESCE(me.pair_lead_id, me.id)"
        " OR p.pair_lead_id = COALESCE(me.pair_lead_id, me.id))"
        f" WHERE me.id IN {d.id_list()} AND p.id != me.id AND p.deleted_at IS NULL ORDER BY p.id",
        [d.id_param(photo_ids)],
    )
    mates: dict[int, list[int]] = {}
    for me, pid in rows:
        mates.setdefault(int(me), []).append(int(pid))
    return mates


@dataclass(frozen=True)
class CullOutcome:
    decided: tuple[int, ...]  # the targets decided, by id (not their pair mates)
    untouched: tuple[int, ...]  # the targets gone or already judged: left alone
    rows: tuple[LogRow, ...]  # every row written, in order


def _judged(c: PhotoColumns) -> bool:
    return c["cull"] != CullState.UNREVIEWED.value or c["picked"] == "1" or c["rating"] is not None


def decide_culls(targets: Mapping[int, CullState], pass_: str, at: datetime) -> CullOutcome:
    """Each of `targets` (photo -> its new cull state) that is live and not
    judged, and the other files of its pair, set to its state: ONE group
    stamped `at`, as `decisions.set_cull` per photo in id order would write it."""
    order = sorted(targets)
    mates = _families(order)
    every = set(order).union(*mates.values()) if mates else set(order)
    state = read_columns(every, live=True)
    rows: list[LogRow] = []
    changed: dict[int, PhotoColumns] = {}
    decided: list[int] = []
    untouched: list[int] = []
    for pid in order:
        mine = state.get(pid)
        if mine is None or _judged(mine):
            untouched.append(pid)
            continue
        new = CullState(targets[pid]).value
        for member in (pid, *mates.get(pid, ())):
            c = state[member]
            before = len(rows)
            if c["cull"] != new:
                rows.append(LogRow(member, DecisionKind.CULL.value, c["cull"], new, pass_))
                c["cull"] = new
            if new == CullState.REJECTED.value and c["picked"] == "1":
                rows.append(LogRow(member, DecisionKind.PICK.value, "1", "0", pass_))
                c["picked"] = "0"
            if len(rows) > before:
                changed[member] = c
        decided.append(pid)
    write(changed, rows, at)
    return CullOutcome(tuple(decided), tuple(untouched), tuple(rows))
