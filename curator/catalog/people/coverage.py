"""Coverage in the catalog (issue 50 §4): per person, how many of their photos
are kept, and the photos of the people with no kept photo.

- `people_coverage()`: the people that count (named, or on at least
  `records.PEOPLE_MIN_FRAMES` live photos: why three is said there), each
  with photos and kept photos, the ones with no kept photo first, then the
  most photographed — for the Filter panel's People row;
- `NO_KEEP_SQL` (+ `no_keep_ids()`): the live photos of every person that
  counts and has no kept photo, so the photographer can find a frame of
  grandmother: the Filter panel's "People with no kept photo" and the
  search word `person:nokeep` (catalog.people.filters).

*Kept* is the cull pass's keep (`photo.cull = 'kept'`: a pick or a star in
the cull pass keeps too, catalog.decisions), as `curator people` counts it
(naming.people_list). A deleted photo counts for nobody.

Cost: one grouped pass over face_person ⋈ face ⋈ photo (each join by
primary key); measured in tests/bench/test_coverage_bench.py at 100,000
photos / 300,000 faces.
"""

from __future__ import annotations

from curator.catalog.models import Photo
from curator.catalog.types import PersonCoverage
from curator.records import PEOPLE_MIN_FRAMES

# Per person: photos, kept photos (live photos only), and whether it counts.
_PER_PERSON = (
    'SELECT fp."person_id" AS person, p."name" AS name,'
    ' COUNT(DISTINCT f."photo_id") AS photos,'
    ' COUNT(DISTINCT CASE WHEN ph."cull" = \'kept\' THEN f."photo_id" END) AS kept'
    ' FROM "face_person" fp JOIN "face" f ON f."id" = fp."face_id"'
    ' JOIN "photo" ph ON ph."id" = f."photo_id" AND ph."deleted_at" IS NULL'
    ' JOIN "person" p ON p."id" = fp."person_id"'
    ' GROUP BY fp."person_id", p."name"'
)
_COUNTS = '(p."name" IS NOT NULL OR COUNT(DISTINCT f."photo_id") >= ?)'

NO_KEEP_SQL = (
    'SELECT DISTINCT f."photo_id" AS id FROM "face_person" fp'
    ' JOIN "face" f ON f."id" = fp."face_id" WHERE fp."person_id" IN ('
    'SELECT fp."person_id" FROM "face_person" fp JOIN "face" f ON f."id" = fp."face_id"'
    ' JOIN "photo" ph ON ph."id" = f."photo_id" AND ph."deleted_at" IS NULL'
    ' JOIN "person" p ON p."id" = fp."person_id"'
    ' GROUP BY fp."person_id", p."name"'
    " HAVING MAX(CASE WHEN ph.\"cull\" = 'kept' THEN 1 ELSE 0 END) = 0"
    f" AND {_COUNTS})"
)


def no_keep_ids() -> tuple[str, list[object]]:
    """`NO_KEEP_SQL` with its parameters (a SELECT of `id`, as people_ids gives)."""
    return NO_KEEP_SQL, [PEOPLE_MIN_FRAMES]


def people_coverage() -> tuple[PersonCoverage, ...]:
    """The people that count with their photos and kept photos (see the module
    docstring): no kept photo first, then the most photographed, then by id."""
    rows = Photo._meta.database.execute_sql(
        f"SELECT person, name, photos, kept FROM ({_PER_PERSON}) AS per"
        " WHERE name IS NOT NULL OR photos >= ?"
        " ORDER BY kept > 0, photos DESC, person",
        (PEOPLE_MIN_FRAMES,),
    ).fetchall()
    return tuple(
        PersonCoverage(int(i), None if n is None else str(n), int(p), int(k)) for i, n, p, k in rows
    )
