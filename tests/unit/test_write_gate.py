"""The write gate (catalog/write_gate.py): a waiting decision holds back the
pipeline's next batch, for a bounded time; without a file it does nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from curator.catalog import write_gate
from curator.catalog.write_gate import Gate, gate_path, passing

pytestmark = pytest.mark.skipif(write_gate.fcntl is None, reason="no flock on this system")


def test_a_bulk_write_waits_while_an_interactive_one_holds_the_gate(tmp_path: Path) -> None:
    path = str(tmp_path / "catalog.sqlite.write-gate")
    inside, release, bulk_done = threading.Event(), threading.Event(), threading.Event()
    pauses: list[float] = []

    def decision() -> None:
        with passing(path, Gate.INTERACTIVE):
            inside.set()
            release.wait(60)

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 5:
            release.set()  # the decision commits after the bulk writer waited a while

    thread = threading.Thread(target=decision)
    thread.start()
    assert inside.wait(60)
    with passing(path, Gate.BULK, max_yield_s=60, sleep=pause):
        bulk_done.set()
    thread.join(60)
    assert len(pauses) >= 5  # it yielded until the decision was done
    assert release.is_set()


def test_a_bulk_write_goes_ahead_after_its_longest_yield(tmp_path: Path) -> None:
    path = str(tmp_path / "g")
    with passing(path, Gate.INTERACTIVE):
        pauses: list[float] = []
        with passing(path, Gate.BULK, max_yield_s=0.0, sleep=pauses.append):
            pass  # an import is never stopped by decisions
    assert pauses == []


def test_interactive_writes_share_the_gate(tmp_path: Path) -> None:
    path = str(tmp_path / "g")
    with passing(path, Gate.INTERACTIVE), passing(path, Gate.INTERACTIVE):
        pass  # two decisions (two processes, two threads) never wait for each other here


def test_no_gate_for_memory_or_uri_databases() -> None:
    class Db:
        database = ":memory:"

    assert gate_path(Db()) is None
    Db.database = "file:/x.sqlite?mode=ro"
    assert gate_path(Db()) is None
    Db.database = "/x/catalog.sqlite"
    assert gate_path(Db()) == "/x/catalog.sqlite.write-gate"
