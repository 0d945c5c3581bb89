"""`ImportLock`: one import at a time per catalog, across processes.

Two imports writing the same catalog at once would race on identity (the
same new file planned twice) and on the decode children; the second one
either waits its turn (the CLI) or is told another import is running (the
GUI). The lock is an OS-level file lock (py-filelock: fcntl/msvcrt) on
`<catalog>.import.lock`, so it is released when the process dies, even by
SIGKILL: a crashed import never blocks the next one.
"""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout


class ImportLock:
    def __init__(self, catalog_path: Path):
        self.path = Path(f"{catalog_path}.import.lock")
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
