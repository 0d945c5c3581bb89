"""The backup before a migration, copied in steps that report progress.

`db.backup_catalog` copies `BACKUP_STEP_PAGES` pages at a time through
SQLite's backup API (1 GB takes seconds), telling each step to a plain
callback as an `UpgradeProgress`.

Invariants: no Qt (the callback runs on the opening thread and may raise to
abort); the catalog is only read; a failed copy leaves no file and raises
what SQLite or the disk raised.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from curator.catalog.backends.copy import whole_percent

# 1024 pages of 4 KiB: 4 MiB a step, ~250 steps a GB. A step holds the
# source's read lock only while it copies, and the callback sees each.
BACKUP_STEP_PAGES = 1024


class UpgradeStep(StrEnum):
    BACKUP = "backup"  # the copy before the migrations
    MIGRATE = "migrate"  # the migrations themselves (one transaction each)


@dataclass(frozen=True)
class UpgradeProgress:
    """Where an upgrade stands: `done` of `total` (pages of the backup, or
    migrations applied); `size` is the catalog file's size in bytes."""

    step: UpgradeStep
    done: int
    total: int
    size: int

    @property
    def percent(self) -> int:
        """Whole percent done (0 for an empty total), never 100 before the end."""
        return whole_percent(self.done, self.total)


ProgressSink = Callable[[UpgradeProgress], None]


def copy_in_steps(
    source: sqlite3.Connection,
    target: Path,
    *,
    size: int,
    progress: ProgressSink | None = None,
    pages: int = 0,
) -> None:
    """Copy the open catalog `source` to the new file `target` through SQLite's
    backup API, `pages` (default `BACKUP_STEP_PAGES`) at a time, telling
    `progress` after each step. On any failure the partial `target` is
    removed and the error raised."""
    step_pages = pages or BACKUP_STEP_PAGES

    def stepped(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(UpgradeProgress(UpgradeStep.BACKUP, total - remaining, total, size))

    if progress is not None:
        progress(UpgradeProgress(UpgradeStep.BACKUP, 0, 0, size))
    dest = sqlite3.connect(str(target))
    try:
        try:
            source.backup(dest, pages=step_pages, progress=stepped)
        finally:
            dest.close()
    except BaseException:
        with contextlib.suppress(OSError):
            target.unlink()
        raise
