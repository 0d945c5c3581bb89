"""A PostgreSQL catalog's backup as the window's child process runs it.

`backup_in_child` is the function engine/child_call.py runs in a child:
`catalog.backup.make_backup` of the catalog at a URL, its progress piped to
the parent, a `CatalogError` returned as its sentence (a plain value crosses
the pipe whole; an exception with its own constructor may not). Its own
module, so the child imports only what a backup needs.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from curator.catalog.backends.pg_backup import BackupProgressSink
from curator.catalog.backup import BackupResult, make_backup
from curator.catalog.errors import CatalogError


def backup_in_child(
    catalog_path: Path,
    folder: Path,
    keep: int,
    now: datetime,
    url: str,
    *,
    progress: BackupProgressSink,
) -> BackupResult | str:
    """`make_backup` of the PostgreSQL catalog at `url` (module docstring)."""
    try:
        return make_backup(
            catalog_path, folder, keep=keep, now=now, source_url=url, progress=progress
        )
    except CatalogError as exc:
        return str(exc)
