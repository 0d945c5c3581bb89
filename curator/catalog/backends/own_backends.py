"""`OwnBackends`: the server process ids of a seat's own PostgreSQL
connections, so that its listener leaves its own writes out (backends.listen).

Invariants: a pid is own from `add` until `GRACE_S` after `discard` (a
connection often closes before its commit's notification is read; the grace
is too short for the pid to be reused); iterating yields open and recently
closed pids; safe from any thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

GRACE_S = 30.0  # a closed connection's notifications are still its seat's for this long


class OwnBackends:
    """A set of pids that remembers the closed ones for `GRACE_S` (module docstring)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._open: set[int] = set()
        self._closed: dict[int, float] = {}  # pid -> when its connection closed

    def add(self, pid: int) -> None:
        with self._lock:
            self._open.add(pid)
            self._closed.pop(pid, None)

    def discard(self, pid: int) -> None:
        with self._lock:
            if pid in self._open:
                self._open.discard(pid)
                self._closed[pid] = self._clock()

    def __iter__(self) -> Iterator[int]:
        with self._lock:
            cutoff = self._clock() - GRACE_S
            for pid in [p for p, at in self._closed.items() if at < cutoff]:
                del self._closed[pid]
            return iter(self._open | set(self._closed))


__all__ = ["GRACE_S", "OwnBackends"]
