"""Moving files to the operating system's trash: the purge's run step.

`move_to_trash(files)` hands each path to `send2trash`, so the user can put it
back. Nothing is unlinked or rewritten; a file the trash cannot take is
reported with a sentence and left as it was; every outcome is returned in
order. No catalog, no Qt.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import send2trash


@dataclass(frozen=True)
class TrashOutcome:
    path: str
    size: int
    trashed: bool
    reason: str | None = None  # why it stayed, one sentence; None when trashed


ProgressFn = Callable[[int, int], None]  # (files done, files in all)


def move_to_trash(
    files: Sequence[tuple[str, int]],
    progress: ProgressFn | None = None,
    *,
    should_stop: Callable[[], bool] | None = None,
) -> list[TrashOutcome]:
    """Send each (path, size) to the OS trash; one outcome per file tried
    (`should_stop` is asked before each file: then the rest get none)."""
    outcomes: list[TrashOutcome] = []
    for done, (path, size) in enumerate(files, start=1):
        if should_stop is not None and should_stop():
            break
        try:
            send2trash.send2trash(path)
        except OSError as exc:
            outcomes.append(TrashOutcome(path, size, False, failure_sentence(path, exc)))
        else:
            outcomes.append(TrashOutcome(path, size, True))
        if progress is not None:
            progress(done, len(files))
    return outcomes


def failure_sentence(path: str, exc: OSError) -> str:
    """Why `path` could not go to the trash, in one sentence that says it stayed."""
    if isinstance(exc, send2trash.TrashPermissionError):
        why = "there is no trash folder Curator may use on that disk"
    elif exc.errno == errno.ENOENT:
        why = "the file is no longer there"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        why = "permission was denied (the file or its folder is read-only)"
    elif exc.errno == errno.EROFS:
        why = "the disk is read-only"
    elif exc.errno == errno.ENOTDIR:
        why = "the trash folder is not usable (a file stands where a folder should be)"
    elif exc.strerror:
        why = exc.strerror.lower()
    else:
        why = "the trash could not take it (no trash folder on that disk?)"
    return f"{path} could not be moved to the trash: {why}; it was left where it is."


__all__ = ["ProgressFn", "TrashOutcome", "failure_sentence", "move_to_trash"]
