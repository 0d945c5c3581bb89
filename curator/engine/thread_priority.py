"""Background pool threads run below the UI thread's CPU priority (Linux).

Why: during a GUI import the pipeline's writer thread applies every batch
(SQLite work, the GIL let go: a real second core's worth of CPU), and at the
same priority as the UI thread it took the core a key press needed: the UI
thread waited runnable for a CPU for most of its slow keys (the import
bench's schedstat split). The decoder children already run at
`DECODER_NICENESS`; this does the same for the app's own background threads.

How: `lower_pool_priority(pool, niceness)` pins the pool's threads (they never
expire, so no fresh thread at normal priority replaces one) and runs one job
per thread that raises its nice value — on Linux a thread is a task with its
own nice value (`setpriority(PRIO_PROCESS, tid)`). Raising one's own nice
value needs no privilege. Elsewhere (macOS, Windows: a process-wide value)
nothing is changed. Only a pool whose thread count is fixed is lowered
whole: the jobs are started `maxThreadCount()` times and each waits until
all have started, so every thread takes one.

`CURATOR_NORMAL_PRIORITY=1` in the environment (the test suite sets it)
keeps every thread and decoder child at normal priority: nothing is
lowered (`background_niceness` is 0). On a machine whose cores are kept
busy by other work, a test waits for its pool threads and decoder children
like a person waits for a result, but nothing in it needs the UI thread to
go first: niced 5 and 10, they got a few percent of a core beside two busy
loops (four GUI test files: 127 s niced, 53 s at normal priority). The priority tests
(tests/unit/test_thread_priority.py, tests/integration/test_decoder_priority.py)
unset it and test the lowering itself.
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
