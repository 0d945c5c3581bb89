"""`RecentCatalogs`: the catalogs the window opened, newest first, kept in a
small JSON file in the config dir (`recent_catalogs.json`): File ▸ Recent
Catalogs lists them, and the next start opens the newest (`last()`), as
Lightroom opens the catalog it had open.

Invariants: a location is a catalog file's absolute path or a PostgreSQL
URL; a URL that carries a password is never written (`paths.redact` would
change it): it is opened, not remembered. A missing or unreadable file is an
empty list, never an error at start-up; writes are atomic (temp + rename);
`last()` names only a catalog that is still there (a file that exists, or a
URL), so a catalog deleted or on an unplugged disk falls back to the
default one; the default catalog opened by its path keeps the default's
places (`paths_for`). No Qt.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from curator.paths import AppPaths, is_postgres_url, redact, resolve_paths

log = logging.getLogger("curator.ui")

FILENAME = "recent_catalogs.json"


def location_key(location: str | Path) -> str:
    """The form a location is kept and compared in (an absolute path, or the URL)."""
    text = str(location)
    if is_postgres_url(text):
        return text
    return os.path.abspath(os.path.expanduser(text))


def paths_for(location: str | Path | None) -> AppPaths:
    """`resolve_paths(location)`, except that the default catalog named by its
    path keeps the default's places (its cache in the user cache folder, not
    beside the file as for a catalog picked by hand)."""
    default = resolve_paths()
    if location is None or location_key(location) == location_key(default.catalog):
        return default
    return resolve_paths(location)


class RecentCatalogs:
    def __init__(self, config_dir: Path, limit: int = 8) -> None:
        self.file = Path(config_dir) / FILENAME
        self.limit = limit
        self.catalogs: list[str] = self._read()

    def _read(self) -> list[str]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("ignoring the recent-catalogs file %s: %s", self.file, exc)
            return []
        found = data.get("catalogs", []) if isinstance(data, dict) else []
        return [c for c in found if isinstance(c, str)][: self.limit]

    def add(self, location: str | Path) -> None:
        """`location` becomes the newest (and the one the next start opens)."""
        key = location_key(location)
        if redact(key) != key:
            return  # a password in the URL: never written to disk
        self.catalogs = [key, *(c for c in self.catalogs if c != key)][: self.limit]
        self._write()

    def existing(self) -> list[str]:
        """The catalogs that are still there, newest first."""
        return [c for c in self.catalogs if is_postgres_url(c) or os.path.isfile(c)]

    def last(self) -> str | None:
        """The catalog the next start opens, if it is still there."""
        there = self.existing()
        return there[0] if there else None

    def _write(self) -> None:
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.file.with_name(self.file.name + ".tmp")
            tmp.write_text(json.dumps({"catalogs": self.catalogs}, indent=2) + "\n", "utf-8")
            os.replace(tmp, self.file)
        except OSError as exc:  # a read-only config dir costs the list, nothing else
            log.warning("could not save the recent catalogs to %s: %s", self.file, exc)
