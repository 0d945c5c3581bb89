"""Issue 51 §1: undo and redo run on the step queue's worker, in order, while
the window stays live.

A slow undo is made by holding the real one behind an event (as an undo of
60,000 photos would hold the write for seconds): meanwhile the UI thread's
timers keep firing, the status line says what is under way, a decision key
is refused with a sentence and writes nothing, and a second Ctrl+Z waits
its turn — two presses undo two steps, newest first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog import decisions
from curator.catalog.models import Decision, Photo
from curator.engine.collector import active_collector
from curator.ui.review.step_queue import UNDER_WAY_MS
from tests.ui.step_helpers import steps_done

CTRL = Qt.KeyboardModifier.ControlModifier
HELD_S = 20.0  # the longest a held undo waits (a failing test must not hang)


def _cull(pid: int) -> str:
    return str(Photo.get_by_id(pid).cull)


@pytest.fixture
def held_undo(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[str]]:
    """`undo_last` waits for the event (released by the test), then undoes;
    each call records the thread it ran on."""
    release, threads = threading.Event(), []
    real: Callable[..., object] = decisions.undo_last

    def held(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread().name)
        release.wait(HELD_S)
        return real(*args, **kwargs)

    monkeypatch.setattr(decisions, "undo_last", held)
    return release, threads


def test_a_slow_undo_leaves_the_window_live_and_refuses_keys_meanwhile(
    library: Path, app: App, qtbot: QtBot, held_undo: tuple[threading.Event, list[str]]
) -> None:
    release, threads = held_undo
    window, session = app.window, app.session
    window.show_loupe()
    view = window.loupe.view
    qtbot.waitUntil(view.hasFocus, timeout=30_000)
    first = session.current
    assert first is not None
    qtbot.keyClick(view, Qt.Key.Key_X)  # rejected, committed at once (the queue is idle)
    assert _cull(first) == "rejected"
    second = session.current
    assert second is not None and second != first

    ticks = [0]
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    timer.start()
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)  # returns at once: the undo waits on the worker
    qtbot.waitUntil(lambda: bool(threads), timeout=5_000)
    assert threads[0] != threading.main_thread().name
    before = ticks[0]
    # The UI thread keeps turning while the undo is held: timers fire.
    qtbot.waitUntil(lambda: ticks[0] >= before + 10, timeout=5_000)
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage().startswith("Undoing the last step…"),
        timeout=UNDER_WAY_MS + 5_000,
    )
    assert session.steps is not None and not session.steps.idle
    # A decision key meanwhile is refused, with a sentence, and writes nothing.
    rows = Decision.select().count()
    qtbot.keyClick(view, Qt.Key.Key_X)
    assert "that key did nothing" in window.statusBar().currentMessage()
    assert Decision.select().count() == rows and _cull(second) == "unreviewed"
    assert session.current == second  # the cursor did not move either
    release.set()
    steps_done(session, qtbot)
    timer.stop()
    assert _cull(first) == "unreviewed"
    assert window.statusBar().currentMessage().startswith("Undone: reject of ")
    assert session.current == first  # the loupe goes back to the photo undone


def test_two_ctrl_z_in_a_row_undo_two_steps_in_order(
    library: Path, app: App, qtbot: QtBot, held_undo: tuple[threading.Event, list[str]]
) -> None:
    release, threads = held_undo
    window, session = app.window, app.session
    window.show_loupe()
    view = window.loupe.view
    qtbot.waitUntil(view.hasFocus, timeout=30_000)
    a = session.current
    qtbot.keyClick(view, Qt.Key.Key_X)
    b = session.current
    qtbot.keyClick(view, Qt.Key.Key_P)
    assert a is not None and b is not None
    assert (_cull(a), _cull(b)) == ("rejected", "kept")

    collector = active_collector()
    assert collector is not None and not collector.held
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)  # pressed before the first is written
    assert session.steps is not None and session.steps.pending == 2
    # The UI thread never walks the steps' worker's rows meanwhile (issue 51 §2).
    assert collector.held
    release.set()
    steps_done(session, qtbot)
    assert not collector.held  # let go once the last step is done
    assert len(threads) == 2
    assert (_cull(a), _cull(b)) == ("unreviewed", "unreviewed")
    undo_rows = list(Decision.select().where(Decision.undoes.is_null(False)).order_by(Decision.id))
    # The newest step first (the keep of b), then the reject of a.
    assert [(int(r.photo_id), r.new_value) for r in undo_rows] == [
        (b, "unreviewed"),
        (a, "unreviewed"),
    ]
    qtbot.keyClick(view, Qt.Key.Key_P)  # the queue is idle again: keys decide at once
    assert session.current is not None
