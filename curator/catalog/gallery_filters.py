"""The gallery's metadata filters (camera, lens, date range, ISO range, file
name) and the choices the filter popup offers.

`MetadataFilter` is a frozen value that `catalog.queries.GalleryQuery`
carries; `metadata_where` turns it into SQL conditions over the `photo`
table (parameters only, never text pasted into SQL). Every field narrows the
set; an empty filter adds no condition, so the plain gallery queries keep
their index-only plans.

Invariants:
- a camera is filtered by its stored model (the make when a file has no
  model), the same key `metadata_choices` groups by, so a choice always
  filters to exactly its count; its label is `camera_names.camera_name`, the
  name the loupe's panel and the export manifest use;
- dates are whole days, both ends included (`date_to` runs to its midnight);
- the file-name test is on the last path component only (a folder named
  like the text does not match), case-insensitive for ASCII, and `%`/`_`
  typed by the user are literal characters.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, timedelta

from curator.camera_names import camera_name
from curator.catalog.models import Photo
from curator.catalog.types import FilterChoice as FilterChoice  # the value types live there
from curator.catalog.types import MetadataChoices as MetadataChoices
from curator.catalog.types import MetadataFilter as MetadataFilter

# The last component of `photo.path` (a BLOB of the file system's bytes): the
# text after the last '/' (or '\'). rtrim strips every trailing character that
# is not a separator; what is left is the folder prefix, which `substr` skips.
_PATH = "replace(CAST(path AS TEXT), '\\', '/')"
FILE_NAME_SQL = f"substr({_PATH}, length(rtrim({_PATH}, replace({_PATH}, '/', ''))) + 1)"
# The MATCH photos as a range of photo_gallery_preference (its leading terms): since
# schema v12 only that index carries preference_score, so a rescore rewrites one index.
MATCH_SQL = (
    "SELECT id FROM photo WHERE deleted_at IS NULL"
    " AND (preference_score IS NULL) = 0 AND preference_score >= ?"
)

# The key a camera is filtered and grouped by.
CAMERA_SQL = "COALESCE(camera_model, camera_make)"


def _like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def metadata_where(f: MetadataFilter) -> tuple[list[str], list[object]]:
    """SQL conditions (to AND together) and their parameters for `f`.

    Camera, lens and ISO go into one `+id IN (subquery)`, answered from the
    indexes of migration 9 into a temporary set of ids; the file name into
    another, over the file-name index. The unary `+` keeps the outer query
    on its sort's index (the ids are in it: a membership test per entry, no
    table row read, no sort), so a filter never costs more than the plain
    listing. The date range stays in the outer query, where the capture-time
    index answers it as a range.
    """
    where, params = _dates(f)
    conditions, more = _conditions(f)
    params.extend(more)
    if conditions:
        inner = " AND ".join(["deleted_at IS NULL", *conditions])
        where.append(f"+id IN (SELECT id FROM photo WHERE {inner})")
    if f.name_contains:
        # Over the file-name index (migration 9), whose entries hold the name
        # already: 3-4x faster than computing it for every row of the table.
        where.append(
            "+id IN (SELECT id FROM photo INDEXED BY photo_gallery_name"
            f" WHERE deleted_at IS NULL AND {FILE_NAME_SQL} LIKE ? ESCAPE '\\')"
        )
        params.append(f"%{_like_literal(f.name_contains)}%")
    return where, params


def _dates(f: MetadataFilter) -> tuple[list[str], list[object]]:
    where: list[str] = []
    params: list[object] = []
    # captured_at is stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]': day strings compare in order.
    if f.date_from is not None:
        where.append("captured_at >= ?")
        params.append(f"{f.date_from:%Y-%m-%d}")
    if f.date_to is not None:
        where.append("captured_at < ?")
        params.append(f"{f.date_to + timedelta(days=1):%Y-%m-%d}")
    return where, params


def _conditions(f: MetadataFilter) -> tuple[list[str], list[object]]:
    where: list[str] = []
    params: list[object] = []
    if f.camera:
        where.append(f"{CAMERA_SQL} = ?")
        params.append(f.camera)
    if f.lens:
        where.append("lens = ?")
        params.append(f.lens)
    if f.iso_min is not None:
        where.append("iso >= ?")
        params.append(int(f.iso_min))
    if f.iso_max is not None:
        where.append("iso <= ?")
        params.append(int(f.iso_max))
    return where, params


def _day(value: object) -> date | None:
    text = str(value or "")[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def metadata_choices() -> MetadataChoices:
    """Distinct cameras and lenses of the live photos, most used first, and the
    date and ISO spans (one grouped pass each; a few ms at 100k photos)."""
    db = Photo._meta.database
    cameras = tuple(
        FilterChoice(str(key), camera_name(make, model) or str(key), int(n))
        for key, make, model, n in db.execute_sql(
            f"SELECT {CAMERA_SQL} AS k, MAX(camera_make), MAX(camera_model), COUNT(*) AS n"
            f" FROM photo WHERE deleted_at IS NULL AND {CAMERA_SQL} IS NOT NULL"
            " GROUP BY k ORDER BY n DESC, k"
        ).fetchall()
    )
    lenses = tuple(
        FilterChoice(str(lens), str(lens), int(n))
        for lens, n in db.execute_sql(
            "SELECT lens, COUNT(*) AS n FROM photo WHERE deleted_at IS NULL AND lens IS NOT NULL"
            " AND lens != '' GROUP BY lens ORDER BY n DESC, lens"
        ).fetchall()
    )
    row = db.execute_sql(
        "SELECT MIN(captured_at), MAX(captured_at), MIN(iso), MAX(iso)"
        " FROM photo WHERE deleted_at IS NULL"
    ).fetchone()
    first, last, iso_low, iso_high = row if row else (None, None, None, None)
    return MetadataChoices(
        cameras=cameras,
        lenses=lenses,
        first_day=_day(first),
        last_day=_day(last),
        iso_low=None if iso_low is None else int(iso_low),
        iso_high=None if iso_high is None else int(iso_high),
    )


def ordered_ids(sql: str, params: Sequence[object]) -> list[int]:
    """An ordered `SELECT id …`'s ids, in order, fetched as one string: 100k
    one-column rows cost ~2x as much as Python tuples (and GC passes over them).
    The ordered subquery is not flattened into an aggregate (SQLite's
    flattening rules), so group_concat sees the rows in ORDER BY order."""
    row = Photo._meta.database.execute_sql(
        f"SELECT group_concat(id) FROM ({sql})", list(params)
    ).fetchone()
    return parse_ids(row[0]) if row and row[0] else []


def parse_ids(text: str) -> list[int]:
    """The ints of a comma-joined string. A long one is parsed by numpy once numpy
    is loaded (100k ids: ~3.5 ms against ~13 ms for split + int); never imported
    here: numpy loads after the first paint (issue 21 §1), which may list a
    whole review pass."""
    if len(text) < 20_000 or "numpy" not in sys.modules:
        return list(map(int, text.split(",")))
    import numpy as np

    ids: list[int] = np.fromstring(text, dtype=np.int64, sep=",").tolist()
    return ids


def gallery_content_types() -> list[str]:
    """Content types the LLM has given to live photos, most frequent first."""
    rows = Photo._meta.database.execute_sql(
        "SELECT d.content_type, COUNT(*) AS n FROM description d JOIN photo p"
        " ON p.id = d.photo_id WHERE p.deleted_at IS NULL"
        " GROUP BY d.content_type ORDER BY n DESC, d.content_type"
    ).fetchall()
    return [str(name) for name, _ in rows]


def gallery_tags(limit: int = 200) -> list[str]:
    """Active tag names, most used first (the tag filter's choices)."""
    rows = Photo._meta.database.execute_sql(
        "SELECT t.name, COUNT(*) AS n FROM photo_tag pt JOIN tag t ON t.id = pt.tag_id"
        " WHERE pt.removed_at IS NULL GROUP BY t.id ORDER BY n DESC, t.name LIMIT ?",
        [limit],
    ).fetchall()
    return [str(name) for name, _ in rows]
