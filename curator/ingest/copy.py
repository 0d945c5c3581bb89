"""One card file into one or two destinations: streamed, hashed while read,
synced, read back and checked — the copy a final name may be given.

- `write_copies(file, folders, …)` reads the card file once, in chunks, each
  hashed (blake3) and written to a hidden temporary file in every destination
  (`fs.publish.temp_path`), keeping the card's times. A file that changed
  while read or gave an I/O error is read once more; one that vanished or is
  not a regular file is not retried.
- `settle(file, outcome, …)`, per destination on the executor: `fsync`, drop
  the pages (`posix_fadvise DONTNEED`: the read-back comes from the disk), read
  back; only a copy with the card's hash stays in `outcome.temps`; a mismatch
  is written again once, then refused (`unverified`).
`copy_verified` is the two in a row.

Nothing here gives a final name: a failed copy is a temporary name, removed. A
destination that cannot be written is its OSError in `dest_errors`; the others
go on. `cancel` is checked between chunks; what was written is removed before
`Cancelled` propagates.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import blake3

from curator.fs.publish import temp_path
from curator.imaging.regular import NotRegularFileError, open_regular
from curator.ingest.source import CardFile
from curator.ingest.types import FileFailure

CHUNK = 8 * 1024 * 1024
HEAD_BYTES = 1024 * 1024  # where names are read first (EXIF sits at most files' head)
GONE_ERRNOS = frozenset(
    code
    for code in (
        errno.ENOENT,
        errno.ENODEV,
        errno.ENXIO,
        errno.EIO,
        getattr(errno, "ENOMEDIUM", None),
    )
    if code is not None
)

BytesFn = Callable[[int], None]  # called with the bytes just read from the card


class Cancelled(Exception):
    pass


@dataclass(frozen=True)
class SourceError:
    """Why a card file could not be copied at all; `retry`: worth one more read."""

    sentence: str
    errno: int | None = None
    retry: bool = False


@dataclass
class CopyOutcome:
    content_hash: str = ""
    temps: dict[int, Path] = field(default_factory=dict)  # destination → copy (verified, settled)
    folders: dict[int, Path] = field(default_factory=dict)  # where each was asked for
    dest_errors: dict[int, OSError] = field(default_factory=dict)  # can't be written
    unverified: set[int] = field(default_factory=set)  # did not verify, twice
    source_error: SourceError | None = None

    def discard(self, destinations: set[int] | None = None) -> None:
        """Remove the temporary copies (of `destinations`, or all)."""
        for d in list(self.temps):
            if destinations is None or d in destinations:
                _unlink(self.temps.pop(d))


def source_failure(rel: str, error: SourceError) -> FileFailure:
    """The result's line for a card file that could not be read."""
    return FileFailure(rel, error.sentence, errno=error.errno)


def read_sentence(exc: OSError) -> SourceError:
    """The sentence for a card file that could not be read."""
    if isinstance(exc, NotRegularFileError):
        return SourceError(exc.sentence, exc.errno)
    if isinstance(exc, FileNotFoundError):
        return SourceError("The file vanished from the card while Curator copied it.", errno.ENOENT)
    if isinstance(exc, PermissionError):
        return SourceError("Curator may not read this file on the card (permission denied).")
    reason = (exc.strerror or str(exc)).rstrip(".")
    return SourceError(
        f"The card could not be read here ({reason}): it may be damaged, or it was pulled out.",
        exc.errno,
        retry=True,
    )


CHANGED = SourceError(
    "The file changed while Curator copied it (the camera or another program is writing "
    "it), so it was not copied; ingest again once it is finished.",
    retry=True,
)


def copy_verified(
    file: CardFile,
    folders: dict[int, Path],
    *,
    cancel: threading.Event | None = None,
    on_bytes: BytesFn = lambda _n: None,
) -> CopyOutcome:
    """Verified temporary copies of `file` in `folders` (see the module docstring)."""
    outcome = write_copies(file, folders, cancel=cancel, on_bytes=on_bytes)
    if outcome.source_error is None:
        settle(file, outcome, cancel=cancel)
    return outcome


def write_copies(
    file: CardFile,
    folders: dict[int, Path],
    *,
    cancel: threading.Event | None = None,
    on_bytes: BytesFn = lambda _n: None,
) -> CopyOutcome:
    """Step one: the temporary copies, written from one read (not yet verified)."""
    outcome = CopyOutcome(folders=dict(folders))
    try:
        for attempt in (1, 2):
            try:
                outcome.content_hash, outcome.temps = _copy_once(
                    file, outcome.folders, outcome, cancel, on_bytes
                )
                return outcome
            except _SourceFailed as failed:
                if attempt == 2 or not failed.error.retry:
                    outcome.source_error = failed.error
                    break
    except BaseException:  # Cancelled, or worse: no copy of this file stays behind
        outcome.discard()
        raise
    return outcome


def settle(
    file: CardFile,
    outcome: CopyOutcome,
    *,
    cancel: threading.Event | None = None,
    executor: Executor | None = None,
) -> None:
    """Step two for one file (see `settle_many`)."""
    settle_many([(file, outcome)], cancel=cancel, executor=executor)


def settle_many(
    items: list[tuple[CardFile, CopyOutcome]],
    *,
    cancel: threading.Event | None = None,
    executor: Executor | None = None,
) -> None:
    """Step two for several files: every copy synced and read back, side by side
    on `executor` (one after the other without) — syncs issued together cost
    the disk one flush, not one each; a copy that fails is written again from
    the card once, then refused (`unverified`)."""
    try:
        checks = _check_all(
            [(tmp, o.content_hash) for _f, o in items for tmp in o.temps.values()], executor
        )
        at = 0
        for file, outcome in items:
            again: dict[int, Path] = {}
            for d in list(outcome.temps):
                check, at = checks[at], at + 1
                if check is True:
                    continue
                _unlink(outcome.temps.pop(d))
                if isinstance(check, OSError):
                    outcome.dest_errors[d] = check  # the sync failed: the disk, not the copy
                else:
                    again[d] = outcome.folders[d]
            if again:
                _copy_again(file, outcome, again, cancel, executor)
    except BaseException:
        for _file, outcome in items:
            outcome.discard()
        raise


def _check_all(copies: list[tuple[Path, str]], executor: Executor | None) -> list[bool | OSError]:
    if executor is None:
        return [_check(tmp, digest) for tmp, digest in copies]
    jobs = [executor.submit(_check, tmp, digest) for tmp, digest in copies]
    return [job.result() for job in jobs]


def _copy_again(
    file: CardFile,
    outcome: CopyOutcome,
    again: dict[int, Path],
    cancel: threading.Event | None,
    executor: Executor | None,
) -> None:
    """The second try for the copies in `again` that did not verify."""
    try:
        content_hash, rewritten = _copy_once(file, again, outcome, cancel, lambda _n: None)
    except _SourceFailed as failed:
        outcome.source_error = failed.error
        outcome.discard()
        return
    if content_hash != outcome.content_hash:  # the card file is not what it was
        for tmp in rewritten.values():
            _unlink(tmp)
        outcome.source_error = CHANGED
        outcome.discard()
        return
    checks = _check_all([(tmp, content_hash) for tmp in rewritten.values()], executor)
    for (d, tmp), check in zip(rewritten.items(), checks, strict=True):
        if check is True:
            outcome.temps[d] = tmp
            continue
        _unlink(tmp)
        if isinstance(check, OSError):
            outcome.dest_errors[d] = check
        else:
            outcome.unverified.add(d)


class _SourceFailed(Exception):
    def __init__(self, error: SourceError):
        self.error = error


def _copy_once(
    file: CardFile,
    folders: dict[int, Path],
    outcome: CopyOutcome,
    cancel: threading.Event | None,
    on_bytes: BytesFn,
) -> tuple[str, dict[int, Path]]:
    """One read of the card file into temporary copies (written, not yet synced)."""
    try:
        src = open_regular(file.path)  # never a FIFO or a device (a hang, or endless bytes)
    except OSError as exc:
        raise _SourceFailed(read_sentence(exc)) from exc
    outs: dict[int, tuple[Path, BinaryIO]] = {}
    try:
        with src:
            before = os.fstat(src.fileno())
            for d, folder in folders.items():
                tmp = temp_path(folder, file.name)
                try:
                    outs[d] = (tmp, open(tmp, "xb"))  # noqa: SIM115 (closed below)
                except OSError as exc:
                    outcome.dest_errors[d] = exc
            hasher = blake3.blake3(max_threads=1)
            read = 0
            while True:
                if cancel is not None and cancel.is_set():
                    raise Cancelled
                try:
                    chunk = src.read(CHUNK)
                except OSError as exc:
                    raise _SourceFailed(read_sentence(exc)) from exc
                if not chunk:
                    break
                hasher.update(chunk)
                read += len(chunk)
                if read > before.st_size:  # still growing: a camera or a program writes it
                    raise _SourceFailed(CHANGED)
                for d, (tmp, out) in list(outs.items()):
                    try:
                        out.write(chunk)
                        _start_writeback(out, read - len(chunk), len(chunk))
                    except OSError as exc:
                        outcome.dest_errors[d] = exc
                        _close(out, tmp)
                        del outs[d]
                on_bytes(len(chunk))
            after = os.fstat(src.fileno())
        if read != before.st_size or (after.st_size, after.st_mtime_ns) != (
            before.st_size,
            before.st_mtime_ns,
        ):
            raise _SourceFailed(CHANGED)
        written: dict[int, Path] = {}
        for d, (tmp, out) in list(outs.items()):
            try:
                out.flush()
                os.utime(out.fileno(), ns=(before.st_atime_ns, before.st_mtime_ns))
                out.close()
            except OSError as exc:
                outcome.dest_errors[d] = exc
                _close(out, tmp)
            else:
                written[d] = tmp
            del outs[d]
        return hasher.hexdigest(), written
    finally:
        for tmp, out in outs.values():  # an exception on the way: nothing half-written stays
            _close(out, tmp)


def _start_writeback(out: BinaryIO, offset: int, length: int) -> None:
    """Ask the OS to start writing this chunk to the disk now (Linux), so the
    disk works while the next chunks are read and the sync waits only for the
    tail; elsewhere the sync does it all."""
    if _SYNC_RANGE is not None:
        out.flush()
        _SYNC_RANGE(out.fileno(), offset, length, _SYNC_RANGE_WRITE)


_SYNC_RANGE: Callable[[int, int, int, int], None] | None = getattr(os, "sync_file_range", None)
_SYNC_RANGE_WRITE: int = getattr(os, "SYNC_FILE_RANGE_WRITE", 0)


def _check(path: Path, content_hash: str) -> bool | OSError:
    """Sync `path`, then `verify` it: True, False (not the card's bytes), or the
    OSError of a sync that failed (the destination's fault)."""
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        try:
            os.fsync(fd)
        except OSError as exc:
            return exc
    finally:
        os.close(fd)
    return verify(path, content_hash)


def verify(path: Path, content_hash: str) -> bool:
    """Read `path` back from the disk (its cached pages dropped first) and compare
    its blake3 with `content_hash`. An error reading it back is a failed check."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        if hasattr(os, "posix_fadvise"):
            with contextlib.suppress(OSError):
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        hasher = blake3.blake3(max_threads=1)
        while chunk := os.read(fd, CHUNK):
            hasher.update(chunk)
        return bool(hasher.hexdigest() == content_hash)
    except OSError:
        return False
    finally:
        os.close(fd)


def _close(out: BinaryIO, tmp: Path) -> None:
    with contextlib.suppress(OSError):
        out.close()
    _unlink(tmp)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
