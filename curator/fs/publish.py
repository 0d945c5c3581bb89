"""A file written under a temporary name, then published under its final
name without ever replacing a file there: export and the card ingest both use it.

- `temp_path(folder, name)`: `.curator-tmp-<pid>-<random>-<name>`, hidden;
- `publish(tmp, final)`: `os.link` (fails if the name was taken), else
  `os.replace` after a last check (FAT, exFAT, some shares);
- `replace_atomically(path, data)`: for files that may be replaced;
- `remove_stale_temps(folder)`: what a killed writer left.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path

TMP_PREFIX = ".curator-tmp-"


class DestinationError(Exception):
    """The destination itself cannot be written (full, read-only): stop the run."""


def remove_stale_temps(folder: Path) -> None:
    """Remove temporary files a killed export left in `folder` (their process is gone)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not name.startswith(TMP_PREFIX):
            continue
        pid_text = name[len(TMP_PREFIX) :].split("-", 1)[0]
        if pid_text.isdigit() and _alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            (folder / name).unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # ours from an earlier run in this process: none can be running
    if os.name != "posix":
        return False  # an open file can't be removed on Windows anyway
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def temp_path(folder: Path, name: str) -> Path:
    return folder / f"{TMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-{name}"


def destination_error(exc: OSError, folder: Path) -> Exception:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DestinationError(f"The destination disk is full ({folder}); nothing more fits.")
    if exc.errno == errno.EROFS:
        return DestinationError(f"The destination {folder} is on a read-only disk.")
    if isinstance(exc, PermissionError):
        return DestinationError(f"Curator may not write into {folder} (permission denied).")
    return DestinationError(f"Writing into {folder} failed ({exc.strerror or exc}).")


def replace_atomically(path: Path, data: bytes, mode: int | None = None) -> None:
    """`data` as the file `path`, all or nothing: written under a temporary name
    in the same folder, fsynced (`mode`: its permission bits), then renamed over
    `path`. Raises `OSError` (read-only folder, full disk) with nothing left behind."""
    tmp = temp_path(path.parent, path.name)
    try:
        with open(tmp, "xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def publish(tmp: Path, final: Path) -> bool:
    """Give `tmp` the name `final` without ever replacing a file there."""
    try:
        os.link(tmp, final)
        return True
    except FileExistsError:
        return False
    except OSError:
        pass  # no hard links on this file system: check, then rename
    if final.exists():
        return False
    try:
        os.replace(tmp, final)
    except OSError as exc:
        raise destination_error(exc, final.parent) from exc
    return True
