"""A stage runner with an open feed (a watched folder's live run): it takes
more jobs while it runs, finishes only once the feed is closed and all is
written, or at once when cancelled; a runner's priority puts its jobs ahead
of those queued before them in the same pool, and `max_in_flight` keeps the
pool's other threads free for them, starting the held jobs in the order they
came."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from curator.catalog.writer import Attempted
from curator.engine.stage_runner import RunSummary, StageRunner


def _runner(pool: QThreadPool, written: list[int], work: object = None) -> StageRunner[int, int]:
    def apply(batch: list[Attempted[int]]) -> Counter[str]:
        written.extend(item.outcome for item in batch)
        return Counter(done=len(batch))

    runner: StageRunner[int, int] = StageRunner(
        "test",
        pool,
        work or (lambda job: job),  # type: ignore[arg-type]
        apply,
        on_error=lambda job, exc: -1,
        batch_size=2,
        flush_ms=20,
    )
    return runner


@pytest.fixture
def pool() -> QThreadPool:
    made = QThreadPool()
    made.setMaxThreadCount(2)
    return made


def test_an_open_feed_takes_more_jobs_and_finishes_once_closed(
    qtbot: QtBot, pool: QThreadPool
) -> None:
    written: list[int] = []
    runner = _runner(pool, written)
    finished: list[RunSummary] = []
    runner.finished.connect(finished.append)
    runner.start([], open_feed=True)
    runner.extend([1, 2, 3], found=3)
    qtbot.waitUntil(lambda: sorted(written) == [1, 2, 3])
    assert runner.running and finished == []  # done, but more may come
    runner.extend([4])
    qtbot.waitUntil(lambda: 4 in written)
    assert runner.progress == (4, 4)
    with qtbot.waitSignal(runner.finished, timeout=10_000) as done:
        runner.close_feed()
    summary: RunSummary = done.args[0]
    assert summary.found == 3 and summary.counts["done"] == 4
    assert not runner.running
    with pytest.raises(RuntimeError):
        runner.extend([5])  # it takes no more
    pool.waitForDone()


def test_a_cancelled_open_run_finishes_without_its_feed_closed(
    qtbot: QtBot, pool: QThreadPool
) -> None:
    written: list[int] = []
    runner = _runner(pool, written)
    runner.start([1], open_feed=True)
    qtbot.waitUntil(lambda: written == [1])
    with qtbot.waitSignal(runner.finished, timeout=10_000) as done:
        runner.cancel()
        runner.extend([2, 3])  # taken by no one: the run is finishing
    assert done.args[0].cancelled and written == [1]
    pool.waitForDone()


def test_max_in_flight_keeps_threads_free_and_loses_no_job(qtbot: QtBot) -> None:
    three = QThreadPool()
    three.setMaxThreadCount(3)
    gate = threading.Event()
    running: list[int] = []

    def work(job: int) -> int:
        running.append(job)
        gate.wait(10)
        return job

    written: list[int] = []
    measuring = _runner(three, written, work)
    measuring.max_in_flight = 2
    measuring.start([], open_feed=True)
    measuring.extend(list(range(6)))
    qtbot.waitUntil(lambda: len(running) == 2)
    looked: list[int] = []
    looking = _runner(three, looked)
    looking.priority = 1
    looking.start([100])  # the third thread is free for it at once
    qtbot.waitUntil(lambda: looked == [100])
    assert sorted(running) == [0, 1] and three.activeThreadCount() == 2
    gate.set()
    with qtbot.waitSignal(measuring.finished, timeout=10_000):
        measuring.close_feed()
    assert sorted(written) == list(range(6))
    three.waitForDone()


def test_held_jobs_start_in_the_order_they_came(qtbot: QtBot, pool: QThreadPool) -> None:
    started: list[int] = []

    def work(job: int) -> int:
        started.append(job)
        return job

    written: list[int] = []
    runner = _runner(pool, written, work)
    runner.max_in_flight = 1
    runner.start([0, 1], open_feed=True)
    runner.extend([2, 3])
    runner.extend([4])
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.close_feed()
    assert started == [0, 1, 2, 3, 4] and sorted(written) == started
    pool.waitForDone()


def test_a_cancel_drops_the_held_jobs_and_finishes(qtbot: QtBot) -> None:
    one = QThreadPool()
    one.setMaxThreadCount(1)
    gate, started = threading.Event(), threading.Event()

    def work(job: int) -> int:
        started.set()
        gate.wait(10)
        return job

    written: list[int] = []
    runner = _runner(one, written, work)
    runner.max_in_flight = 1
    runner.start([1, 2, 3, 4])
    qtbot.waitUntil(started.is_set)
    with qtbot.waitSignal(runner.finished, timeout=10_000) as done:
        runner.cancel()
        gate.set()
    assert done.args[0].cancelled and written == [1]  # the one in flight was written
    one.waitForDone()


def test_a_runner_s_priority_puts_its_jobs_ahead_of_queued_ones(qtbot: QtBot) -> None:
    one = QThreadPool()
    one.setMaxThreadCount(1)
    gate = threading.Event()
    order: list[int] = []

    def work(job: int) -> int:
        if job == 0:
            gate.wait(10)  # holds the one thread while the rest queue up
        order.append(job)
        return job

    measuring = _runner(one, [], work)
    looking = _runner(one, [], work)
    looking.priority = 1
    measuring.start([0, 1, 2, 3])
    qtbot.waitUntil(lambda: one.activeThreadCount() == 1)
    looking.start([100])  # queued after 1, 2, 3: taken before them
    gate.set()
    qtbot.waitUntil(lambda: len(order) == 5)
    assert order == [0, 100, 1, 2, 3]
    one.waitForDone()
