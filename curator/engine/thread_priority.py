"""Background pool threads run below the UI thread's CPU priority (Linux).

At the same priority the writer thread took the core a key press needed
(docs/decisions/engine.md); the decoder children already run at
`DECODER_NICENESS`.

`lower_pool_priority(pool, niceness)` pins the pool's threads and runs one job
per thread that raises its own nice value (`setpriority(PRIO_PROCESS, tid)`,
no privilege needed); all `maxThreadCount()` jobs wait until all have started,
so every thread takes one. Elsewhere than Linux nothing changes.

`CURATOR_NORMAL_PRIORITY=1` (the test suite sets it) lowers nothing
(`background_niceness` is 0); tests/unit/test_thread_priority.py and
tests/integration/test_decoder_priority.py unset it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # stdlib only at run time: decoder children import this module
    from PySide6.QtCore import QThreadPool

log = logging.getLogger(__name__)

NORMAL_PRIORITY_ENV = "CURATOR_NORMAL_PRIORITY"


def background_niceness(niceness: int) -> int:
    """The niceness background work takes: `niceness`, or 0 where the
    environment asks for normal priority everywhere (`NORMAL_PRIORITY_ENV`)."""
    if os.environ.get(NORMAL_PRIORITY_ENV, "") not in ("", "0"):
        return 0
    return niceness


def lower_thread_priority(niceness: int) -> bool:
    """Raise the calling thread's nice value by `niceness`; False where it
    cannot (not Linux, refused, or normal priority asked for)."""
    niceness = background_niceness(niceness)
    if not sys.platform.startswith("linux") or niceness <= 0:
        return False
    tid = threading.get_native_id()
    try:
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, current + niceness))
    except OSError as exc:
        log.info("could not lower a background thread's priority: %s", exc)
        return False
    return True


def lower_pool_priority(pool: QThreadPool, niceness: int) -> None:
    """Every thread of `pool` (fixed size) runs `niceness` below normal, for good."""
    niceness = background_niceness(niceness)
    if not sys.platform.startswith("linux") or niceness <= 0:
        return
    pool.setExpiryTimeout(-1)  # the lowered threads are kept, never replaced
    threads = max(1, pool.maxThreadCount())
    barrier = threading.Barrier(threads, timeout=5)

    def lower() -> None:
        lower_thread_priority(niceness)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()  # each thread takes exactly one of these jobs

    for _ in range(threads):
        pool.start(lower)
