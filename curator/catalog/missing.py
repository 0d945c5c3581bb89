"""Missing photos: every file of the photo is gone from disk, the photo is kept.

A photo is *missing* when `Photo.missing_since` is set; it keeps everything and
stays in the gallery. It becomes missing when every path is gone
(`refresh_missing`) or its only path holds another photo's bytes; it comes
back as itself when its bytes are read anywhere (`ApplyKind.RESTORED`) or its
path is back with the recorded size and mtime.

`Photo.path` stays UNIQUE (dropping it would rebuild the table and cascade the
decision log). When another photo needs a missing photo's path, the writer
rewrites it to a *tombstone* (`tombstone`: the path, a NUL, a suffix unique
per photo; `last_known_path` strips it).
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass

from curator.catalog import tx
from curator.catalog.models import Photo, PhotoPath, utcnow
from curator.catalog.paths_codec import decode_path, encode_path
from curator.catalog.write_gate import Gate

_TOMBSTONE = b"\x00missing:"


def tombstone(path_b: bytes, photo_id: int) -> bytes:
    """The stored path of a missing photo whose last path another photo took."""
    return last_known_path(path_b) + _TOMBSTONE + str(int(photo_id)).encode()


def is_tombstone(path_b: bytes | memoryview) -> bool:
    return _TOMBSTONE in bytes(path_b)


def last_known_path(path_b: bytes | memoryview) -> bytes:
    """The real path a stored path stands for (a tombstone's prefix; else itself)."""
    raw = bytes(path_b)
    return raw.split(b"\x00", 1)[0]


def path_exists(path_b: bytes | memoryview) -> bool:
    """Whether a stored path is a file on disk now (a tombstone never is)."""
    raw = bytes(path_b)
    return not is_tombstone(raw) and os.path.lexists(decode_path(raw))


@dataclass(frozen=True)
class MissingReport:
    missing: int  # photos that became missing in this call
    restored: int  # missing photos found back at their recorded path, unchanged


def count_missing() -> int:
    """How many live (not deleted) photos are missing now."""
    return int(
        Photo.select().where(Photo.missing_since.is_null(False), Photo.deleted_at.is_null()).count()
    )


def mark_missing(under: str | None = None) -> int:
    """`refresh_missing(under)`'s count of photos that became missing."""
    return refresh_missing(under).missing


def refresh_missing(under: str | None = None) -> MissingReport:
    """Bring missing-ness up to date with the disk (for photos with a path under
    `under`, or everywhere). The disk is checked outside any transaction;
    each photo found to change is checked again inside the write transaction,
    so a photo the writer moved or restored meanwhile is left alone."""
    prefix = _folder_prefix(under)
    paths = _paths_by_photo(prefix)
    gone = [pid for pid, (missing, ps) in paths.items() if not missing and _all_gone(ps)]
    back = [pid for pid, (missing, ps) in paths.items() if missing and path_exists(ps[0])]
    db = Photo._meta.database

    def apply() -> MissingReport:
        now = utcnow()
        marked = 0
        for pid in gone:
            current = _paths_of(pid)
            if current is not None and not current[0] and _all_gone(current[1]):
                Photo.update(missing_since=now, updated_at=now).where(Photo.id == pid).execute()
                marked += 1
        restored = 0
        for pid in back:
            photo = Photo.get_or_none(Photo.id == pid)
            if photo is not None and photo.missing_since is not None and _back_unchanged(photo):
                Photo.update(missing_since=None, updated_at=now).where(Photo.id == pid).execute()
                restored += 1
        return MissingReport(marked, restored)

    if not gone and not back:
        return MissingReport(0, 0)
    return tx.write(db, apply, gate=Gate.BULK)


def _folder_prefix(under: str | None) -> bytes | None:
    if under is None:
        return None
    folder = os.path.abspath(os.path.expanduser(under)).rstrip(os.sep)
    return encode_path(folder + os.sep)


def _paths_by_photo(prefix: bytes | None) -> dict[int, tuple[bool, list[bytes]]]:
    """Live photos (with a path under `prefix`) → (missing?, [primary, *extras])."""
    query = Photo.select(Photo.id, Photo.path, Photo.missing_since).where(
        Photo.deleted_at.is_null()
    )
    extras: dict[int, list[bytes]] = defaultdict(list)
    for pid, path in PhotoPath.select(PhotoPath.photo, PhotoPath.path).tuples():
        extras[int(pid)].append(bytes(path))
    out: dict[int, tuple[bool, list[bytes]]] = {}
    for pid, path, missing_since in query.tuples():
        ps = [bytes(path), *extras.get(int(pid), [])]
        if prefix is not None and not any(_under(p, prefix) for p in ps):
            continue
        out[int(pid)] = (missing_since is not None, ps)
    return out


def _under(path_b: bytes, prefix: bytes) -> bool:
    return path_b[: len(prefix)] == prefix


def _paths_of(photo_id: int) -> tuple[bool, list[bytes]] | None:
    row = (
        Photo.select(Photo.path, Photo.missing_since)
        .where(Photo.id == photo_id, Photo.deleted_at.is_null())
        .tuples()
        .first()
    )
    if row is None:
        return None
    extras = PhotoPath.select(PhotoPath.path).where(PhotoPath.photo == photo_id).tuples()
    return row[1] is not None, [bytes(row[0]), *(bytes(p) for (p,) in extras)]


def _all_gone(paths: list[bytes]) -> bool:
    return not any(path_exists(p) for p in paths)


def _back_unchanged(photo: Photo) -> bool:
    """The photo's recorded file is there again with its recorded size and mtime."""
    raw = bytes(photo.path)
    if is_tombstone(raw) or photo.size is None:
        return False
    try:
        st = os.stat(decode_path(raw))
    except (OSError, ValueError):
        return False
    return bool(st.st_size == photo.size and st.st_mtime_ns == photo.mtime_ns)


__all__ = [
    "MissingReport",
    "count_missing",
    "is_tombstone",
    "last_known_path",
    "mark_missing",
    "path_exists",
    "refresh_missing",
    "tombstone",
]
