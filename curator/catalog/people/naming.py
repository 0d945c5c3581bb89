"""The photographer's word on people (m025): the list, a name, a merge.

- `merge_people(into, other)`: `other`'s faces (by hand) and ruled-out faces
  become `into`'s and `other` is gone; `into` keeps its name or takes
  `other`'s; two different names are refused.
- `take_face_out(face)`: recorded in `face_not_person`, and marked not looked
  at, so the next people step places it elsewhere.
Each writer is one transaction; a missing person is a `PeopleError`.

Invariants: no descriptor read or written; no face moved that was not asked about.
"""

from __future__ import annotations

from typing import NamedTuple

from peewee import Database

from curator.catalog import tx
from curator.catalog.errors import CatalogError
from curator.catalog.models import Photo
from curator.catalog.write_gate import Gate

MAX_NAME = 200

# Driven from the photo table, as catalog.people.coverage says why (1.03 -> 0.36
# CPU s at 100,000 photos / 300,000 faces, the same rows).
_LIST_SQL = (
    'SELECT p."id", p."name", per.faces, per.photos, per.kept FROM ('
    'SELECT fp."person_id" AS person, COUNT(*) AS faces, COUNT(DISTINCT f."photo_id") AS photos,'
    ' COUNT(DISTINCT CASE WHEN ph."cull" = \'kept\' THEN f."photo_id" END) AS kept'
    ' FROM "photo" ph CROSS JOIN "face" f CROSS JOIN "face_person" fp'
    ' WHERE f."photo_id" = ph."id" AND fp."face_id" = f."id" AND ph."deleted_at" IS NULL'
    ' GROUP BY fp."person_id") AS per JOIN "person" p ON p."id" = per.person'
    ' ORDER BY per.photos DESC, p."id"'
)


class PeopleError(CatalogError):
    """A person command that cannot be done; `str(err)` is the sentence."""


class PersonRow(NamedTuple):
    id: int
    name: str | None
    faces: int
    photos: int
    kept: int  # photos of the person kept in the cull pass


def people_list() -> list[PersonRow]:
    """Every person with a face on a live photo (id, name, faces, photos, kept
    photos), most-photographed first, then by id."""
    rows = Photo._meta.database.execute_sql(_LIST_SQL)
    return [PersonRow(int(i), n, int(f), int(p), int(k)) for i, n, f, p, k in rows]


def name_of(db: Database, person: int) -> str | None:
    """`person`'s name (None: unnamed); `PeopleError` when there is no such person."""
    row = db.execute_sql('SELECT "name" FROM "person" WHERE "id" = ?', (person,)).fetchone()
    if row is None:
        raise PeopleError(f"There is no person {person} (see `curator people`).")
    return None if row[0] is None else str(row[0])


def name_person(db: Database, person: int, name: str) -> None:
    """Name `person` `name` (stripped; empty: no name)."""
    clean = " ".join(name.split())
    if len(clean) > MAX_NAME:
        raise PeopleError(f"A person's name has at most {MAX_NAME} characters.")

    def apply() -> None:
        name_of(db, person)
        db.execute_sql('UPDATE "person" SET "name" = ? WHERE "id" = ?', (clean or None, person))

    tx.write(db, apply, gate=Gate.INTERACTIVE)


def merge_people(db: Database, into: int, other: int) -> None:
    """Merge `other` into `into` (see the module docstring)."""
    if into == other:
        raise PeopleError(f"Person {into} cannot be merged with itself.")

    def apply() -> None:
        kept, gone = name_of(db, into), name_of(db, other)
        if kept and gone and kept.casefold() != gone.casefold():
            raise PeopleError(
                f"Person {into} is {kept} and person {other} is {gone}: rename one of them "
                "first, so that no name is lost."
            )
        db.execute_sql(
            'UPDATE "face_person" SET "person_id" = ?, "by_hand" = 1 WHERE "person_id" = ?',
            (into, other),
        )
        db.execute_sql(
            'INSERT INTO "face_not_person" ("face_id", "person_id")'
            ' SELECT "face_id", ? FROM "face_not_person" WHERE "person_id" = ?'
            " ON CONFLICT DO NOTHING",
            (into, other),
        )
        if not kept and gone:
            db.execute_sql('UPDATE "person" SET "name" = ? WHERE "id" = ?', (gone, into))
        db.execute_sql('DELETE FROM "person" WHERE "id" = ?', (other,))

    tx.write(db, apply, gate=Gate.INTERACTIVE)


def take_face_out(db: Database, face: int) -> int:
    """Take `face` out of its person (see the module docstring); the person's id."""

    def apply() -> int:
        if db.execute_sql('SELECT 1 FROM "face" WHERE "id" = ?', (face,)).fetchone() is None:
            raise PeopleError(f"There is no face {face} (see `curator people --json`).")
        row = db.execute_sql(
            'SELECT "person_id" FROM "face_person" WHERE "face_id" = ?', (face,)
        ).fetchone()
        if row is None:
            raise PeopleError(f"Face {face} is in no person: there is nothing to take it out of.")
        person = int(row[0])
        db.execute_sql('DELETE FROM "face_person" WHERE "face_id" = ?', (face,))
        db.execute_sql(
            'INSERT INTO "face_not_person" ("face_id", "person_id") VALUES (?, ?)'
            " ON CONFLICT DO NOTHING",
            (face, person),
        )
        db.execute_sql('UPDATE "face_descriptor" SET "looked" = 0 WHERE "face_id" = ?', (face,))
        return person

    return tx.write(db, apply, gate=Gate.INTERACTIVE)


def faces_of_people() -> dict[int, list[int]]:
    """Person id -> the ids of its faces on live photos, ascending."""
    rows = Photo._meta.database.execute_sql(
        'SELECT fp."person_id", fp."face_id" FROM "face_person" fp'
        ' JOIN "face" f ON f."id" = fp."face_id"'
        ' JOIN "photo" ph ON ph."id" = f."photo_id" AND ph."deleted_at" IS NULL'
        ' ORDER BY fp."person_id", fp."face_id"'
    )
    out: dict[int, list[int]] = {}
    for person, face in rows:
        out.setdefault(int(person), []).append(int(face))
    return out


def person_photos_sql(word: str) -> tuple[str, list[object]]:
    """A SELECT of the live photos with a face of the person named `word` (any
    case), or with id `word`, and its parameters (`search`'s person:NAME)."""
    base = (
        'SELECT DISTINCT f."photo_id" FROM "face_person" fp'
        ' JOIN "person" pe ON pe."id" = fp."person_id"'
        ' JOIN "face" f ON f."id" = fp."face_id"'
        ' JOIN "photo" ph ON ph."id" = f."photo_id" AND ph."deleted_at" IS NULL'
    )
    if word.strip().isdigit():
        return base + ' WHERE pe."id" = ?', [int(word)]
    return base + ' WHERE LOWER(pe."name") = LOWER(?)', [word.strip()]


def photos_of_person(word: str) -> set[int]:
    """The live photos with a face of the person named `word` (or with id `word`)."""
    sql, params = person_photos_sql(word)
    return {int(r[0]) for r in Photo._meta.database.execute_sql(sql, params)}


def person_exists(word: str) -> bool:
    """Whether a person has the id `word`, or the name `word` (any case)."""
    db = Photo._meta.database
    if word.strip().isdigit():
        row = db.execute_sql('SELECT 1 FROM "person" WHERE "id" = ?', (int(word),)).fetchone()
    else:
        sql = 'SELECT 1 FROM "person" WHERE LOWER("name") = LOWER(?) LIMIT 1'
        row = db.execute_sql(sql, (word.strip(),)).fetchone()
    return row is not None
