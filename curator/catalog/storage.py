"""Storage faults: a full disk, a read-only file or volume, a folder Curator can't write.

`storage_problem` tells from any exception raised while writing whether the
storage is the cause, as a `StorageError` whose `str()` says what to do
(used by `Catalog.open`, `curator.cli.main` for exit code 3, and the write path).

Invariants: `storage_problem` never raises and returns None for anything not
plainly a storage fault; a `StorageError` is `environmental`, its `kind`
`DISK_FULL`, `READ_ONLY` or `CANNOT_CREATE`; EFBIG reads as a full disk.
"""

from __future__ import annotations

import errno
import os
import sqlite3

from curator.catalog.errors import CatalogError

DISK_FULL = "disk_full"
READ_ONLY = "read_only"
CANNOT_CREATE = "cannot_create"

_FULL_ERRNOS = frozenset(
    code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None), errno.EFBIG) if code
)
_DENIED_ERRNOS = frozenset((errno.EACCES, errno.EPERM))

# SQLite primary result codes (the low byte of the extended code).
_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_FULL, _SQLITE_CANTOPEN = 3, 8, 13, 14
_SQLITE_READONLY_DIRECTORY = _SQLITE_READONLY | (6 << 8)
# SQLITE_IOERR_WRITE, _FSYNC, _TRUNCATE, _SHMSIZE: "disk I/O error" while writing;
# and plain SQLITE_IOERR, which an INSERT inside a large bulk transaction (the
# quick look's) gets when a file-size limit is hit. Each is taken for a full
# disk only when there is no room (_no_room_for).
_SQLITE_IOERR_WRITING = frozenset(10 | (n << 8) for n in (0, 3, 4, 6, 19))
# Below this much free space a failed write is taken for a full disk.
_NEARLY_FULL_BYTES = 8 * 1024 * 1024


class StorageError(CatalogError):
    """A write failed because of the storage; `str(err)` is the sentence to show."""

    environmental = True

    def __init__(self, message: str, *, kind: str, path: str):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.path = path

    def __reduce__(self) -> tuple[object, ...]:  # picklable across processes
        return (_rebuild, (self.message, self.kind, self.path))


def _rebuild(message: str, kind: str, path: str) -> StorageError:
    return StorageError(message, kind=kind, path=path)


def storage_problem(exc: BaseException, *, what: str) -> StorageError | None:
    """The `StorageError` that `exc` (or what it wraps) amounts to, or None when
    it is no storage fault; `what`, the file or folder being written, is named
    in the sentence and locates the volume for "free space on …"."""
    if isinstance(exc, StorageError):
        return exc
    for cause in _causes(exc):
        if isinstance(cause, OSError) and cause.errno is not None:
            found = _from_errno(cause.errno, what)
        elif isinstance(cause, sqlite3.Error):
            found = _from_sqlite(cause, what)
        else:
            found = None
        if found is not None:
            return found
    return None


def catalog_file_of(database: object) -> str | None:
    """The file a peewee database writes, to name as `what`; None for an
    in-memory or URI database (then callers say "the catalog")."""
    name = getattr(database, "database", None)
    if not isinstance(name, str) or not name or name == ":memory:" or name.startswith("file:"):
        return None
    return os.path.abspath(name)


# How every full-disk sentence starts (the technical stage stops a run on it).
DISK_FULL_SENTENCE_START = "The disk is full:"


def disk_full_error(what: str, *, quota: bool = False) -> StorageError:
    volume = volume_of(what)
    room = f"your disk quota on {volume} is used up" if quota else f"{volume} has no space left"
    return StorageError(
        f"{DISK_FULL_SENTENCE_START} Curator could not save {what} ({room}). Free some space on "
        f"{volume} and run it again — nothing was half-written, and the next run carries "
        "on where this one stopped.",
        kind=DISK_FULL,
        path=what,
    )


def read_only_error(what: str, *, volume_read_only: bool = False) -> StorageError:
    if volume_read_only:
        why = f"the disk {volume_of(what)} is mounted read-only"
    else:
        why = "it is read-only for you (permission denied)"
    return StorageError(
        f"Curator cannot save into {what}: {why}. Make it writable, or pick another "
        "catalog with --catalog, and run it again.",
        kind=READ_ONLY,
        path=what,
    )


def cannot_create_error(what: str, folder: str | None = None) -> StorageError:
    folder = folder or os.path.dirname(os.path.abspath(what))
    return StorageError(
        f"Curator cannot create {what}: the folder {folder} is not writable (or does not "
        "exist and can't be made). Make the folder writable, set CURATOR_HOME to a folder "
        "you can write, or pick another catalog file with --catalog.",
        kind=CANNOT_CREATE,
        path=what,
    )


def volume_of(path: str) -> str:
    """The mount point holding `path` (or its nearest existing parent), links
    followed: the disk to free space on."""
    current = os.path.realpath(path)
    while not os.path.exists(current) and os.path.dirname(current) != current:
        current = os.path.dirname(current)
    try:
        while not os.path.ismount(current):
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
    except OSError:
        pass
    return current


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and what it wraps, outermost first, each once."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo and len(seen) < 16:
        item = todo.pop(0)
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        orig = getattr(item, "orig", None)  # peewee keeps the driver's exception here
        wrapped = [a for a in getattr(item, "args", ())[:1] if isinstance(a, BaseException)]
        if isinstance(orig, BaseException):
            wrapped.insert(0, orig)
        todo.extend([*wrapped, item.__cause__, item.__context__])
    return seen


def _from_errno(code: int, what: str) -> StorageError | None:
    if code in _FULL_ERRNOS:
        return disk_full_error(what, quota=code == getattr(errno, "EDQUOT", -1))
    if code == errno.EROFS:
        return read_only_error(what, volume_read_only=True)
    if code in _DENIED_ERRNOS:
        return read_only_error(what)
    return None


def _from_sqlite(exc: sqlite3.Error, what: str) -> StorageError | None:
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    if primary == _SQLITE_FULL or "database or disk is full" in text:
        return disk_full_error(what)
    if code == _SQLITE_READONLY_DIRECTORY:
        folder = os.path.dirname(os.path.abspath(what))
        return StorageError(
            f"Curator cannot save into {what}: its folder {folder} is read-only for you, and "
            "the catalog needs to keep its journal files beside it. Make the folder "
            "writable, or pick another catalog with --catalog, and run it again.",
            kind=READ_ONLY,
            path=what,
        )
    if primary == _SQLITE_READONLY or "readonly database" in text:
        return read_only_error(what, volume_read_only=on_read_only_volume(what))
    if code in _SQLITE_IOERR_WRITING and _no_room_for(what):
        # SQLite reports ENOSPC as SQLITE_FULL, but EFBIG (a file-size limit) and
        # a volume that filled up under a checkpoint as a plain "disk I/O error".
        return disk_full_error(what)
    if primary == _SQLITE_PERM:
        return read_only_error(what)
    if primary == _SQLITE_CANTOPEN or "unable to open database file" in text:
        if os.path.exists(what) and not os.access(what, os.W_OK):
            return read_only_error(what, volume_read_only=on_read_only_volume(what))
        return cannot_create_error(what)
    return None


def _no_room_for(path: str) -> bool:
    """True when the volume holding `path` is (nearly) full, or this process has a
    file-size limit (``ulimit -f``) that a growing file may have hit."""
    try:
        import resource

        soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        if soft != resource.RLIM_INFINITY:
            return True
    except (ImportError, OSError, ValueError):
        pass
    try:
        stats = os.statvfs(volume_of(path))
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < _NEARLY_FULL_BYTES


def on_read_only_volume(path: str) -> bool:
    try:
        return bool(os.statvfs(volume_of(path)).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False
