"""What a catalog change does besides its protocol (ui/maintenance/catalog_switch.py):
`check_target` and `restore_in_place` (on its worker: the target must be a
catalog this Curator knows, not the one open nor another window's; older ones
are upgraded), `open_catalog_here` and `hold_presence` (the UI thread's open
and the lock `curator restore` respects). Nothing touches the catalog bound to
the models; every failure is a `CatalogError` with its sentence, before any change.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from curator.ingest.types import human_bytes
from curator.paths import location_key
from curator.ui.maintenance.catalog_upgrade import THROTTLE_S, ProgressThrottle

if TYPE_CHECKING:
    from curator.catalog.backup import RestoreResult
    from curator.catalog.db import Catalog
    from curator.engine.lock import AppLock
    from curator.paths import AppPaths
    from curator.settings import Settings

log = logging.getLogger("curator.ui")


def check_target(
    location: Path | str, current: Path | str, progress: ProgressThrottle | None = None
) -> None:
    """Raise `CatalogError` with the sentence when `location` can't be switched to;
    otherwise leave it ready to open (upgraded if older). On a worker."""
    from curator.catalog.db import Catalog
    from curator.catalog.errors import CatalogError
    from curator.catalog.upgrade.prepare import upgrade_catalog
    from curator.engine.lock import AppLock
    from curator.paths import describe, is_postgres_url

    name = describe(location)
    if location_key(location) == location_key(current):
        raise CatalogError(f"The catalog {name} is the one open.")
    if not is_postgres_url(location):
        path = Path(location)
        if path.is_dir():
            raise CatalogError(f"{name} is a folder, not a catalog file.")
        if not path.is_file():
            raise CatalogError(f"There is no catalog at {name}; nothing was changed.")
        lock = AppLock(path)
        if not lock.acquire(0):
            raise CatalogError(
                f"Another Curator window has the catalog {name} open: switch to that window, "
                "or quit it first."
            )
        lock.release()
    upgrade_catalog(location, read_only_ok=is_postgres_url(location), progress=progress)
    Catalog.open(location, read_only_ok=is_postgres_url(location), bind=False).close()


KEEPING = "Keeping a copy of the catalog as it is now (a restore can be undone)…"


def restore_news(
    deliver: Callable[[str], object], size: int, clock: Callable[[], float] = time.monotonic
) -> Callable[[str, int, int], None]:
    """`restore_backup`'s progress as sentences to `deliver`: each step, then
    at most one percentage per `THROTTLE_S` (and the last)."""
    last: list[tuple[str, int, float]] = []

    def told(step: str, done: int, total: int) -> None:
        percent = 0 if total <= 0 else (100 if done >= total else min(99, done * 100 // total))
        now = clock()
        if last and last[0][0] == step:
            was_percent, at = last[0][1], last[0][2]
            if percent == was_percent or (now - at < THROTTLE_S and percent < 100):
                return
        last[:] = [(step, percent, now)]
        if step == "keep":
            deliver(KEEPING)
        else:
            deliver(f"Putting the backup back ({human_bytes(size)}): {percent} %")

    return told


def restore_in_place(
    catalog_path: Path,
    backup: Path,
    folder: Path,
    keep: int,
    progress: ProgressThrottle,
    news: Callable[[str], object] = lambda _text: None,
) -> RestoreResult:
    """Put `backup` back as the catalog at `catalog_path` (closed by every thread),
    telling `news` how far, then upgrade it if older; on a worker."""
    from curator.catalog.backup import BackupError, restore_backup
    from curator.catalog.upgrade.prepare import upgrade_catalog
    from curator.engine.lock import catalog_to_itself

    with catalog_to_itself(catalog_path) as busy:
        if busy is not None:
            raise BackupError(
                f"Can't restore now: {busy} ({catalog_path}). Let it finish or quit it, "
                "then restore again; nothing was changed."
            )
        told = restore_news(news, backup.stat().st_size)
        result = restore_backup(catalog_path, backup, folder, keep=keep, progress=told)
        upgrade_catalog(catalog_path, progress=progress)
    return result


def open_catalog_here(paths: AppPaths, settings: Settings) -> Catalog:
    """Open the catalog of `paths` for the window, on the UI thread, as app.main
    does (pairing, the shared drive's roots and the seat's taste set first)."""
    from curator.catalog.db import Catalog
    from curator.catalog.paths_codec import set_pairing, set_root_map
    from curator.catalog.taste.choice import choose, owner_of
    from curator.settings import root_pairs

    set_pairing(settings.pair_raw_jpeg)
    set_root_map(root_pairs(settings.root_map))
    catalog = Catalog.open(paths.catalog_location, read_only_ok=paths.catalog_url is not None)
    choose(owner_of(settings.taste))
    return catalog


def hold_presence(catalog: Path, held: list[AppLock]) -> None:
    """Take the catalog's `AppLock` (appended to `held`) once the catalog is open,
    so `curator restore` refuses to swap it while the window is up."""
    from curator.engine.lock import AppLock  # filelock: not before the first paint

    lock = AppLock(catalog)
    held.append(lock)
    if not lock.acquire(0):  # another window has it: fine, it only guards restores
        log.info("another Curator window has %s open", catalog)


__all__ = [
    "KEEPING",
    "check_target",
    "hold_presence",
    "open_catalog_here",
    "restore_in_place",
    "restore_news",
]
