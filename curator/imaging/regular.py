"""Opening the user's files without hanging on what only looks like a file.

`open_regular` and `read_regular` are the one way to read a file Curator did
not write: opened with ``O_NONBLOCK`` (a FIFO opens at once), checked with
``fstat`` on the descriptor (`NotRegularFileError`), ``O_NONBLOCK`` cleared
before reading, at most ``limit`` bytes (`FileTooLargeError`).

Invariants: read-only, close-on-exec; symlinks followed, but what they reach
must be regular.
"""

from __future__ import annotations

import errno
import io
import os
import stat

_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


class NotRegularFileError(OSError):
    """The path names a FIFO, device, socket or folder, not a regular file."""

    def __init__(self, path: str | os.PathLike[str], mode: int):
        self.sentence = not_regular_sentence(mode)
        super().__init__(errno.EINVAL, f"it is {_kind(mode)}", os.fspath(path))
        self.mode = mode


class FileTooLargeError(OSError):
    """The file is larger than the caller's limit; nothing past it was read."""

    def __init__(self, path: str | os.PathLike[str], limit: int):
        self.limit = limit
        super().__init__(errno.EFBIG, f"larger than {limit:,} bytes", os.fspath(path))


def not_regular_sentence(mode: int) -> str:
    """What kind of non-file `mode` is, as the sentence shown to the user."""
    if stat.S_ISDIR(mode):
        return "This is a folder, not a picture file."
    return f"This is {_kind(mode)}, so Curator skipped it without reading it."


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    return "not a regular file"


def open_regular(path: str | os.PathLike[str]) -> io.FileIO:
    """`path` opened for binary reading (unbuffered), only if it is a regular file.

    Raises `NotRegularFileError` for anything else, or the OSError of the open.
    """
    fd = os.open(path, _FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(path, info.st_mode)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=0)
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """The bytes of regular file `path`, at most `limit` of them.

    Raises `NotRegularFileError`, `FileTooLargeError` (more than `limit` bytes)
    or the OSError of the open/read.
    """
    with open_regular(path) as handle:
        if limit is None:
            return handle.readall()
        chunks, got = [], 0
        while got <= limit:  # a read may return less than asked (shares, signals)
            chunk = handle.read(limit + 1 - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        data = b"".join(chunks)
    if len(data) > limit:
        raise FileTooLargeError(path, limit)
    return data
