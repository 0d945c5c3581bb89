"""File ▸ Export…: the dialog over the real engine and the real app.

Photos are imported through the CLI and decided through
`curator.catalog.decisions`; the export runs on the app's export pool. A
slow-progress wrapper around the real engine holds the worker at a known
point (never a sleep) so cancel, responsiveness and shutdown mid-export are
checked deterministically.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.decisions import photo_id_for_path, set_cull, set_picked, set_rating
from curator.catalog.projects import add_photos, create_project
from curator.export.types import ExportProgress, ExportResult, FileStatus
from curator.records import CullState
from curator.ui.export.choices import ExportChoices
from curator.ui.export.controller import ExportController, ExportEngine, ExportFinished
from curator.ui.export.dialog import ExportDialog
from tests.integration.cli_helpers import import_json
from tests.integration.export_helpers import without_xmp
from tests.ui.conftest import make_library, running_app

SHOTS = Path("/tmp")  # screenshots of the dialog's states, for a person to look at
WAIT_MS = 120_000  # a busy 2-core machine: generous, never relied on for pacing


def _decide(path: Path, *, rating: int | None = None, picked: bool = False) -> int:
    photo_id = photo_id_for_path(str(path))
    assert photo_id is not None, path
    if rating is not None:
        set_rating(photo_id, rating, pass_="test")
    if picked:
        set_picked(photo_id, True, pass_="test")
    return photo_id


def _open(app: App, qtbot: QtBot, dest: Path) -> ExportDialog:
    dialog = app.window.open_export()
    qtbot.waitExposed(dialog)
    dialog.dest_edit.setText(str(dest))
    return dialog


def _export(dialog: ExportDialog, qtbot: QtBot) -> ExportFinished:
    with qtbot.waitSignal(dialog.controller.finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    finished = blocker.args[0]
    assert isinstance(finished, ExportFinished)
    return finished


def _sources(folder: Path) -> dict[bytes, Path]:
    """Originals by their bytes without XMP (an export puts the decisions inside)."""
    return {without_xmp(p.read_bytes()): p for p in folder.rglob("*.jpg") if p.is_file()}


def _photo_files(dest: Path) -> list[Path]:
    """Every file under DEST that is not the manifest or a sidecar."""
    return [
        p
        for p in dest.rglob("*")
        if p.is_file() and p.name != "manifest.json" and p.suffix.lower() != ".xmp"
    ]


def _assert_no_partial_file(dest: Path, sources: dict[bytes, Path]) -> list[Path]:
    """Each photo file under DEST is byte for byte one of the sources (but the XMP
    the export put inside): a file cut off mid-copy (or a temp name left behind)
    would match none."""
    files = _photo_files(dest)
    for f in files:
        data = f.read_bytes()
        assert data[:2] == b"\xff\xd8" and without_xmp(data) in sources, (
            f"{f} is not a complete copy of any source"
        )
    return files


@pytest.fixture
def fixtures_app(qtbot: QtBot, fixtures_dir: Path) -> Iterator[tuple[App, dict[str, int]]]:
    """The camera JPEGs imported; two approved, three that must stay home."""
    jpeg = fixtures_dir / "jpeg"
    import_json(jpeg, "--stages", "technical")
    decided = {
        "five_stars": _decide(jpeg / "exiv2_canon6D_highkey.jpg", rating=5),
        "picked": _decide(jpeg / "nikon_d70s_dark.jpg", picked=True),
        "two_stars": _decide(jpeg / "jolla_leaf_soft.jpg", rating=2),
        "rejected_five": _decide(jpeg / "olympus_ep3_iso1600.jpg", rating=5),
    }
    set_cull(decided["rejected_five"], CullState.REJECTED, pass_="test")
    with running_app(qtbot) as app:
        yield app, decided


def test_the_export_key_makes_the_controller_at_its_first_use(app: App, qtbot: QtBot) -> None:
    # Not before the first paint (issue 21 §1): Ctrl+Shift+E makes it and opens
    # the dialog over it; the app's `export` is that one from then on.
    assert app.export_slot.built is None
    app.window.gallery.setFocus()
    qtbot.waitUntil(app.window.gallery.hasFocus)
    qtbot.keyClick(
        app.window.gallery,
        Qt.Key.Key_E,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = app.window.export_dialog
    assert dialog is not None and dialog.controller is app.export_slot.built is not None
    qtbot.waitExposed(dialog)
    assert app.export is dialog.controller
    dialog.close()


def test_the_dialog_exports_the_approved_photos_and_says_so(
    fixtures_app: tuple[App, dict[str, int]], fixtures_dir: Path, qtbot: QtBot, tmp_path: Path
) -> None:
    app, _ = fixtures_app
    dest = tmp_path / "out"
    action = app.window.window_actions["export"]
    assert action.shortcut().toString() == "Ctrl+Shift+E"
    assert action in app.window.menuBar().actions()[0].menu().actions()  # File ▸ Export…
    dialog = _open(app, qtbot, dest)
    action.trigger()
    assert app.window.export_dialog is dialog  # one dialog, raised again
    # The preview is a dry run on the worker: it names the count and the folder
    # and writes nothing.
    qtbot.waitUntil(
        lambda: re.match(r"\d+ photos? will go out", dialog.preview_label.text()) is not None,
        timeout=WAIT_MS,
    )
    assert dialog.preview_label.text().startswith("2 photos will go out to ")
    assert str(dest) in dialog.preview_label.text()
    dialog.grab().save(str(SHOTS / "export-dialog-preview.png"))
    assert not dest.exists() or not _photo_files(dest)

    finished = _export(dialog, qtbot)
    assert finished.result is not None and not finished.result.cancelled
    sources = _sources(fixtures_dir / "jpeg")
    files = _assert_no_partial_file(dest, sources)
    names = sorted(sources[without_xmp(f.read_bytes())].name for f in files)
    assert names == ["exiv2_canon6D_highkey.jpg", "nikon_d70s_dark.jpg"]
    summary = dialog.summary_label.text()
    assert dialog.summary_label.isVisible()
    assert summary.startswith("2 photos exported to "), summary
    assert dialog.open_button.isVisible() and dialog.open_target is not None
    assert all(f.is_relative_to(dialog.open_target) for f in files)
    opened: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert opened == [str(dialog.open_target)]
    dialog.grab().save(str(SHOTS / "export-dialog.png"))  # for a person to look at
    # The destination is remembered for the next time the dialog opens.
    assert app.export.choices.load().dest == str(dest)

    # Export again: nothing new goes out, and the summary says they were there.
    second = _export(dialog, qtbot)
    assert second.result is not None
    assert second.result.count(FileStatus.EXPORTED) == 0
    assert second.result.count(FileStatus.SKIPPED_EXISTING) == 2
    assert "2 already there" in dialog.summary_label.text()
    assert len(_photo_files(dest)) == 2


def test_renditions_at_a_long_edge_and_a_destination_that_is_a_file(
    fixtures_app: tuple[App, dict[str, int]], qtbot: QtBot, tmp_path: Path
) -> None:
    app, _ = fixtures_app
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("x")
    dialog = _open(app, qtbot, not_a_folder)
    qtbot.waitUntil(
        lambda: "is a file, not a folder" in dialog.preview_label.text(), timeout=WAIT_MS
    )
    finished = _export(dialog, qtbot)  # refused with the same sentence, nothing written
    assert finished.result is None and finished.error is not None
    assert "is a file, not a folder" in dialog.summary_label.text()
    assert not_a_folder.read_text() == "x"

    dest = tmp_path / "small"
    dialog.dest_edit.setText(str(dest))
    assert not dialog.long_edge_spin.isEnabled()
    dialog.renditions_radio.setChecked(True)
    assert dialog.long_edge_spin.isEnabled()
    dialog.long_edge_spin.setValue(640)
    finished = _export(dialog, qtbot)
    assert finished.result is not None
    assert finished.result.count(FileStatus.EXPORTED) == 2
    files = _photo_files(dest)
    assert len(files) == 2
    for f in files:
        with Image.open(f) as image:
            assert image.format == "JPEG" and max(image.size) == 640, (f, image.size)
    assert app.export.choices.load() == ExportChoices(str(dest), None, True, 640)


class _HeldEngine:
    """The real engine with a progress hook that holds the worker after the
    first file until `release` (or the export's cancel) is set."""

    def __init__(self, real: ExportEngine):
        self.real = real
        self.held = threading.Event()  # the worker is inside the hook
        self.release = threading.Event()
        self.reports: list[ExportProgress] = []

    def engine(self) -> ExportEngine:
        return ExportEngine(self.real.plan, self.run)

    def run(self, plan: object, progress: object, cancel: threading.Event) -> ExportResult:
        def hook(p: ExportProgress) -> None:
            self.reports.append(p)
            progress(p)  # type: ignore[operator]
            if p.done >= 1 and not self.held.is_set():
                self.held.set()
                while not (self.release.is_set() or cancel.is_set()):
                    self.release.wait(0.05)  # woken by either event; bounded by the test

        return self.real.run(plan, hook, cancel)


@pytest.fixture
def many_app(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[App, Path]]:
    """Twenty small generated photos, all rated 5 (all approved)."""
    lib = tmp_path / "many"
    paths = make_library(lib, 20)
    import_json(lib, "--stages", "technical")
    for path in paths:
        _decide(path, rating=5)
    with running_app(qtbot) as app:
        yield app, lib


def test_cancel_mid_export_leaves_no_partial_file_and_says_so(
    many_app: tuple[App, Path], qtbot: QtBot, tmp_path: Path
) -> None:
    app, lib = many_app
    held = _HeldEngine(app.export.engine)
    app.export.engine = held.engine()
    dest = tmp_path / "out"
    dialog = _open(app, qtbot, dest)
    with qtbot.waitSignal(app.export.finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(held.held.is_set, timeout=WAIT_MS)
        # Running: the form is locked, the progress shows count / rate / ETA.
        qtbot.waitUntil(lambda: "1 / 20" in dialog.progress_label.text(), timeout=WAIT_MS)
        assert dialog.progress_bar.value() == 1 and dialog.progress_bar.maximum() == 20
        assert not dialog.dest_edit.isEnabled() and not dialog.export_button.isEnabled()
        assert dialog.progress_box.isVisible()
        dialog.grab().save(str(SHOTS / "export-dialog-running.png"))
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible(), "Cancel while exporting stops the export, not the dialog"
        # Asked to stop: the button says so and is off until the export has stopped.
        assert dialog.cancel_button.text() == "Stopping…" and not dialog.cancel_button.isEnabled()
        assert "never left half-written" in dialog.current_label.text()
    finished = blocker.args[0]
    assert finished.result is not None and finished.result.cancelled
    exported = finished.result.count(FileStatus.EXPORTED)
    # Held after the first file, cancelled there: the engine stops before the second.
    assert exported == 1
    files = _assert_no_partial_file(dest, _sources(lib))
    assert len(files) == exported
    text = dialog.summary_label.text()
    assert text == f"Cancelled: {exported} exported; run Export again to finish.", text
    assert dialog.cancel_button.text() == "Close" and dialog.export_button.isEnabled()

    # Export again finishes the job without copying anything twice.
    held.release.set()
    second = _export(dialog, qtbot)
    assert second.result is not None and not second.result.cancelled
    assert second.result.count(FileStatus.SKIPPED_EXISTING) == exported
    assert second.result.count(FileStatus.EXPORTED) == 20 - exported
    assert len(_assert_no_partial_file(dest, _sources(lib))) == 20


def test_the_ui_thread_keeps_running_during_an_export(
    many_app: tuple[App, Path], qtbot: QtBot, tmp_path: Path
) -> None:
    """The worker waits, mid-export, for the UI thread's timer to tick three
    times: if the export ran on (or blocked) the UI thread, the ticks could
    not happen and the export would stall."""
    app, _ = many_app
    held = _HeldEngine(app.export.engine)
    app.export.engine = held.engine()
    ticks: list[int] = []

    def tick() -> None:
        ticks.append(1)
        if held.held.is_set() and len(ticks) >= ticked_at[0] + 3:
            held.release.set()

    ticked_at = [10**9]
    timer = QTimer(app.window)
    timer.setInterval(10)
    timer.timeout.connect(tick)
    dialog = _open(app, qtbot, tmp_path / "out")
    timer.start()
    with qtbot.waitSignal(app.export.finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(held.held.is_set, timeout=WAIT_MS)
        ticked_at[0] = len(ticks)
    timer.stop()
    assert held.release.is_set(), "the UI thread ticked while the worker was mid-export"
    result = blocker.args[0].result
    assert result is not None and not result.cancelled
    assert result.count(FileStatus.EXPORTED) == 20
    # Progress reached the dialog (queued from the worker) and the bar is full.
    assert dialog.progress_bar.value() == dialog.progress_bar.maximum() == 20
    assert re.match(r"\d+ / 20", dialog.progress_label.text())


def test_closing_the_main_window_mid_export_stops_it_cleanly(qtbot: QtBot, tmp_path: Path) -> None:
    lib = tmp_path / "many"
    paths = make_library(lib, 12)
    import_json(lib, "--stages", "technical")
    for path in paths:
        _decide(path, rating=5)
    dest = tmp_path / "out"
    with running_app(qtbot) as app:
        held = _HeldEngine(app.export.engine)
        app.export.engine = held.engine()
        controller: ExportController = app.export
        dialog = _open(app, qtbot, dest)
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(held.held.is_set, timeout=WAIT_MS)
        assert controller.running
        # What `curator.app.main` does when the window closes: quit, then shut down.
        app.window.close()
        app.shutdown()  # cancels the export and waits for its worker
        assert app.export.threads.activeThreadCount() == 0
        assert held.release.is_set() is False  # it stopped by cancel, not by release
        app.shutdown()  # idempotent
        QApplication.processEvents()  # nothing queued from the worker reaches the dialog
        assert not dialog.summary_label.isVisible()
    files = _assert_no_partial_file(dest, _sources(lib))
    assert len(files) == 1  # held after the first file; shutdown cancelled the rest


def test_the_dialog_exports_a_project_into_its_own_folder(
    qtbot: QtBot, fixtures_dir: Path, tmp_path: Path
) -> None:
    """A project's members go out (a rejected member stays home), into DEST/<project>."""
    jpeg = fixtures_dir / "jpeg"
    import_json(jpeg, "--stages", "technical")
    unrated = _decide(jpeg / "jolla_leaf_soft.jpg")
    rejected = _decide(jpeg / "olympus_ep3_iso1600.jpg", rating=5)
    set_cull(rejected, CullState.REJECTED, pass_="test")
    create_project("Trip ../ 2024")
    add_photos("Trip ../ 2024", [unrated, rejected])
    dest = tmp_path / "out"
    with running_app(qtbot) as app:
        dialog = _open(app, qtbot, dest)
        qtbot.waitUntil(lambda: dialog.set_combo.count() == 2, timeout=WAIT_MS)
        assert dialog.set_combo.itemText(1) == "Project: Trip ../ 2024"
        dialog.set_combo.setCurrentIndex(1)
        qtbot.waitUntil(
            lambda: dialog.preview_label.text().startswith("1 photo will go out"),
            timeout=WAIT_MS,
        )
        finished = _export(dialog, qtbot)
        assert finished.result is not None
        assert finished.result.count(FileStatus.EXPORTED) == 1
    files = _photo_files(dest)
    assert [without_xmp(f.read_bytes()) for f in files] == [
        without_xmp((jpeg / "jolla_leaf_soft.jpg").read_bytes())
    ]
    (folder,) = [p for p in dest.iterdir() if p.is_dir()]
    assert folder.resolve().parent == dest.resolve() and folder.name.startswith("Trip ")
