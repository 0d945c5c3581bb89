"""Opening the catalog: SQLite in WAL mode, migrated to the latest schema.

`Catalog.open(path)` creates the file if needed, refuses anything that is not
a Curator catalog with a `CatalogError` carrying a human sentence, backs the
file up before any migration of existing data, applies pending migrations
(each in its own transaction, `PRAGMA user_version` bumped inside it) and
binds the peewee models to the connection.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from peewee import DatabaseError, OperationalError, SqliteDatabase

from curator.catalog.migrations import LATEST_VERSION, MIGRATIONS
from curator.catalog.models import MODELS

PRAGMAS = {
    # First, so that even switching a new file to WAL waits for a concurrent opener.
    "busy_timeout": 5000,
    "journal_mode": "wal",
    "synchronous": "normal",  # WAL + NORMAL: durable across app crashes, fast commits
    "foreign_keys": 1,
    "cache_size": -32 * 1024,  # 32 MiB page cache
}


class CatalogError(Exception):
    """The catalog can't be used; `str(err)` is the sentence to show."""


class Catalog:
    """An open catalog file. Use `Catalog.open`; close it with `close()`."""

    def __init__(self, path: Path, db: SqliteDatabase):
        self.path = path
        self.db = db

    @classmethod
    def open(cls, path: Path) -> Catalog:
        path = Path(path)
        if path.is_dir():
            raise CatalogError(f"The catalog path {path} is a folder, not a catalog file.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CatalogError(
                f"Can't create the folder for the catalog at {path.parent}: {exc.strerror}."
            ) from exc
        existed = path.exists() and path.stat().st_size > 0
        db = SqliteDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False)
        try:
            db.connect()
            version = db.execute_sql("PRAGMA user_version").fetchone()[0]
            tables = {
                r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type='table'")
            }
        except (DatabaseError, OperationalError, sqlite3.DatabaseError) as exc:
            db.close()
            raise CatalogError(
                f"The file {path} is not a Curator catalog, or it is damaged ({exc}). "
                "Pick another file with --catalog."
            ) from exc
        if version > LATEST_VERSION:
            db.close()
            raise CatalogError(
                f"The catalog {path} was written by a newer Curator (schema {version}; this one "
                f"knows up to {LATEST_VERSION}). Update Curator to open it."
            )
        if version == 0 and tables:
            db.close()
            raise CatalogError(
                f"The file {path} is an SQLite database that Curator did not create "
                f"(it holds tables {', '.join(sorted(tables)[:5])}). "
                "Pick another file with --catalog."
            )
        if existed and 0 < version < LATEST_VERSION:
            backup_catalog(db, path, version)
        try:
            migrate(db, version)
        except (DatabaseError, OperationalError) as exc:
            db.close()
            raise CatalogError(f"Could not upgrade the catalog {path}: {exc}") from exc
        db.bind(MODELS, bind_refs=False, bind_backrefs=False)
        return cls(path, db)

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def backup_catalog(db: SqliteDatabase, path: Path, version: int) -> Path:
    """Copy the catalog (consistently, through SQLite's backup API) before migrating."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.v{version}.{stamp}.bak")
    dest = sqlite3.connect(str(target))
    try:
        db.connection().backup(dest)
    finally:
        dest.close()
    return target


def migrate(db: SqliteDatabase, current: int) -> int:
    """Apply every migration above `current`; return the new version.

    Each migration takes the write lock first (BEGIN IMMEDIATE) and re-reads
    the version inside it: two processes opening a new catalog at once
    apply each migration exactly once.
    """
    for migration in MIGRATIONS:
        if migration.version <= current:
            continue
        with db.atomic(lock_type="IMMEDIATE"):
            current = db.execute_sql("PRAGMA user_version").fetchone()[0]
            if migration.version <= current:
                continue
            for statement in migration.statements:
                db.execute_sql(statement)
            db.execute_sql(f"PRAGMA user_version = {int(migration.version)}")
        current = migration.version
    return current
