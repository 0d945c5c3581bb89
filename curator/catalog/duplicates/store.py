"""The one write path of the near-duplicates' groups and of "not a duplicate".

A group is stored as `photo.duplicate_group` = the lowest id among its photos
(m033); a photo in no group has NULL. `write_groups` replaces the groups of
the photos it is given (all of them, for a whole search) in one transaction,
and marks those it `looked` at as compared. `mark_apart` remembers that two
photos are not one picture and takes the second out of the first's group.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from curator.catalog import tx
from curator.catalog.backends.dialect import chunks
from curator.catalog.models import Photo, utcnow


def write_groups(
    groups: Iterable[Sequence[int]],
    *,
    touched: Iterable[int] | None = None,
    looked: Iterable[int] = (),
) -> None:
    """Store `groups` (photo ids); the photos of `touched` (None: every photo)
    not in one of them are in no group after. One transaction."""
    db = Photo._meta.database
    grouped = [sorted(set(g)) for g in groups if len(set(g)) > 1]

    def write() -> None:
        if touched is None:
            db.execute_sql(
                "UPDATE photo SET duplicate_group = NULL WHERE duplicate_group IS NOT NULL"
            )
        else:
            for chunk in chunks(sorted(set(touched))):
                Photo.update(duplicate_group=None).where(
                    Photo.id.in_(chunk), Photo.duplicate_group.is_null(False)
                ).execute()
        for ids in grouped:
            for chunk in chunks(ids):
                Photo.update(duplicate_group=ids[0]).where(Photo.id.in_(chunk)).execute()
        for chunk in chunks(sorted(set(looked))):
            Photo.update(duplicates_looked=True).where(Photo.id.in_(chunk)).execute()

    tx.write(db, write)


def mark_apart(photo_id: int, other_id: int) -> None:
    """`photo_id` and `other_id` are not the same picture: remembered, and never
    grouped again (the caller searches their group anew)."""
    if photo_id == other_id:
        raise ValueError("A photo is always the same picture as itself.")
    a, b = sorted((int(photo_id), int(other_id)))
    db = Photo._meta.database

    def write() -> None:
        found = db.execute_sql(
            "SELECT 1 FROM not_duplicate WHERE photo_a = ? AND photo_b = ?", (a, b)
        ).fetchone()
        if found is None:
            db.execute_sql(
                "INSERT INTO not_duplicate (photo_a, photo_b, marked_at) VALUES (?, ?, ?)",
                (a, b, utcnow()),
            )

    tx.write(db, write)
