"""A stage runner with an open feed (a watched folder's live run): it takes
more jobs while it runs, finishes only once the feed is closed and all is
written, or at once when cancelled; and a runner's priority puts its jobs
ahead of those queued before them in the same pool."""

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
