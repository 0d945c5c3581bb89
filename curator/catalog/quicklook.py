"""The quick look's one write path: photo rows that show in the grid before
their measurement (issue 10 §2; imaging.quicklook makes them).

`apply_quick_looks(db, looks, stage_version)` inserts, in ONE transaction
(`catalog.tx.write`), a Photo row per quick look whose path and bytes the
catalog does not know yet: path, content hash, size, mtime, format, the
header's size and orientation, the EXIF (so capture-time sorting works at
once) and the quick thumbnail's cache key — and a technical StageRun
`pending` at `stage_version`. It returns the new photo ids, for the gallery.
A listing (no thumbnail yet) gets one from `apply_quick_thumbnails` later.

Invariants:
- a quick look never changes a photo that exists: a known path (live,
  missing or an extra path of a copy) or known bytes (a move, a copy, a
  tombstone) are skipped — identity, moves and copies stay the technical
  stage's business (catalog.writer), which sees the real outcome;
- a quick-looked photo is `awaits_measurement` until the technical stage
  writes its outcome: the writer then counts it as `new`, not `remeasured`
  (catalog.writer), and a run killed in between leaves `pending` rows that
  the next import measures (pipeline.stages.technical plans anything not done);
- the later stages ignore it until then (they need the technical stage done
  and a preview), so nothing is judged on a quick look.
"""

from __future__ import annotations

from collections.abc import Sequence

from peewee import SqliteDatabase

from curator.catalog import tx
from curator.catalog.models import Photo, PhotoPath, Stage, StageRun, StageStatus, utcnow
from curator.catalog.paths_codec import encode_path, link_pairs
from curator.catalog.write_gate import Gate
from curator.records import QuickLook


def apply_quick_looks(
    db: SqliteDatabase, looks: Sequence[QuickLook], stage_version: str
) -> list[int]:
    """Insert the photos `looks` show (see the module docstring); their new ids."""

    def write() -> list[int]:
        added: list[int] = []
        now = utcnow()
        for look in looks:
            path_b = encode_path(look.path)
            if (
                Photo.select().where(Photo.path == path_b).exists()
                or PhotoPath.select().where(PhotoPath.path == path_b).exists()
                or Photo.select().where(Photo.content_hash == look.content_hash).exists()
            ):
                continue
            e = look.exif
            photo = Photo.create(
                path=path_b,
                content_hash=look.content_hash,
                size=look.size,
                mtime_ns=look.mtime_ns,
                format=look.format.value,
                width=look.width,
                height=look.height,
                orientation=e.orientation,
                captured_at=e.captured_at,
                camera_make=e.camera_make,
                camera_model=e.camera_model,
                lens=e.lens,
                iso=e.iso,
                exposure_time=e.exposure_time,
                f_number=e.f_number,
                focal_length=e.focal_length,
                thumbnail_key=look.thumbnail_key,
                imported_at=now,
                updated_at=now,
            )
            StageRun.insert(
                photo=photo.id,
                stage=Stage.TECHNICAL.value,
                status=StageStatus.PENDING.value,
                attempts=0,
                stage_version=stage_version,
                updated_at=now,
            ).on_conflict_ignore().execute()
            added.append(int(photo.id))
        link_pairs(added)  # a RAW+JPEG pair shows as one tile from the first look
        return added

    return tx.write(db, write, gate=Gate.BULK)


def apply_quick_thumbnails(db: SqliteDatabase, looks: Sequence[QuickLook]) -> list[int]:
    """Round two of the quick look: give the listed photos (no thumbnail yet)
    the thumbnails `looks` decoded, in ONE transaction; the ids changed.
    Only a photo that still has no thumbnail takes one: a measurement that
    came first (its own thumbnail) is never replaced by a quick look."""

    def write() -> list[int]:
        changed: list[int] = []
        for look in looks:
            if look.thumbnail_key is None:
                continue
            row = (
                Photo.select(Photo.id)
                .where(Photo.content_hash == look.content_hash, Photo.thumbnail_key.is_null())
                .first()
            )
            if row is not None:
                Photo.update(thumbnail_key=look.thumbnail_key).where(Photo.id == row.id).execute()
                changed.append(int(row.id))
        return changed

    return tx.write(db, write, gate=Gate.BULK)


def awaits_measurement(photo_id: int) -> bool:
    """True for a quick-looked photo whose technical stage has not run yet."""
    return (
        StageRun.select()
        .where(
            StageRun.photo == photo_id,
            StageRun.stage == Stage.TECHNICAL.value,
            StageRun.status == StageStatus.PENDING.value,
        )
        .exists()
    )
