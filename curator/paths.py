"""Where Curator keeps its files.

Defaults come from platformdirs (data dir: catalog; cache dir: previews;
config dir: settings); `CURATOR_HOME` relocates all three; `--catalog PATH`
overrides the catalog file. A `postgresql://` URL names a studio's shared
catalog, with a local folder of this seat's standing in for its file
(`PostgresLocation.local_stand_in`).

The password comes from `PGPASSWORD`, `~/.pgpass` or a service file (libpq
reads them); one typed into the URL works but is never shown: only
`conninfo`, never logged, holds it (`display`, `redact`).

`resource_path()` is the one way to files under `resources/`, from a checkout
or a PyInstaller bundle (`curator.spec`). Model weights are never resources.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlsplit

import platformdirs

APP_NAME = "Curator"
CATALOG_FILENAME = "catalog.sqlite"
DEMO_FOLDER = "Demo photos"


def resource_path(*parts: str) -> Path:
    """A file under `resources/`, from a source checkout or from a frozen bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    root = Path(frozen_root) if frozen_root else Path(__file__).resolve().parent.parent
    return root.joinpath("resources", *parts)


def user_data_dir() -> Path:
    """Where the catalog lives by default (CURATOR_HOME when set); the demo goes here too."""
    home = os.environ.get("CURATOR_HOME")
    if home:
        return Path(home).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class AppPaths:
    """The resolved locations for one run of the app or the CLI."""

    catalog: Path
    cache_dir: Path
    config_dir: Path
    catalog_url: str | None = None  # a PostgreSQL catalog; `catalog` is then its stand-in

    @property
    def catalog_location(self) -> str | Path:
        """What `Catalog.open` takes: the PostgreSQL URL, or the catalog file."""
        return self.catalog_url or self.catalog

    @property
    def catalog_name(self) -> str:
        """The catalog as sentences name it (a URL without its password)."""
        return describe(self.catalog_location)

    def with_cache_folder(self, folder: str) -> AppPaths:
        """These paths with the `cache_folder` setting's folder for previews
        (a studio's shared one), or as they are when it is empty."""
        if not folder.strip():
            return self
        return dataclasses.replace(self, cache_dir=Path(folder.strip()).expanduser())

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"


def resolve_paths(catalog: str | os.PathLike[str] | None = None) -> AppPaths:
    """The catalog, cache and config locations: an explicit `catalog` path, else
    `CURATOR_HOME`, else platformdirs; the cache sits beside the catalog's home."""
    home = os.environ.get("CURATOR_HOME")
    data_dir = user_data_dir()
    if home:
        cache_dir, config_dir = data_dir / "cache", data_dir
    else:
        cache_dir = Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
        config_dir = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    if is_postgres_url(catalog):
        try:
            stand_in = PostgresLocation.parse(str(catalog)).local_stand_in(data_dir)
        except ValueError:  # Catalog.open says what is wrong with the URL
            stand_in = data_dir / "studio" / "unusable" / "catalog.pg"
        if not home:
            cache_dir = stand_in.parent / "cache"
        return AppPaths(stand_in, cache_dir, config_dir, catalog_url=str(catalog))
    catalog_path = Path(catalog).expanduser().resolve() if catalog else data_dir / CATALOG_FILENAME
    if catalog and not home:
        # A catalog picked by hand keeps its cache beside it, not in the user cache
        # of the default catalog: previews are keyed by content, but a separate
        # catalog is usually a separate project on another disk.
        cache_dir = catalog_path.parent / (catalog_path.stem + "-cache")
    return AppPaths(catalog=catalog_path, cache_dir=cache_dir, config_dir=config_dir)


# -- where a catalog is: a file, or a PostgreSQL URL -----------------------------

SCHEMES = ("postgresql", "postgres")
_PASSWORD_IN_URL = re.compile(r"(postgres(?:ql)?://[^:/@\s]*):[^@\s]*@", re.IGNORECASE)
_PASSWORD_PARAM = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


def is_postgres_url(text: object) -> bool:
    """Whether `text` names a PostgreSQL catalog (a `postgresql://` URL)."""
    if not isinstance(text, str):
        return False
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.lower() in SCHEMES


def redact(text: str) -> str:
    """`text` with any password a PostgreSQL URL or conninfo in it carries
    replaced by `***` (for driver messages, which may quote what they were given)."""
    text = _PASSWORD_IN_URL.sub(r"\1:***@", text)
    return _PASSWORD_PARAM.sub(r"\1***", text)


@dataclass(frozen=True)
class PostgresLocation:
    """A parsed `postgresql://` catalog URL."""

    conninfo: str  # what libpq gets (may hold a password: never shown)
    user: str | None
    host: str | None
    port: int | None
    database: str
    params: tuple[tuple[str, str], ...]  # sslmode and the like, as given

    @classmethod
    def parse(cls, url: str) -> PostgresLocation:
        """Raises ValueError with a sentence for a URL that can't name a catalog."""
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in SCHEMES:
            raise ValueError(f"{redact(url)} is not a postgresql:// URL.")
        try:
            port = parts.port
        except ValueError as exc:
            raise ValueError(f"The port in {redact(url)} is not a number.") from exc
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise ValueError(
                f"The catalog URL {redact(url)} names no database: write it as "
                "postgresql://user@host:5432/DATABASE."
            )
        return cls(
            conninfo=url.strip(),
            user=unquote(parts.username) if parts.username else None,
            host=parts.hostname,
            port=port,
            database=database,
            params=tuple(parse_qsl(parts.query)),
        )

    @property
    def display(self) -> str:
        """The URL without its password (every place a person sees it)."""
        netloc = quote(self.user, safe="") + "@" if self.user else ""
        netloc += self.host or ""
        if self.port is not None:
            netloc += f":{self.port}"
        query = "&".join(f"{k}={v}" for k, v in self.params if k.lower() != "password")
        return SplitResult("postgresql", netloc, "/" + quote(self.database), query, "").geturl()

    @property
    def slug(self) -> str:
        """A file-name-safe name for this catalog's local folder (cache, backups)."""
        raw = f"{self.host or 'local'}-{self.port or 5432}-{self.database}"
        return re.sub(r"[^A-Za-z0-9._-]+", "_", raw)

    def local_stand_in(self, data_dir: Path) -> Path:
        """The local path that stands for this catalog where a file is expected:
        its folder holds the seat's cache and the backups `curator backup` makes.
        Nothing is ever opened at that path as a catalog."""
        return data_dir / "studio" / self.slug / "catalog.pg"


def describe(location: str | Path) -> str:
    """How to name a catalog location in a sentence: the path, or the URL
    without its password."""
    if is_postgres_url(location):
        try:
            return PostgresLocation.parse(str(location)).display
        except ValueError:
            return redact(str(location))
    return str(location)


# -- the catalog the window opened last ------------------------------------------
#
# `RecentCatalogs` (a `RecentList`): the catalogs the window opened, newest
# first. File ▸ Recent Catalogs lists them, the next start opens the newest
# (`last()`, as Lightroom does), and the command line works on the same one
# (`remembered_paths`). Invariants: a location is a catalog file's absolute
# path or a PostgreSQL URL; a URL with a password is opened, never written;
# `last()` names only a catalog still there, else the default one opens.

log = logging.getLogger("curator.paths")

RECENT_FILENAME = "recent_catalogs.json"


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


class RecentList:
    """A short list of strings, newest first, kept under `key` in a small JSON
    file: a missing or unreadable file is an empty list (never an error at
    start-up), and a write is atomic (temp + rename); a read-only config dir
    costs the list, nothing else. File ▸ Recent Catalogs and Recent Folders."""

    def __init__(self, file: Path, key: str, limit: int) -> None:
        self.file, self.key, self.limit = Path(file), key, limit

    def read(self) -> list[str]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("ignoring the recent %s file %s: %s", self.key, self.file, exc)
            return []
        found = data.get(self.key, []) if isinstance(data, dict) else []
        return [c for c in found if isinstance(c, str)][: self.limit]

    def write(self, items: list[str]) -> None:
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.file.with_name(self.file.name + ".tmp")
            tmp.write_text(json.dumps({self.key: items}, indent=2) + "\n", "utf-8")
            os.replace(tmp, self.file)
        except OSError as exc:
            log.warning("could not save the recent %s to %s: %s", self.key, self.file, exc)


class RecentCatalogs:
    def __init__(self, config_dir: Path, limit: int = 8) -> None:
        self._list = RecentList(Path(config_dir) / RECENT_FILENAME, "catalogs", limit)
        self.file, self.limit = self._list.file, limit
        self.catalogs: list[str] = self._list.read()

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
        self._list.write(self.catalogs)


def remembered_paths(catalog: str | os.PathLike[str] | None = None) -> AppPaths:
    """The paths of `catalog` when one is named (`--catalog`), else of the
    catalog the window opened last (`RecentCatalogs.last`), else the default's."""
    if catalog is not None:
        return paths_for(os.fspath(catalog))
    return paths_for(RecentCatalogs(resolve_paths().config_dir).last())
