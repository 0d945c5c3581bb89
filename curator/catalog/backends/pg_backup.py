"""A PostgreSQL catalog's backup: copied into a SQLite file, with progress.

`catalog.backup.make_backup` calls `copy_postgres`: `backends.copy.copy_catalog`
into the SQLite file `target`, each page told to `progress` as a
`BackupProgress` (one to three minutes at 100,000 photos). The window runs it
in a child process (`pg_backup_child`), away from the UI thread's GIL.

Invariants: no Qt; `progress` may raise to stop: the copy rolls back and the
caller removes the partial file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from curator.catalog.backends.copy import CopyProgress


@dataclass(frozen=True)
class BackupProgress:
    """`done` of `total` rows (copied and verified); `size`: the catalog's bytes."""

    done: int
    total: int
    size: int

    @property
    def percent(self) -> int:
        """Whole percent done, 100 only at the end (`CopyProgress.percent`)."""
        return CopyProgress(self.done, self.total, "").percent


BackupProgressSink = Callable[[BackupProgress], None]


def copy_postgres(url: str, target: Path, progress: BackupProgressSink | None = None) -> int:
    """The PostgreSQL catalog at `url` copied into the SQLite file `target`,
    verified; its schema version."""
    from curator.catalog.backends.copy import copy_catalog
    from curator.catalog.db import Catalog

    with (
        Catalog.open(url, read_only_ok=True, bind=False) as source,
        Catalog.open(target, bind=False) as copy,
    ):
        sink = None
        if progress is not None:
            size = database_bytes(source.db)
            progress(BackupProgress(0, 0, size))

            def sink(step: CopyProgress) -> None:
                progress(BackupProgress(step.done, step.total, size))

        copy_catalog(source.db, copy.db, progress=sink)
    conn = sqlite3.connect(str(target))
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def database_bytes(db: object) -> int:
    """The catalog database's size on the server, in bytes (0 when unknown)."""
    try:
        row = db.execute_sql("SELECT pg_database_size(current_database())").fetchone()  # type: ignore[attr-defined]
    except Exception:  # a role that may not ask: the sentence goes without a size
        return 0
    return int(row[0] or 0)
