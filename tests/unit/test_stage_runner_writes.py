"""The stage runner's write path: a failing apply is retried, then reported,
and the runner always finishes (never a silent drop, never a hang) — applied
inline, or on a writer thread (`writes`), where the batches keep their order
and the UI thread only gets the result."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter

import pytest
from PySide6.QtCore import QCoreApplication, QThreadPool
from pytestqt.qtbot import QtBot

from curator.catalog.writer import Attempted
from curator.engine.stage_runner import RunSummary, StageRunner, Written

WRITES = {"inline": False, "writer thread": True}


@pytest.fixture(params=list(WRITES))
def on_writer(request: pytest.FixtureRequest) -> bool:
    return WRITES[request.param]


def _runner(
    apply_fn: object, failures: list[str], on_writer: bool = False, write_slice: int | None = None
) -> StageRunner[int, int]:
    pool = QThreadPool()
    pool.setMaxThreadCount(2)
    writes = None
    if on_writer:
        writes = QThreadPool()
        writes.setMaxThreadCount(1)

    def on_write_failed(sentence: str, exc: BaseException, lost: int) -> None:
        failures.append(f"{lost}:{sentence}")

    runner: StageRunner[int, int] = StageRunner(
        "test",
        pool,
        lambda job: job * 10,
        apply_fn,  # type: ignore[arg-type]
        on_error=lambda job, exc: -1,
        batch_size=4,
        backoff_ms=5,
        write_attempts=3,
        on_write_failed=on_write_failed,
        writes=writes,
        write_slice=write_slice,
    )
    pool.setParent(runner)
    if writes is not None:
        writes.setParent(runner)
    return runner


def test_a_write_that_fails_once_is_retried_and_nothing_is_lost(
    qtbot: QtBot, on_writer: bool
) -> None:
    written: list[int] = []
    calls = Counter[str]()

    def apply(batch: list[Attempted[int]]) -> Counter[str]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise sqlite3.OperationalError("database is locked")
        written.extend(item.outcome for item in batch)
        return Counter(done=len(batch))

    failures: list[str] = []
    runner = _runner(apply, failures, on_writer)
    with qtbot.waitSignal(runner.finished, timeout=30_000) as finished:
        runner.start(list(range(10)))
    summary: RunSummary = finished.args[0]
    assert sorted(written) == [i * 10 for i in range(10)]
    assert summary.counts["done"] == 10 and not summary.counts["write_failed"]
    assert failures == [] and runner.write_error is None


def test_a_write_that_keeps_failing_is_reported_and_the_runner_finishes(
    qtbot: QtBot, on_writer: bool
) -> None:
    def apply(batch: list[Attempted[int]]) -> Counter[str]:
        raise RuntimeError("constraint failed")

    failures: list[str] = []
    runner = _runner(apply, failures, on_writer)
    with qtbot.waitSignal(runner.finished, timeout=30_000) as finished:
        runner.start(list(range(6)))
    summary: RunSummary = finished.args[0]
    assert summary.counts["write_failed"] == 6  # counted, not silently dropped
    assert failures and all("could not save" in f for f in failures)
    assert sum(int(f.split(":")[0]) for f in failures) == 6
    assert not runner.running


def test_a_full_disk_stops_the_run_with_its_sentence(qtbot: QtBot, on_writer: bool) -> None:
    def apply(batch: list[Attempted[int]]) -> Counter[str]:
        raise sqlite3.OperationalError("database or disk is full")

    failures: list[str] = []
    runner = _runner(apply, failures, on_writer)
    with qtbot.waitSignal(runner.finished, timeout=30_000) as finished:
        runner.start(list(range(40)))
    summary: RunSummary = finished.args[0]
    assert summary.cancelled  # nothing more is tried once the disk is full
    assert runner.write_error is not None and "full" in runner.write_error
    assert summary.counts["write_failed"] >= 1


def test_on_a_writer_thread_batches_are_applied_in_order_off_the_main_thread(
    qtbot: QtBot,
) -> None:
    main = threading.get_ident()
    threads: set[int] = set()
    batches: list[list[int]] = []
    open_batches: list[int] = []  # more than one at a time would break the order

    def apply(batch: list[Attempted[int]]) -> Written:
        open_batches.append(1)
        assert len(open_batches) == 1
        threads.add(threading.get_ident())
        outcomes = [item.outcome for item in batch]
        batches.append(outcomes)
        open_batches.pop()
        return Written(Counter(done=len(batch)), tuple(o + 1 for o in outcomes))

    runner = _runner(apply, [], on_writer=True)
    applied: list[list[int]] = []
    written: list[list[int]] = []
    runner.batch_applied.connect(applied.append)
    runner.photos_written.connect(written.append)
    with qtbot.waitSignal(runner.finished, timeout=30_000) as finished:
        runner.start(list(range(23)))
    summary: RunSummary = finished.args[0]
    assert main not in threads and len(threads) == 1  # the one writer thread
    assert applied == batches  # announced on the main thread in the order written
    assert written == [[o + 1 for o in batch] for batch in batches]
    assert summary.counts["done"] == 23
    assert sorted(o for batch in batches for o in batch) == [i * 10 for i in range(23)]


def test_flush_now_writes_the_buffer_at_once_behind_the_batch_in_flight(qtbot: QtBot) -> None:
    order: list[list[int]] = []
    release = threading.Event()

    def apply(batch: list[Attempted[int]]) -> Counter[str]:
        if not order:
            release.wait(10)  # the first batch is still on the writer thread
        order.append([item.outcome for item in batch])
        return Counter(done=len(batch))

    runner = _runner(apply, [], on_writer=True)
    runner.start(list(range(6)))  # one batch of 4 goes to the writer; 2 stay buffered
    qtbot.waitUntil(lambda: runner.progress[0] == 6, timeout=30_000)
    release.set()
    runner.flush_now()  # a hard stop: waits for the writer, then writes the rest itself
    assert sorted(o for batch in order for o in batch) == [i * 10 for i in range(6)]
    assert len(order[0]) == 4  # the batch in flight first, the buffer after


def test_a_batch_is_written_in_slices_and_a_failed_slice_retries_only_the_rest(
    qtbot: QtBot, on_writer: bool
) -> None:
    slices: list[list[int]] = []
    calls = Counter[str]()

    def apply(batch: list[Attempted[int]]) -> Counter[str]:
        calls["n"] += 1
        if calls["n"] == 2:  # the second slice of the first batch fails once
            raise sqlite3.OperationalError("disk I/O error")
        slices.append([item.outcome for item in batch])
        return Counter(done=len(batch))

    failures: list[str] = []
    runner = _runner(apply, failures, on_writer, write_slice=3)
    applied: list[list[int]] = []
    runner.batch_applied.connect(applied.append)
    with qtbot.waitSignal(runner.finished, timeout=30_000) as finished:
        runner.start(list(range(8)))  # batches of 4: slices of at most 3
    summary: RunSummary = finished.args[0]
    written = [o for part in slices for o in part]
    assert sorted(written) == [i * 10 for i in range(8)]  # each once: none lost, none twice
    assert max(len(part) for part in slices) <= 3  # a transaction holds at most a slice
    assert summary.counts["done"] == 8 and failures == []
    assert sorted(o for batch in applied for o in batch) == sorted(written)


def test_a_closed_runner_hears_nothing_from_the_write_in_flight(qtbot: QtBot) -> None:
    release = threading.Event()
    committed: list[int] = []

    def apply(batch: list[Attempted[int]]) -> Counter[str]:
        release.wait(10)
        committed.extend(item.outcome for item in batch)
        return Counter(done=len(batch))

    runner = _runner(apply, [], on_writer=True)
    heard: list[object] = []
    runner.batch_applied.connect(heard.append)
    runner.finished.connect(heard.append)
    runner.start(list(range(4)))  # one batch, on the writer thread
    qtbot.waitUntil(lambda: runner.progress[0] == 4, timeout=30_000)
    runner.close()  # shutdown: the window goes next
    release.set()
    assert runner.writes is not None
    runner.writes.waitForDone()
    QCoreApplication.sendPostedEvents()  # a delivery posted before close would run here
    assert len(committed) == 4  # the write under way still commits
    assert heard == []
