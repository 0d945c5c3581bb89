"""Forgetting who is who in the catalog's backups: what `forget` erases from
the catalog, erased from every copy of it Curator keeps.

`scrub_backups(catalog_path, folder, said)` goes through the backups
(`catalog.backup.list_backups`) and the pre-migration copies
(`catalog.db.backup_catalog`). A copy holding a forgotten row or free pages is
copied to `.partial`, the rows of `forget.FORGOTTEN_TABLES` deleted with
`secure_delete`, VACUUMed, checked (`check_backup`), renamed back and its
checksum recorded. A copy that cannot be rewritten is named with the reason
and how to delete it; `said` hears a sentence per copy.
`forget_everywhere` is `forget.forget_people` then `scrub_backups`.

Invariants: a final name always holds a whole, verified copy; only Curator's
own copies of this catalog are touched; no descriptor is read.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from peewee import Database

from curator.catalog.backends.dialect import dialect_of
from curator.catalog.backup import (
    PARTIAL_SUFFIX,
    BackupError,
    check_backup,
    checksum_path,
    list_backups,
    record_checksum,
)
from curator.catalog.people.forget import (
    FORGOTTEN_TABLES,
    POSTGRES_NOTE,
    Forgotten,
    forget_people,
)

DAMAGED_SUFFIX = ".damaged"  # a damaged catalog's raw bytes, kept by a restore


@dataclass
class BackupsScrubbed:
    """What `scrub_backups` did: the copies erased, those that held nothing,
    and those it could not rewrite (each with the sentence saying how to delete it)."""

    erased: list[Path] = field(default_factory=list)
    clean: list[Path] = field(default_factory=list)
    left: list[tuple[Path, str]] = field(default_factory=list)

    def summary(self, folder: Path) -> str:
        """One sentence for the whole (the command's last line, an import's report)."""
        copies = len(self.erased) + len(self.clean) + len(self.left)
        if not copies:
            return f"No backup of the catalog holds them (none in {folder})."
        text = (
            f"Erased them from {len(self.erased)} of the catalog's {copies} backups "
            f"({len(self.clean)} held none)"
        )
        if self.left:
            text += f"; {len(self.left)} could not be rewritten (above: how to delete them)"
        return text + "."


@dataclass(frozen=True)
class Erased:
    """Forgetting everywhere: in the catalog, then in its backups."""

    forgotten: Forgotten
    backups: BackupsScrubbed
    folder: Path  # where the backups are kept
    postgres: bool

    def sentences(self) -> list[str]:
        """What was done to the catalog's files and to its backups."""
        if self.postgres:
            catalog = POSTGRES_NOTE
        elif self.forgotten.log_kept:
            catalog = (
                "Nothing of them is left in the catalog's file; its write-ahead log still "
                "holds them until the app that has the catalog open writes it out (on quit)."
            )
        else:
            catalog = "Nothing of them is left in the catalog's file or its write-ahead log."
        return [
            catalog,
            self.backups.summary(self.folder)
            + " Copies made elsewhere (`curator backup --to`, or by hand) are yours to delete.",
        ]


def forget_everywhere(
    db: Database, catalog_path: Path, folder: Path, said: Callable[[str], None] | None = None
) -> Erased:
    """Every descriptor and person forgotten in the catalog, then in its backups
    in `folder` and beside it (see the module docstring); `said` hears what
    was forgotten, then a sentence per backup as it goes."""
    gone = forget_people(db)
    if said is not None:
        said(gone.sentence())
    scrubbed = scrub_backups(catalog_path, folder, said)
    return Erased(gone, scrubbed, folder, dialect_of(db).is_postgres)


def scrub_backups(
    catalog_path: Path, folder: Path, said: Callable[[str], None] | None = None
) -> BackupsScrubbed:
    """See the module docstring."""
    done = BackupsScrubbed()
    say = said or (lambda _sentence: None)
    for copy in _copies(Path(catalog_path), folder):
        if copy.name.endswith(DAMAGED_SUFFIX):
            why = "a damaged catalog's raw copy, kept by a restore: SQLite cannot rewrite it"
            done.left.append((copy, _left(copy, why)))
            say(done.left[-1][1])
            continue
        try:
            erased = _scrub(copy)
        except (OSError, sqlite3.Error, BackupError) as exc:
            done.left.append((copy, _left(copy, _reason(exc))))
            say(done.left[-1][1])
            continue
        (done.erased if erased else done.clean).append(copy)
        if erased:
            say(f"Erased them from the backup {copy} (checked again, its checksum recorded anew).")
    return done


def _copies(catalog_path: Path, folder: Path) -> list[Path]:
    """Curator's copies of this catalog: the backups, the damaged copies a
    restore kept, the copies made before a migration."""
    found = [info.path for info in list_backups(folder, catalog_path)]
    with contextlib.suppress(OSError):
        found += sorted(folder.glob(f"{catalog_path.stem}.*{DAMAGED_SUFFIX}"))
    with contextlib.suppress(OSError):
        found += sorted(catalog_path.parent.glob(f"{catalog_path.name}.v*.bak"))
    return found


def _scrub(copy: Path) -> bool:
    """Erase the forgotten tables from `copy` (see the module docstring);
    False when it held nothing to erase (left as it was)."""
    if not _holds_something(copy):
        return False
    if not os.access(copy, os.W_OK) or not os.access(copy.parent, os.W_OK):
        raise PermissionError(f"{copy} is read-only")
    partial = copy.with_name(copy.name + PARTIAL_SUFFIX)
    try:
        shutil.copyfile(copy, partial)
        conn = sqlite3.connect(str(partial), isolation_level=None)
        try:
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute("PRAGMA journal_mode = DELETE")  # one file, as a backup is
            present = _tables(conn)
            conn.execute("BEGIN IMMEDIATE")
            for table in FORGOTTEN_TABLES:
                if table in present:
                    conn.execute(f'DELETE FROM "{table}"')
            conn.execute("COMMIT")
            conn.execute("VACUUM")
        finally:
            conn.close()
        check_backup(partial)  # whole, and a catalog of its schema, before it takes the name
        os.replace(partial, copy)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    if checksum_path(copy).exists():
        record_checksum(copy)
    return True


def _holds_something(copy: Path) -> bool:
    """Whether `copy` has a row in a forgotten table, or free pages."""
    conn = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
    try:
        present = _tables(conn)
        for table in FORGOTTEN_TABLES:
            if table in present and conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
                return True
        return bool(conn.execute("PRAGMA freelist_count").fetchone()[0])
    finally:
        conn.close()


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _reason(exc: BaseException) -> str:
    if isinstance(exc, PermissionError):
        return "it is read-only"
    if isinstance(exc, OSError):
        return f"it could not be rewritten: {exc.strerror or exc}"
    return f"SQLite could not rewrite it: {exc}"


def _left(copy: Path, why: str) -> str:
    return (
        f"Could not erase them from {copy} ({why}): it still holds every descriptor and "
        f"name it held. Delete it if you do not need it (rm '{copy}'), or make it "
        "writable and run `curator people forget` again."
    )
