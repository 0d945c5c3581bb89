"""People in the catalog (m025): the people step's plan read and its one writer,
and the reads that name a face's person.

- `people_snapshot(model)`: every live described face with its person, and the
  ruled-out pairs; vectors as bytes.
- `apply_people(db, joined, new_people)`: ONE transaction of set-based
  INSERTs; a face placed meanwhile keeps its person, a person merged away
  takes none; looked-at faces are marked.
- `people_before` / `carry_people`: a re-judged photo's new faces take the
  person and ruled-out people of the old face they overlap most (overlap ≥
  `CARRY_IOU`).

Invariants: no ml or numpy import; the writer never writes a name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from peewee import Database

from curator.catalog import tx
from curator.catalog.backends.dialect import dialect_of
from curator.catalog.models import Photo, StageRun, utcnow
from curator.catalog.people.descriptors import descriptors_of, mark_looked
from curator.catalog.write_gate import Gate

_PERSON_OF_SQL = 'SELECT "face_id", "person_id" FROM "face_person"'
_RULED_OUT_SQL = 'SELECT "face_id", "person_id" FROM "face_not_person"'
# A run's new people in one statement (a from-scratch run makes ~10,000 of
# them: no round trip each).
_NEW_PEOPLE_SQL = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
    ' INSERT INTO "person" ("name", "made_at") SELECT NULL, ? FROM n RETURNING "id"'
)
# Placements go in set-based: one INSERT ... SELECT a chunk, from a packed JSON
# array of [face, person] (a from-scratch run places ~250,000 faces).
_PLACE_CHUNK = 50_000
_PLACE_SQLITE = (
    'INSERT INTO "face_person" ("face_id", "person_id", "by_hand")'
    " SELECT f, p, 0 FROM (SELECT json_extract(value, '$[0]') AS f,"
    " json_extract(value, '$[1]') AS p FROM json_each(?))"
    ' WHERE EXISTS (SELECT 1 FROM "person" WHERE "id" = p)'
    ' AND EXISTS (SELECT 1 FROM "face" WHERE "id" = f)'
    ' ON CONFLICT ("face_id") DO NOTHING'
)
_PLACE_POSTGRES = (
    'INSERT INTO "face_person" ("face_id", "person_id", "by_hand")'
    " SELECT f, p, 0 FROM (SELECT CAST(value->>0 AS bigint) AS f,"
    " CAST(value->>1 AS bigint) AS p FROM json_array_elements(CAST(? AS json)) AS j(value)) AS x"
    ' WHERE EXISTS (SELECT 1 FROM "person" WHERE "id" = p)'
    ' AND EXISTS (SELECT 1 FROM "face" WHERE "id" = f)'
    ' ON CONFLICT ("face_id") DO NOTHING'
)
_NAMES_SQL = (
    'SELECT fp."face_id", fp."person_id", p."name" FROM "face_person" fp'
    ' JOIN "person" p ON p."id" = fp."person_id"'
)


CARRY_IOU = 0.5
_BEFORE_SQL = (
    'SELECT f."x", f."y", f."w", f."h", fp."person_id", fp."by_hand", f."id" FROM "face" f'
    ' LEFT JOIN "face_person" fp ON fp."face_id" = f."id" WHERE f."photo_id" = ?'
)
_RULED_OF_PHOTO_SQL = (
    'SELECT n."face_id", n."person_id" FROM "face_not_person" n'
    ' JOIN "face" f ON f."id" = n."face_id" WHERE f."photo_id" = ?'
)
_NEW_FACES_SQL = 'SELECT "x", "y", "w", "h", "id" FROM "face" WHERE "photo_id" = ? ORDER BY "idx"'


class OldFace(NamedTuple):
    box: tuple[float, float, float, float]
    person: int | None
    by_hand: bool
    ruled_out: tuple[int, ...]


def people_before(photo_id: int) -> list[OldFace]:
    """The photo's faces' people before its faces are replaced (empty: none)."""
    db = Photo._meta.database
    ruled: dict[int, list[int]] = {}
    for face, person in db.execute_sql(_RULED_OF_PHOTO_SQL, (photo_id,)):
        ruled.setdefault(int(face), []).append(int(person))
    out = []
    for x, y, w, h, person, by_hand, face in db.execute_sql(_BEFORE_SQL, (photo_id,)):
        if person is None and int(face) not in ruled:
            continue
        out.append(
            OldFace(
                (float(x), float(y), float(w), float(h)),
                None if person is None else int(person),
                bool(by_hand),
                tuple(ruled.get(int(face), ())),
            )
        )
    return out


def carry_people(photo_id: int, before: Sequence[OldFace]) -> int:
    """Give the photo's new faces the people of the old faces they overlap most
    (see the module docstring), in the caller's transaction; how many."""
    if not before:
        return 0
    db = Photo._meta.database
    new = [
        (tuple(map(float, r[:4])), int(r[4])) for r in db.execute_sql(_NEW_FACES_SQL, (photo_id,))
    ]
    taken: set[int] = set()
    carried = 0
    for old in before:
        scored = [(_iou(old.box, box), face) for box, face in new if face not in taken]
        best = max(scored, default=(0.0, 0))
        if best[0] < CARRY_IOU:
            continue
        face = best[1]
        taken.add(face)
        if old.person is not None:
            carried += _place_kept(db, face, old.person, old.by_hand)
        for person in old.ruled_out:
            db.execute_sql(
                'INSERT INTO "face_not_person" ("face_id", "person_id")'
                ' SELECT ?, ? WHERE EXISTS (SELECT 1 FROM "person" WHERE "id" = ?)'
                " ON CONFLICT DO NOTHING",
                (face, person, person),
            )
    return carried


def _place_kept(db: Database, face: int, person: int, by_hand: bool) -> int:
    cursor = db.execute_sql(
        'INSERT INTO "face_person" ("face_id", "person_id", "by_hand")'
        ' SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM "person" WHERE "id" = ?)'
        ' ON CONFLICT ("face_id") DO NOTHING',
        (face, person, int(by_hand), person),
    )
    return max(0, int(cursor.rowcount or 0))


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


class PeopleSnapshot(NamedTuple):
    """The people step's input, read in one go (see the module docstring)."""

    face_ids: list[int]
    vectors: bytes
    person_of: list[int]  # per face, 0: no person
    ruled_out: frozenset[tuple[int, int]]
    looked: list[bool]  # per face: a people run already looked at it


def people_snapshot(model: str) -> PeopleSnapshot:
    """The described faces (by `model`), their people and the ruled-out pairs."""
    db = Photo._meta.database
    with db.atomic():
        stored = descriptors_of(model)
        person = {int(f): int(p) for f, p in db.execute_sql(_PERSON_OF_SQL)}
        ruled = frozenset((int(f), int(p)) for f, p in db.execute_sql(_RULED_OUT_SQL))
    return PeopleSnapshot(
        stored.face_ids,
        stored.vectors,
        [person.get(f, 0) for f in stored.face_ids],
        ruled,
        stored.looked,
    )


class PeopleApplied(NamedTuple):
    placed: int  # faces given a person
    new_people: int


def apply_people(
    db: Database,
    joined: Mapping[int, int],
    new_people: Sequence[Sequence[int]],
    examined: Sequence[int] = (),
) -> PeopleApplied:
    """Write a grouping (see the module docstring) in one transaction;
    `examined` are the faces the run looked at (marked looked)."""

    def apply() -> PeopleApplied:
        mark_looked(examined)
        pairs = sorted(joined.items())
        made = _new_people(db, len(new_people))
        for faces, person in zip(new_people, made, strict=True):
            pairs += [(face, person) for face in faces]
        placed = 0
        unpack = _PLACE_POSTGRES if dialect_of(db).is_postgres else _PLACE_SQLITE
        for start in range(0, len(pairs), _PLACE_CHUNK):
            chunk = json.dumps([[int(f), int(p)] for f, p in pairs[start : start + _PLACE_CHUNK]])
            placed += max(0, int(db.execute_sql(unpack, (chunk,)).rowcount or 0))
        return PeopleApplied(placed, len(made))

    return tx.write(db, apply, gate=Gate.BULK)


def _new_people(db: Database, count: int) -> list[int]:
    """`count` new unnamed people's ids, ascending (as one insert each gave)."""
    if not count:
        return []
    ids = sorted(int(r[0]) for r in db.execute_sql(_NEW_PEOPLE_SQL, (count, _now())))
    if len(ids) != count:
        raise RuntimeError(f"made {len(ids)} people, not {count}")
    return ids


def _now() -> object:
    return StageRun.updated_at.db_value(utcnow())


def persons_of_faces() -> dict[int, tuple[int, str | None]]:
    """Face id -> (person id, the person's name or None), for faces with a person."""
    rows = Photo._meta.database.execute_sql(_NAMES_SQL)
    return {int(f): (int(p), name) for f, p, name in rows}
