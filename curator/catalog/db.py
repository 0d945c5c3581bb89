"""Opening the catalog: SQLite in WAL mode, migrated to the latest schema.

`Catalog.open(path)` creates the file if needed, refuses anything that is not
a Curator catalog with a `CatalogError` carrying a sentence (a `StorageError`
when the storage is at fault, never "damaged" for those), backs the file up
before any migration of existing data (in steps told to `progress`:
catalog/upgrade/progress.py), applies pending migrations (each in its own
transaction, `PRAGMA user_version` bumped inside it) and binds the peewee
models to the connection.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from peewee import Database, DatabaseError, OperationalError, SqliteDatabase

from curator.catalog.backends.feed import stamp_writes
from curator.catalog.errors import CatalogError
from curator.catalog.migrations import LATEST_VERSION, MIGRATIONS, Migration
from curator.catalog.models import MODELS
from curator.catalog.storage import (
    CANNOT_CREATE,
    DISK_FULL,
    READ_ONLY,
    StorageError,
    cannot_create_error,
    on_read_only_volume,
    read_only_error,
    storage_problem,
)
from curator.catalog.tx import is_busy
from curator.catalog.upgrade.progress import (
    ProgressSink,
    UpgradeProgress,
    UpgradeStep,
    copy_in_steps,
)
from curator.paths import describe, is_postgres_url

__all__ = [
    "Catalog",
    "CatalogDatabase",
    "CatalogError",
    "StorageError",
    "backup_catalog",
    "close_thread_connection",
    "migrate",
]

log = logging.getLogger(__name__)

# The oldest SQLite the schema and its writers need: ALTER TABLE … DROP COLUMN
# (3.35, migration 16), UPDATE … FROM (3.33, taste.store.write_scores) and
# FTS5's trigram tokenizer (3.34, migration 22).
MIN_SQLITE = (3, 35, 0)

PRAGMAS = {
    # First, so that even switching a new file to WAL waits for a concurrent opener.
    "busy_timeout": 5000,
    "journal_mode": "wal",
    "synchronous": "normal",  # WAL + NORMAL: durable across app crashes, fast commits
    "foreign_keys": 1,
    "cache_size": -32 * 1024,  # 32 MiB page cache
}


_DB_ERRORS = (DatabaseError, OperationalError, sqlite3.DatabaseError)


class Catalog:
    """An open catalog file (`Catalog.open`, `close()`). `read_only`: it can't be
    written and the caller accepted that (`read_only_ok`): any write fails with
    "readonly database", which `storage_problem` turns into its sentence."""

    def __init__(
        self, path: Path, db: Database, *, read_only: bool = False, url: str | None = None
    ):
        self.path = path
        self.db = db
        self.read_only = read_only
        self.url = url  # a PostgreSQL catalog's URL (`path` is then its local stand-in)

    @property
    def name(self) -> str:
        """The catalog as sentences name it: its file, or its URL without a password."""
        return describe(self.url or self.path)

    @property
    def location(self) -> str | Path:
        """What `Catalog.open` takes to open this catalog again."""
        return self.url or self.path

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        read_only_ok: bool = False,
        bind: bool = True,
        progress: ProgressSink | None = None,
    ) -> Catalog:
        """Open (creating or upgrading) the catalog at `path`: a file, or a
        PostgreSQL URL. Raises `CatalogError` with the sentence (a `StorageError`
        when the storage is at fault, a read-only catalog unless `read_only_ok`).
        `bind=False` leaves the models bound where they were (a second catalog,
        read and written by raw SQL: a copy). `progress` hears a migration's
        backup, then the migrations (`UpgradeProgress`, on this thread)."""
        if is_postgres_url(path):
            return cls._open_postgres(str(path), read_only_ok=read_only_ok, bind=bind)
        path = Path(path)
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            raise CatalogError(
                f"Curator needs SQLite {'.'.join(map(str, MIN_SQLITE))} or newer; this Python"
                f" uses SQLite {sqlite3.sqlite_version}. Install Curator with a newer Python"
                " (python.org and current Linux distributions ship one); the catalog was not"
                " touched."
            )
        if path.is_dir():
            raise CatalogError(f"The catalog path {path} is a folder, not a catalog file.")
        _make_folder(path)
        existed = path.exists() and path.stat().st_size > 0
        if existed and not os.access(path, os.R_OK):
            raise StorageError(
                f"Curator is not allowed to read the catalog {path} (permission denied). "
                "Make it readable, or pick another catalog with --catalog.",
                kind=CANNOT_CREATE,
                path=str(path),
            )
        problem: StorageError | None = None
        read_only = existed and not os.access(path, os.W_OK)
        if not read_only:
            try:
                db, version, tables = _connect_waiting(path)
            except _DB_ERRORS as exc:
                problem = storage_problem(exc, what=str(path))
                if problem is None and is_busy(exc):
                    raise CatalogError(
                        f"The catalog {path} stayed locked by another Curator for over "
                        f"{OPEN_BUSY_WAIT_S:.0f} s (creating or updating it); try again "
                        "when it is done."
                    ) from exc
                if problem is None:
                    raise _not_a_catalog(path, exc) from exc
                # A read-only file, or a full disk (SQLite can't even set up its
                # WAL files): a reading command still reads.
                if not (existed and problem.kind in (READ_ONLY, DISK_FULL)):
                    raise problem from exc
                read_only = True
        if read_only:
            if not read_only_ok:
                raise problem or read_only_error(
                    str(path), volume_read_only=on_read_only_volume(str(path))
                )
            try:
                db, version, tables = _connect(path, read_only=True)
            except _DB_ERRORS as exc:
                raise storage_problem(exc, what=str(path)) or _not_a_catalog(path, exc) from exc
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
        if read_only and version < LATEST_VERSION:
            db.close()
            raise read_only_error(str(path))
        if not read_only:
            try:
                if existed and 0 < version < LATEST_VERSION:
                    backup_catalog(db, path, version, progress)
                if progress is not None and 0 < version < LATEST_VERSION:  # not a new one
                    pending = sum(1 for m in MIGRATIONS if m.version > version)
                    size = path.stat().st_size
                    progress(UpgradeProgress(UpgradeStep.MIGRATE, 0, pending, size))
                if migrate(db, version) != version:  # this connection predates the feed
                    stamp_writes(db.connection())
            except (*_DB_ERRORS, OSError) as exc:
                db.close()
                problem = storage_problem(exc, what=str(path))
                if problem is not None:
                    raise problem from exc
                if isinstance(exc, OSError):
                    raise
                raise CatalogError(f"Could not upgrade the catalog {path}: {exc}") from exc
            except BaseException:  # a progress callback that stopped the backup, a refusal
                db.close()
                raise
        if bind:
            db.bind(MODELS, bind_refs=False, bind_backrefs=False)
        return cls(path, db, read_only=read_only)

    @classmethod
    def _open_postgres(cls, url: str, *, read_only_ok: bool, bind: bool) -> Catalog:
        from curator.catalog.backends import postgres
        from curator.paths import PostgresLocation, user_data_dir

        db, read_only = postgres.open_catalog(url, read_only_ok=read_only_ok)
        if read_only:  # the window says it instead of failing writes (app.studio_seat)
            db.read_only_sentence = postgres.read_only_sentence(db.location, db)
        if bind:
            db.bind(MODELS, bind_refs=False, bind_backrefs=False)
        stand_in = PostgresLocation.parse(url).local_stand_in(user_data_dir())
        return cls(stand_in, db, read_only=read_only, url=url)

    @property
    def is_postgres(self) -> bool:
        return self.url is not None

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _make_folder(path: Path) -> None:
    """Create the catalog's folder (CURATOR_HOME or the user data folder) if needed."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise StorageError(
            f"Curator cannot create its catalog in {folder}: part of that path is a file, "
            "not a folder. Point CURATOR_HOME (or --catalog) at a folder.",
            kind=CANNOT_CREATE,
            path=str(folder),
        ) from exc
    except OSError as exc:
        problem = storage_problem(exc, what=str(folder))
        if problem is not None and problem.kind == READ_ONLY and exc.errno != errno.EROFS:
            problem = cannot_create_error(str(path), _first_existing(folder))
        if problem is not None:
            raise problem from exc
        raise CatalogError(
            f"Can't create the folder for the catalog at {folder}: {exc.strerror}."
        ) from exc


def _first_existing(folder: Path) -> str:
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return str(folder)


OPEN_BUSY_WAIT_S = 60.0


def _connect_waiting(path: Path) -> tuple[SqliteDatabase, int, set[str]]:
    """`_connect` for writing, a busy catalog waited out: another process that
    is creating or migrating the catalog may hold its lock past SQLite's busy
    timeout on a loaded machine (four imports of one new catalog at once: one
    failed "not a Curator catalog (database is locked)"). Retried with a
    growing backoff, as `tx.write` does, up to `OPEN_BUSY_WAIT_S`."""
    deadline = time.monotonic() + OPEN_BUSY_WAIT_S
    backoff = 0.05
    while True:
        try:
            return _connect(path, read_only=False)
        except _DB_ERRORS as exc:
            if not is_busy(exc) or time.monotonic() + backoff > deadline:
                raise
        time.sleep(backoff)
        backoff = min(1.0, backoff * 2)


def _connect(path: Path, *, read_only: bool) -> tuple[SqliteDatabase, int, set[str]]:
    """Connect and read the schema version and table names; closes on failure."""
    if read_only:
        try:
            return _connect_read_only(path, immutable=False)
        except _DB_ERRORS:
            # A WAL database needs its -shm file beside it; in a folder we can't
            # write (or on a full disk, where even the -shm can't grow), with no
            # change waiting in a -wal, read the file as it stands.
            wal = Path(f"{path}-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise
            return _connect_read_only(path, immutable=True)
    return _read_header(CatalogDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False))


class _TasteView(SqliteDatabase):
    """Each new connection shows the seat's chosen taste (catalog.taste.choice)."""

    def _add_conn_hooks(self, conn: sqlite3.Connection) -> None:
        super()._add_conn_hooks(conn)
        from curator.catalog.taste.choice import view_statement

        statement = view_statement(postgres=False)
        if statement is not None:
            try:
                conn.execute(statement)
            except sqlite3.Error:  # a catalog not migrated yet: everyone's scores show
                log.debug("no taste view on this connection", exc_info=True)


class CatalogDatabase(_TasteView):
    """The writable catalog connection: every outermost `atomic()` block is
    `BEGIN IMMEDIATE` unless told otherwise, so it waits its turn for the write
    lock instead of being refused for a stale snapshot (catalog.tx's why); its
    writes to the change feed carry this process's mark (backends.feed)."""

    def _add_conn_hooks(self, conn: sqlite3.Connection) -> None:
        super()._add_conn_hooks(conn)
        try:
            stamp_writes(conn)
        except sqlite3.Error:  # unreadable yet: its writes are re-read by this process's windows
            log.debug("no feed stamp on this connection", exc_info=True)

    def atomic(self, *args: Any, **kwargs: Any) -> Any:
        if not args and "lock_type" not in kwargs:
            kwargs["lock_type"] = "IMMEDIATE"
        return super().atomic(*args, **kwargs)


def _connect_read_only(path: Path, *, immutable: bool) -> tuple[SqliteDatabase, int, set[str]]:
    query = "mode=ro&immutable=1" if immutable else "mode=ro"
    db = _TasteView(
        f"{path.resolve().as_uri()}?{query}",
        pragmas={k: v for k, v in PRAGMAS.items() if k != "journal_mode"},
        check_same_thread=False,
        uri=True,
    )
    return _read_header(db)


def _read_header(db: SqliteDatabase) -> tuple[SqliteDatabase, int, set[str]]:
    """Connect, then read the schema version and the table names in one read
    transaction: read apart, another process's first migration could commit
    between the two (its tables, yet version 0), and a new catalog that a
    concurrent `curator import` was creating read as "not Curator's"."""
    try:
        db.connect()
        with db.atomic(lock_type="DEFERRED"):
            version = db.execute_sql("PRAGMA user_version").fetchone()[0]
            rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type='table'")
            tables = {r[0] for r in rows}
    except BaseException:
        db.close()
        raise
    return db, int(version), tables


def _not_a_catalog(path: Path, exc: BaseException) -> CatalogError:
    return CatalogError(
        f"The file {path} is not a Curator catalog, or it is damaged ({exc}). If it is "
        "your catalog, restore a backup with `curator restore FILE` (backups are in "
        f"{path.parent / 'backups'} unless the settings name another folder); otherwise "
        "pick another file with --catalog."
    )


def close_thread_connection() -> None:
    """Close the calling thread's catalog connection (peewee keeps one per
    thread): a pool thread that used the catalog must not keep it open."""
    db = MODELS[0]._meta.database
    try:
        if not db.is_closed():
            db.close()
    except Exception:
        log.debug("closing a worker's catalog connection failed", exc_info=True)


def backup_catalog(
    db: SqliteDatabase, path: Path, version: int, progress: ProgressSink | None = None
) -> Path:
    """Copy the catalog (consistently, through SQLite's backup API, in steps
    told to `progress`) before migrating; a copy that fails leaves no file."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.v{version}.{stamp}.bak")
    copy_in_steps(db.connection(), target, size=path.stat().st_size, progress=progress)
    return target


def migrate(db: SqliteDatabase, current: int) -> int:
    """Apply every migration above `current`; the new version. Each takes the
    write lock first and re-reads the version inside it: two processes opening
    a new catalog at once apply each migration exactly once."""
    for migration in MIGRATIONS:
        if migration.version <= current:
            continue
        current = _apply_migration(db, migration)
    return current


def _apply_migration(db: SqliteDatabase, migration: Migration) -> int:
    """One migration in one IMMEDIATE transaction; the version after it. One that
    rebuilds a table runs with foreign keys off (SQLite's documented procedure)
    and checks every reference with `PRAGMA foreign_key_check` before committing."""
    if migration.foreign_keys_off:
        db.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        with db.atomic(lock_type="IMMEDIATE"):
            current = int(db.execute_sql("PRAGMA user_version").fetchone()[0])
            if migration.version <= current:
                return current
            for statement in migration.statements:
                db.execute_sql(statement)
            if migration.foreign_keys_off:
                broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise CatalogError(
                        f"Migration {migration.version} ({migration.name}) would break "
                        f"{len(broken)} references; the catalog was left as it was."
                    )
            db.execute_sql(f"PRAGMA user_version = {int(migration.version)}")
    finally:
        if migration.foreign_keys_off:
            db.execute_sql("PRAGMA foreign_keys = ON")
    return migration.version
