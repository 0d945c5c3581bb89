"""Face descriptors in the catalog (m025's `face_descriptor`): written with the
faces, read by the people clustering.

`write_descriptors` runs in the faces stage's write path; `descriptors_of(model)`
reads one model's in one SELECT; `mark_looked` records the faces a people step
looked at.

Invariants: only the faces stage writes a vector; a descriptor never leaves the
catalog; no ml or numpy import at module level.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from curator.catalog.backends.dialect import dialect_of
from curator.catalog.models import Photo
from curator.records import FacesFound

_INSERT_SQL = (
    'INSERT INTO "face_descriptor" ("face_id", "model", "vector") VALUES (?, ?, ?)'
    ' ON CONFLICT ("face_id") DO UPDATE'
    ' SET "model" = excluded."model", "vector" = excluded."vector"'
)
_FACE_IDS_SQL = 'SELECT "idx", "id" FROM "face" WHERE "photo_id" = ?'
_READ_SQL = (
    'SELECT d."face_id", f."photo_id", d."vector", d."looked" FROM "face_descriptor" d'
    ' JOIN "face" f ON f."id" = d."face_id"'
    ' JOIN "photo" p ON p."id" = f."photo_id"'
    ' WHERE d."model" = ? AND p."deleted_at" IS NULL'
    ' ORDER BY d."face_id"'
)


def write_descriptors(photo_id: int, found: FacesFound) -> int:
    """Store `found`'s descriptors for the photo's (just written) faces, in the
    caller's transaction; how many were stored."""
    if not found.descriptors:
        return 0
    db = Photo._meta.database
    ids = {int(idx): int(fid) for idx, fid in db.execute_sql(_FACE_IDS_SQL, (photo_id,))}
    rows = [
        (ids[idx], found.descriptor_model, vector)
        for idx, vector in enumerate(found.descriptors)
        if vector is not None and idx in ids
    ]
    # A face id can be one an earlier face had, where rows were deleted with the
    # foreign keys off (by hand, an old tool): its leftovers are overwritten or
    # dropped, so a new face starts with its own descriptor and no person.
    for row in rows:
        db.execute_sql(_INSERT_SQL, row)
    if ids:
        marks = ", ".join("?" for _ in ids)
        db.execute_sql(
            f'DELETE FROM "face_person" WHERE "face_id" IN ({marks})', list(ids.values())
        )
    return len(rows)


class StoredDescriptors(NamedTuple):
    """Descriptors as read: ids in face id order, and their vectors joined."""

    face_ids: list[int]
    photo_ids: list[int]
    vectors: bytes  # len(face_ids) vectors of equal size, back to back
    looked: list[bool]  # a people run has looked at the face


def descriptors_of(model: str) -> StoredDescriptors:
    """Every live photo's face descriptors made by `model`, by face id."""
    face_ids: list[int] = []
    photo_ids: list[int] = []
    parts: list[bytes] = []
    looked: list[bool] = []
    cursor = Photo._meta.database.execute_sql(_READ_SQL, (model,))
    while rows := cursor.fetchmany(8192):
        for face_id, photo_id, vector, seen in rows:
            face_ids.append(int(face_id))
            photo_ids.append(int(photo_id))
            parts.append(bytes(vector))
            looked.append(bool(seen))
    return StoredDescriptors(face_ids, photo_ids, b"".join(parts), looked)


def any_unlooked() -> bool:
    """Whether some described face waits for a people run (the partial index)."""
    row = Photo._meta.database.execute_sql(
        'SELECT 1 FROM "face_descriptor" WHERE "looked" = 0 LIMIT 1'
    ).fetchone()
    return row is not None


def mark_looked(face_ids: Sequence[int]) -> None:
    """Record that a people run looked at these faces (the caller's transaction)."""
    db = Photo._meta.database
    dialect = dialect_of(db)
    for start in range(0, len(face_ids), 50_000):
        chunk = face_ids[start : start + 50_000]
        db.execute_sql(
            f'UPDATE "face_descriptor" SET "looked" = 1 WHERE "face_id" IN {dialect.id_list()}',
            (dialect.id_param(chunk),),
        )
