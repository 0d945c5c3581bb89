"""Numbered, append-only schema migrations.

The schema version lives in SQLite's `PRAGMA user_version`. Each migration is
one module `m<NNN>_<name>.py`, here or in a theme's room (`studio`, `people`,
…), declaring `VERSION`, `NAME` and `STATEMENTS` (plain SQL, so a migration
never changes meaning when the peewee models evolve), and where it needs them
`FOREIGN_KEYS_OFF` and `POSTGRES_STATEMENTS`. The modules are found by that
name: adding a migration is adding its file. Never change what a shipped
migration does: add a new one. `MIGRATIONS` is ordered by VERSION and the
versions are 1..N without gaps (a test checks it), but for the numbers in
`RESERVED`: numbers set aside for another branch that did not use them (18,
ingest's, which landed without a schema change).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from types import ModuleType

MODULE_NAME = re.compile(r"m\d{3}_\w+")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]
    foreign_keys_off: bool = False  # rebuilds a table: run with PRAGMA foreign_keys OFF
    # The statements on PostgreSQL (catalog.backends.pg_schema), where the SQLite
    # ones translated would not do; None: translated.
    postgres: tuple[str, ...] | None = None

    @classmethod
    def of(cls, module: ModuleType) -> Migration:
        """The migration a module declares (see the module docstring)."""
        postgres = getattr(module, "POSTGRES_STATEMENTS", None)
        return cls(
            module.VERSION,
            module.NAME,
            tuple(module.STATEMENTS),
            foreign_keys_off=getattr(module, "FOREIGN_KEYS_OFF", False),
            postgres=None if postgres is None else tuple(postgres),
        )


def _modules() -> list[ModuleType]:
    """Every migration module of this package and its rooms."""
    return [
        importlib.import_module(found.name)
        for found in pkgutil.walk_packages(__path__, f"{__name__}.")
        if MODULE_NAME.fullmatch(found.name.rpartition(".")[2])
    ]


MIGRATIONS: tuple[Migration, ...] = tuple(
    sorted((Migration.of(module) for module in _modules()), key=lambda m: m.version)
)

LATEST_VERSION = MIGRATIONS[-1].version

RESERVED: frozenset[int] = frozenset({18})
