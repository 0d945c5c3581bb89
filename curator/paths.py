"""Where Curator keeps its files.

Default locations come from platformdirs (the user data dir for the catalog,
the user cache dir for previews/thumbnails, the user config dir for settings).
`CURATOR_HOME` relocates all three under one folder (tests, portable installs);
`--catalog PATH` on the command line overrides only the catalog file; a
`postgresql://` URL there names a studio's shared catalog instead, and a local
folder of this seat's own stands in for its file (cache, backups:
`catalog.backends.location`).

`resource_path()` is the one way to reach files under `resources/`: beside the
package when run from source, inside the bundle when frozen by PyInstaller
(`curator.spec` copies `resources/` there). Model weights are never resources.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass
from pathlib import Path

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
        from curator.catalog.backends.location import describe

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
    """Resolve the catalog, cache and config locations.

    Precedence: an explicit `catalog` path, then `CURATOR_HOME`, then platformdirs.
    The cache always sits beside the catalog's home, so a relocated catalog keeps
    its previews next to it.
    """
    home = os.environ.get("CURATOR_HOME")
    data_dir = user_data_dir()
    if home:
        cache_dir, config_dir = data_dir / "cache", data_dir
    else:
        cache_dir = Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
        config_dir = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    from curator.catalog.backends.location import PostgresLocation, is_postgres_url

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
