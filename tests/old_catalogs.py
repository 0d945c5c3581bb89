"""Catalogs at an older schema, for the migration tests: the migrations' own
statements up to version N, run on a bare SQLite connection (what an older
Curator left on disk)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from curator.catalog.migrations import MIGRATIONS


def catalog_at_version(
    path: Path, version: int, *, foreign_keys: bool = True
) -> sqlite3.Connection:
    """A new catalog file at `path` with schema `version`; the open connection
    (the caller inserts its rows, then commits and closes it)."""
    con = sqlite3.connect(path)
    if not foreign_keys:
        con.execute("PRAGMA foreign_keys = OFF")
    for migration in (m for m in MIGRATIONS if m.version <= version):  # 18 is reserved
        for statement in migration.statements:
            con.execute(statement)
    return con
