"""What the People view reads: a tile per person, a person's faces.

`person_tiles(limit)`: the people with a face on a live photo, in
`naming.people_list`'s order and counts, each with the face its tile shows
(the person's largest face on a photo with a preview or a thumbnail, chosen
in SQL); `faces_of_person(person)`: the person's faces, largest first, with
what a crop needs. Read on whichever thread asks (the view asks on a worker).

Invariants: reads only; boxes are relative to the preview as stored (0..1 of
its width and height); nothing here reads a descriptor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from curator.catalog.backends.dialect import dialect_of
from curator.catalog.models import Photo
from curator.catalog.people.naming import people_list

_FACES_SQL = (
    'SELECT fp."person_id", f."id", ph."id", ph."preview_key", f."x", f."y", f."w", f."h",'
    ' ph."rotation", ph."thumbnail_key"'
    ' FROM "face_person" fp JOIN "face" f ON f."id" = fp."face_id"'
    ' JOIN "photo" ph ON ph."id" = f."photo_id" AND ph."deleted_at" IS NULL'
)

# Each person's tile face in SQL (one row a person, not one a face: 20,000
# faces read into crops took ~0.35 s, this ~0.1 s).
_TILE_FACES_SQL = (
    'SELECT * FROM (SELECT fp."person_id", f."id" AS face_id, ph."id" AS photo_id,'
    ' ph."preview_key", f."x", f."y", f."w", f."h", ph."rotation", ph."thumbnail_key",'
    ' ROW_NUMBER() OVER (PARTITION BY fp."person_id" ORDER BY f."w" * f."h" DESC, f."id") AS n'
    ' FROM "face_person" fp JOIN "face" f ON f."id" = fp."face_id"'
    ' JOIN "photo" ph ON ph."id" = f."photo_id" AND ph."deleted_at" IS NULL'
    ' WHERE (ph."preview_key" IS NOT NULL OR ph."thumbnail_key" IS NOT NULL)'
    ' AND fp."person_id" IN {ids}) AS ranked WHERE n = 1'
)


@dataclass(frozen=True)
class FaceCrop:
    """One face and where to crop it from."""

    face_id: int
    photo_id: int
    preview_key: str | None  # None: the photo has no preview yet
    box: tuple[float, float, float, float]  # x, y, w, h relative to the preview
    rotation: int = 0  # the photographer's quarter turns (the crop is turned as the photo)
    thumbnail_key: str | None = None  # the photo's thumbnail: enough for a large face


@dataclass(frozen=True)
class PersonTile:
    """One person as the People view shows them."""

    id: int
    name: str | None
    photos: int
    kept: int
    faces: int
    face: FaceCrop | None  # the face its tile shows (None: no face with a preview)

    @property
    def label(self) -> str:
        return self.name or "Unnamed"

    @property
    def filter_label(self) -> str:
        """How a filter on this person is named ("Ada", "person 12")."""
        return self.name or f"person {self.id}"


def _crops(rows: object) -> dict[int, list[FaceCrop]]:
    out: dict[int, list[FaceCrop]] = {}
    for person, face, photo, key, x, y, w, h, turns, thumb, *_ in rows:  # type: ignore[attr-defined]
        box = (float(x), float(y), float(w), float(h))
        crop = FaceCrop(int(face), int(photo), key, box, int(turns or 0), thumb)
        out.setdefault(int(person), []).append(crop)
    for crops in out.values():
        crops.sort(key=lambda c: (-(c.box[2] * c.box[3]), c.face_id))
    return out


class TilesPage(NamedTuple):
    tiles: list[PersonTile]  # the most photographed, at most `limit`
    total: int  # every person with a face on a live photo


def person_tiles(limit: int | None = None) -> TilesPage:
    """See the module docstring; the tiles of the `limit` most photographed
    (None: all), each one's face read for those only (at 100,000 photos and
    267,000 faces, choosing every person's face took ~3-5 s, under load)."""
    db = Photo._meta.database
    with db.atomic():  # one snapshot: the counts and the faces agree
        rows = people_list()
        shown = rows if limit is None else rows[:limit]
        dialect = dialect_of(db)
        sql = _TILE_FACES_SQL.format(ids=dialect.id_list())
        crops = _crops(db.execute_sql(sql, (dialect.id_param(r.id for r in shown),)))
    tiles = [
        PersonTile(r.id, r.name, r.photos, r.kept, r.faces, next(iter(crops.get(r.id, [])), None))
        for r in shown
    ]
    return TilesPage(tiles, len(rows))


def faces_of_person(person: int) -> list[FaceCrop]:
    """See the module docstring."""
    rows = Photo._meta.database.execute_sql(_FACES_SQL + ' WHERE fp."person_id" = ?', (person,))
    return _crops(rows).get(person, [])
