"""The faces stage's one write path and its reads.

`write_faces(results)` stores `(photo id, FacesOutcome)` pairs in the caller's
transaction, or its own (`apply_faces`):
- a `FacesFound` replaces the photo's `face` rows (largest first), their
  descriptors and its `photo_faces` summary, each new face keeping the person
  of the old one it overlaps (`persons.carry_people`); the StageRun is done;
- a `FacesFailure` keeps earlier faces, fails the StageRun and logs the error.
Replays give the same rows. `mark_faces_skipped` re-plans the stage once the
model is there.

Invariants: only this module writes `face` and `photo_faces`; no ml or
imaging import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from peewee import Database

from curator.catalog import tx
from curator.catalog.backends.dialect import chunks, dialect_of, replace_into
from curator.catalog.judgments import measured_unsettled
from curator.catalog.models import (
    ErrorLog,
    Photo,
    PhotoFaces,
    Stage,
    StageRun,
    StageStatus,
    utcnow,
)
from curator.catalog.models import (
    Face as FaceRow,
)
from curator.catalog.paths_codec import decode_path
from curator.catalog.people.descriptors import write_descriptors
from curator.catalog.people.persons import carry_people, people_before, persons_of_faces
from curator.catalog.people.summary import columns, stored_values, summary_from
from curator.catalog.write_gate import Gate
from curator.records import (
    LOOKED_AGAIN,
    EyeState,
    Face,
    FacesFailure,
    FacesFound,
    FacesOutcome,
    FacesSummary,
    Looking,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

_SET_STAGE_SQL = (
    'INSERT INTO "stage_run" ("photo_id", "stage", "status", "attempts", "stage_version",'
    ' "failure_reason", "updated_at") VALUES (?, ?, ?, 1, ?, ?, ?)'
    ' ON CONFLICT ("photo_id", "stage") DO UPDATE SET "status" = excluded."status",'
    ' "attempts" = "stage_run"."attempts" + 1, "stage_version" = excluded."stage_version",'
    ' "failure_reason" = excluded."failure_reason", "updated_at" = excluded."updated_at"'
)


def _set_stage(photo_id: int, status: StageStatus, version: str, reason: str | None) -> None:
    Photo._meta.database.execute_sql(
        _SET_STAGE_SQL,
        (
            photo_id,
            Stage.FACES.value,
            status.value,
            version,
            reason,
            StageRun.updated_at.db_value(utcnow()),
        ),
    )


def write_faces(results: Iterable[tuple[int, FacesOutcome]]) -> None:
    """Store faces outcomes in the current transaction (see the module docstring)."""
    for photo_id, outcome in results:
        if isinstance(outcome, FacesFailure):
            version = _current_version(photo_id)
            _set_stage(photo_id, StageStatus.FAILED, version, outcome.message)
            # In the batch's transaction: a failing insert fails the batch, which is
            # retried whole (catalog.writer.record_error's rule inside a transaction).
            ErrorLog.insert(
                stage=Stage.FACES.value,
                photo=photo_id,
                error_type=outcome.error_type,
                message=outcome.message,
                detail=outcome.detail[:20000],
                created_at=utcnow(),
            ).execute()
            continue
        _replace_faces(photo_id, outcome)
        _set_stage(photo_id, StageStatus.DONE, outcome.version, None)


def _current_version(photo_id: int) -> str:
    row = (
        StageRun.select(StageRun.stage_version)
        .where(StageRun.photo == photo_id, StageRun.stage == Stage.FACES.value)
        .tuples()
        .first()
    )
    return str(row[0]) if row and row[0] else ""


def _replace_faces(photo_id: int, found: FacesFound) -> None:
    people = people_before(photo_id)
    FaceRow.delete().where(FaceRow.photo == photo_id).execute()
    rows = [
        {
            "photo": photo_id,
            "idx": idx,
            "x": f.box[0],
            "y": f.box[1],
            "w": f.box[2],
            "h": f.box[3],
            "size_px": f.size_px,
            "judged": f.judged,
            "eyes": f.eyes.value,
            "eyes_note": f.eyes_note,
            "openness": f.openness,
            "sharpness": f.sharpness,
            "is_key": f.key,
            "confidence": f.confidence,
            "smile": f.smile,
            "looking": None if f.looking is None else f.looking.value,
            "yaw": f.yaw,
            "pitch": f.pitch,
            "roll": f.roll,
        }
        for idx, f in enumerate(found.faces)
    ]
    for chunk in chunks(rows, 100):
        FaceRow.insert_many(chunk).execute()
    write_descriptors(photo_id, found)
    carry_people(photo_id, people)
    summary = PhotoFaces.insert(
        photo=photo_id,
        note=found.note,
        version=found.version,
        **stored_values(found.summary),
    )
    kept = [f for f in PhotoFaces._meta.sorted_fields if f.name != "photo"]
    replace_into(summary, [PhotoFaces.photo], kept).execute()


def apply_faces(db: Database, results: Sequence[tuple[int, FacesOutcome]]) -> int:
    """A back-fill batch in one write transaction (behind a person's decision:
    the BULK gate). Photos purged meanwhile are left alone. Returns how many
    were written."""

    def apply() -> int:
        ids = [pid for pid, _ in results]
        live = {
            int(pid)
            for (pid,) in Photo.select(Photo.id)
            .where(Photo.id.in_(ids), Photo.deleted_at.is_null())
            .tuples()
        }
        kept = [(pid, outcome) for pid, outcome in results if pid in live]
        write_faces(kept)
        return len(kept)

    return tx.write(db, apply, gate=Gate.BULK)


def mark_faces_skipped(db: Database, photo_ids: Sequence[int], version: str, reason: str) -> None:
    """The stage skipped with `reason` for these photos (no face model)."""

    def apply() -> None:
        for pid in photo_ids:
            _set_stage(pid, StageStatus.SKIPPED, version, reason)

    tx.write(db, apply, gate=Gate.BULK)


# -- reads ------------------------------------------------------------------------


def faces_of(photo_id: int) -> tuple[Face, ...]:
    """The photo's faces as stored, largest first (empty: none found or not looked)."""
    rows = FaceRow.select().where(FaceRow.photo == photo_id).order_by(FaceRow.idx)
    return tuple(_face(r) for r in rows)


def summaries(photo_ids: Iterable[int]) -> dict[int, FacesSummary]:
    """The faces summary of these photos that have one."""
    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    out: dict[int, FacesSummary] = {}
    db = PhotoFaces._meta.database
    dialect = dialect_of(db)
    sql = f"SELECT photo_id, {columns()} FROM photo_faces WHERE photo_id IN {dialect.id_list()}"
    for chunk in chunks(ids):
        rows = db.execute_sql(sql, [dialect.id_param(chunk)]).fetchall()
        out.update((int(row[0]), summary_from(row[1:])) for row in rows)
    return out


# face_columns packs a row into one integer in SQL (id, looking, smiling,
# closed, open, faces, sharpness in tenths + 1, 0 for none): one Python int a
# row instead of a tuple of seven is what keeps 100,000 rows within the
# rescore budget. Ids keep 42 bits.
_SHARP_BITS, _FACES_BITS = 11, 6
_FACES_AT = _SHARP_BITS
_OPEN_AT = _FACES_AT + _FACES_BITS
_CLOSED_AT = _OPEN_AT + 1
_SMILING_AT = _CLOSED_AT + 1
_LOOKING_AT = _SMILING_AT + 1
_ID_AT = _LOOKING_AT + 1
_MAX_FACES = (1 << _FACES_BITS) - 1
_COLUMNS = 6
_PACKED_SQL = (
    f'SELECT CAST("photo_id" AS BIGINT) * {1 << _ID_AT}'
    f' + "looking" * {1 << _LOOKING_AT} + "smiling" * {1 << _SMILING_AT}'
    f' + "closed_eyes" * {1 << _CLOSED_AT} + "eyes_open" * {1 << _OPEN_AT}'
    f' + (CASE WHEN "faces" > {_MAX_FACES} THEN {_MAX_FACES} ELSE "faces" END) * {1 << _FACES_AT}'
    ' + (CASE WHEN "key_sharpness" IS NULL THEN 0'
    ' ELSE CAST(ROUND(CASE WHEN "key_sharpness" < 0 THEN 0 WHEN "key_sharpness" > 100'
    ' THEN 100 ELSE "key_sharpness" END * 10) AS BIGINT) + 1 END)'
    ' FROM "photo_faces"'
)
_SLICE = 8192  # rows converted at a time (the GIL is let go between slices)


def face_columns(photo_ids: Sequence[int]) -> NDArray[np.float32]:
    """(n, 6) float32 in `photo_ids`' order, the taste model's face inputs: a key
    face's eyes closed, every key face's eyes open, the key faces' sharpness
    (0-100, a tenth), the faces found (up to 63), every key face smiling,
    every key face looking at the camera; NaN where the photo has no summary."""
    import numpy as np

    wanted = np.asarray(photo_ids, dtype=np.int64)
    out = np.full((len(wanted), _COLUMNS), np.nan, dtype=np.float32)
    if not len(wanted):
        return out
    cursor = Photo._meta.database.execute_sql(_PACKED_SQL)
    parts = []
    while rows := cursor.fetchmany(_SLICE):
        parts.append(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
    if not parts:
        return out
    packed = np.sort(np.concatenate(parts))
    ids = packed >> _ID_AT
    at = np.clip(np.searchsorted(ids, wanted), 0, len(ids) - 1)
    found = ids[at] == wanted
    row = packed[at[found]]
    sharp = (row & ((1 << _SHARP_BITS) - 1)).astype(np.float32)
    columns = np.empty((len(row), _COLUMNS), dtype=np.float32)
    columns[:, 0] = (row >> _CLOSED_AT) & 1
    columns[:, 1] = (row >> _OPEN_AT) & 1
    columns[:, 2] = np.where(sharp > 0, (sharp - 1) / 10, np.nan)
    columns[:, 3] = (row >> _FACES_AT) & _MAX_FACES
    columns[:, 4] = (row >> _SMILING_AT) & 1
    columns[:, 5] = (row >> _LOOKING_AT) & 1
    out[found] = columns
    return out


class FacesToJudge(NamedTuple):
    """A measured photo a faces back-fill must look at (`faces_needing`)."""

    photo_id: int
    preview_key: str
    noise_sd: float | None
    sharpness: float | None
    path: str  # the original, where a group's faces are looked for again
    content_hash: str | None  # what the original held when measured


def faces_needing(version: str) -> list[FacesToJudge]:
    """The measured live photos whose faces stage is not done or failed at
    `version` (skipped, stale or never run), in id order."""
    settled = (
        (StageRun.stage == Stage.FACES.value)
        & (StageRun.stage_version == version)
        & StageRun.status.in_([StageStatus.DONE.value, StageStatus.FAILED.value])
    )
    query = measured_unsettled(
        settled,
        Photo.id,
        Photo.preview_key,
        Photo.noise_level,
        Photo.sharpness_score,
        Photo.path,
        Photo.content_hash,
    ).tuples()
    return [
        FacesToJudge(int(pid), str(key), noise, sharp, decode_path(path), content_hash)
        for pid, key, noise, sharp, path, content_hash in query
    ]


def faces_listing() -> dict[int, list[dict[str, object]]]:
    """Every looked-at photo's faces as `curator list --json` gives them (none
    found: an empty list; not looked at: absent), each with its `id`, its
    `person` (an id, or None) and `person_name`."""
    out: dict[int, list[dict[str, object]]] = {
        int(pid): [] for (pid,) in PhotoFaces.select(PhotoFaces.photo).tuples()
    }
    people = persons_of_faces()
    for r in FaceRow.select().order_by(FaceRow.photo, FaceRow.idx):
        faces = out.get(int(r.photo_id))
        if faces is None:
            continue
        faces.append(
            {
                "id": int(r.id),
                "box": [r.x, r.y, r.w, r.h],
                "eyes": r.eyes,
                "eyes_note": r.eyes_note,
                "openness": r.openness,
                "sharpness": r.sharpness,
                "key": bool(r.is_key),
                "size_px": r.size_px,
                "judged": bool(r.judged),
                "smile": r.smile,
                "looking": r.looking,
                "yaw": r.yaw,
                "pitch": r.pitch,
                "roll": r.roll,
                "person": people.get(int(r.id), (None, None))[0],
                "person_name": people.get(int(r.id), (None, None))[1],
            }
        )
    return out


class FacesDetail(NamedTuple):
    """A photo's faces (largest first) and, when none was judged, why ('' otherwise)."""

    faces: tuple[Face, ...]
    note: str


def faces_detail(photo_id: int) -> FacesDetail:
    """The photo's faces and, when no face was judged, why (not looked at yet, the
    model missing, a failure, none found, all too small): Shift+Z's "No face to
    zoom to." says it."""
    faces = faces_of(photo_id)
    summary = PhotoFaces.get_or_none(PhotoFaces.photo == photo_id)
    if summary is None:
        runs = {
            stage: (status, reason)
            for stage, status, reason in StageRun.select(
                StageRun.stage, StageRun.status, StageRun.failure_reason
            )
            .where(
                StageRun.photo == photo_id,
                StageRun.stage.in_([Stage.FACES.value, Stage.TECHNICAL.value]),
            )
            .tuples()
        }
        _, why = runs.get(Stage.FACES.value, (None, None))
        if why:
            return FacesDetail(faces, f"No faces judged: {why}")
        measured, _ = runs.get(Stage.TECHNICAL.value, (None, None))
        if measured == StageStatus.FAILED.value:
            # not "yet": a photo that failed to import is not measured, so not judged
            return FacesDetail(faces, "No faces judged: the photo itself could not be read.")
        return FacesDetail(faces, "No faces judged yet (they are judged after the measurement).")
    if summary.note == LOOKED_AGAIN and summary.faces == 0:
        return FacesDetail(faces, f"No faces found, {LOOKED_AGAIN}.")
    if summary.note:
        return FacesDetail(faces, f"No faces judged: {summary.note}.")
    if summary.faces == 0:
        return FacesDetail(faces, "No faces found.")
    if summary.judged == 0:
        return FacesDetail(faces, f"{_count(summary.faces)} found, all too small to judge.")
    return FacesDetail(faces, "")  # judged faces: the loupe names each one itself


def _count(n: int) -> str:
    return f"{n} face" if n == 1 else f"{n} faces"


def faces_by_photo(photo_ids: Iterable[int]) -> dict[int, tuple[Face, ...]]:
    """The faces of these photos that the stage looked at (an empty tuple: it
    found none), largest first; photos it has not looked at are left out."""
    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    out: dict[int, list[Face]] = {}
    for chunk in chunks(ids):
        for (pid,) in (
            PhotoFaces.select(PhotoFaces.photo).where(PhotoFaces.photo.in_(chunk)).tuples()
        ):
            out[int(pid)] = []
        rows = FaceRow.select().where(FaceRow.photo.in_(chunk)).order_by(FaceRow.photo, FaceRow.idx)
        for r in rows:
            if int(r.photo_id) in out:
                out[int(r.photo_id)].append(_face(r))
    return {pid: tuple(faces) for pid, faces in out.items()}


def _face(r: FaceRow) -> Face:
    return Face(
        box=(r.x, r.y, r.w, r.h),
        size_px=r.size_px,
        judged=bool(r.judged),
        eyes=EyeState(r.eyes),
        eyes_note=r.eyes_note,
        openness=r.openness,
        sharpness=r.sharpness,
        key=bool(r.is_key),
        confidence=r.confidence,
        smile=r.smile,
        looking=None if r.looking is None else Looking(r.looking),
        yaw=r.yaw,
        pitch=r.pitch,
        roll=r.roll,
    )
