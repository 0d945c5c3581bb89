"""People in the catalog (m025): the people step's plan read and its one writer,
and the reads that name a face's person.

- `people_snapshot(model)` (plan): every live face described by `model`
  with its person (0: none), and the (face, person) pairs the photographer
  ruled out; one read each, vectors as bytes (the pure run unpacks them:
  ml.faces.people).
- `apply_people(db, joined, new_people)` (apply): ONE write transaction:
  each new person gets a `person` row, and every placed face a
  `face_person` row. A face placed meanwhile (by hand, or by another
  seat's run) keeps its person (the insert does nothing for it); a person
  gone meanwhile (merged away) takes no face.
- `persons_of_faces()`: face id → (person id, name), for `curator list`.

Invariants: nothing here imports ml or numpy; names are never written by
this module's writer (only a person's own command names one), so a run
never renames or merges anyone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from peewee import Database

from curator.catalog import tx
from curator.catalog.models import Photo, StageRun, utcnow
from curator.catalog.people.descriptors import descriptors_of
from curator.catalog.write_gate import Gate

_PERSON_OF_SQL = 'SELECT "face_id", "person_id" FROM "face_person"'
_RULED_OUT_SQL = 'SELECT "face_id", "person_id" FROM "face_not_person"'
_NEW_PERSON_SQL = 'INSERT INTO "person" ("name", "made_at") VALUES (NULL, ?) RETURNING "id"'
_PLACE_SQL = (
    'INSERT INTO "face_person" ("face_id", "person_id", "by_hand")'
    ' SELECT ?, ?, 0 WHERE EXISTS (SELECT 1 FROM "person" WHERE "id" = ?)'
    ' AND EXISTS (SELECT 1 FROM "face" WHERE "id" = ?)'
    ' ON CONFLICT ("face_id") DO NOTHING'
)
_NAMES_SQL = (
    'SELECT fp."face_id", fp."person_id", p."name" FROM "face_person" fp'
    ' JOIN "person" p ON p."id" = fp."person_id"'
)


class PeopleSnapshot(NamedTuple):
    """The people step's input, read in one go (see the module docstring)."""

    face_ids: list[int]
    vectors: bytes
    person_of: list[int]  # per face, 0: no person
    ruled_out: frozenset[tuple[int, int]]


def people_snapshot(model: str) -> PeopleSnapshot:
    """The described faces (by `model`), their people and the ruled-out pairs."""
    db = Photo._meta.database
    with db.atomic():
        stored = descriptors_of(model)
        person = {int(f): int(p) for f, p in db.execute_sql(_PERSON_OF_SQL)}
        ruled = frozenset((int(f), int(p)) for f, p in db.execute_sql(_RULED_OUT_SQL))
    return PeopleSnapshot(
        stored.face_ids, stored.vectors, [person.get(f, 0) for f in stored.face_ids], ruled
    )


class PeopleApplied(NamedTuple):
    placed: int  # faces given a person
    new_people: int


def apply_people(
    db: Database, joined: Mapping[int, int], new_people: Sequence[Sequence[int]]
) -> PeopleApplied:
    """Write a grouping (see the module docstring) in one transaction."""

    def apply() -> PeopleApplied:
        placed = made = 0
        for face, person in sorted(joined.items()):
            placed += _place(db, face, person)
        for faces in new_people:
            (person,) = db.execute_sql(_NEW_PERSON_SQL, (_now(),)).fetchone()
            made += 1
            for face in faces:
                placed += _place(db, face, int(person))
        return PeopleApplied(placed, made)

    return tx.write(db, apply, gate=Gate.BULK)


def _place(db: Database, face: int, person: int) -> int:
    cursor = db.execute_sql(_PLACE_SQL, (face, person, person, face))
    return max(0, int(cursor.rowcount or 0))


def _now() -> object:
    return StageRun.updated_at.db_value(utcnow())


def persons_of_faces() -> dict[int, tuple[int, str | None]]:
    """Face id -> (person id, the person's name or None), for faces with a person."""
    rows = Photo._meta.database.execute_sql(_NAMES_SQL)
    return {int(f): (int(p), name) for f, p, name in rows}
