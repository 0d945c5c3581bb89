"""The one write path for pipeline results.

`CatalogWriter.apply_technical(outcomes)` persists a batch of technical
outcomes in ONE transaction (`catalog.tx.write`) and says what each meant.
Identity is by content (`Photo.content_hash`):
- same bytes at a known path → `remeasured`;
- known bytes under another path that is gone → `moved`, still there →
  `duplicate` (an extra PhotoPath);
- a *missing* photo's bytes (catalog.missing) → `restored`;
- a known path with new bytes → `changed`;
- a *deleted* photo's bytes (catalog.purge) → `skipped_deleted`;
- otherwise → `new` (also a quick-looked photo: catalog.quicklook).

Never deleted: a Photo or Decision row. When a photo's only path now holds
another known photo's bytes, that photo becomes *missing*; a missing photo is
matched only by its bytes, and its path becomes a tombstone when taken
(`catalog.missing.tombstone`). Faces are written in the same transaction
(catalog.people.store); a failure is recorded on the photo with a failed
StageRun and an ErrorLog row. Unique path and hash constraints make a
replayed batch idempotent.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from peewee import SqliteDatabase

import curator.figures as figures
from curator.catalog import tx
from curator.catalog.missing import is_tombstone, path_exists, tombstone
from curator.catalog.models import (
    ErrorLog,
    Photo,
    PhotoPath,
    Stage,
    StageRun,
    StageStatus,
    utcnow,
)
from curator.catalog.paths_codec import encode_path, link_pairs
from curator.catalog.people.store import write_faces
from curator.catalog.quicklook import awaits_measurement
from curator.catalog.write_gate import Gate
from curator.figures import NOT_MEASURED
from curator.records import ExifData, TechnicalFailure, TechnicalMeasurement

log = logging.getLogger(__name__)

TechnicalOutcome = TechnicalMeasurement | TechnicalFailure
O = TypeVar("O")  # noqa: E741


class ApplyKind(StrEnum):
    NEW = "new"
    DUPLICATE = "duplicates"
    MOVED = "moved"
    CHANGED = "changed"
    RESTORED = "restored"
    SKIPPED_DELETED = "skipped_deleted"
    REMEASURED = "remeasured"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True)
class Attempted(Generic[O]):
    """An outcome plus how many attempts it took (for StageRun/ErrorLog)."""

    outcome: O
    attempts: int = 1
    max_attempts: int = 1


class CatalogWriter:
    """Batches pipeline results into the catalog (the only writer of stage results)."""

    def __init__(self, db: SqliteDatabase, stage_version: str):
        self.db = db
        self.stage_version = stage_version

    def apply_technical(self, batch: list[Attempted[TechnicalOutcome]]) -> Counter[ApplyKind]:
        def apply() -> Counter[ApplyKind]:
            kinds: Counter[ApplyKind] = Counter()
            for item in batch:
                if isinstance(item.outcome, TechnicalMeasurement):
                    kinds[self._apply_measurement(item.outcome, item.attempts)] += 1
                else:
                    kinds[self._apply_failure(item.outcome, item.attempts, item.max_attempts)] += 1
            paths = [encode_path(item.outcome.path) for item in batch]
            link_pairs(p.id for p in Photo.select(Photo.id).where(Photo.path.in_(paths)))
            return kinds

        return tx.write(self.db, apply, gate=Gate.BULK)

    # -- measurements -------------------------------------------------------------

    def _apply_measurement(self, m: TechnicalMeasurement, attempts: int) -> ApplyKind:
        path_b = encode_path(m.path)
        at_path = _photo_at_path(path_b)
        same = _photo_where("content_hash", m.content_hash)
        if same is not None and same.deleted_at is not None:
            return _skip_deleted(at_path, path_b)
        now = utcnow()
        if at_path is not None and _missing_other(at_path, same):
            # Other bytes at a missing photo's last path: not an edit of it.
            _release_path(at_path, path_b)
            at_path = None
        # A row the quick look inserted (catalog.quicklook) is new until measured.
        awaiting = same is not None and awaits_measurement(same.id)
        if same is not None and at_path is not None and same.id == at_path.id:
            photo, kind = same, ApplyKind.REMEASURED if m.decoded else ApplyKind.UNCHANGED
            if awaiting:
                kind = ApplyKind.NEW
            if same.missing_since is not None:
                kind = _restore(same, path_b)
        elif same is not None:
            if at_path is not None:
                # The file at this path now holds bytes of another known photo.
                _detach_path(at_path, path_b)
            kind = _move_or_add_copy(same, path_b)
            if awaiting and kind is ApplyKind.MOVED:
                kind = ApplyKind.NEW  # its quick-looked file went before it was measured
            if same.missing_since is not None:
                kind = _restore(same, path_b)
            photo = same
        elif at_path is not None and bytes(at_path.path) == path_b and not _has_copies(at_path):
            # The photo's only file was edited in place: same photo, new bytes.
            photo, kind = at_path, ApplyKind.CHANGED
            photo.content_hash = m.content_hash
        elif at_path is not None:
            # One copy of a multi-copy photo now holds other bytes: the other
            # copies keep the photo; this path becomes a photo of its own.
            _detach_path(at_path, path_b)
            photo = Photo(path=path_b, content_hash=m.content_hash, imported_at=now)
            kind = ApplyKind.CHANGED
        else:
            photo = Photo(path=path_b, content_hash=m.content_hash, imported_at=now)
            kind = ApplyKind.NEW
        if kind in (
            ApplyKind.NEW,
            ApplyKind.CHANGED,
            ApplyKind.REMEASURED,
            ApplyKind.MOVED,
            ApplyKind.RESTORED,
        ):
            photo.size, photo.mtime_ns = m.size, m.mtime_ns
        if m.decoded:
            _fill_measurement(photo, m)
        photo.updated_at = now
        save_changed(photo)
        # A copy measured before the quick-looked file itself: that file's own
        # outcome (planned in this run) makes the photo new and done.
        still_awaited = awaiting and kind is ApplyKind.DUPLICATE
        if (m.decoded or kind in (ApplyKind.NEW, ApplyKind.CHANGED)) and not still_awaited:
            self._set_stage(photo.id, StageStatus.DONE, attempts, None)
        if m.faces is not None:  # the faces stage rode along (catalog.people.store)
            write_faces([(photo.id, m.faces)])
        return kind

    # -- failures -----------------------------------------------------------------

    def _apply_failure(self, f: TechnicalFailure, attempts: int, max_attempts: int) -> ApplyKind:
        path_b = encode_path(f.path)
        now = utcnow()
        photo = _photo_at_path(path_b)
        same = _photo_where("content_hash", f.content_hash) if f.content_hash else None
        if same is not None and same.deleted_at is not None:
            return _skip_deleted(photo, path_b)
        if photo is not None and _missing_other(photo, same):
            _release_path(photo, path_b)  # a missing photo is matched by its bytes only
            photo = None
        if same is not None and same.missing_since is not None:
            if photo is not None and photo.id != same.id:
                _detach_path(photo, path_b)
            _move_or_add_copy(same, path_b)
            _restore(same, path_b)
            photo = same
        elif same is not None and (photo is None or photo.id != same.id):
            if photo is not None:
                _detach_path(photo, path_b)
            PhotoPath.insert(
                photo=same.id, path=path_b, added_at=now
            ).on_conflict_ignore().execute()
            photo = same
        elif photo is None:
            photo = Photo(path=path_b, content_hash=f.content_hash, imported_at=now)
        else:
            photo.content_hash = f.content_hash or photo.content_hash
        photo.size, photo.mtime_ns = f.size, f.mtime_ns
        if photo.format is None:
            photo.format = f.format.value if f.format is not None else None
        if f.exif is not None:  # only what the photo does not know yet
            _fill_camera_data(photo, f.exif)
        photo.updated_at = now
        save_changed(photo)
        self._set_stage(photo.id, StageStatus.FAILED, attempts, f.message)
        record_error(
            stage=Stage.TECHNICAL,
            photo_id=photo.id,
            path=f.path,
            attempt=attempts,
            max_attempts=max_attempts,
            error_type=f.error_type,
            message=f.message,
            detail=f.detail,
        )
        return ApplyKind.FAILED

    def _set_stage(
        self, photo_id: int, status: StageStatus, attempts: int, reason: str | None
    ) -> None:
        """The photo's technical StageRun, inserted or updated in place."""
        Photo._meta.database.execute_sql(
            _SET_STAGE_SQL,
            (
                photo_id,
                Stage.TECHNICAL.value,
                status.value,
                attempts,
                self.stage_version,
                reason,
                StageRun.updated_at.db_value(utcnow()),
            ),
        )


def record_error(
    *,
    stage: str,
    message: str,
    error_type: str,
    photo_id: int | None = None,
    path: str | None = None,
    attempt: int = 1,
    max_attempts: int = 1,
    detail: str = "",
) -> None:
    """Append to the error log. Never raises — a failing log must not stop the
    pipeline — except for a storage fault inside a transaction: SQLite may
    have rolled that transaction back, and the caller's batch must fail as a
    whole rather than go on half-written outside it."""
    try:
        ErrorLog.create(
            stage=str(stage),
            photo=photo_id,
            path=encode_path(path) if path is not None else None,
            attempt=attempt,
            max_attempts=max_attempts,
            error_type=error_type,
            message=message,
            detail=detail[:20000],
        )
    except Exception as exc:
        from curator.catalog.storage import storage_problem

        storage = storage_problem(exc, what="the catalog")
        if storage is not None:
            if ErrorLog._meta.database.in_transaction():
                raise
            # The run reports the storage fault itself; no traceback on the way.
            log.warning("could not record an error in the catalog (%s): %s", storage, message)
            return
        log.exception("could not record an error in the catalog: %s", message)


# -- the per-photo statements, their SQL made once -----------------------------------
# peewee builds a query's SQL in Python on every call: a photo's 60-column SELECT
# and UPDATE cost ~2/3 of the writer thread's CPU (~4.4 ms a photo), holding the
# GIL the UI thread waits for. These statements are strings made once; the rows
# are still peewee's `Photo`s, converted by its fields.

_PHOTO_BY = {
    column: f'SELECT * FROM "photo" WHERE "{column}" = ?'
    for column in ("id", "path", "content_hash")
}
_EXTRA_PATH_SQL = f'SELECT "photo_id" FROM "{PhotoPath._meta.table_name}" WHERE "path" = ?'
_UPDATE_SQL: dict[tuple[str, ...], str] = {}  # per set of changed fields
_SET_STAGE_SQL = (
    f'INSERT INTO "{StageRun._meta.table_name}" ("photo_id", "stage", "status", "attempts",'
    ' "stage_version", "failure_reason", "updated_at") VALUES (?, ?, ?, ?, ?, ?, ?)'
    ' ON CONFLICT ("photo_id", "stage") DO UPDATE SET "status" = excluded."status",'
    ' "attempts" = excluded."attempts", "stage_version" = excluded."stage_version",'
    ' "failure_reason" = excluded."failure_reason", "updated_at" = excluded."updated_at"'
)


def _photo_where(column: str, value: object) -> Photo | None:
    """The photo whose unique `column` ("path" or "content_hash") is `value`:
    `Photo.get_or_none` without building its SELECT each time."""
    found: list[Photo] = list(Photo.raw(_PHOTO_BY[column], value))
    return found[0] if found else None


def _photo_at_path(path_b: bytes) -> Photo | None:
    """The photo at this path: its primary path, or one of its extra paths."""
    photo = _photo_where("path", path_b)
    if photo is not None:
        return photo
    extra = Photo._meta.database.execute_sql(_EXTRA_PATH_SQL, (path_b,)).fetchone()
    return _photo_where("id", extra[0]) if extra is not None else None


def save_changed(photo: Photo) -> None:
    """`photo.save()`. A photo not yet in the catalog is inserted by peewee; an
    existing one gets an UPDATE of the fields set since it was read (peewee's
    dirty fields), its statement made once per set of fields: a column nobody
    set is not rewritten (nor its indexes and triggers touched)."""
    if photo.id is None:
        photo.save()
        return
    fields = [f for f in photo.dirty_fields if f.name != "id"]  # in the model's field order
    if not fields:
        return
    names = tuple(f.name for f in fields)
    sql = _UPDATE_SQL.get(names)
    if sql is None:
        assignments = ", ".join(f'"{f.column_name}" = ?' for f in fields)
        sql = _UPDATE_SQL.setdefault(names, f'UPDATE "photo" SET {assignments} WHERE "id" = ?')
    values = [f.db_value(photo.__data__.get(f.name)) for f in fields]
    Photo._meta.database.execute_sql(sql, (*values, photo.id))
    photo._dirty.difference_update(names)  # peewee's own bookkeeping after a save


def _skip_deleted(at_path: Photo | None, path_b: bytes) -> ApplyKind:
    """A deleted photo's bytes at `path_b`: record nothing; a live photo that
    had this path no longer has its bytes there."""
    if at_path is not None and at_path.deleted_at is None:
        _detach_path(at_path, path_b)
    return ApplyKind.SKIPPED_DELETED


def _move_or_add_copy(photo: Photo, path_b: bytes) -> ApplyKind:
    """Known bytes found at a new path: a move if one of the photo's paths is gone."""
    if bytes(photo.path) == path_b:
        return ApplyKind.UNCHANGED
    if not path_exists(photo.path):
        _drop_extra(photo, path_b)
        photo.path = path_b
        return ApplyKind.MOVED
    for extra in PhotoPath.select().where(PhotoPath.photo == photo.id):
        if bytes(extra.path) == path_b:
            return ApplyKind.DUPLICATE
        if not path_exists(extra.path):
            extra.path = path_b
            extra.save()
            return ApplyKind.MOVED
    PhotoPath.insert(photo=photo.id, path=path_b, added_at=utcnow()).on_conflict_ignore().execute()
    return ApplyKind.DUPLICATE


def _missing_other(at_path: Photo, same: Photo | None) -> bool:
    """The path's photo is missing and these bytes are not its own."""
    return at_path.missing_since is not None and (same is None or same.id != at_path.id)


def _has_copies(photo: Photo) -> bool:
    return bool(PhotoPath.select().where(PhotoPath.photo == photo.id).exists())


def _detach_path(photo: Photo, path_b: bytes) -> None:
    """Remove `path_b` from `photo` (its bytes at that path are now another photo's)."""
    if bytes(photo.path) != path_b:
        PhotoPath.delete().where(PhotoPath.path == path_b).execute()
        return
    other = PhotoPath.select().where(PhotoPath.photo == photo.id).first()
    if other is not None:
        # Promote a surviving copy to primary path.
        photo.path = bytes(other.path)
        other.delete_instance()
        photo.save()
    else:
        # No file holds these bytes any more: the photo is missing, never deleted.
        if photo.missing_since is None:
            photo.missing_since = utcnow()
        _release_path(photo, path_b)


def _release_path(photo: Photo, path_b: bytes) -> None:
    """Free `path_b` (another photo's bytes are there) from a missing photo: an
    extra path is dropped, the primary path becomes a tombstone."""
    if bytes(photo.path) != path_b:
        PhotoPath.delete().where(PhotoPath.path == path_b).execute()
        return
    photo.path = tombstone(path_b, int(photo.id))
    photo.updated_at = utcnow()
    photo.save()


def _drop_extra(photo: Photo, path_b: bytes) -> None:
    """`path_b` becomes `photo`'s primary path: it must not stay an extra too."""
    PhotoPath.delete().where(PhotoPath.photo == photo.id, PhotoPath.path == path_b).execute()


def _restore(photo: Photo, path_b: bytes) -> ApplyKind:
    """A missing photo's bytes are at `path_b`: it is back, as itself."""
    photo.missing_since = None
    if is_tombstone(photo.path) or not path_exists(photo.path):
        _drop_extra(photo, path_b)
        photo.path = path_b
    return ApplyKind.RESTORED


def _fill_measurement(photo: Photo, m: TechnicalMeasurement) -> None:
    e = m.exif
    photo.format = m.format.value if m.format else photo.format
    photo.width, photo.height = m.width, m.height
    photo.orientation = e.orientation
    photo.captured_at = e.captured_at
    photo.camera_make, photo.camera_model, photo.lens = e.camera_make, e.camera_model, e.lens
    photo.iso, photo.exposure_time = e.iso, e.exposure_time
    photo.f_number, photo.focal_length = e.f_number, e.focal_length
    photo.exposure_bias, photo.capture_subsec = e.exposure_bias, e.capture_subsec
    photo.sequence_number, photo.struct_sig = e.sequence_number, m.struct_sig
    photo.drive_mode, photo.sequence_index = e.drive_mode, e.sequence_index
    photo.preview_key, photo.thumbnail_key = m.preview_key, m.thumbnail_key
    photo.metrics_source = m.metrics_source.value if m.metrics_source else None
    for figure in figures.FIGURES:  # each stored figure as declared
        value = figure.value_in(m)
        if value is not NOT_MEASURED:
            setattr(photo, figure.name, value)
    if m.decoded:  # a new fingerprint, new EXIF: compared with the catalog's anew
        photo.duplicates_looked = False
    photo.notes = "\n".join(m.notes) or None


_CAMERA_FIELDS = (
    "captured_at",
    "camera_make",
    "camera_model",
    "lens",
    "iso",
    "exposure_time",
    "f_number",
    "focal_length",
)


def _fill_camera_data(photo: Photo, exif: ExifData) -> None:
    """A failed file's readable EXIF onto its photo, where the photo has no value yet
    (a value Curator or another tool already recorded is never replaced)."""
    for name in _CAMERA_FIELDS:
        value = getattr(exif, name)
        if value is not None and getattr(photo, name) is None:
            setattr(photo, name, value)
