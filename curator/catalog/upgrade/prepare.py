"""Bringing a catalog to the latest schema before it is opened for use, so the
slow part of an open (the backup and the migrations) runs on a worker thread
while the window stays live.

`upgrade_catalog` reads the catalog's schema version and, only when it is
behind (or new), opens it with `Catalog.open` (unbound), which backs it up
and migrates it as every open does, then closes it; the caller's own open
then finds nothing left to do. A catalog at the latest version, newer, or
not readable as one is left to that open and its sentence. No Qt.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from curator.catalog.db import Catalog
from curator.catalog.migrations import LATEST_VERSION, MIGRATIONS
from curator.catalog.upgrade.progress import ProgressSink, UpgradeProgress, UpgradeStep
from curator.paths import is_postgres_url


def schema_version(location: Path | str) -> int | None:
    """The catalog's schema version as it stands (0 for a new or empty file),
    or None when it cannot be read here (the open will say why). A PostgreSQL
    catalog that cannot be reached raises its `CatalogError`."""
    if is_postgres_url(location):
        from curator.catalog.backends import pg_schema, postgres
        from curator.paths import PostgresLocation

        try:
            where = PostgresLocation.parse(str(location))
        except ValueError:
            return None
        db = postgres.open_database(where)
        try:
            return pg_schema.read_header(db)[0]
        except Exception:
            return None
        finally:
            db.close()
    path = Path(location)
    try:
        if path.is_dir():
            return None
        if not path.exists() or path.stat().st_size == 0:
            return 0  # a new catalog: created by the open
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except (OSError, sqlite3.Error):
        return None
    try:
        return int(con.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error:
        return None
    finally:
        con.close()


def upgrade_catalog(
    location: Path | str, *, read_only_ok: bool = False, progress: ProgressSink | None = None
) -> bool:
    """Create or migrate the catalog at `location` if it needs it (a file's
    backup first, told to `progress`; a PostgreSQL catalog, which migrates
    in its transactions without a file backup, tells only that it migrates);
    True when it did. Raises `CatalogError` (or
    its `StorageError`) with `Catalog.open`'s sentence."""
    version = schema_version(location)
    if version is None or version >= LATEST_VERSION:
        return False
    if is_postgres_url(location) and progress is not None and version > 0:  # no file backup
        pending = sum(1 for m in MIGRATIONS if m.version > version)
        progress(UpgradeProgress(UpgradeStep.MIGRATE, 0, pending, 0))
    Catalog.open(location, read_only_ok=read_only_ok, bind=False, progress=progress).close()
    return True
