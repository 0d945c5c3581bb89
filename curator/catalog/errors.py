"""The catalog's base error and how a damaged catalog is recognised and told
(kept apart so `db`, `storage`, the CLI and the pipeline all import it, no cycle)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from peewee import DatabaseError

# What SQLite says of a damaged file (or one whose schema lost a table or column).
DAMAGE_MARKS = ("malformed", "not a database", "corrupt", "no such table", "no such column")


class CatalogError(Exception):
    """The catalog can't be used; `str(err)` is the sentence to show."""


def is_damage(exc: BaseException) -> bool:
    """True when `exc` (SQLite's, or peewee's wrapper of it) says the catalog
    file is damaged, not busy, full or read-only."""
    text = str(exc).lower()
    return isinstance(exc, DatabaseError | sqlite3.DatabaseError) and any(
        mark in text for mark in DAMAGE_MARKS
    )


def damaged_sentence(catalog: str, backups: str | Path, exc: BaseException) -> str:
    """What to tell the user about a damaged catalog: what, that nothing
    changed, and how to put a backup back."""
    return (
        f"The catalog {catalog} is damaged ({exc}); nothing was changed. Restore a "
        f"backup with `curator restore FILE` (backups are kept in {backups})."
    )
