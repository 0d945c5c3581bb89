"""One call in a child process (engine/child_call.py, issue 51 §2): its
progress comes back in order and its result returns; an exception comes
back as `ChildFailed` with its sentence; a stop reaches the call at its next
progress, whose clean-up runs before the child exits; a child that dies is
`WorkerCrashed`; no child outlives a call."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from curator.engine.child_call import ChildFailed, ChildStopped, call_in_child
from curator.engine.isolation import WorkerCrashed


def counts_to(n: int, pid_file: str, *, progress: Callable[[object], None]) -> int:
    Path(pid_file).write_text(str(os.getpid()))
    for i in range(n):
        progress(i)
    return n * 10


def fails(*, progress: Callable[[object], None]) -> None:
    raise ValueError("no such catalog")


def dies(*, progress: Callable[[object], None]) -> None:
    os._exit(7)


def runs_until_stopped(marker: str, *, progress: Callable[[object], None]) -> None:
    Path(marker).write_text("partial")
    try:
        while True:
            progress("still going")
    finally:
        Path(marker).unlink()  # as a backup removes its partial file


def _children() -> set[int]:
    """This process's live children's pids (another test's decoder children,
    which live on in this worker, among them)."""
    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


def test_progress_in_order_then_the_result_from_another_process(tmp_path: Path) -> None:
    heard: list[object] = []
    pid_file = tmp_path / "pid"
    before = _children()
    assert call_in_child(counts_to, (5, str(pid_file)), heard.append) == 50
    assert heard == [0, 1, 2, 3, 4]
    child = int(pid_file.read_text())
    assert child != os.getpid()
    assert child not in _children() and _children() <= before  # joined: none outlives it


def test_an_exception_comes_back_with_its_sentence() -> None:
    with pytest.raises(ChildFailed, match="ValueError: no such catalog") as failed:
        call_in_child(fails, ())
    assert "Traceback" in failed.value.detail


def test_a_dead_child_is_worker_crashed() -> None:
    with pytest.raises(WorkerCrashed) as crashed:
        call_in_child(dies, ())
    assert crashed.value.exitcode == 7


def test_a_stop_reaches_the_call_and_its_clean_up_runs(tmp_path: Path) -> None:
    marker = tmp_path / "partial"
    before = _children()
    stop = threading.Event()
    heard: list[object] = []

    def stop_once_started(value: object) -> None:
        heard.append(value)
        stop.set()

    with pytest.raises(ChildStopped):
        call_in_child(runs_until_stopped, (str(marker),), stop_once_started, stop)
    assert heard and not marker.exists()
    assert _children() <= before  # joined: none outlives it
