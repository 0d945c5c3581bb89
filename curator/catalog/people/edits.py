"""The photographer's people edits, logged so that Ctrl+Z undoes them: naming
a person, merging two, taking a face out of a person.

Their own log (m026 `person_edit`): one row per edit, in its transaction, its
`data` (JSON) holding what reverses it:
- `name` {person, old, new}: `old` written back;
- `merge` {into, other, …, moved, ruled, added_ruled}: reversed by a `split`
  that makes `other` again under its id and name; a split by merging again;
- `remove` {face, person, by_hand, ruled_new, looked}: reversed by a `putback`.

Undo and redo append the reversing row (`undoes`), never edit one; read back
by catalog.undo.stacks' rule, the seat's own rows only. Every row is stamped
after the newest decision and people edit (`_stamp`), so Ctrl+Z
(catalog.undo.history) takes the newest step of either log.

Invariants: an edit and its row are one transaction; an impossible reversal
is a `PeopleError` with a sentence and changes nothing; no descriptor
vector is read or written here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from peewee import Database

from curator.catalog import tx
from curator.catalog.backends.seat import Seat, current_seat
from curator.catalog.models import Decision, utcnow
from curator.catalog.people.naming import (
    PeopleError,
    merge_people,
    name_of,
    name_person,
    take_face_out,
)
from curator.catalog.undo.bulk import new_stamp
from curator.catalog.write_gate import Gate

_ROWS_SQL = (
    'SELECT "id", "kind", "undoes", "created_at", "seat_user", "seat_host", "seat_desk"'
    ' FROM "person_edit" ORDER BY "id" DESC'
)
_DATA_SQL = 'SELECT "data" FROM "person_edit" WHERE "id" = ?'

_LOG_SQL = (
    'INSERT INTO "person_edit"'
    ' ("kind", "data", "undoes", "created_at", "seat_user", "seat_host", "seat_desk")'
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
# What reverses each kind of row.
REVERSE_OF = {
    "name": "name",
    "merge": "split",
    "split": "merge",
    "remove": "putback",
    "putback": "remove",
}


@dataclass(frozen=True)
class EditRow:
    """One `person_edit` row, as the stacks read it: without its `data`, read
    when first wanted (a merge's holds every face it moved; only the row
    being reversed needs it)."""

    id: int
    kind: str
    undoes: int | None
    stamp: datetime
    seat_user: str | None
    seat_host: str | None
    seat_desk: str | None

    @cached_property
    def data(self) -> dict[str, Any]:
        row = Decision._meta.database.execute_sql(_DATA_SQL, (self.id,)).fetchone()
        return dict(json.loads(row[0])) if row is not None else {}

    def of_seat(self, seat: Seat) -> bool:
        return seat.owns(self.seat_user, self.seat_host, self.seat_desk)


def as_datetime(value: object) -> datetime:
    """A stamp as either backend returns it (SQLite: ISO text), naive UTC."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime.fromisoformat(str(value)).replace(tzinfo=None)


# --- the edits ----------------------------------------------------------------------


def bound() -> Database:
    """The catalog's database as bound on this thread (for callers without the ORM: the UI)."""
    db: Database = Decision._meta.database
    return db


def name(db: Database, person: int, new_name: str) -> None:
    """Name `person` (naming.name_person), logged."""

    def apply() -> None:
        old = name_of(db, person)
        name_person(db, person, new_name)
        now = name_of(db, person)
        if now != old:  # the name it had already: no step to undo (as a decision)
            _log(db, "name", {"person": person, "old": old, "new": now})

    tx.write(db, apply, gate=Gate.INTERACTIVE)


def merge(db: Database, into: int, other: int) -> None:
    """Merge `other` into `into` (naming.merge_people), logged."""
    tx.write(db, lambda: _log(db, "merge", _merge(db, into, other)), gate=Gate.INTERACTIVE)


def take_out(db: Database, face: int) -> int:
    """Take `face` out of its person (naming.take_face_out), logged; the person."""

    def apply() -> int:
        data = _take_out(db, face)
        _log(db, "remove", data)
        return int(data["person"])

    return tx.write(db, apply, gate=Gate.INTERACTIVE)


def _merge(db: Database, into: int, other: int) -> dict[str, Any]:
    row = db.execute_sql(
        'SELECT "name", "made_at" FROM "person" WHERE "id" = ?', (other,)
    ).fetchone()
    into_name = name_of(db, into) if row is not None else None
    moved = [
        [int(f), int(h)]
        for f, h in db.execute_sql(
            'SELECT "face_id", "by_hand" FROM "face_person" WHERE "person_id" = ? ORDER BY 1',
            (other,),
        )
    ]
    ruled = _ruled_of(db, other)
    added = sorted(set(ruled) - set(_ruled_of(db, into)))
    merge_people(db, into, other)  # raises for a person not there, or two names
    assert row is not None  # merge_people refused a missing person
    return {
        "into": into,
        "other": other,
        "into_name": into_name,
        "other_name": row[0],
        "other_made": str(as_datetime(row[1])),
        "moved": moved,
        "ruled": ruled,
        "added_ruled": added,
    }


def _take_out(db: Database, face: int) -> dict[str, Any]:
    row = db.execute_sql(
        'SELECT "person_id", "by_hand" FROM "face_person" WHERE "face_id" = ?', (face,)
    ).fetchone()
    ruled_before = row is not None and (
        db.execute_sql(
            'SELECT 1 FROM "face_not_person" WHERE "face_id" = ? AND "person_id" = ?',
            (face, int(row[0])),
        ).fetchone()
        is not None
    )
    looked = db.execute_sql(
        'SELECT "looked" FROM "face_descriptor" WHERE "face_id" = ?', (face,)
    ).fetchone()
    person = take_face_out(db, face)  # raises for a face not there or in no person
    assert row is not None  # take_face_out refused a face in no person
    return {
        "face": face,
        "person": person,
        "by_hand": int(row[1]),
        "ruled_new": not ruled_before,
        "looked": None if looked is None else int(looked[0]),
    }


# --- reversing a row ----------------------------------------------------------------


def _reverse_name(db: Database, data: dict[str, Any]) -> dict[str, Any]:
    person = int(data["person"])
    now = name_of(db, person)
    name_person(db, person, data["old"] or "")
    return {"person": person, "old": now, "new": data["old"]}


def _split(db: Database, data: dict[str, Any]) -> dict[str, Any]:
    into, other = int(data["into"]), int(data["other"])
    if _exists(db, "person", into) is False:
        raise PeopleError(f"Person {into} is no longer there: the merge cannot be undone.")
    if _exists(db, "person", other):
        raise PeopleError(f"Person {other} is there again: the merge cannot be undone.")
    db.execute_sql(
        'INSERT INTO "person" ("id", "name", "made_at") VALUES (?, ?, ?)',
        (other, data["other_name"], Decision.created_at.db_value(as_datetime(data["other_made"]))),
    )
    for face, by_hand in data["moved"]:
        db.execute_sql(
            'UPDATE "face_person" SET "person_id" = ?, "by_hand" = ?'
            ' WHERE "face_id" = ? AND "person_id" = ?',
            (other, by_hand, face, into),
        )
    for face in data["ruled"]:
        db.execute_sql(
            'INSERT INTO "face_not_person" ("face_id", "person_id")'
            ' SELECT ?, ? WHERE EXISTS (SELECT 1 FROM "face" WHERE "id" = ?)'
            " ON CONFLICT DO NOTHING",
            (face, other, face),
        )
    for face in data["added_ruled"]:
        db.execute_sql(
            'DELETE FROM "face_not_person" WHERE "face_id" = ? AND "person_id" = ?', (face, into)
        )
    db.execute_sql('UPDATE "person" SET "name" = ? WHERE "id" = ?', (data["into_name"], into))
    return data


def _put_back(db: Database, data: dict[str, Any]) -> dict[str, Any]:
    face, person = int(data["face"]), int(data["person"])
    if not _exists(db, "face", face):
        raise PeopleError(f"Face {face} is no longer there (judged again): nothing to put back.")
    if not _exists(db, "person", person):
        raise PeopleError(f"Person {person} is no longer there: face {face} cannot go back.")
    db.execute_sql('DELETE FROM "face_person" WHERE "face_id" = ?', (face,))
    db.execute_sql(
        'INSERT INTO "face_person" ("face_id", "person_id", "by_hand") VALUES (?, ?, ?)',
        (face, person, int(data["by_hand"])),
    )
    if data["ruled_new"]:
        db.execute_sql(
            'DELETE FROM "face_not_person" WHERE "face_id" = ? AND "person_id" = ?',
            (face, person),
        )
    if data["looked"] is not None:
        db.execute_sql(
            'UPDATE "face_descriptor" SET "looked" = ? WHERE "face_id" = ?',
            (int(data["looked"]), face),
        )
    return data


def _reverse(db: Database, row: EditRow) -> dict[str, Any]:
    """Apply what reverses `row` (in the caller's transaction); the new row's data."""
    if row.kind == "name":
        return _reverse_name(db, row.data)
    if row.kind == "merge":
        return _split(db, row.data)
    if row.kind == "split":
        return _merge(db, int(row.data["into"]), int(row.data["other"]))
    if row.kind == "remove":
        return _put_back(db, row.data)
    if row.kind == "putback":
        return _take_out(db, int(row.data["face"]))
    raise PeopleError(f"A people edit of kind {row.kind!r} cannot be undone here.")


def reverse_newest(db: Database, *, undo: bool) -> str | None:
    """Undo (or redo) this seat's newest people edit, in one transaction; the
    phrase of what was reversed ("naming person 3 “Anna”"), None: nothing."""

    def apply() -> str | None:
        seat = current_seat()
        row = undo_target(seat) if undo else redo_target(seat)
        if row is None:
            return None
        data = _reverse(db, row)
        _log(db, REVERSE_OF[row.kind], data, undoes=row.id)
        return phrase(row, undo=undo)

    return tx.write(db, apply, gate=Gate.INTERACTIVE)


def phrase(row: EditRow, *, undo: bool) -> str:
    """What reversing `row` undoes or redoes, in words."""
    d = row.data
    if row.kind == "name":
        shown = d["new"] if undo else d["old"]
        return f"naming person {d['person']} “{shown}”" if shown else f"person {d['person']}'s name"
    if row.kind in ("merge", "split"):
        return f"merge of person {d['other']} into person {d['into']}"
    return f"taking face {d['face']} out of person {d['person']}"


# --- the stacks ---------------------------------------------------------------------


def seat_rows(seat: Seat) -> list[EditRow]:
    """The seat's people edits, newest first (human-sized: one read)."""
    rows = Decision._meta.database.execute_sql(_ROWS_SQL)
    out = [
        EditRow(int(i), str(k), None if u is None else int(u), as_datetime(c), su, sh, sd)
        for i, k, u, c, su, sh, sd in rows
    ]
    return [r for r in out if r.of_seat(seat)]


def _depths(rows: list[EditRow]) -> dict[int, int]:
    depth: dict[int, int] = {}
    for row in reversed(rows):  # oldest first: what a row undoes is already known
        target = row.undoes
        depth[row.id] = 0 if target is None else depth.get(target, 0) + 1
    return depth


def undo_target(seat: Seat) -> EditRow | None:
    """The newest edit or redo no later undo reversed (catalog.undo.stacks' rule)."""
    rows = seat_rows(seat)
    depth = _depths(rows)
    undone: set[int] = set()
    for row in rows:
        if depth[row.id] % 2 == 1:
            undone.add(int(row.undoes or 0))
        elif row.id not in undone:
            return row
    return None


def redo_target(seat: Seat) -> EditRow | None:
    """The newest undo no later redo reversed, unless an edit came after it."""
    rows = seat_rows(seat)
    depth = _depths(rows)
    redone: set[int] = set()
    for row in rows:
        level = depth[row.id]
        if level == 0:
            return None
        if level % 2 == 0:
            redone.add(int(row.undoes or 0))
        elif row.id not in redone:
            return row
    return None


def newest_edit(seat: Seat) -> datetime | None:
    """The stamp of the seat's newest new edit (not an undo or redo): a redo
    of anything older is off (a new action clears redo)."""
    return next((r.stamp for r in seat_rows(seat) if r.undoes is None), None)


# --- small reads and the log --------------------------------------------------------


def _exists(db: Database, table: str, key: int) -> bool:
    sql = f'SELECT 1 FROM "{table}" WHERE "id" = ?'  # table: one of ours, never input
    return db.execute_sql(sql, (key,)).fetchone() is not None


def _ruled_of(db: Database, person: int) -> list[int]:
    rows = db.execute_sql(
        'SELECT "face_id" FROM "face_not_person" WHERE "person_id" = ? ORDER BY 1', (person,)
    )
    return [int(r[0]) for r in rows]


def _stamp(db: Database) -> datetime:
    """Now, strictly after the newest decision and the newest people edit."""
    now = max(new_stamp(), utcnow())
    row = db.execute_sql('SELECT MAX("created_at") FROM "person_edit"').fetchone()
    if row is not None and row[0] is not None and as_datetime(row[0]) >= now:
        now = as_datetime(row[0]) + timedelta(microseconds=1)
    return now


def _log(db: Database, kind: str, data: dict[str, Any], *, undoes: int | None = None) -> None:
    seat = current_seat()
    stamp = Decision.created_at.db_value(_stamp(db))
    db.execute_sql(
        _LOG_SQL, (kind, json.dumps(data), undoes, stamp, seat.user, seat.host, seat.desk)
    )
