"""Opening a catalog that needs a migration (app.main, ui.maintenance.catalog_upgrade):
the backup and the migration run on a worker while the window stays live and
says how far the backup is; a backup that fails shows its sentence and leaves
the catalog as it was (issue 51 §1)."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from curator import app as app_module
from curator.catalog.migrations import LATEST_VERSION
from curator.catalog.upgrade import prepare, progress
from curator.catalog.upgrade.progress import UpgradeProgress, UpgradeStep
from curator.ui.maintenance.catalog_upgrade import UPDATING, ProgressThrottle
from curator.ui.window.main_window import MainWindow
from tests.unit.test_catalog_upgrade import OLD, old_catalog, version_of

BACKING_UP = re.compile(r"^Backing up the catalog before updating it \(\d+ kB\): (\d+) %$")


def _dispose_windows() -> None:
    """main's window outlives main in this process (the app's exits with it)."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


STALE = "curator_test_stale"  # a window an earlier test left behind (hidden, not yet deleted)
GIVE_UP_MS = 180_000  # main has not opened or closed by then: close it (a failure, not a hang)


class Watch:
    """A 10 ms timer on the UI thread, and every status message with the tick it came at.

    It watches the window `main` creates, never one an earlier test in this
    process left behind (marked stale when the watch starts): picking a
    hidden leftover, it would wait for a catalog that never opens there.
    """

    def __init__(self) -> None:
        self.ticks = 0
        self.messages: list[tuple[int, str]] = []
        self.after: tuple[str, str] | None = None  # the grid's empty text, the status, once open
        self.gave_up = False
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow):
                widget.setProperty(STALE, True)
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        QTimer.singleShot(0, self._attach)  # the event loop's first turn: the window is up
        QTimer.singleShot(GIVE_UP_MS, self._give_up)

    def window(self) -> MainWindow | None:
        """The window `main` made (None before it exists)."""
        return next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and not w.property(STALE)
            ),
            None,
        )

    def _tick(self) -> None:
        self.ticks += 1

    def _attach(self) -> None:
        window = self.window()
        if window is None:
            QTimer.singleShot(10, self._attach)
            return
        window.status_line.messageChanged.connect(self._said)
        self._close_when_open(window)

    def _give_up(self) -> None:
        window = self.window()
        if window is not None and window.isVisible():
            self.gave_up = True
            window.close()

    def _said(self, text: str) -> None:
        if text:
            self.messages.append((self.ticks, text))

    def _close_when_open(self, window: MainWindow) -> None:
        if window.catalog_open:
            self.after = (window.gallery.empty_text, window.status_line.currentMessage())
            window.close()
        elif window.isVisible():
            QTimer.singleShot(10, window, lambda: self._close_when_open(window))

    def run_main(self, catalog: str | Path, exit_code: int) -> None:
        """`app.main` on `catalog`, to `exit_code`; then the timer off, its window
        gone, and a failure if the watch had to close a window that never opened."""
        try:
            assert app_module.main(["--catalog", str(catalog)]) == exit_code
        finally:
            self.timer.stop()
            _dispose_windows()
        assert not self.gave_up, self.messages

    def backing_up(self) -> list[tuple[int, int]]:
        """(tick, percent) of each backup message."""
        found = ((tick, BACKING_UP.match(text)) for tick, text in self.messages)
        return [(tick, int(m.group(1))) for tick, m in found if m]


def slow_steps(monkeypatch: pytest.MonkeyPatch, fail_at: int | None = None) -> None:
    """A backup of one page a step, each step 10 ms (a big catalog on a busy disk);
    with `fail_at`, the disk fills when the copy reaches that percentage."""
    monkeypatch.setattr(progress, "BACKUP_STEP_PAGES", 1)
    real = prepare.upgrade_catalog

    def slowed(location: Any, *, read_only_ok: bool = False, progress: Any = None) -> bool:
        def step(p: UpgradeProgress) -> None:
            time.sleep(0.01)
            if fail_at is not None and p.step == "backup" and p.percent >= fail_at:
                raise sqlite3.OperationalError("database or disk is full")
            progress(p)

        return real(location, read_only_ok=read_only_ok, progress=step)

    monkeypatch.setattr(prepare, "upgrade_catalog", slowed)


def test_an_old_catalog_is_backed_up_with_progress_while_the_window_stays_live(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = old_catalog(tmp_path / "cat.sqlite")
    slow_steps(monkeypatch)
    fatal: list[str] = []
    monkeypatch.setattr(app_module, "show_fatal", fatal.append)
    watch = Watch()
    watch.run_main(str(path), app_module.EXIT_OK)
    assert fatal == []
    backing_up = watch.backing_up()
    percents = [percent for _tick, percent in backing_up]
    assert percents == sorted(percents) and len(set(percents)) >= 3, watch.messages
    assert percents[0] < 50 and percents[-1] >= 50
    # The UI thread kept turning while the copy went on: the timer ticked
    # between the first and the last backup message, and then came the update.
    first_tick, last_tick = backing_up[0][0], backing_up[-1][0]
    assert last_tick - first_tick >= 10, watch.messages
    updating = [tick for tick, text in watch.messages if text == UPDATING]
    assert updating and updating[0] >= last_tick
    assert watch.after is not None and UPDATING not in watch.after  # the progress is gone
    assert not any(BACKING_UP.match(text) for text in watch.after)
    assert version_of(path) == LATEST_VERSION  # the window opened it migrated
    (backup,) = tmp_path.glob(f"cat.sqlite.v{OLD}.*.bak")
    assert version_of(backup) == OLD


def test_a_backup_that_fails_shows_its_sentence_and_leaves_the_catalog_untouched(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = old_catalog(tmp_path / "cat.sqlite")
    before = path.read_bytes()
    slow_steps(monkeypatch, fail_at=40)
    shown: list[tuple[str, bool]] = []

    watch = Watch()

    def fatal(message: str) -> None:
        window = watch.window()
        shown.append((message, window is not None and window.isVisible()))

    monkeypatch.setattr(app_module, "show_fatal", fatal)
    watch.run_main(str(path), app_module.EXIT_CATALOG)
    assert [p for _t, p in watch.backing_up()][-1] < 40  # it got under way, then failed
    ((message, visible),) = shown
    assert "full" in message and str(tmp_path) in message and visible is False
    assert path.read_bytes() == before  # byte for byte, never migrated
    assert list(tmp_path.glob("*.bak")) == []


def test_an_old_postgresql_catalog_is_migrated_off_the_ui_thread_without_a_file_backup(
    pg_url: str, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curator.catalog.upgrade.prepare import schema_version
    from tests.unit.test_catalog_upgrade import old_postgresql_catalog

    old_postgresql_catalog(pg_url)
    monkeypatch.setattr(app_module, "show_fatal", lambda message: pytest.fail(message))
    watch = Watch()
    watch.run_main(pg_url, app_module.EXIT_OK)
    said = [text for _tick, text in watch.messages]
    assert UPDATING in said and watch.backing_up() == []  # it migrates; nothing to copy
    assert watch.after is not None and UPDATING not in watch.after
    assert schema_version(pg_url) == LATEST_VERSION


def test_closing_the_window_during_the_backup_stops_it_and_leaves_the_catalog_as_it_was(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = old_catalog(tmp_path / "cat.sqlite")
    before = path.read_bytes()
    slow_steps(monkeypatch)
    monkeypatch.setattr(app_module, "show_fatal", lambda message: pytest.fail(message))
    watch = Watch()

    def close_at_20_percent(text: str) -> None:
        found = BACKING_UP.match(text)
        if found and int(found.group(1)) >= 20:
            window = watch.window()
            assert window is not None
            window.close()

    def attach() -> None:
        window = watch.window()
        if window is None:  # main has not made it yet
            QTimer.singleShot(10, attach)
            return
        window.status_line.messageChanged.connect(close_at_20_percent)

    QTimer.singleShot(0, attach)
    watch.run_main(str(path), app_module.EXIT_OK)
    assert 20 <= watch.backing_up()[-1][1] < 100
    assert path.read_bytes() == before and version_of(path) == OLD  # quit without waiting
    assert list(tmp_path.glob("*.bak")) == []  # the half copy went with it


def test_the_progress_reaching_the_ui_thread_is_throttled_but_never_skips_a_step() -> None:
    now = [0.0]
    said: list[str] = []
    throttle = ProgressThrottle(said.append, clock=lambda: now[0])

    def backup(done: int, at: float) -> None:
        now[0] = at
        throttle(UpgradeProgress(UpgradeStep.BACKUP, done, 1000, 1_200_000_000))

    backup(0, 0.0)  # the first is said at once
    backup(10, 0.01)  # 1 %, 10 ms later: held back
    backup(20, 0.05)
    backup(400, 0.15)  # a tenth of a second on: said
    backup(400, 0.16)  # the same percentage: never twice
    backup(999, 0.2)  # 99 %, 50 ms after 40 %: held back
    backup(1000, 0.21)  # the end is always said, however soon
    now[0] = 0.22
    throttle(UpgradeProgress(UpgradeStep.MIGRATE, 0, 2, 1_200_000_000))  # a new step: said
    assert said == [
        "Backing up the catalog before updating it (1.2 GB): 0 %",
        "Backing up the catalog before updating it (1.2 GB): 40 %",
        "Backing up the catalog before updating it (1.2 GB): 100 %",
        UPDATING,
    ]


def test_after_main_an_event_loop_still_turns(qtbot: QtBot) -> None:
    """Last in this file, after the tests that ran main (and their teardowns): an
    event loop runs until told to stop. A Quit event main left pending once ended
    every later loop of the process at once, so no timer fired in the tests that
    followed in the same worker (LoopQuit in ui/window/opening.py)."""
    # What ended the loop, if not its timer, in seconds into it: a Quit event
    # reaching the application, or an exit (which posts none but says aboutToQuit).
    quits: list[tuple[str, float]] = []
    started = time.monotonic()

    class QuitSpy(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Quit:
                quits.append(("Quit event", round(time.monotonic() - started, 3)))
            return False

    spy = QuitSpy()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(spy)

    def about_to_quit() -> None:
        quits.append(("aboutToQuit", round(time.monotonic() - started, 3)))

    app.aboutToQuit.connect(about_to_quit)
    loop = QEventLoop()
    try:
        # The clock starts before the timer does, and the timer is precise: a
        # coarse one may fire 5 % early, and a busy machine that stops this
        # thread between starting the timer and reading the clock would
        # otherwise shorten the loop as measured (it read 82 ms once, under
        # load, with no Quit and no exit recorded).
        timer = QTimer()
        timer.setSingleShot(True)
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.timeout.connect(loop.quit)
        started = time.monotonic()
        timer.start(100)
        loop.exec()
        ended = time.monotonic() - started
    finally:
        app.removeEventFilter(spy)
        app.aboutToQuit.disconnect(about_to_quit)
    assert ended >= 0.09 and not quits, (ended, quits)
    ticks: list[int] = []
    QTimer.singleShot(10, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: bool(ticks), timeout=2000)
