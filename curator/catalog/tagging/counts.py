"""How many photos carry each tag, and from where: `curator tags` and the tag cloud.

`tag_counts(query)` counts the live tags of the photos the gallery shows
(`queries.gallery_where`) in one statement, in numpy (`_CODE_SQL`), split by
source: `describer`, `imported` (a `photo_keyword` names it), `you`.
`read_tag_rows()` reads every live tag row once into a `TagRows`, whose
`counts_among` counts for any set of photos.

Invariants: `you + describer + imported == count`; most used first, then by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from curator.catalog.backends.dialect import dialect_of
from curator.catalog.gallery_filters import ordered_id_values
from curator.catalog.models import Photo, TagSource
from curator.catalog.queries import GalleryQuery, gallery_where

# Keyword sources that are another tool's (`xmp_sync.record_keywords`' `source`).
IMPORTED_SOURCES = ("xmp", "lightroom")


@dataclass(frozen=True)
class TagCount:
    """One tag over a set of photos: how many carry it, split by source."""

    name: str
    count: int
    you: int
    describer: int
    imported: int

    @property
    def mostly_yours(self) -> bool:
        """Whether more of its photos have it from a person (you or another tool)
        than from the describer: the cloud shows such a tag as yours."""
        return self.you + self.imported >= self.describer

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "count": self.count,
            "sources": {"you": self.you, "describer": self.describer, "imported": self.imported},
        }


# Each live tag row as one integer, tag id * 4 + its source code (0 yours, 1 the
# describer's, 2 imported), read as one string and counted in numpy: 190 ms for
# the 200,000 tag rows of 100,000 photos, where SQLite's GROUP BY took 950.
_CODE = (
    "pt.tag_id * 4 + CASE WHEN pt.source = ? THEN 1"
    " WHEN EXISTS (SELECT 1 FROM photo_keyword k JOIN tag kt ON kt.name = k.tag"
    " WHERE k.photo_id = pt.photo_id AND kt.id = pt.tag_id"
    f" AND k.source IN ({', '.join('?' for _ in IMPORTED_SOURCES)})) THEN 2 ELSE 0 END"
)
_CODE_SQL = f"SELECT {_CODE} AS id FROM photo_tag pt WHERE pt.removed_at IS NULL"
# `TagRows`: the photo in the high 32 bits of the same integer.
PHOTO_SHIFT = 32
_ROWS_SQL = (
    f"SELECT pt.photo_id * {1 << PHOTO_SHIFT} + {_CODE} AS id"
    " FROM photo_tag pt WHERE pt.removed_at IS NULL"
)
YOU, DESCRIBER, IMPORTED = 0, 1, 2


def _source_params() -> list[object]:
    return [TagSource.AI.value, *IMPORTED_SOURCES]


def tag_counts(query: GalleryQuery | None = None) -> list[TagCount]:
    """Every live tag of the photos the gallery shows for `query` (None: every
    photo it shows unfiltered), most used first (see the module docstring)."""
    import numpy as np

    q = query or GalleryQuery()
    where, params = gallery_where(q)
    # A narrow set (a project, a tag, a search) is looked up photo by photo in
    # photo_tag's (photo, tag) index; a wide one is tested per row of one scan.
    narrow = (
        q.project_id is not None
        or q.tag is not None
        or bool(q.tags_all)
        or q.ranked_ids is not None
    )
    column = "pt.photo_id" if narrow else "+pt.photo_id"
    sql = f"{_CODE_SQL} AND {column} IN (SELECT id FROM photo WHERE {where})"
    codes = np.asarray(ordered_id_values(sql, [*_source_params(), *params]), dtype=np.int64)
    return _counted(codes, None)


@dataclass(frozen=True)
class TagRows:
    """Every live tag row of the catalog, read once (`read_tag_rows`), to count
    the tags of any set of photos without reading the catalog again: the tag
    cloud re-counts after each gallery change from the gallery's ids (~5 ms at
    300,000 rows) and reads the rows again only when tags changed. Immutable:
    it crosses from the pool thread that read it to the next job."""

    photos: Any  # int64 array: each row's photo id
    codes: Any  # int64 array: each row's tag id * 4 + source code
    names: dict[int, str]  # tag id → name, of every tag in the rows

    def counts_among(self, photo_ids: Any) -> list[TagCount]:
        """`tag_counts` of these photos (the gallery's ids for its query)."""
        import numpy as np

        ids = np.asarray(photo_ids, dtype=np.int64)
        if ids.size == 0 or self.photos.size == 0:
            return []
        top = int(max(ids.max(), self.photos.max())) + 1
        shown = np.zeros(top, dtype=bool)
        shown[ids] = True
        return _counted(self.codes[shown[self.photos]], self.names)


def read_tag_rows() -> TagRows:
    """Every live tag row (photo, tag, source) and the tags' names."""
    import numpy as np

    packed = np.asarray(ordered_id_values(_ROWS_SQL, _source_params()), dtype=np.int64)
    photos, codes = packed >> PHOTO_SHIFT, packed & ((1 << PHOTO_SHIFT) - 1)
    tag_ids = np.unique(codes >> 2) if codes.size else codes
    return TagRows(photos, codes, _tag_names([int(i) for i in tag_ids]))


def _counted(codes: Any, names: dict[int, str] | None) -> list[TagCount]:
    """The counts of these row codes, most used first (`names`: known names)."""
    import numpy as np

    if codes.size == 0:
        return []
    # One row of four source counts per tag id (the last padded to four).
    by_source = np.bincount(codes, minlength=(int(codes.max()) // 4 + 1) * 4).reshape(-1, 4)
    present = np.flatnonzero(by_source.sum(axis=1))
    if names is None:
        names = _tag_names([int(i) for i in present])
    out = [
        TagCount(
            names[int(tag_id)],
            int(by_source[tag_id].sum()),
            int(by_source[tag_id, YOU]),
            int(by_source[tag_id, DESCRIBER]),
            int(by_source[tag_id, IMPORTED]),
        )
        for tag_id in present
        if int(tag_id) in names
    ]
    out.sort(key=lambda c: (-c.count, c.name))
    return out


def _tag_names(tag_ids: list[int]) -> dict[int, str]:
    db = Photo._meta.database
    dialect = dialect_of(db)
    rows = db.execute_sql(
        f"SELECT id, name FROM tag WHERE id IN {dialect.id_list()}", [dialect.id_param(tag_ids)]
    )
    return {int(i): str(name) for i, name in rows.fetchall()}
