"""Coverage in the catalog: per person, how many of their photos are kept, and
the photos of the people with no kept photo.

`people_coverage()`: the people that count (named, or on
`records.PEOPLE_MIN_FRAMES` live photos) with photos and kept photos, no-keep
first, then most photographed. `NO_KEEP_SQL`: the live photos of every such
person without a kept photo (`person:nokeep`). *Kept* is `photo.cull = 'kept'`.
Cost: tests/bench/test_coverage_bench.py at 100,000 photos.
"""

from __future__ import annotations

from curator.catalog.models import Photo
from curator.catalog.types import PersonCoverage
from curator.records import PEOPLE_MIN_FRAMES

# Per person: live photos and kept photos, driven from the photo table (a CROSS
# JOIN fixes SQLite's order): photo -> face_photo_idx -> face_person reads the
# index pages in order, 0.33 CPU s at 100,000 photos / 300,000 faces, where
# starting from face_person jumps through the face table at random (0.99 s).
_PER_PERSON = (
    'SELECT fp."person_id" AS person, COUNT(DISTINCT f."photo_id") AS photos,'
    ' COUNT(DISTINCT CASE WHEN ph."cull" = \'kept\' THEN f."photo_id" END) AS kept'
    ' FROM "photo" ph CROSS JOIN "face" f CROSS JOIN "face_person" fp'
    ' WHERE f."photo_id" = ph."id" AND fp."face_id" = f."id" AND ph."deleted_at" IS NULL'
    ' GROUP BY fp."person_id"'
)
# The people with a kept live photo (from the photos: a fifth of them are kept).
_KEPT_PEOPLE = (
    'SELECT fp."person_id" FROM "photo" ph JOIN "face" f ON f."photo_id" = ph."id"'
    ' JOIN "face_person" fp ON fp."face_id" = f."id"'
    ' WHERE ph."cull" = \'kept\' AND ph."deleted_at" IS NULL'
)
# The people with a keep are ruled out first, so only the others' faces are
# joined (0.15 CPU s at 100,000 photos; counting everyone's first took 1.0 s).
NO_KEEP_SQL = (
    'SELECT DISTINCT f."photo_id" AS id FROM "face_person" fp'
    ' JOIN "face" f ON f."id" = fp."face_id" WHERE fp."person_id" IN ('
    'SELECT fp."person_id" FROM "face_person" fp JOIN "face" f ON f."id" = fp."face_id"'
    ' JOIN "photo" ph ON ph."id" = f."photo_id" AND ph."deleted_at" IS NULL'
    ' JOIN "person" p ON p."id" = fp."person_id"'
    f' WHERE fp."person_id" NOT IN ({_KEPT_PEOPLE})'
    ' GROUP BY fp."person_id", p."name"'
    ' HAVING p."name" IS NOT NULL OR COUNT(DISTINCT f."photo_id") >= ?)'
)


def no_keep_ids() -> tuple[str, list[object]]:
    """`NO_KEEP_SQL` with its parameters (a SELECT of `id`, as people_ids gives)."""
    return NO_KEEP_SQL, [PEOPLE_MIN_FRAMES]


def people_coverage() -> tuple[PersonCoverage, ...]:
    """The people that count with their photos and kept photos (see the module
    docstring): no kept photo first, then the most photographed, then by id."""
    rows = Photo._meta.database.execute_sql(
        f'SELECT per.person, p."name", per.photos, per.kept FROM ({_PER_PERSON}) AS per'
        ' JOIN "person" p ON p."id" = per.person'
        ' WHERE p."name" IS NOT NULL OR per.photos >= ?'
        " ORDER BY per.kept > 0, per.photos DESC, per.person",
        (PEOPLE_MIN_FRAMES,),
    ).fetchall()
    return tuple(
        PersonCoverage(int(i), None if n is None else str(n), int(p), int(k)) for i, n, p, k in rows
    )
