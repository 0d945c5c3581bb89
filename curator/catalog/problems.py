"""Queries and writes behind the Failed lane and the error-log view.

Plain objects out (frozen dataclasses), so the UI never touches peewee rows.
`reset_for_retry` puts failed stage rows back to `pending`: every stage's
planner picks pending rows up on its next run (the technical planner skips
only rows that are *failed* with unchanged size and mtime).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from curator.catalog.missing import last_known_path
from curator.catalog.models import ErrorLog, Photo, StageRun, StageStatus, utcnow
from curator.catalog.paths_codec import decode_path, display_path


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
        .tuples()
    )
    return [
        FailedPhoto(
            int(pid),
            decode_path(last_known_path(path)),
            display_path(last_known_path(path)),
            stage,
            reason or "",
            attempts,
            at,
        )
        for pid, path, stage, reason, attempts, at in rows
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
