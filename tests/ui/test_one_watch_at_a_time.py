"""One watch feeds a catalog at a time, said plainly (issue 79 §3), on the
embedded catalog:

- `curator watch` runs in a terminal (a real process); the window opened on
  the same catalog says which folder is watched and that its frames appear
  here, shows them arriving, refuses File ▸ Watch Folder… with that sentence
  and never claims a watch of its own; once the terminal's watch ends it
  offers to take it over, and taking it over watches that folder;
- the window watches; `curator watch` started then says so the other way
  round, with exit 2."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from curator.app import App
from curator.ui.ingest.watch import WindowWatch
from curator.ui.ingest.watch_dialog import WatchChoice
from tests.integration.cli_helpers import REPO
from tests.ui.conftest import make_photo, running_app

WAIT = 60_000  # a terminal's watch starting, on a busy 2-core machine


def _watch(app: App) -> WindowWatch:
    watch = app.window.imports.watch
    assert watch is not None
    return watch


def _frame(folder: Path, i: int) -> None:
    staged = folder.parent / f"staged-{i}.jpg"
    make_photo(staged, 100 + i)
    staged.rename(folder / f"LIVE_{i:04d}.jpg")  # renamed into place, as a tethering app does


def _terminal_watch(folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "curator", "watch", str(folder)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_window_shows_the_terminals_watch_and_takes_it_over(
    qtbot: QtBot, tmp_path: Path
) -> None:
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    terminal = _terminal_watch(shoot)
    try:
        with running_app(qtbot) as app:
            watch = _watch(app)
            # The window learns of the terminal's watch once it holds the catalog.
            qtbot.waitUntil(lambda: watch.other.current() is not None, timeout=WAIT)
            watch.resume()  # as at the catalog's opening
            label = watch.other.label
            assert label.isVisible() and "Watching shoot in a terminal" in label.text()
            for i in range(3):
                _frame(shoot, i)
            qtbot.waitUntil(lambda: app.model.rowCount() == 3, timeout=WAIT)
            qtbot.waitUntil(lambda: "3 arrived here" in label.text(), timeout=WAIT)
            # File ▸ Watch Folder… says who watches, and claims nothing.
            watch.choose = lambda: WatchChoice(str(shoot))
            with qtbot.waitSignal(app.errors.reported, timeout=WAIT) as said:
                watch.action.trigger()
            assert "in a terminal is watching" in said.args[0] and str(shoot) in said.args[0]
            assert not watch.watching and not watch.action.isChecked()
            assert not watch.label.isVisible()  # no "Watching shoot — 0 arrived" of its own
            # The terminal's watch ends: the window offers to take it over.
            terminal.send_signal(signal.SIGINT)
            terminal.wait(timeout=60)
            offer = watch.other.offer
            qtbot.waitUntil(offer.isVisible, timeout=WAIT)
            assert "Take over the watch of shoot" in offer.text()
            offer.click()
            assert watch.watching and watch.session is not None
            assert watch.session.folder == str(shoot)
            _frame(shoot, 9)
            qtbot.waitUntil(lambda: app.model.rowCount() == 4, timeout=WAIT)
            watch.stop()
    finally:
        if terminal.poll() is None:
            terminal.kill()
        terminal.wait(timeout=30)


def test_curator_watch_refuses_while_the_window_watches(qtbot: QtBot, tmp_path: Path) -> None:
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    with running_app(qtbot) as app:
        watch = _watch(app)
        watch.choose = lambda: WatchChoice(str(shoot))
        watch.action.trigger()
        assert watch.watching
        qtbot.waitUntil(lambda: app.pipeline.service.running, timeout=WAIT)
        other = tmp_path / "other"
        other.mkdir()
        done = subprocess.run(
            [sys.executable, "-m", "curator", "watch", str(other)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, done.stderr
        assert "Window 1 is watching" in done.stderr and str(shoot) in done.stderr
        assert "File ▸ Watch Folder…" in done.stderr
        watch.stop()


def test_a_terminals_watch_begun_after_the_window_opened_is_shown(
    qtbot: QtBot, tmp_path: Path
) -> None:
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    with running_app(qtbot) as app:
        watch = _watch(app)
        label = watch.other.label
        assert not label.isVisible()
        terminal = _terminal_watch(shoot)
        try:
            qtbot.waitUntil(lambda: watch.other.current() is not None, timeout=WAIT)
            _frame(shoot, 0)
            qtbot.waitUntil(lambda: app.model.rowCount() == 1, timeout=WAIT)
            qtbot.waitUntil(label.isVisible, timeout=WAIT)
            assert "Watching shoot in a terminal — 1 arrived here" in label.text()
        finally:
            terminal.send_signal(signal.SIGINT)
            terminal.wait(timeout=60)
