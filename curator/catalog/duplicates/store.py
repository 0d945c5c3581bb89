"""The one write path of the near-duplicates' groups and of "not a duplicate".

A group is stored as `photo.duplicate_group` = the lowest id among its photos
(m033); a photo in no group has NULL. `write_groups` replaces the groups of
the photos it is given (all of them, for a whole search) in one transaction,
and marks those it `looked` at as compared. `mark_apart` remembers that two
photos are not one picture and takes the second out of the first's group.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from curator.catalog import tx
from curator.catalog.backends.dialect import chunks, dialect_of
from curator.catalog.models import Photo, utcnow


def write_groups(
    groups: Iterable[Sequence[int]],
    *,
    touched: Iterable[int] | None = None,
    looked: Iterable[int] = (),
) -> None:
    """Store `groups` (photo ids); the photos of `touched` (None: every photo)
    not in one of them are in no group after. Only the rows whose group
    changes are written (each write is a change every window hears of). One
    transaction."""
    db = Photo._meta.database
    wanted = {pid: min(g) for g in groups if len(set(g)) > 1 for pid in g}
    dialect = dialect_of(db)
    among = dialect.id_list()  # the ids as one bound parameter

    def write() -> None:
        stored = _stored(None if touched is None else sorted(set(touched) | set(wanted)))
        leaving = [pid for pid in stored if pid not in wanted]
        # Each changed member as one number, id << 32 | its group: one bound parameter.
        changed = [(pid << _GROUP_BITS) | g for pid, g in wanted.items() if stored.get(pid) != g]
        if leaving:
            db.execute_sql(
                f"UPDATE photo SET duplicate_group = NULL WHERE id IN {among}",
                (dialect.id_param(leaving),),
            )
        if changed:
            db.execute_sql(
                f"UPDATE photo SET duplicate_group = packed.value & {_GROUP_MASK}"
                f" FROM (SELECT value FROM json_each(?)) AS packed"  # PostgreSQL: translated
                f" WHERE photo.id = packed.value >> {_GROUP_BITS}",
                (json.dumps(changed),),
            )
        seen = sorted(set(looked))
        if seen:
            db.execute_sql(
                "UPDATE photo SET duplicates_looked = 1 WHERE duplicates_looked = 0"
                f" AND id IN {among}",
                (dialect.id_param(seen),),
            )

    tx.write(db, write)


def _stored(photo_ids: Sequence[int] | None) -> dict[int, int]:
    """The stored group of each grouped photo (of `photo_ids`: None, all)."""
    db = Photo._meta.database
    sql = "SELECT id, duplicate_group FROM photo WHERE duplicate_group IS NOT NULL"
    if photo_ids is None:
        return {int(i): int(g) for i, g in db.execute_sql(sql).fetchall()}
    out: dict[int, int] = {}
    for chunk in chunks(list(photo_ids)):
        marks = ",".join("?" * len(chunk))
        cursor = db.execute_sql(f"{sql} AND id IN ({marks})", chunk)
        out.update((int(i), int(g)) for i, g in cursor.fetchall())
    return out


_GROUP_BITS = 32
_GROUP_MASK = (1 << _GROUP_BITS) - 1


def mark_apart(photo_id: int, other_id: int) -> None:
    """`photo_id` and `other_id` are not the same picture: remembered, and never
    grouped again (the caller searches their group anew)."""
    if photo_id == other_id:
        raise ValueError("A photo is always the same picture as itself.")
    a, b = sorted((int(photo_id), int(other_id)))
    db = Photo._meta.database

    def write() -> None:
        known = {
            int(r[0]) for r in db.execute_sql("SELECT id FROM photo WHERE id IN (?, ?)", (a, b))
        }
        for pid in (a, b):
            if pid not in known:
                raise ValueError(f"There is no photo {pid} in this catalog.")
        found = db.execute_sql(
            "SELECT 1 FROM not_duplicate WHERE photo_a = ? AND photo_b = ?", (a, b)
        ).fetchone()
        if found is None:
            db.execute_sql(
                "INSERT INTO not_duplicate (photo_a, photo_b, marked_at) VALUES (?, ?, ?)",
                (a, b, utcnow()),
            )

    tx.write(db, write)
