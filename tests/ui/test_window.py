"""The window as a whole: screenshots for people, startup without torch,
guarded slots, and the fatal catalog error."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QObject, Qt, Slot
from pytestqt.qtbot import QtBot

from curator import app as app_module
from curator.app import App
from curator.catalog.models import Photo
from curator.catalog.taste.store import write_scores
from curator.paths import resolve_paths
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.window.progress import StageProgress, StageState

SHOTS_COPY = Path("/tmp/curator-shots")
REPO = Path(__file__).resolve().parents[2]


def test_screenshots_of_gallery_loupe_and_help(library: Path, app: App, qtbot: QtBot) -> None:
    """Grabs the gallery, the loupe and the help overlay to PNGs a person can look at."""
    out = Path(tempfile.mkdtemp(prefix="curator-shots-"))
    print(f"\nscreenshots: {out}")
    window = app.window
    ids = [int(p.id) for p in Photo.select().order_by(Photo.captured_at)]
    from curator.catalog.decisions import set_cull, set_picked, set_rating

    set_cull(ids[1], "rejected")  # type: ignore[arg-type]
    set_picked(ids[2], True)
    set_rating(ids[2], 4)
    set_cull(ids[3], "kept")  # type: ignore[arg-type]
    set_rating(ids[3], 2)
    # Badges: MATCH (≥ 70), blur, clipped, a burst with its suggested best frame.
    write_scores(1, ids[:4], np.array([85.0, 40.0, 92.0, 71.0]))
    Photo.update(sharpness_score=12.0).where(Photo.id == ids[4]).execute()
    Photo.update(highlight_clip=0.2).where(Photo.id == ids[5]).execute()
    Photo.update(burst_group=1).where(Photo.id.in_(ids[6:8])).execute()
    Photo.update(burst_best=True).where(Photo.id == ids[6]).execute()
    app.model.refresh_scores()
    status = window.pipeline_status
    status.show_progress(StageProgress("technical", StageState.DONE, 9, 9, 2.0, "1 failed"))
    status.show_progress(StageProgress("embed", StageState.RUNNING, 3, 8, 1.5))
    status.show_progress(
        StageProgress("describe", StageState.SKIPPED, 0, 8, 0.0, "Ollama is not running.")
    )
    window.problems.refresh()
    window.problems_dock.show()
    gallery = window.gallery
    qtbot.waitUntil(
        lambda: all(
            app.model.data(app.model.index(r), Qt.ItemDataRole.DecorationRole) is not None
            for r in range(8)
        ),
        timeout=30_000,
    )
    shots = {"gallery": window.grab()}
    assert status.cancel_button.isVisible() and status.pause_button.isVisible()
    window.problems_dock.hide()
    window.show_loupe(ids[2])
    view = window.loupe.view
    qtbot.waitUntil(lambda: view.is_preview and view.painted_photo_id == ids[2], timeout=30_000)
    shots["loupe"] = window.grab()
    qtbot.keyClick(view, Qt.Key.Key_Question)
    shots["help"] = window.grab()
    for name, pixmap in shots.items():
        assert not pixmap.isNull() and pixmap.width() > 800
        assert pixmap.save(str(out / f"{name}.png"))
    SHOTS_COPY.mkdir(parents=True, exist_ok=True)
    for png in out.glob("*.png"):
        shutil.copy(png, SHOTS_COPY / png.name)
    assert gallery.isVisible() is False  # the loupe is up


STARTUP_SCRIPT = r"""
import sys, time
t0 = time.perf_counter()
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
qt_app = QApplication(sys.argv[:1])
from curator import app

def check():
    windows = [w for w in qt_app.topLevelWidgets() if w.isVisible()]
    print("shown", len(windows), "torch", "torch" in sys.modules,
          "open_clip", "open_clip" in sys.modules, "ms", round((time.perf_counter() - t0) * 1000))
    qt_app.closeAllWindows()

QTimer.singleShot(0, check)
sys.exit(app.main(["--catalog", sys.argv[1]]))
"""


def _run_probe(script: str, catalog: Path) -> subprocess.CompletedProcess[str]:
    """Run a start-up probe `script` in a fresh offscreen process on `catalog`."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", script, str(catalog)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return out


def test_window_shows_fast_and_torch_is_not_imported(tmp_path: Path) -> None:
    out = _run_probe(STARTUP_SCRIPT, tmp_path / "cat.sqlite")
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("shown"))
    fields = line.split()
    print(f"\nlaunch → window shown: {fields[-1]} ms")
    assert fields[1] == "1" and fields[3] == "False" and fields[5] == "False", line


# What the first paint does not need: the decoders and the imaging stack (the
# technical stage's children and the loupe's originals load them), OpenCV's
# burst signatures, the ML and LLM stacks (issue 21 §1).
NOT_BEFORE_FIRST_PAINT = (
    "cv2",
    "PIL.Image",
    "pillow_heif",
    "rawpy",
    "blake3",
    "torch",
    "open_clip",
    "sklearn",
    "scipy",
    "instructor",
    "curator.imaging.decode",
    "curator.imaging.technical",
    "curator.imaging.metrics",
    "curator.imaging.quicklook",
    "curator.imaging.orientation",
    "curator.ml.bursts",
    "curator.ml.embedder",
    "curator.llm",
    # numpy (~120 ms CPU) and what needs it: the taste fitting, the histogram
    # (issue 21 §1); they load at first use, after the first paint.
    "numpy",
    "curator.ml.taste",
    "curator.ml.taste_cv",
    "curator.ml.active",
    "curator.imaging.histogram",
    # The pipeline (stages, XMP, the writer) is made on the first import, the
    # dialogs when first opened (issue 21 §1).
    "curator.pipeline.service",
    "curator.pipeline.stages.technical",
    "curator.catalog.writer",
    "curator.interop.xmp",
    "curator.ui.export.dialog",
    "curator.ui.window.settings_dialog",
    # The grid is what the first paint shows: the loupe page (its canvas, compare,
    # survey, side panel, tools, originals) is built after it (ui.window.loupe_slot,
    # issue 21 §1).
    *(
        f"curator.ui.loupe.{name}"
        for name in (
            "page",
            "view",
            "compare_view",
            "survey_view",
            "synced_panes",
            "filmstrip",
            "info_panel",
            "tag_editor",
            "capture_checks",
            "tools",
            "preview_analysis",
            "original_loader",
            "chrome",
            "drag_pan",
            "zoom",
        )
    ),
    # The catalog's app lock (filelock) is taken once the window is up; the
    # keyboard page and the Problems panel load when first opened (issue 21 §1).
    "filelock",
    "curator.engine.lock",
    "curator.ui.window.keymap_page",
    "curator.ui.maintenance.problems_view",
    "curator.catalog.backup",  # at the first backup (on quit, or asked for)
    # The Filter popup's form, the project picker, the help sheet: when first opened.
    "curator.ui.review.help_overlay",
    "curator.ui.gallery.metadata_panel",
    "curator.ui.projects.picker",
    # File > Export...'s controller and its types: made at the first export.
    "curator.ui.export.controller",
    "curator.ui.export.choices",
    "curator.export.types",
    # The settings are a dataclass; pydantic (~100 ms CPU) validates only a value
    # that is not already plainly valid (curator.settings, issue 21 §1).
    "pydantic",
    "pydantic_core",
    # The catalog itself: the window is painted before it is opened (app.main,
    # ui.window.opening), so peewee, sqlite3, the models and the catalog's reads
    # load after the first frame (issue 21 §1).
    "peewee",
    "sqlite3",
    "curator.catalog.db",
    "curator.catalog.models",
    "curator.catalog.migrations",
    "curator.catalog.queries",
    "curator.catalog.projects",
    "curator.catalog.decisions",
    "curator.catalog.judgments",
    "curator.catalog.gallery_filters",
    "curator.catalog.paths_codec",
    "curator.pipeline.stages.score",
)

# What is loaded when the catalog is about to be opened: after the window's
# first frame is out (ui.window.opening calls app.main's open_catalog then).
# "painted" says the window's paintEvent had run by then.
LOADED_AT_FIRST_PAINT_SCRIPT = STARTUP_SCRIPT.replace(
    "QTimer.singleShot(0, check)",
    """from curator.ui.window.main_window import MainWindow

painted = []
paint_event = MainWindow.paintEvent

def paint(self, event):
    painted.append(True)
    paint_event(self, event)

MainWindow.paintEvent = paint
real_opening = app.Opening

def opening(window, open_catalog):
    def first():
        print("painted", bool(painted))
        print("loaded", *sorted(m for m in sys.modules if m.startswith((
            "cv2", "PIL", "pillow_heif", "rawpy", "blake3", "torch", "open_clip", "sklearn",
            "scipy", "instructor", "numpy", "pydantic", "peewee", "sqlite3", "curator."))))
        open_catalog()
        QTimer.singleShot(0, check)
    return real_opening(window, first)

app.Opening = opening""",
)


def test_nothing_the_first_paint_does_not_need_is_imported_before_it(tmp_path: Path) -> None:
    # A settings file as Curator writes it (the slider, the keyboard page, the
    # dialog): read at start-up without pydantic.
    catalog = tmp_path / "cat.sqlite"
    settings_file = resolve_paths(catalog).settings_file
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    written = {"gallery_cell_size": 260, "key_overrides": {"keep": "K"}, "match_threshold": 65}
    settings_file.write_text(json.dumps({**written, "pair_export": "raw"}), encoding="utf-8")
    out = _run_probe(LOADED_AT_FIRST_PAINT_SCRIPT, catalog)
    lines = out.stdout.splitlines()
    loaded = next(ln for ln in lines if ln.startswith("loaded")).split()[1:]
    assert "curator.ui.window.main_window" in loaded  # the probe ran with the window up
    assert "painted True" in lines  # ... and its first frame painted
    assert sorted(set(NOT_BEFORE_FIRST_PAINT) & set(loaded)) == []
    shown = next(ln for ln in lines if ln.startswith("shown")).split()
    assert shown[1] == "1"  # then the catalog opened, and the window is still up


# The check runs once the catalog is open (after the window's first paint).
HOLDS_APP_LOCK_SCRIPT = STARTUP_SCRIPT.replace(
    "QTimer.singleShot(0, check)",
    "catalog_opened = app.App.catalog_opened\n\n"
    "def opened(self):\n"
    "    catalog_opened(self)\n"
    "    QTimer.singleShot(0, check)\n\n"
    "app.App.catalog_opened = opened",
).replace(
    'print("shown"',
    "import subprocess\n"
    "    other = subprocess.run([sys.executable, '-c', 'import sys; from curator.engine.lock "
    "import AppLock; print(AppLock(sys.argv[1]).acquire(0))', sys.argv[1]], "
    "capture_output=True, text=True)\n"
    '    print("other process got the app lock:", other.stdout.strip(), other.stderr)\n'
    '    print("shown"',
)


def test_the_window_holds_the_app_lock_once_it_is_up(tmp_path: Path) -> None:
    # Taken as the catalog opens, after the first paint (not before it:
    # filelock's import), so `curator restore` is refused while the window is open.
    out = _run_probe(HOLDS_APP_LOCK_SCRIPT, tmp_path / "cat.sqlite")
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("other process"))
    assert line.split(":", 1)[1].strip() == "False", out.stdout


class _Crashy(QObject):
    def __init__(self, errors: ErrorReporter):
        super().__init__()
        self.errors = errors
        self.after = False

    @Slot()
    @guarded_slot
    def explode(self) -> None:
        raise ZeroDivisionError("the slot divided by zero")

    @Slot()
    def still_alive(self) -> None:
        self.after = True


def test_a_crash_in_a_slot_is_logged_and_shown_not_fatal(
    app: App, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    crashy = _Crashy(app.errors)
    with qtbot.waitSignal(app.errors.reported) as reported:
        app.window.import_action.triggered.connect(crashy.explode)
        app.window.import_action.triggered.disconnect(app.window.imports.ask_import)
        app.window.import_action.trigger()
    assert "divided by zero" in reported.args[0]
    assert "divided by zero" in app.window.error_label.text()
    assert any("ZeroDivisionError" in (r.exc_text or "") for r in caplog.records)
    crashy.still_alive()
    assert crashy.after and app.window.isVisible()
    # A guarded slot in the real UI: the loupe survives a catalog that went away.
    app.window.loupe.dispatch("no_such_action")
    assert "no_such_action" in app.window.error_label.text()


def test_file_import_asks_for_the_folder_and_imports_it(
    app: App, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl+I's folder dialog: its Qt type is made when first used, not at start-up.
    from PySide6.QtWidgets import QFileDialog

    asked: list[str] = []
    started: list[str] = []
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", lambda *a, **k: asked.append(a[1]) or str(tmp_path)
    )
    monkeypatch.setattr(app.window.imports, "start_import", started.append)
    app.window.import_action.trigger()
    assert asked == ["Import a folder of photos"] and started == [str(tmp_path)]


def test_an_unusable_catalog_is_a_sentence_and_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "not-a-catalog.sqlite"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    shown: list[str] = []
    monkeypatch.setattr(app_module, "show_fatal", shown.append)
    assert app_module.main(["--catalog", str(bad)]) == 3
    assert shown and "not a Curator catalog" in shown[0]


def test_new_match_threshold_reaches_gallery_and_loupe_panel(app: App) -> None:
    from curator.settings import Settings

    app.window.settings_changed.emit(Settings(match_threshold=55.0))
    assert app.window.loupe.panel.match_threshold == 55.0
    assert app.window.model.match_threshold == 55.0


def test_the_gui_hands_the_gil_to_the_ui_thread_within_a_millisecond(app: App) -> None:
    """Pool threads running Python give the GIL up to a waiting UI thread after
    1 ms, not CPython's 5 ms (app.UI_SWITCH_INTERVAL_S: the import bench's
    stalls were mostly the UI thread asleep on the GIL)."""
    assert app_module.UI_SWITCH_INTERVAL_S <= 0.001
    assert sys.getswitchinterval() == pytest.approx(app_module.UI_SWITCH_INTERVAL_S)
