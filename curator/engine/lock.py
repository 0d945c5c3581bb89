"""`ImportLock`: one import at a time per catalog, across processes.

Two imports at once would race on identity and the decode children; the CLI
waits its turn, the GUI is told. An OS file lock (py-filelock) on
`<catalog>.import.lock`, released when the process dies.

`AppLock` (`<catalog>.app.lock`) is held by the GUI while the catalog is
open, so `curator restore` can tell; nothing waits on it.
`catalog_to_itself` takes both without waiting.

Whoever holds the import lock says what it does in `<catalog>.import.lock.json`
(`ImportHolder`: a watch or an import, of which folder, by which desk, in
which process), written after the lock is taken and removed before it is let
go; `ImportLock.holder()` reads it for another process's window or terminal
("`curator watch` in a terminal is watching shoot…"). A note whose process
is gone is nobody's (an OS lock dies with its process; reading the note never
touches the lock, so a look never gets in an import's way).

`DeskLock` (`<catalog>.window-N.lock`) numbers the windows open on a catalog:
the first free N is this window's desk ("window N", catalog.backends.seat),
the same number after a restart, so its undo still finds its decisions.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import FileLock, Timeout


@dataclass(frozen=True)
class ImportHolder:
    """What the process holding a catalog's import lock is doing (module docstring)."""

    what: str  # "watch" or "import"
    folder: str  # the watched or imported folder ("" for a list of files)
    desk: str | None  # "terminal", "window 2"; None: not said
    pid: int

    @property
    def watching(self) -> bool:
        return self.what == "watch"

    @property
    def who(self) -> str:
        """Who, as a sentence starts: "`curator watch` in a terminal", "Window 2"."""
        if self.desk == "terminal":
            return f"`curator {self.what}` in a terminal"
        if self.desk:
            return self.desk[0].upper() + self.desk[1:]
        return "Another Curator"

    def sentence(self) -> str:
        """The photographer's sentence for another process's work on the catalog."""
        folder = f" {self.folder}" if self.folder else ""
        if self.watching:
            return (
                f"{self.who} is watching{folder} into this catalog; its frames appear here as"
                " they land."
            )
        return (
            f"{self.who} is importing{folder} into this catalog; its photos appear here as they"
            " are measured. Try again when it has finished."
        )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


class ImportLock:
    SUFFIX = ".import.lock"

    def __init__(self, catalog_path: Path):
        self.path = Path(f"{catalog_path}{self.SUFFIX}")
        self._lock = FileLock(str(self.path), thread_local=False)
        self.note = Path(f"{self.path}.json")

    def say(self, holder: ImportHolder) -> None:
        """While held: tell the other processes what this one does with the lock."""
        if not self.held:
            return
        tmp = self.note.with_name(f"{self.note.name}.{os.getpid()}.tmp")
        with contextlib.suppress(OSError):
            tmp.write_text(json.dumps(asdict(holder)))
            os.replace(tmp, self.note)

    def holder(self) -> ImportHolder | None:
        """What another process holding the lock does; None when nobody holds it
        (or this process does, or it did not say)."""
        if self.held:
            return None
        try:
            data = json.loads(self.note.read_text())
            holder = ImportHolder(
                str(data["what"]), str(data["folder"]), data.get("desk"), int(data["pid"])
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if holder.pid == os.getpid() or not _alive(holder.pid):
            return None  # this process's own, or a killed one's (its lock went with it)
        return holder

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
            if type(self) is ImportLock:
                with contextlib.suppress(OSError):
                    self.note.unlink()
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
