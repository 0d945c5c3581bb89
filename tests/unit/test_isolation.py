"""Crash isolation: a child that really dies fails one request, not the pool."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from curator.engine.isolation import ChildProcessPool, WorkerCrashed, WorkerFailed, WorkerTimedOut
from tests.helpers import (
    child_band_products,
    child_crash,
    child_echo,
    child_modules,
    child_raise,
    child_refaults,
    child_sleep,
    child_slow_exit,
    child_state,
)


@pytest.fixture
def pool() -> ChildProcessPool:
    p = ChildProcessPool(1)
    yield p
    p.close()


def test_a_call_returns_the_value(pool: ChildProcessPool) -> None:
    assert pool.call(child_echo, {"a": 1}) == {"a": 1, "pid": pool.worker_pids()[0]}


def test_a_segfaulting_child_fails_one_call_and_the_next_call_works(pool: ChildProcessPool) -> None:
    first_pid = pool.call(child_echo, {})["pid"]
    with pytest.raises(WorkerCrashed) as info:
        pool.call(child_crash, signal.SIGSEGV)
    assert info.value.exitcode == -signal.SIGSEGV
    assert "SIGSEGV" in str(info.value)
    # The pool replaced the dead child: same size, new process, still serving.
    result = pool.call(child_echo, {"after": True})
    assert result["after"] is True
    assert result["pid"] != first_pid
    assert len(pool.worker_pids()) == 1


def test_a_hung_child_is_killed_at_the_timeout(pool: ChildProcessPool) -> None:
    pool.call(child_echo, {})  # warm the child so the timeout measures the call only
    pid = pool.worker_pids()[0]
    started = time.monotonic()
    with pytest.raises(WorkerTimedOut):
        pool.call(child_sleep, 30.0, timeout=1.0)
    assert time.monotonic() - started < 10
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert pool.call(child_echo, {"ok": 1})["ok"] == 1


def test_an_exception_in_the_child_comes_back_with_its_traceback(pool: ChildProcessPool) -> None:
    with pytest.raises(WorkerFailed) as info:
        pool.call(child_raise, "boom")
    assert "ValueError: boom" in str(info.value)
    assert "Traceback" in info.value.detail
    assert pool.call(child_echo, {"x": 2})["x"] == 2


def test_initializer_runs_in_every_new_child() -> None:
    pool = ChildProcessPool(1, initializer=child_state.set_state, initargs=("primed",))
    try:
        assert pool.call(child_state.get_state, None) == "primed"
        with pytest.raises(WorkerCrashed):
            pool.call(child_crash, signal.SIGKILL)
        assert pool.call(child_state.get_state, None) == "primed"
    finally:
        pool.close()


def test_close_stops_children() -> None:
    pool = ChildProcessPool(2)
    pool.call(child_echo, {})
    pids = pool.worker_pids()
    pool.close()
    time.sleep(0.1)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_reprime_gives_the_live_child_new_initargs_without_restarting_it() -> None:
    # The import service keeps one pool across runs (issue 21 §1: a decoder child
    # costs ~0.4 s CPU to start) and primes it with each run's known hashes.
    pool = ChildProcessPool(1, initializer=child_state.set_state, initargs=("first run",))
    try:
        pid = pool.call(child_echo, {})["pid"]
        pool.reprime("second run")
        assert pool.call(child_state.get_state, None) == "second run"
        assert pool.worker_pids() == [pid]  # the same child, not a new one
        with pytest.raises(WorkerCrashed):
            pool.call(child_crash, signal.SIGKILL)
        assert pool.call(child_state.get_state, None) == "second run"  # the replacement too
    finally:
        pool.close()


def test_a_sequential_caller_never_starts_a_second_child() -> None:
    pool = ChildProcessPool(2)
    try:
        pids = {pool.call(child_echo, {})["pid"] for _ in range(4)}
        assert len(pids) == 1 and len(pool.worker_pids()) == 1
    finally:
        pool.close()


def test_a_decoder_child_loads_neither_the_catalog_nor_the_settings_nor_qt() -> None:
    # What a child imports before its first file is paid at every child start.
    from curator.pipeline.stages.technical import init_decoder_process

    pool = ChildProcessPool(1, initializer=init_decoder_process, initargs=(frozenset(),))
    try:
        loaded = set(pool.call(child_modules, None))
    finally:
        pool.close()
    assert "curator.pipeline.stages.technical_child" in loaded
    assert not loaded & {"peewee", "pydantic", "PySide6", "curator.settings", "curator.catalog"}


def test_a_decoder_child_runs_numpy_on_one_thread() -> None:
    # numpy's OpenBLAS starts a thread per core for the faces' eye-band products,
    # and its idle threads spin a core through every photo with faces: in a
    # pool with a child per core that core is the other child's.
    from curator.pipeline.stages.technical import init_decoder_process

    decoder = ChildProcessPool(1, initializer=init_decoder_process, initargs=(frozenset(),))
    plain = ChildProcessPool(1)
    try:
        decoder.call(child_band_products, 1)  # the child's start-up is not this
        held = decoder.call(child_band_products, 200)
        default = plain.call(child_band_products, 1)
    finally:
        decoder.close()
        plain.close()
    if (os.cpu_count() or 1) > 1:
        assert default["blas_threads"] > 1  # the default really is a thread per core
    assert held["blas_threads"] == 1
    # no thread but the caller's spent CPU (1 ms of slack for the interpreter's own)
    assert held["process_s"] - held["thread_s"] < 0.001 + 0.05 * held["thread_s"], held


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_a_decoder_child_keeps_freed_memory_for_the_next_file() -> None:
    # issue 21 §3: every file allocates the same large buffers again; a child that
    # gave them back to the kernel faulted every page in again (~4,800 faults and
    # 7-20 ms of system time per 9 MP DNG). The same rounds in a plain child show
    # what glibc's default does.
    from curator.pipeline.stages.technical import init_decoder_process

    decoder = ChildProcessPool(1, initializer=init_decoder_process, initargs=(frozenset(),))
    plain = ChildProcessPool(1)
    try:
        kept = decoder.call(child_refaults, 20)
        given_back = plain.call(child_refaults, 20)
    finally:
        decoder.close()
        plain.close()
    pages = 4 * 20 * 1024 * 1024 // os.sysconf("SC_PAGE_SIZE")
    assert given_back > pages // 2  # the default really refaults: the test can fail
    assert kept < pages // 20


def test_warm_starts_and_serves_every_slot_once() -> None:
    # With idle children taken last-in first-out, two calls in a row could land
    # on one child; a bench warms each of its children with `warm`.
    pool = ChildProcessPool(2)
    try:
        pids = [reply["pid"] for reply in pool.warm(child_echo, {})]
        assert len(set(pids)) == 2 and sorted(pids) == sorted(pool.worker_pids())
        assert pool.call(child_echo, {})["pid"] in pids  # and they serve afterwards
    finally:
        pool.close()


def test_start_one_starts_a_child_that_the_next_call_takes() -> None:
    pool = ChildProcessPool(2)
    try:
        pool.start_one()
        started = pool.worker_pids()
        assert len(started) == 1  # before any request
        assert pool.call(child_echo, {})["pid"] == started[0]
        pool.start_one()  # a live child is idle: nothing more starts
        assert pool.worker_pids() == started
    finally:
        pool.close()


def test_a_child_that_died_while_idle_fails_no_request(pool: ChildProcessPool) -> None:
    pid = pool.call(child_echo, {})["pid"]
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while pool.worker_pids() and time.monotonic() < deadline:
        time.sleep(0.01)
    result = pool.call(child_echo, {"after": True})
    assert result["after"] is True and result["pid"] != pid


def test_a_child_told_to_stop_skips_the_interpreter_s_teardown() -> None:
    # Unloading the face networks at a child's exit took ~0.3 s that the
    # importing process waited; a child holds nothing that needs its teardown.
    pool = ChildProcessPool(1)
    pool.call(child_slow_exit, 5.0)
    started = time.monotonic()
    pool.close()
    assert time.monotonic() - started < 1.5  # the teardown would sleep 5 s (join waits 2)
