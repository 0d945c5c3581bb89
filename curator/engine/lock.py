"""`ImportLock`: one import at a time per catalog, across processes.

Two imports at once would race on identity and the decode children; the CLI
waits its turn, the GUI is told. An OS file lock (py-filelock) on
`<catalog>.import.lock`, released when the process dies.

`AppLock` (`<catalog>.app.lock`) is held by the GUI while the catalog is
open, so `curator restore` can tell; nothing waits on it.
`catalog_to_itself` takes both without waiting.

`DeskLock` (`<catalog>.window-N.lock`) numbers the windows open on a catalog:
the first free N is this window's desk ("window N", catalog.backends.seat),
the same number after a restart, so its undo still finds its decisions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout


class ImportLock:
    SUFFIX = ".import.lock"

    def __init__(self, catalog_path: Path):
        self.path = Path(f"{catalog_path}{self.SUFFIX}")
        self._lock = FileLock(str(self.path), thread_local=False)

    @property
    def held(self) -> bool:
        return bool(self._lock.is_locked)

    def acquire(self, timeout: float = 0.0) -> bool:
        """True once held; False if another process holds it after `timeout`
        seconds (negative: wait for ever). Re-acquiring a held lock is a no-op."""
        if self.held:
            return True
        try:
            self._lock.acquire(timeout=timeout, poll_interval=0.1)
        except Timeout:
            return False
        return True

    def release(self) -> None:
        if self.held:
            self._lock.release(force=True)


class AppLock(ImportLock):
    """Held by the GUI while it runs on a catalog (see the module docstring)."""

    SUFFIX = ".app.lock"


MAX_DESKS = 16  # windows numbered on one catalog; past that a window is named by its pid


class DeskLock(ImportLock):
    """One window's number on a catalog, held while it is open (module docstring)."""

    def __init__(self, catalog_path: Path, number: int):
        super().__init__(Path(f"{catalog_path}.window-{number}"))
        self.desk = f"window {number}"


def take_desk(catalog_path: Path) -> DeskLock | None:
    """The lowest-numbered free desk of the catalog, held; None when all are taken."""
    for number in range(1, MAX_DESKS + 1):
        lock = DeskLock(catalog_path, number)
        if lock.acquire(0):
            return lock
    return None


@contextmanager
def catalog_to_itself(catalog_path: Path) -> Iterator[str | None]:
    """Hold both locks for the block: yields None while held, or — holding
    nothing — what is using the catalog ("an import is running", "the Curator
    app has it open"). Never waits."""
    held: list[ImportLock] = []
    busy: str | None = None
    for lock, what in (
        (ImportLock(catalog_path), "an import is running on it"),
        (AppLock(catalog_path), "the Curator app has it open"),
    ):
        if not lock.acquire(0):
            busy = what
            break
        held.append(lock)
    try:
        if busy is not None:
            for lock in held:
                lock.release()
            held.clear()
        yield busy
    finally:
        for lock in held:
            lock.release()
