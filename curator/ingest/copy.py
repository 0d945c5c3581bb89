"""One card file into one or two destinations: streamed, hashed while read,
synced, read back and checked — the copy a final name may be given.

`copy_verified(file, folders, …)` reads the card file once, in chunks: each
chunk is hashed (blake3, the catalog's content hash) and written to a
temporary file in every destination folder (`.curator-tmp-<pid>-…`, hidden,
created exclusively: `export.files.temp_path`). Then, per destination: the
card's times are set on the copy, it is synced (`fsync`), its pages are
dropped from the OS cache (`posix_fadvise DONTNEED`: the read-back comes
from the disk, not from the memory that was just written) and it is read
back and hashed; only a copy whose hash is the card's is returned (a
verified temporary file, for `run.py` to name). Nothing here gives a final
name: a copy that fails is only ever a temporary name, removed.

Retries (once): a copy that does not verify is written again from the card,
for that destination only; a card file that changed while it was read (its
size or modification time moved, or it did not give the bytes it said it
had) or gave an I/O error is read once more. A second failure is the file's
sentence. A file that vanished, may not be read or is not a regular file is
not retried.

A destination that can't be written (full, read-only, gone) is reported as
its OSError in `dest_errors` — the run decides what that means — and the
other destinations go on. `cancel` is checked between chunks; whatever was
written is removed before `Cancelled` propagates.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import blake3

from curator.export.files import temp_path
from curator.imaging.regular import NotRegularFileError, open_regular
from curator.ingest.source import CardFile

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
    temps: dict[int, Path] = field(default_factory=dict)  # destination → verified copy
    dest_errors: dict[int, OSError] = field(default_factory=dict)  # can't be written
    unverified: set[int] = field(default_factory=set)  # did not verify, twice
    source_error: SourceError | None = None

    def discard(self, destinations: set[int] | None = None) -> None:
        """Remove the temporary copies (of `destinations`, or all)."""
        for d in list(self.temps):
            if destinations is None or d in destinations:
                with contextlib.suppress(OSError):
                    self.temps.pop(d).unlink()


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
    outcome = CopyOutcome()
    try:
        _attempts(file, dict(folders), outcome, cancel, on_bytes)
    except BaseException:  # Cancelled, or worse: no copy of this file stays behind
        outcome.discard()
        raise
    return outcome


def _attempts(
    file: CardFile,
    pending: dict[int, Path],
    outcome: CopyOutcome,
    cancel: threading.Event | None,
    on_bytes: BytesFn,
) -> None:
    for attempt in (1, 2):
        try:
            content_hash, temps = _copy_once(file, pending, outcome, cancel, on_bytes)
        except _SourceFailed as failed:
            if attempt == 1 and failed.error.retry:
                continue
            outcome.source_error = failed.error
            break
        if outcome.content_hash and content_hash != outcome.content_hash:
            for tmp in temps.values():  # the card file is not what it was a moment ago
                _unlink(tmp)
            outcome.source_error = CHANGED
            break
        outcome.content_hash = content_hash
        again: dict[int, Path] = {}
        for d, tmp in temps.items():
            if verify(tmp, content_hash):
                outcome.temps[d] = tmp
            else:
                _unlink(tmp)
                again[d] = pending[d]
        pending = again
        if not pending:
            break
    if outcome.source_error is None:
        outcome.unverified = set(pending)
    else:
        outcome.discard()


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
    """One read of the card file into temporary copies (synced, not yet verified)."""
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
                os.fsync(out.fileno())
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
