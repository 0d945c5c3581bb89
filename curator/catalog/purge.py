"""Purging rejected photos: the catalog's two steps (plan, apply) of plan → run → apply.

- `plan_purge()` (read-only): every rejected live photo with its paths on
  disk, sizes and total; a photo with no file on disk is left out.
- run: `curator.purge.trash.move_to_trash`.
- `apply_purge(plan, trashed)` (one transaction): a photo all of whose files
  went to the trash becomes a *tombstone*: `deleted_at` set, each path
  rewritten to `deleted_path(path, id)`.

A photo's id is journalled (fsynced) before its first file goes to the trash;
`finish_interrupted()` tombstones the journalled photos with no file left.

Invariants: no row deleted, no Decision written; a tombstone keeps its
`content_hash`, so the same bytes never come back
(`ApplyKind.SKIPPED_DELETED`); a deleted path is `last path + NUL +
"deleted:<id>"`, never a real file (`catalog.missing.last_known_path` strips
it); every live query filters `deleted_at IS NULL`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from curator.catalog import tx
from curator.catalog.missing import last_known_path, path_exists
from curator.catalog.models import Photo, PhotoPath, utcnow
from curator.catalog.paths_codec import decode_path, encode_path, link_pairs
from curator.catalog.types import CullState

_DELETED = b"\x00deleted:"


def deleted_path(path_b: bytes | memoryview, photo_id: int) -> bytes:
    """The stored path of a deleted photo's (former) file."""
    return last_known_path(path_b) + _DELETED + str(int(photo_id)).encode()


@dataclass(frozen=True)
class PurgeFile:
    """One file of a rejected photo, to go to the trash."""

    photo_id: int
    path: str
    size: int


@dataclass(frozen=True)
class PurgePhoto:
    photo_id: int
    files: tuple[PurgeFile, ...]  # on disk at plan time (primary first)


@dataclass(frozen=True)
class PurgePlan:
    photos: tuple[PurgePhoto, ...]
    skipped_missing: int = 0  # catalogued paths of rejected photos not on disk

    @property
    def files(self) -> list[PurgeFile]:
        return [f for p in self.photos for f in p.files]

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


@dataclass(frozen=True)
class PurgeApplied:
    deleted: tuple[int, ...]  # photos now tombstones
    kept: tuple[int, ...]  # planned photos with a file still on disk (not tombstoned)


def plan_purge(*, finish: bool = True) -> PurgePlan:
    """The rejected, live photos and their files on disk (see the module
    docstring), an interrupted purge finished first unless not `finish`."""
    if finish:
        finish_interrupted()
    rows = (
        Photo.select(Photo.id, Photo.path)
        .where(Photo.cull == CullState.REJECTED.value, Photo.deleted_at.is_null())
        .order_by(Photo.id)
        .tuples()
    )
    primary = {int(pid): bytes(path) for pid, path in rows}
    extras: dict[int, list[bytes]] = {}
    if primary:
        query = (
            PhotoPath.select(PhotoPath.photo, PhotoPath.path)
            .join(Photo)
            .where(Photo.cull == CullState.REJECTED.value, Photo.deleted_at.is_null())
            .order_by(PhotoPath.id)
            .tuples()
        )
        for pid, path in query:
            extras.setdefault(int(pid), []).append(bytes(path))
    photos: list[PurgePhoto] = []
    skipped = 0
    for pid, path in primary.items():
        files: list[PurgeFile] = []
        for raw in (path, *extras.get(pid, [])):
            size = _file_size(raw)
            if size is None:
                skipped += 1
            else:
                files.append(PurgeFile(pid, decode_path(raw), size))
        if files:
            photos.append(PurgePhoto(pid, tuple(files)))
    return PurgePlan(tuple(photos), skipped)


def _file_size(raw: bytes) -> int | None:
    """The size of the regular file (or link) a stored path names; None when
    it is not on disk (or a tombstone)."""
    if not path_exists(raw) or b"\x00" in raw:
        return None
    try:
        return os.lstat(decode_path(raw)).st_size
    except (OSError, ValueError):
        return None


def apply_purge(plan: PurgePlan, trashed: Iterable[str]) -> PurgeApplied:
    """Tombstone the planned photos whose every file is in `trashed` (the
    paths the trash took) and none of whose paths is on disk now."""
    gone = {encode_path(p) for p in trashed}
    candidates = [p for p in plan.photos if all(encode_path(f.path) in gone for f in p.files)]
    partly = [p.photo_id for p in plan.photos if p not in candidates]
    db = Photo._meta.database

    def apply() -> PurgeApplied:
        now = utcnow()
        deleted: list[int] = []
        kept = list(partly)
        for item in candidates:
            photo = Photo.get_or_none(Photo.id == item.photo_id)
            if photo is None or photo.deleted_at is not None:
                continue
            extras = list(PhotoPath.select().where(PhotoPath.photo == photo.id))
            if any(path_exists(p) for p in (photo.path, *(e.path for e in extras))):
                kept.append(item.photo_id)  # a copy is still on disk: not deleted
                continue
            for extra in extras:
                extra.path = deleted_path(extra.path, photo.id)
                extra.save()
            photo.path = deleted_path(photo.path, photo.id)
            photo.deleted_at = now
            photo.updated_at = now
            photo.save()
            deleted.append(item.photo_id)
        link_pairs(deleted)  # a purged RAW's JPEG is a photo of its own again
        return PurgeApplied(tuple(deleted), tuple(kept))

    if not candidates:
        return PurgeApplied((), tuple(partly))
    return tx.write(db, apply)


JOURNAL_SUFFIX = ".purge-journal"


def _journal_path() -> Path | None:
    """`<catalog>.purge-journal`, or None for an in-memory catalog."""
    name = str(Photo._meta.database.database)
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name).with_name(Path(name).name + JOURNAL_SUFFIX)


class PurgeJournal:
    """The photos a running purge is moving, one id per line, fsynced."""

    def __init__(self, path: Path | None):
        self.path = path
        self._file = None if path is None else open(path, "a", encoding="ascii")  # noqa: SIM115

    def add(self, photo_id: int) -> None:
        if self._file is not None:
            self._file.write(f"{int(photo_id)}\n")
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


@contextlib.contextmanager
def purge_journal() -> Iterator[PurgeJournal]:
    """The journal of one purge run; removed when the run ends (killed: kept)."""
    journal = PurgeJournal(_journal_path())
    try:
        yield journal
    finally:
        journal.close()
        if journal.path is not None:
            with contextlib.suppress(FileNotFoundError):
                journal.path.unlink()


def journal_photos() -> set[int]:
    """The photo ids in an interrupted purge's journal (none when there is none)."""
    path = _journal_path()
    try:
        text = path.read_text(encoding="ascii", errors="replace") if path else ""
    except FileNotFoundError:
        return set()
    return {int(line) for line in text.split() if line.isdigit()}


def finish_interrupted() -> tuple[int, ...]:
    """Tombstone the photos an interrupted purge already moved (see the module
    docstring); the journal is removed. Returns the photos tombstoned now."""
    ids = journal_photos()
    if not ids:
        return ()
    rows = (
        Photo.select(Photo.id, Photo.path)
        .where(
            Photo.id.in_(sorted(ids)),
            Photo.cull == CullState.REJECTED.value,
            Photo.deleted_at.is_null(),
        )
        .tuples()
    )
    photos = tuple(
        PurgePhoto(int(pid), (PurgeFile(int(pid), decode_path(path), 0),)) for pid, path in rows
    )
    # apply_purge tombstones only photos none of whose paths is on disk now.
    applied = apply_purge(PurgePlan(photos), [f.path for p in photos for f in p.files])
    path = _journal_path()
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return applied.deleted


__all__ = [
    "PurgeApplied",
    "PurgeFile",
    "PurgeJournal",
    "PurgePhoto",
    "PurgePlan",
    "apply_purge",
    "deleted_path",
    "finish_interrupted",
    "journal_photos",
    "plan_purge",
    "purge_journal",
]
