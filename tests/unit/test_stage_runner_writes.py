"""The stage runner's write path: a failing apply is retried, then reported,
and the runner always finishes (never a silent drop, never a hang)."""

from __future__ import annotations

import sqlite3
from collections import Counter

from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from curator.catalog.writer import Attempted
from curator.engine.stage_runner import RunSummary, StageRunner


def _runner(apply_fn: object, failures: list[str]) -> StageRunner[int, int]:
    pool = QThreadPool()
    pool.setMaxThreadCount(2)

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
    )
    pool.setParent(runner)
    return runner


def test_a_write_that_fails_once_is_retried_and_nothing_is_lost(qtbot: QtBot) -> None:
    written: list[int] = []
    calls = Counter[str]()

    def apply(batch: list[Attempted[int]]) -> Counter[str]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise sqlite3.OperationalError("database is locked")
        written.extend(item.outcome for item in batch)
        return Counter(done=len(batch))

    failures: list[str] = []
    runner = _runner(apply, failures)
    with qtbot.waitSignal(runner.finished, timeout=30_000) as finished:
        runner.start(list(range(10)))
    summary: RunSummary = finished.args[0]
    assert sorted(written) == [i * 10 for i in range(10)]
    assert summary.counts["done"] == 10 and not summary.counts["write_failed"]
    assert failures == [] and runner.write_error is None


def test_a_write_that_keeps_failing_is_reported_and_the_runner_finishes(qtbot: QtBot) -> None:
    def apply(batch: list[Attempted[int]]) -> Counter[str]:
        raise RuntimeError("constraint failed")

    failures: list[str] = []
    runner = _runner(apply, failures)
    with qtbot.waitSignal(runner.finished, timeout=30_000) as finished:
        runner.start(list(range(6)))
    summary: RunSummary = finished.args[0]
    assert summary.counts["write_failed"] == 6  # counted, not silently dropped
    assert failures and all("could not save" in f for f in failures)
    assert sum(int(f.split(":")[0]) for f in failures) == 6
    assert not runner.running


def test_a_full_disk_stops_the_run_with_its_sentence(qtbot: QtBot) -> None:
    def apply(batch: list[Attempted[int]]) -> Counter[str]:
        raise sqlite3.OperationalError("database or disk is full")

    failures: list[str] = []
    runner = _runner(apply, failures)
    with qtbot.waitSignal(runner.finished, timeout=30_000) as finished:
        runner.start(list(range(40)))
    summary: RunSummary = finished.args[0]
    assert summary.cancelled  # nothing more is tried once the disk is full
    assert runner.write_error is not None and "full" in runner.write_error
    assert summary.counts["write_failed"] >= 1
