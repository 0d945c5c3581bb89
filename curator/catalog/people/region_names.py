"""People's names crossing XMP: the reads that put names on Curator's regions,
and the one writer that takes names from regions another tool named.

`name_faces(db, pairs)`, ONE transaction, per (face, name):
- no person: joins the person of that name (casefold; the oldest) or a new one;
- an unnamed person: it takes the name, unless that name exists: then the
  face alone moves there (a file never merges two people);
- another name, or ruled out of that person: nothing (a conflict / kept out).

Invariants: names only, no descriptor; a name the photographer set is never changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from peewee import Database

from curator.catalog import tx
from curator.catalog.backends.dialect import chunks
from curator.catalog.models import Photo, StageRun, utcnow
from curator.catalog.paths_codec import decode_path
from curator.catalog.people.naming import MAX_NAME
from curator.catalog.write_gate import Gate


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def face_names_by_photo(photo_ids: Iterable[int]) -> dict[int, tuple[str | None, ...]]:
    """Photo id -> its faces' person names (None: unnamed or no person) in face
    order (`idx`); photos without faces left out."""
    db = Photo._meta.database
    out: dict[int, list[str | None]] = {}
    for chunk in chunks(list(dict.fromkeys(int(i) for i in photo_ids))):
        rows = db.execute_sql(
            'SELECT f."photo_id", p."name" FROM "face" f'
            ' LEFT JOIN "face_person" fp ON fp."face_id" = f."id"'
            ' LEFT JOIN "person" p ON p."id" = fp."person_id"'
            f' WHERE f."photo_id" IN ({_marks(len(chunk))}) ORDER BY f."photo_id", f."idx"',
            chunk,
        )
        for pid, name in rows:
            out.setdefault(int(pid), []).append(str(name) if name else None)
    return {pid: tuple(names) for pid, names in out.items()}


def named_photo_ids() -> list[int]:
    """The live photos with a face of a named person, by id."""
    rows = Photo._meta.database.execute_sql(
        'SELECT DISTINCT f."photo_id" FROM "face" f'
        ' JOIN "face_person" fp ON fp."face_id" = f."id"'
        ' JOIN "person" p ON p."id" = fp."person_id" AND p."name" IS NOT NULL'
        ' JOIN "photo" ph ON ph."id" = f."photo_id" AND ph."deleted_at" IS NULL'
    )
    return sorted(int(r[0]) for r in rows)


def photos_with_faces() -> dict[int, str]:
    """Live photo id -> its primary path, for every photo with a face."""
    rows = Photo._meta.database.execute_sql(
        'SELECT ph."id", ph."path" FROM "photo" ph WHERE ph."deleted_at" IS NULL'
        ' AND EXISTS (SELECT 1 FROM "face" f WHERE f."photo_id" = ph."id") ORDER BY ph."id"'
    )
    return {int(pid): decode_path(bytes(path)) for pid, path in rows}


class PhotoFacesForNaming(NamedTuple):
    width: int  # upright (EXIF orientation applied), pixels
    height: int
    rotation: int  # the photographer's quarter-turns clockwise
    faces: tuple[tuple[int, tuple[float, float, float, float]], ...]  # (face id, upright box)
    orientation: int = 1  # the file's EXIF orientation (1..8)


def faces_for_naming(photo_ids: Iterable[int]) -> dict[int, PhotoFacesForNaming]:
    """Photo id -> its size, turn and faces (live photos with a size and faces)."""
    db = Photo._meta.database
    out: dict[int, PhotoFacesForNaming] = {}
    for chunk in chunks(list(dict.fromkeys(int(i) for i in photo_ids))):
        faces: dict[int, list[tuple[int, tuple[float, float, float, float]]]] = {}
        for pid, face, x, y, w, h in db.execute_sql(
            'SELECT "photo_id", "id", "x", "y", "w", "h" FROM "face"'
            f' WHERE "photo_id" IN ({_marks(len(chunk))}) ORDER BY "photo_id", "idx"',
            chunk,
        ):
            box = (float(x), float(y), float(w), float(h))
            faces.setdefault(int(pid), []).append((int(face), box))
        query = Photo.select(
            Photo.id, Photo.width, Photo.height, Photo.rotation, Photo.orientation
        ).where(Photo.id.in_(list(faces)), Photo.deleted_at.is_null())
        for pid, width, height, rotation, orientation in query.tuples():
            if width and height:
                out[int(pid)] = PhotoFacesForNaming(
                    int(width),
                    int(height),
                    int(rotation or 0),
                    tuple(faces[int(pid)]),
                    int(orientation or 1),
                )
    return out


def _now() -> object:
    return StageRun.updated_at.db_value(utcnow())


class NamesTaken(NamedTuple):
    named: int = 0  # unnamed people that took a name
    joined: int = 0  # faces placed into a named person (existing or new)
    new_people: int = 0
    conflicts: int = 0  # the face's person has another name: left as it is
    ruled_out: int = 0  # the photographer took the face out of that person


def _named_people(db: Database) -> dict[str, int]:
    """casefolded name -> the oldest person of that name (Python's casefold, so
    "Élodie" and "élodie" are one name on both backends)."""
    out: dict[str, int] = {}
    rows = db.execute_sql(
        'SELECT "id", "name" FROM "person" WHERE "name" IS NOT NULL ORDER BY "id"'
    )
    for pid, name in rows:
        out.setdefault(str(name).casefold(), int(pid))
    return out


def _ruled_out(db: Database, face: int, person: int) -> bool:
    row = db.execute_sql(
        'SELECT 1 FROM "face_not_person" WHERE "face_id" = ? AND "person_id" = ?', (face, person)
    ).fetchone()
    return row is not None


def _name_one(
    db: Database, face: int, name: str, people: dict[str, int], counts: dict[str, int]
) -> None:
    if db.execute_sql('SELECT 1 FROM "face" WHERE "id" = ?', (face,)).fetchone() is None:
        return  # re-judged meanwhile
    row = db.execute_sql(
        'SELECT fp."person_id", p."name" FROM "face_person" fp'
        ' JOIN "person" p ON p."id" = fp."person_id" WHERE fp."face_id" = ?',
        (face,),
    ).fetchone()
    named = people.get(name.casefold())
    if named is not None and _ruled_out(db, face, named):
        counts["ruled_out"] += 1
        return
    if row is not None:
        person, current = int(row[0]), row[1]
        if current:
            if str(current).casefold() != name.casefold():
                counts["conflicts"] += 1
            return
        if named is None:
            db.execute_sql('UPDATE "person" SET "name" = ? WHERE "id" = ?', (name, person))
            people[name.casefold()] = person
            counts["named"] += 1
            return
        db.execute_sql(
            'UPDATE "face_person" SET "person_id" = ?, "by_hand" = 1 WHERE "face_id" = ?',
            (named, face),
        )
        counts["joined"] += 1
        return
    if named is None:
        (named,) = db.execute_sql(
            'INSERT INTO "person" ("name", "made_at") VALUES (?, ?) RETURNING "id"', (name, _now())
        ).fetchone()
        people[name.casefold()] = int(named)
        counts["new_people"] += 1
    db.execute_sql(
        'INSERT INTO "face_person" ("face_id", "person_id", "by_hand") VALUES (?, ?, 1)'
        ' ON CONFLICT ("face_id") DO NOTHING',
        (face, int(named)),
    )
    counts["joined"] += 1


def name_faces(db: Database, pairs: Sequence[tuple[int, str]]) -> NamesTaken:
    """Give each (face id, name) a named person (see the module docstring)."""
    clean = [(int(f), " ".join(n.split())[:MAX_NAME]) for f, n in pairs]
    clean = [(f, n) for f, n in clean if n]
    if not clean:
        return NamesTaken()

    def apply() -> NamesTaken:
        counts = dict.fromkeys(NamesTaken._fields, 0)
        people = _named_people(db)
        for face, name in clean:
            _name_one(db, face, name, people, counts)
        return NamesTaken(**counts)

    return tx.write(db, apply, gate=Gate.BULK)
