"""The quick look's one write path: photo rows that show in the grid before
their measurement (imaging.quicklook makes them).

`apply_quick_looks(db, looks, stage_version)` inserts in ONE transaction a
Photo row per quick look of an unknown path and unknown bytes, with a
`pending` technical StageRun; `apply_quick_thumbnails` adds thumbnails later.

Invariants: an existing photo is never changed (catalog.writer keeps identity);
a quick-looked photo `awaits_measurement` until the technical stage writes it
(then `new`); later stages ignore it until then.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from peewee import SqliteDatabase

from curator.catalog import tx
from curator.catalog.backends.dialect import chunks, dialect_of
from curator.catalog.models import Photo, Stage, StageRun, StageStatus, utcnow
from curator.catalog.paths_codec import encode_path, link_pairs
from curator.catalog.write_gate import Gate
from curator.records import QuickLook


def _known(db: SqliteDatabase, sql: str, values: Sequence[object]) -> set[Any]:
    """The `values` that `sql` (a SELECT of one column, `IN ({})`) finds."""
    found: set[Any] = set()
    for chunk in chunks(values):
        marks = ", ".join("?" * len(chunk))
        found.update(row[0] for row in db.execute_sql(sql.format(marks), list(chunk)))
    return found


def apply_quick_looks(
    db: SqliteDatabase, looks: Sequence[QuickLook], stage_version: str
) -> list[int]:
    """Insert the photos `looks` show (see the module docstring); their new ids.
    What the catalog knows is read once per batch (three queries) and grows
    with each insert, so two looks of one batch at the same bytes give one photo."""

    def write() -> list[int]:
        added: list[int] = []
        now = utcnow()
        paths = [encode_path(look.path) for look in looks]
        known_paths = {
            bytes(p) for p in _known(db, "SELECT path FROM photo WHERE path IN ({})", paths)
        }
        known_paths |= {
            bytes(p) for p in _known(db, "SELECT path FROM photo_path WHERE path IN ({})", paths)
        }
        known_hashes = _known(
            db,
            "SELECT content_hash FROM photo WHERE content_hash IN ({})",
            [look.content_hash for look in looks],
        )
        for look, path_b in zip(looks, paths, strict=True):
            if path_b in known_paths or look.content_hash in known_hashes:
                continue
            e = look.exif
            photo_id = _insert_photo(
                {
                    "path": path_b,
                    "content_hash": look.content_hash,
                    "size": look.size,
                    "mtime_ns": look.mtime_ns,
                    "format": look.format.value,
                    "width": look.width,
                    "height": look.height,
                    "orientation": e.orientation,
                    "captured_at": e.captured_at,
                    "camera_make": e.camera_make,
                    "camera_model": e.camera_model,
                    "lens": e.lens,
                    "iso": e.iso,
                    "exposure_time": e.exposure_time,
                    "f_number": e.f_number,
                    "focal_length": e.focal_length,
                    "thumbnail_key": look.thumbnail_key,
                    "imported_at": now,
                    "updated_at": now,
                }
            )
            known_paths.add(path_b)
            known_hashes.add(look.content_hash)
            added.append(int(photo_id))
        if added:
            StageRun.insert_many(
                [
                    {
                        "photo": photo_id,
                        "stage": Stage.TECHNICAL.value,
                        "status": StageStatus.PENDING.value,
                        "attempts": 0,
                        "stage_version": stage_version,
                        "updated_at": now,
                    }
                    for photo_id in added
                ]
            ).on_conflict_ignore().execute()
        link_pairs(added)  # a RAW+JPEG pair shows as one tile from the first look
        return added

    return tx.write(db, write, gate=Gate.BULK)


def apply_quick_thumbnails(db: SqliteDatabase, looks: Sequence[QuickLook]) -> list[int]:
    """Round two of the quick look: give the listed photos (no thumbnail yet)
    the thumbnails `looks` decoded, in ONE transaction; the ids changed.
    Only a photo that still has no thumbnail takes one: a measurement that
    came first (its own thumbnail) is never replaced by a quick look."""

    def write() -> list[int]:
        decoded = [look for look in looks if look.thumbnail_key is not None]
        waiting: dict[object, int] = {}  # content hash → photo id, still without a thumbnail
        for chunk in chunks([look.content_hash for look in decoded]):
            marks = ", ".join("?" * len(chunk))
            waiting.update(
                db.execute_sql(
                    f"SELECT content_hash, id FROM photo WHERE content_hash IN ({marks})"
                    " AND thumbnail_key IS NULL",
                    list(chunk),
                )
            )
        changed: list[int] = []
        updates: list[tuple[str, int]] = []
        for look in decoded:
            photo_id = waiting.pop(look.content_hash, None)  # a repeated hash: the first wins
            if photo_id is not None and look.thumbnail_key is not None:
                updates.append((look.thumbnail_key, photo_id))
                changed.append(int(photo_id))
        if updates:
            db.cursor().executemany("UPDATE photo SET thumbnail_key = ? WHERE id = ?", updates)
        return changed

    return tx.write(db, write, gate=Gate.BULK)


def _insert_photo(values: dict[str, object]) -> int:
    """`Photo.insert(**values).execute()`, peewee's defaults filling the fields
    not given, with the INSERT made once per set of fields: peewee builds it in
    Python per photo, holding the GIL the UI thread waits for (writer.py)."""
    fields = [
        f
        for f in Photo._meta.sorted_fields
        if f.name in values or (f in Photo._meta.defaults and f.name != "id")
    ]
    names = tuple(f.name for f in fields)
    sql = _INSERT_SQL.get(names)
    if sql is None:
        columns = ", ".join(f'"{f.column_name}"' for f in fields)
        marks = ", ".join("?" * len(fields))
        sql = _INSERT_SQL.setdefault(names, f'INSERT INTO "photo" ({columns}) VALUES ({marks})')
    row = []
    for f in fields:
        if f.name in values:
            value = values[f.name]
        else:
            default = Photo._meta.defaults[f]
            value = default() if callable(default) else default
        row.append(f.db_value(value))
    db = Photo._meta.database
    return dialect_of(db).insert_id(db, sql, row)


_INSERT_SQL: dict[tuple[str, ...], str] = {}  # per set of fields


def awaits_measurement(photo_id: int) -> bool:
    """True for a quick-looked photo whose technical stage has not run yet.
    Asked per measured photo on the writer thread: the SQL is a string made
    once, not a peewee query built each time (see writer.py)."""
    found = StageRun._meta.database.execute_sql(
        _AWAITS_SQL, (photo_id, Stage.TECHNICAL.value, StageStatus.PENDING.value)
    )
    return found.fetchone() is not None


_AWAITS_SQL = (
    f'SELECT 1 FROM "{StageRun._meta.table_name}"'
    ' WHERE "photo_id" = ? AND "stage" = ? AND "status" = ? LIMIT 1'
)
