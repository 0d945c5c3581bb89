"""File ▸ Watch Folder…'s backup in the real window (issue 75 §5): the dialog
asks for the folder and, ticked, a backup folder and its templates (a backup
inside the watched folder refused in red); a frame that lands is copied there,
verified and named by the template, the status bar counting it; and a watch
left on with its backup goes on with it when the window opens again."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from curator.paths import resolve_paths
from curator.ui.ingest.watch import LAST_WATCH, WATCHING, WindowWatch
from curator.ui.ingest.watch_dialog import WatchDialog
from tests.ui.conftest import make_photo, running_app

WAIT = 60_000


def _watch_window(app: object) -> WindowWatch:
    watch = app.window.imports.watch  # type: ignore[attr-defined]
    assert watch is not None
    return watch


def _answer(fill: object) -> list[str]:
    """Fill the Watch Folder dialog with `fill(dialog)` once it shows (modal),
    then press Watch; what the dialog said is returned in the list."""
    said: list[str] = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, WatchDialog):
            QTimer.singleShot(20, look)
            return
        fill(dialog, said)  # type: ignore[operator]
        dialog.watch_button.click()

    QTimer.singleShot(0, look)
    return said


def test_the_dialogs_backup_copies_each_frame_that_lands(
    library: Path, qtbot: QtBot, tmp_path: Path
) -> None:
    tether, dest = tmp_path / "tether", tmp_path / "backup"
    tether.mkdir()

    def fill(dialog: WatchDialog, said: list[str]) -> None:
        dialog.folder_edit.setText(str(tether))
        assert dialog.watch_button.isEnabled() and not dialog.backup_edit.isEnabled()
        dialog.copy_check.setChecked(True)
        assert not dialog.watch_button.isEnabled()  # no backup folder yet
        dialog.backup_edit.setText(str(tether / "copies"))
        said.append(dialog.problem_label.text())
        assert not dialog.watch_button.isEnabled()
        dialog.backup_edit.setText(str(dest))
        dialog.rename_edit.setText("live-{seq}")
        dialog.subfolder_edit.setText("")
        assert dialog.watch_button.isEnabled() and dialog.problem_label.text() == ""

    with running_app(qtbot) as app:
        watch = _watch_window(app)
        said = _answer(fill)
        watch.action.trigger()  # the dialog, answered above
        assert said and "inside the watched folder" in said[0]
        assert watch.watching and watch.action.isChecked()
        session = watch.session
        assert session is not None and session.backup is not None
        staged = make_photo(tmp_path / "staged.jpg", 301)
        staged.rename(tether / "LIVE_0001.jpg")  # renamed into place, as a tethering app does
        copy = dest / "live-0001.jpg"
        qtbot.waitUntil(lambda: session.backed == 1, timeout=WAIT)
        assert copy.read_bytes() == (tether / "LIVE_0001.jpg").read_bytes()
        qtbot.waitUntil(lambda: "; 1 backed up" in watch.label.text(), timeout=5_000)
        qtbot.waitUntil(lambda: session.count == 1, timeout=WAIT)  # measured (maybe after)
        qtbot.waitUntil(lambda: "— 1 arrived, last" in watch.label.text(), timeout=5_000)
        assert watch.label.text().endswith(" ago; 1 backed up")
        watch.action.trigger()  # off
        qtbot.waitUntil(lambda: watch.session is None, timeout=WAIT)
    paths = resolve_paths()
    last = json.loads((paths.config_dir / LAST_WATCH).read_text("utf-8"))["watched"]
    assert last == [str(tether), str(paths.catalog), str(dest), "live-{seq}", ""]


def test_a_watch_left_on_goes_on_with_its_backup(
    library: Path, qtbot: QtBot, tmp_path: Path
) -> None:
    tether, dest = tmp_path / "tether", tmp_path / "backup"
    tether.mkdir()
    make_photo(tether / "LANDED_1.jpg", 201)  # landed while Curator was not running
    paths = resolve_paths()
    left = [str(tether), str(paths.catalog), str(dest), "{original}", ""]
    (paths.config_dir / WATCHING).write_text(json.dumps({"watching": left}), "utf-8")
    with running_app(qtbot) as app:
        app.catalog_opened()
        watch = _watch_window(app)
        qtbot.waitUntil(lambda: watch.watching, timeout=WAIT)
        qtbot.waitUntil(lambda: (dest / "LANDED_1.jpg").exists(), timeout=WAIT)
        assert (dest / "LANDED_1.jpg").read_bytes() == (tether / "LANDED_1.jpg").read_bytes()
        watch.action.trigger()
        qtbot.waitUntil(lambda: watch.session is None, timeout=WAIT)
