"""The pipeline's background threads run below the UI thread's priority
(engine/thread_priority.py): on Linux each pool thread's own nice value."""

from __future__ import annotations

import os
import sys
import threading

import pytest
from PySide6.QtCore import QThreadPool

from curator.engine.thread_priority import (
    NORMAL_PRIORITY_ENV,
    lower_pool_priority,
    lower_thread_priority,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's"
)


def _niceness_on(pool: QThreadPool) -> set[int]:
    """The nice values of the threads that run the next jobs on `pool`."""
    seen: set[int] = set()
    lock = threading.Lock()

    def probe() -> None:
        value = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        with lock:
            seen.add(value)

    for _ in range(20):
        pool.start(probe)
    pool.waitForDone()
    return seen


@pytest.mark.parametrize("threads", [1, 2])
def test_every_thread_of_a_lowered_pool_runs_below_the_caller(
    threads: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(NORMAL_PRIORITY_ENV)  # the product's priorities, not the suite's
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    pool = QThreadPool()
    pool.setMaxThreadCount(threads)
    lower_pool_priority(pool, 5)
    assert _niceness_on(pool) == {min(19, own + 5)}
    assert pool.expiryTimeout() == -1  # never replaced by a fresh thread at normal priority
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own  # caller untouched
    other = QThreadPool()
    assert _niceness_on(other) == {own}  # other pools keep the normal priority
    pool.setExpiryTimeout(0)
    pool.waitForDone()


def test_normal_priority_asked_for_lowers_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite's switch (CURATOR_NORMAL_PRIORITY, set by tests/conftest.py):
    no pool thread and no calling thread is lowered."""
    monkeypatch.setenv(NORMAL_PRIORITY_ENV, "1")
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    pool = QThreadPool()
    pool.setMaxThreadCount(2)
    lower_pool_priority(pool, 5)
    assert _niceness_on(pool) == {own}
    seen: list[tuple[bool, int]] = []

    def lower_self() -> None:
        lowered = lower_thread_priority(5)
        seen.append((lowered, os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))

    worker = threading.Thread(target=lower_self)
    worker.start()
    worker.join()
    assert seen == [(False, own)]
    pool.waitForDone()
