"""Which failed photos a plain import retries: failures of the computer, not the file.

From the latest `ErrorLog.error_type`: whether a failure was environmental
(`imaging.errors.ENVIRONMENTAL_ERROR_TYPES`) and whether its cause may have
changed, by a cheap check. Reads only; a failure of the file itself waits for
new bytes or `--retry-failed`.
"""

from __future__ import annotations

import os

from peewee import fn

from curator.catalog.models import ErrorLog, Stage
from curator.imaging.errors import ENVIRONMENTAL_ERROR_TYPES

# Free space below which a cache that failed to write is not retried yet.
CACHE_ROOM_BYTES = 64 * 1024 * 1024


def latest_failure_types(photo_ids: set[int]) -> dict[int, str]:
    """The `ErrorLog.error_type` of each photo's latest technical failure."""
    if not photo_ids:
        return {}
    latest = (
        ErrorLog.select(fn.MAX(ErrorLog.id))
        .where(ErrorLog.stage == Stage.TECHNICAL.value, ErrorLog.photo.is_null(False))
        .group_by(ErrorLog.photo)
    )
    rows = ErrorLog.select(ErrorLog.photo, ErrorLog.error_type).where(ErrorLog.id.in_(latest))
    return {int(pid): str(et) for pid, et in rows.tuples() if pid in photo_ids}


def cause_may_have_changed(error_type: str | None, path: str, cache_dir: str) -> bool:
    """Whether a failure of type `error_type` at `path` is worth retrying now.

    Permission denied: the file is readable now. The file vanished: the scan
    found it again (the caller only asks about files it found). A full or
    read-only cache: its folder is writable and has room. I/O hiccups:
    always (they pass on their own). Anything else: never.
    """
    if error_type not in ENVIRONMENTAL_ERROR_TYPES:
        return False
    if error_type == "PermissionDeniedError":
        return os.access(path, os.R_OK)
    if error_type == "CacheWriteError":
        return cache_has_room(cache_dir)
    return True


def cache_has_room(cache_dir: str) -> bool:
    """The cache folder (or its nearest existing parent) is writable with room to spare."""
    folder = os.path.abspath(cache_dir)
    while not os.path.isdir(folder) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False
    return os.access(folder, os.W_OK) and stats.f_bavail * stats.f_frsize >= CACHE_ROOM_BYTES
