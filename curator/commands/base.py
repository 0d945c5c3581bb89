"""What every CLI command shares: exit codes, the usage error, the context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from curator.catalog.db import Catalog
    from curator.paths import AppPaths
    from curator.settings import Settings

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_CATALOG, EXIT_CANCELLED = 0, 1, 2, 3, 130


class UsageError(Exception):
    """Bad input from the user; the message says what to do."""


@dataclass(frozen=True)
class CommandContext:
    """The open catalog, where things live, the settings and the two streams."""

    catalog: Catalog
    paths: AppPaths
    settings: Settings
    out: TextIO
    err: TextIO
