"""`write_gate`: a human's decision goes before the pipeline's next batch.

SQLite's write lock has no queue: a bulk writer retakes it within microseconds
while a waiting connection polls up to 100 ms apart; a decision waited up to
13–31 s without this gate (tests/integration/test_fault_concurrent_writes.py).

Protocol — `flock` on `<catalog>.write-gate`, a descriptor per use (so between
threads too):
- an *interactive* write (`gate=INTERACTIVE`) holds it SHARED while it waits
  for the write lock and until it commits;
- a *bulk* write (`gate=BULK`) takes it EXCLUSIVE without blocking and lets go
  at once; while it cannot, it retries for at most `max_yield_s`, then goes
  ahead: decisions slow an import, never stop it.
A decision waits at most for the one batch under way. On PostgreSQL a server
advisory lock (`gate_of`). Best-effort: without `flock` or a gate file it does nothing.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import IO

try:
    import fcntl
except ImportError:  # Windows: no gate
    fcntl = None  # type: ignore[assignment]

SUFFIX = ".write-gate"
MAX_YIELD_S = 2.0
_PAUSE_S = 0.003


class Gate(StrEnum):
    INTERACTIVE = "interactive"
    BULK = "bulk"


def gate_path(database: object) -> str | None:
    """The gate file for a peewee database's file name; None for memory/URI databases."""
    name = getattr(database, "database", None)
    if not isinstance(name, str) or not name or name == ":memory:" or name.startswith("file:"):
        return None
    return name + SUFFIX


def gate_of(
    db: object, gate: Gate | None, *, max_yield_s: float = MAX_YIELD_S
) -> contextlib.AbstractContextManager[None]:
    """The write gate of a peewee database: the server's (PostgreSQL) or the file's."""
    server_gate = getattr(db, "passing", None)
    if gate is not None and server_gate is not None:
        gate_cm: contextlib.AbstractContextManager[None] = server_gate(
            gate is Gate.INTERACTIVE, max_yield_s=max_yield_s, sleep=time.sleep
        )
        return gate_cm
    return passing(gate_path(db), gate, max_yield_s=max_yield_s)


@contextlib.contextmanager
def passing(
    path: str | None,
    gate: Gate | None,
    *,
    max_yield_s: float = MAX_YIELD_S,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[None]:
    """Go through the gate as `gate` says for the block (see the module docstring)."""
    if gate is None or path is None or fcntl is None:
        yield
        return
    handle = _open(path)
    if handle is None:
        yield
        return
    try:
        if gate is Gate.INTERACTIVE:
            fcntl.flock(handle, fcntl.LOCK_SH)  # never waits long: bulk holders let go at once
        else:
            _wait_for_no_interactive(handle, max_yield_s, sleep)
        yield
    finally:
        handle.close()  # releases the lock


def _wait_for_no_interactive(
    handle: IO[bytes], max_yield_s: float, sleep: Callable[[float], None]
) -> None:
    assert fcntl is not None
    deadline = time.monotonic() + max_yield_s
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return  # go ahead: an import is never stopped by decisions
            sleep(_PAUSE_S)
            continue
        fcntl.flock(handle, fcntl.LOCK_UN)
        return


def _open(path: str) -> IO[bytes] | None:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return None
    return os.fdopen(fd, "rb+", buffering=0)
