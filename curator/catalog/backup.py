"""Catalog backups: consistent, verified copies, rotated; and putting one back.

Copied through SQLite's online backup API (a snapshot that never blocks a WAL
writer), verified, the newest N kept. No Qt: `curator backup`, `curator
restore` and the window's quit hook call it.

Invariants:
- A backup is written as `.partial`, checked (`PRAGMA integrity_check`, its
  schema version), then renamed: a final name is always a whole, verified
  copy; a killed backup's leftovers go with the next backup.
- Names are `<catalog stem>.<UTC stamp>.backup.sqlite`; rotation removes only
  this catalog's, oldest first, never the newest, never migration backups nor
  `<stem>.<stamp>.before-restore.backup.sqlite`.
- Each has its BLAKE3 beside it (`<backup>.blake3`); a restore refuses a
  mismatch, and checks one without structurally.
- "daily": once per local calendar day; "weekly": once in seven days.
- A restore refuses anything but a whole Curator catalog of a known schema,
  backs the current catalog up first, and copies back through the backup API
  (or replaces a file too damaged for SQLite).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from curator.catalog.errors import CatalogError
from curator.catalog.migrations import LATEST_VERSION, MIGRATIONS
from curator.catalog.storage import storage_problem
from curator.catalog.upgrade.progress import BACKUP_STEP_PAGES

if TYPE_CHECKING:  # the PostgreSQL copy loads only for a PostgreSQL catalog's backup
    from curator.catalog.backends.pg_backup import BackupProgressSink

__all__ = [
    "BACKUP_SUFFIX",
    "BackupError",
    "BackupFrequency",
    "BackupInfo",
    "BackupResult",
    "RestoreResult",
    "RestoreSteps",
    "backup_due",
    "backup_folder",
    "check_backup",
    "checksum_path",
    "list_backups",
    "make_backup",
    "record_checksum",
    "restore_backup",
]

BACKUP_SUFFIX = ".backup.sqlite"
PARTIAL_SUFFIX = ".partial"
CHECKSUM_SUFFIX = ".blake3"
BEFORE_RESTORE = ".before-restore"
_STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_BUSY_TIMEOUT_S = 30.0
# Tables every Curator catalog has had since schema 1.
_CORE_TABLES = frozenset({"photo", "decision"})


class BackupFrequency(StrEnum):
    NEVER = "never"
    DAILY = "daily"
    WEEKLY = "weekly"


class BackupError(CatalogError):
    """A backup or restore could not be done; `str(err)` is the sentence to show."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    made_at: datetime  # aware, UTC
    size: int
    before_restore: bool = False  # the copy a restore kept: never rotated out


@dataclass(frozen=True)
class BackupResult:
    backup: BackupInfo
    removed: tuple[Path, ...]  # older backups rotated out
    source: str | None = None  # a PostgreSQL catalog's URL (no password): copied, not paged

    def sentence(self) -> str:
        kept = f"; {len(self.removed)} older removed" if self.removed else ""
        if self.source is None:
            return f"Catalog backed up and verified: {self.backup.path}{kept}."
        return (
            f"The PostgreSQL catalog {self.source} was copied into {self.backup.path} and "
            f"verified (every table's count and hash){kept}. Put it back with `curator catalog "
            f"copy {self.backup.path} {self.source} --replace`. The server's own backups "
            "(pg_dump, pg_basebackup, or your host's snapshots) stay the administrator's job."
        )


@dataclass(frozen=True)
class RestoreResult:
    restored: Path
    schema_version: int
    safety_copy: Path  # the catalog as it was before the restore

    def sentence(self) -> str:
        return (
            f"Restored the catalog from {self.restored} (schema {self.schema_version}); "
            f"the catalog as it was is kept in {self.safety_copy}."
        )


def backup_folder(catalog_path: Path, configured: str = "") -> Path:
    """Where backups go: the configured folder, else `backups/` beside the catalog."""
    if configured.strip():
        return Path(configured.strip()).expanduser()
    return Path(catalog_path).parent / "backups"


def _pattern(catalog_path: Path) -> re.Pattern[str]:
    stem = re.escape(Path(catalog_path).stem)
    return re.compile(
        rf"^{stem}\.(\d{{8}}T\d{{6}}Z)(?:-(\d+))?({re.escape(BEFORE_RESTORE)})?"
        rf"{re.escape(BACKUP_SUFFIX)}$"
    )


def list_backups(folder: Path, catalog_path: Path) -> list[BackupInfo]:
    """This catalog's backups in `folder`, newest first (an absent folder: none)."""
    pattern = _pattern(catalog_path)
    found: list[tuple[datetime, int, BackupInfo]] = []
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or not entry.is_file():
            continue
        made_at = datetime.strptime(match.group(1), _STAMP_FORMAT).replace(tzinfo=UTC)
        info = BackupInfo(
            Path(entry.path), made_at, entry.stat().st_size, match.group(3) is not None
        )
        found.append((made_at, int(match.group(2) or 0), info))
    found.sort(key=lambda t: (t[0], t[1]), reverse=True)
    return [info for *_, info in found]


def backup_due(
    frequency: BackupFrequency | str, backups: Iterable[BackupInfo], now: datetime
) -> bool:
    """Whether a backup on quit is due (see the module docstring for the rules)."""
    frequency = BackupFrequency(frequency)
    if frequency is BackupFrequency.NEVER:
        return False
    newest = max((b.made_at for b in backups), default=None)
    if newest is None:
        return True
    if frequency is BackupFrequency.DAILY:
        return newest.astimezone(now.tzinfo).date() < now.date()
    return now - newest >= timedelta(days=7)


def make_backup(
    catalog_path: Path,
    folder: Path,
    *,
    keep: int,
    now: datetime | None = None,
    spare: Path | None = None,
    before_restore: bool = False,
    source_url: str | None = None,
    progress: BackupProgressSink | None = None,
) -> BackupResult:
    """Copy the catalog into `folder`, verify the copy, keep the newest `keep`
    (`before_restore`: the copy a restore keeps; nothing is rotated out). A
    PostgreSQL catalog (`source_url`; `catalog_path` its local stand-in, which
    names the files) is copied into a SQLite file by `backends.pg_backup`,
    telling `progress`. Raises `BackupError` (a `StorageError` when the disk is
    at fault) with the sentence; nothing is left under a final name then."""
    catalog_path = Path(catalog_path)
    now = now or datetime.now(UTC)
    _make_folder(folder)
    _remove_partials(folder, catalog_path)
    target = _free_name(folder, catalog_path, now, BEFORE_RESTORE if before_restore else "")
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    checksum = checksum_path(target)
    try:
        if source_url is None:
            version = _copy(catalog_path, partial)
        else:
            from curator.catalog.backends.pg_backup import copy_postgres

            version = copy_postgres(source_url, partial, progress)
        _verify(partial, expect_version=version)
        _write_checksum(checksum, _digest(partial))
        os.replace(partial, target)
    except BaseException as exc:
        # A stopped PostgreSQL copy also leaves its SQLite side files (WAL).
        sides = [partial.with_name(partial.name + e) for e in ("-journal", "-wal", "-shm")]
        for leftover in (partial, *sides, checksum):
            with contextlib.suppress(OSError):
                leftover.unlink()
        if isinstance(exc, sqlite3.Error | OSError):
            problem = storage_problem(exc, what=str(partial))
            if problem is not None:
                raise problem from exc
            raise BackupError(
                f"Could not back up the catalog {catalog_path} into {folder}: {exc}."
            ) from exc
        raise
    info = BackupInfo(
        target, now.astimezone(UTC).replace(microsecond=0), target.stat().st_size, before_restore
    )
    if before_restore:
        return BackupResult(info, ())
    removed = _rotate(folder, catalog_path, keep=keep, spare={target, spare})
    return BackupResult(info, removed, None if source_url is None else _shown(source_url))


def checksum_path(backup: Path) -> Path:
    """Where the checksum of `backup` is kept (beside it)."""
    return backup.with_name(backup.name + CHECKSUM_SUFFIX)


def record_checksum(backup: Path) -> None:
    """Record the checksum of `backup`'s bytes as they are now (a backup that
    `catalog.people.scrub` rewrote)."""
    _write_checksum(checksum_path(backup), _digest(backup))


def _digest(path: Path) -> str:
    import blake3  # only when a backup is checked: never before the first paint

    hasher = blake3.blake3(max_threads=1)
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            hasher.update(chunk)
    return hasher.hexdigest()


def _write_checksum(path: Path, digest: str) -> None:
    with open(path, "w", encoding="ascii") as file:
        file.write(f"{digest}\n")
        file.flush()
        os.fsync(file.fileno())


def check_backup(path: Path) -> int:
    """The schema version of a whole Curator catalog at `path`; else `BackupError`."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise _not_a_backup(path, str(exc)) from exc
    try:
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            problems = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        except sqlite3.Error as exc:
            raise _not_a_backup(path, str(exc)) from exc
    finally:
        conn.close()
    if problems != ["ok"]:
        raise _not_a_backup(path, f"the integrity check found {len(problems)} problem(s)")
    if version < 1 or not tables >= _CORE_TABLES:
        raise BackupError(f"The file {path} is an SQLite database but not a Curator catalog.")
    if version > LATEST_VERSION:
        raise BackupError(
            f"The backup {path} was made by a newer Curator (schema {version}; this one knows "
            f"up to {LATEST_VERSION}). Update Curator to restore it."
        )
    _check_checksum(path)
    missing = _missing_schema(path, version)
    if missing:
        raise BackupError(
            f"The file {path} is an SQLite database but not a whole Curator catalog "
            f"(missing {', '.join(missing[:4])}{'…' if len(missing) > 4 else ''}); "
            "nothing was restored."
        )
    return version


def _check_checksum(path: Path) -> None:
    """Refuse a backup whose bytes differ from those recorded when it was made."""
    recorded_at = checksum_path(path)
    try:
        recorded = recorded_at.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return  # made by hand or by an older Curator: the structural checks decide
    except (OSError, UnicodeDecodeError) as exc:
        raise _not_a_backup(path, f"its checksum file {recorded_at.name} is unreadable") from exc
    try:
        actual = _digest(path)
    except OSError as exc:
        raise _not_a_backup(path, f"it could not be read: {exc.strerror or exc}") from exc
    if actual != recorded:
        raise _not_a_backup(
            path,
            "its bytes changed since it was made: the checksum recorded beside it does not "
            "match, so it is damaged",
        )


@functools.cache
def _schema_of(version: int) -> dict[str, frozenset[str]]:
    """table → columns of a Curator catalog at schema `version` (its migrations
    run on an empty in-memory database: they are plain SQL)."""
    conn = sqlite3.connect(":memory:")
    try:
        for migration in MIGRATIONS:
            if migration.version > version:
                break
            for statement in migration.statements:
                conn.execute(statement)
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            t: frozenset(r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')) for t in tables
        }
    finally:
        conn.close()


def _missing_schema(path: Path, version: int) -> list[str]:
    """The tables and columns a catalog of `version` has and the file at `path` lacks."""
    expected = _schema_of(version)
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        missing: list[str] = []
        for table, columns in sorted(expected.items()):
            have = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
            if not have:
                missing.append(table)
            else:
                missing += [f"{table}.{c}" for c in sorted(columns - have)]
        return missing
    except sqlite3.Error as exc:
        raise _not_a_backup(path, str(exc)) from exc
    finally:
        conn.close()


RestoreSteps = Callable[[str, int, int], None]  # (step, pages done, pages in all)


def restore_backup(
    catalog_path: Path,
    backup_path: Path,
    folder: Path,
    *,
    keep: int,
    progress: RestoreSteps | None = None,
) -> RestoreResult:
    """Put `backup_path` back as the catalog, after checking it and backing up
    the current catalog; the caller makes sure nothing has the catalog open
    (`pipeline.lock`), and the next `Catalog.open` migrates an older schema.
    `progress` hears ("keep", 0, 0), then ("restore", done, total) as the
    backup's pages go back, `BACKUP_STEP_PAGES` at a time."""
    catalog_path, backup_path = Path(catalog_path), Path(backup_path)
    version = check_backup(backup_path)
    if progress is not None:
        progress("keep", 0, 0)
    safety = _safety_copy(catalog_path, folder, keep=keep, spare=backup_path)
    try:
        _backup_into(backup_path, catalog_path, progress)
    except sqlite3.DatabaseError:
        # The current file is beyond SQLite (not a database any more): replace it.
        _replace_file(backup_path, catalog_path)
    return RestoreResult(backup_path, version, safety)


def _safety_copy(catalog_path: Path, folder: Path, *, keep: int, spare: Path) -> Path:
    """The current catalog, kept before a restore: a verified backup when it
    is whole; its raw bytes (`.damaged`) when it is not, so nothing is lost."""
    if not catalog_path.exists():
        return catalog_path  # nothing to keep
    try:
        return make_backup(
            catalog_path, folder, keep=keep, spare=spare, before_restore=True
        ).backup.path
    except BackupError:
        pass  # damaged: SQLite can't copy it whole (a full disk raised StorageError)
    stamp = datetime.now(UTC).strftime(_STAMP_FORMAT)
    damaged = folder / f"{catalog_path.stem}.{stamp}.damaged"
    for suffix in ("", "-wal"):
        source = Path(f"{catalog_path}{suffix}")
        if source.exists():
            shutil.copy2(source, Path(f"{damaged}{suffix}"))
    return damaged


def _backup_into(source: Path, catalog_path: Path, progress: RestoreSteps | None = None) -> None:
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(str(catalog_path), timeout=_BUSY_TIMEOUT_S)

    def stepped(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress("restore", total - remaining, total)

    try:
        dst.execute("PRAGMA user_version").fetchone()  # SQLITE_NOTADB surfaces here
        if progress is None:
            src.backup(dst, pages=-1)
        else:  # in steps, each told (the source is a backup file: nothing writes it)
            src.backup(dst, pages=BACKUP_STEP_PAGES, progress=stepped)
    finally:
        dst.close()
        src.close()


def _replace_file(source: Path, catalog_path: Path) -> None:
    tmp = catalog_path.with_name(catalog_path.name + ".restoring")
    dst = sqlite3.connect(str(tmp))
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        src.backup(dst, pages=-1)
    finally:
        src.close()
        dst.close()
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{catalog_path}{suffix}").unlink()
    os.replace(tmp, catalog_path)


def _copy(catalog_path: Path, target: Path) -> int:
    """One-step online backup into `target` (a single file: journal mode DELETE)."""
    if not catalog_path.is_file():
        raise BackupError(f"There is no catalog at {catalog_path} to back up.")
    src = sqlite3.connect(str(catalog_path), timeout=_BUSY_TIMEOUT_S)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode = DELETE")
        version = int(dst.execute("PRAGMA user_version").fetchone()[0])
    finally:
        dst.close()
        src.close()
    return version


def _shown(url: str) -> str:
    from curator.paths import describe

    return describe(url)


def _verify(path: Path, *, expect_version: int) -> None:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()
    if problems != ["ok"]:
        raise BackupError(
            f"The backup copy {path} failed its integrity check ({problems[0]}); "
            "it was removed and the catalog left as it is."
        )
    if version != expect_version:
        raise BackupError(f"The backup copy {path} is not a copy of the catalog; it was removed.")


def _free_name(folder: Path, catalog_path: Path, now: datetime, tag: str = "") -> Path:
    """A name no backup of this second has, with or without a tag: two backups
    made in the same second (a backup, then the copy a restore keeps) take
    numbers in the order they were made, so `list_backups` orders them."""
    stamp = now.astimezone(UTC).strftime(_STAMP_FORMAT)
    n = 0
    while True:
        base = f"{catalog_path.stem}.{stamp}" + (f"-{n}" if n else "")
        taken = any(
            (folder / f"{base}{other}{BACKUP_SUFFIX}").exists() for other in ("", BEFORE_RESTORE)
        )
        if not taken:
            return folder / f"{base}{tag}{BACKUP_SUFFIX}"
        n += 1


# What a killed backup can leave: the copy, SQLite's journal of it (the copy
# is in rollback-journal mode), and a checksum whose backup never got its name.
_LEFTOVERS = tuple(
    BACKUP_SUFFIX + PARTIAL_SUFFIX + extra for extra in ("", "-journal", "-wal", "-shm")
)


def _remove_partials(folder: Path, catalog_path: Path) -> None:
    prefix = f"{catalog_path.stem}."
    for entry in os.scandir(folder):
        name = entry.name
        if not name.startswith(prefix):
            continue
        orphan = name.endswith(BACKUP_SUFFIX + CHECKSUM_SUFFIX) and not os.path.exists(
            entry.path[: -len(CHECKSUM_SUFFIX)]
        )
        if name.endswith(_LEFTOVERS) or orphan:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def _rotate(
    folder: Path, catalog_path: Path, *, keep: int, spare: set[Path | None]
) -> tuple[Path, ...]:
    removed: list[Path] = []
    spared = {p.resolve() for p in spare if p is not None}
    counted = [b for b in list_backups(folder, catalog_path) if not b.before_restore]
    for info in counted[max(1, keep) :]:
        if info.path.resolve() in spared:
            continue
        with contextlib.suppress(OSError):
            info.path.unlink()
            removed.append(info.path)
            checksum_path(info.path).unlink(missing_ok=True)
    return tuple(removed)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        problem = storage_problem(exc, what=str(folder))
        if problem is not None:
            raise problem from exc
        raise BackupError(f"Can't create the backup folder {folder}: {exc.strerror}.") from exc


def _not_a_backup(path: Path, why: str) -> BackupError:
    return BackupError(
        f"The file {path} is not a usable Curator catalog backup ({why}); nothing was restored."
    )
