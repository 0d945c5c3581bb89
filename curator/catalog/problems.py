"""Queries and writes behind the Failed lane and the error-log view, and
`curator status`'s report (`status_report`), as frozen dataclasses.
`reset_for_retry` puts failed stage rows back to `pending`, which every
stage's planner picks up on its next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from curator.catalog import paths_codec
from curator.catalog.missing import last_known_path
from curator.catalog.models import (
    ErrorLog,
    Photo,
    PhotoPreference,
    Stage,
    StageRun,
    StageStatus,
    TasteModel,
    utcnow,
)
from curator.catalog.paths_codec import decode_path, display_path
from curator.catalog.taste.store import taste_status


@dataclass(frozen=True)
class FailedPhoto:
    photo_id: int
    path: str  # as the OS spells it
    display: str  # printable
    stage: str
    reason: str
    attempts: int
    updated_at: datetime


@dataclass(frozen=True)
class ErrorEntry:
    id: int
    stage: str
    photo_id: int | None
    path: str | None
    attempt: int
    max_attempts: int
    error_type: str
    message: str
    detail: str
    created_at: datetime


def failed_photos() -> list[FailedPhoto]:
    rows = (
        StageRun.select(
            StageRun.photo,
            Photo.path,
            StageRun.stage,
            StageRun.failure_reason,
            StageRun.attempts,
            StageRun.updated_at,
        )
        .join(Photo)
        .where(StageRun.status == StageStatus.FAILED.value, Photo.deleted_at.is_null())
        .order_by(StageRun.stage, Photo.path)
        .namedtuples()
    )
    return [
        FailedPhoto(
            int(r.photo),
            decode_path(last_known_path(r.path)),
            display_path(last_known_path(r.path)),
            r.stage,
            r.failure_reason or "",
            r.attempts,
            r.updated_at,
        )
        for r in rows
    ]


def error_entries(limit: int = 1000) -> list[ErrorEntry]:
    """The newest `limit` error-log rows, newest first."""
    query = ErrorLog.select().order_by(ErrorLog.id.desc()).limit(limit)
    return [
        ErrorEntry(
            e.id,
            e.stage,
            e.photo_id,
            display_path(e.path) if e.path is not None else None,
            e.attempt,
            e.max_attempts,
            e.error_type,
            e.message,
            e.detail,
            e.created_at,
        )
        for e in query
    ]


def reset_for_retry(photo_ids: Sequence[int] | None = None) -> int:
    """Failed stage rows (of `photo_ids`, or all) back to pending; returns how many."""
    query = StageRun.update(status=StageStatus.PENDING.value, updated_at=utcnow()).where(
        StageRun.status == StageStatus.FAILED.value
    )
    if photo_ids is not None:
        query = query.where(StageRun.photo.in_(list(photo_ids)))
    return int(query.execute())


def stage_counts() -> dict[str, dict[str, int]]:
    """Per stage: how many photos are done/failed/pending/skipped/running. A
    photo with no StageRun row counts as pending, unless its technical stage
    failed (counted there only); a RAW+JPEG pair counts once while paired."""
    shown = paths_codec.shown_photos()  # as the gallery shows them
    n_photos = Photo.select().where(shown).count()
    unmeasurable = (
        StageRun.select()
        .join(Photo)
        .where(
            StageRun.stage == Stage.TECHNICAL.value,
            StageRun.status == StageStatus.FAILED.value,
            shown,
        )
        .count()
    )
    result: dict[str, dict[str, int]] = {}
    for stage in (s.value for s in Stage):
        if stage == Stage.SCORE.value:
            result[stage] = _score_counts(n_photos - unmeasurable)
            continue
        later = stage != Stage.TECHNICAL.value
        counts = {s.value: 0 for s in StageStatus}
        rows = (
            StageRun.select(StageRun.status, StageRun.id)
            .join(Photo)
            .where(StageRun.stage == stage, shown)
            .tuples()
        )
        seen = 0
        for status, _ in rows:
            counts[status] = counts.get(status, 0) + 1
            seen += 1
        eligible = n_photos - unmeasurable if later else n_photos
        counts[StageStatus.PENDING.value] += max(0, eligible - seen)
        result[stage] = counts
    return result


def _score_counts(n_photos: int) -> dict[str, int]:
    """Scores are not per-photo runs: before any taste model every photo is
    `skipped`; after, scored photos are `done` and the rest `pending`."""
    counts = {s.value: 0 for s in StageStatus}
    if not TasteModel.select().exists():
        counts[StageStatus.SKIPPED.value] = n_photos
        return counts
    shown = paths_codec.shown_photos()
    scored = (
        Photo.select()
        .join(PhotoPreference, on=(PhotoPreference.photo == Photo.id))
        .where(shown)
        .count()
    )
    counts[StageStatus.DONE.value] = scored
    counts[StageStatus.PENDING.value] = n_photos - scored
    return counts


def failures() -> list[dict[str, str]]:
    rows = (
        StageRun.select(StageRun.stage, StageRun.failure_reason, Photo.path)
        .join(Photo)
        .where(StageRun.status == StageStatus.FAILED.value, Photo.deleted_at.is_null())
        .order_by(Photo.path)
        .tuples()
    )
    return [
        {"path": decode_path(last_known_path(path)), "stage": stage, "reason": reason or ""}
        for stage, reason, path in rows
    ]


def status_report() -> dict[str, Any]:
    return {
        "photos": Photo.select().where(paths_codec.shown_photos()).count(),  # a pair: one
        "files": Photo.select().where(Photo.deleted_at.is_null()).count(),
        "stages": stage_counts(),
        "failed": failures(),
        "taste": taste_status(),
    }
