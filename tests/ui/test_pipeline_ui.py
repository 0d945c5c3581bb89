"""The pipeline in the GUI: technical → embed + describe → score/bursts, the
status-bar widget (progress, skipped with the reason, pause/resume, cancel),
the Problems dock's Retry, settings applied live, recent folders and drop."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.judgments import store_description
from curator.catalog.models import Description, Embedding, Photo, StageRun
from curator.ui.gallery.model import FlagsRole
from curator.ui.window.progress import StageProgress, StageState, stage_text
from tests.ui.conftest import make_library, make_photo

SHOTS = Path("/tmp/curator-shots")


@pytest.fixture
def fake_ollama(monkeypatch: pytest.MonkeyPatch) -> object:
    from tests.llm_server import FakeOllama

    with FakeOllama() as server:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", server.url)
        yield server


@pytest.fixture
def ollama_down(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CURATOR_OLLAMA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CURATOR_CLIP_PRETRAINED", str(tmp_path / "no-such-weights.pt"))


def _labels(app: App) -> dict[str, str]:
    labels = app.window.pipeline_status.labels
    return {stage: label.text() for stage, label in labels.items() if not label.isHidden()}


def test_stage_text_has_progress_rate_eta_and_states() -> None:
    running = StageProgress("embed", StageState.RUNNING, 12, 54, 3.0)
    assert stage_text(running) == "Embedding 12/54 · 4.0/s · ETA 10 s"
    paused = StageProgress("technical", StageState.PAUSED, 0, 9, 0.0)
    assert stage_text(paused) == "Measuring 0/9 (paused)"
    skipped = StageProgress("describe", StageState.SKIPPED, 0, 9, 0.0, "Start Ollama.")
    assert stage_text(skipped) == "Describing skipped"
    assert stage_text(StageProgress("score", StageState.DONE, 5, 5)) == "Scoring ✓ 5"
    # A watch's live run: nothing yet, then caught up (no rate or ETA of nothing left).
    waiting = StageProgress("technical", StageState.RUNNING, 0, 0, 4.0)
    assert stage_text(waiting) == "Measuring: waiting for photos"
    assert stage_text(StageProgress("technical", StageState.RUNNING, 7, 7, 9.0)) == "Measuring 7/7"


def test_a_remark_is_shown_until_the_stages_first_item_is_done() -> None:
    """The face networks being prepared (a first import): the status bar says it
    beside the count until the first photo is measured (issue 74 §5)."""
    from curator.engine.progress import ProgressBoard
    from curator.ml.faces.compiled import PREPARING

    shown: list[StageProgress] = []
    board = ProgressBoard(shown.append)
    board.emit("technical", StageState.RUNNING, 0, 3, remark=PREPARING)
    board.emit("technical", StageState.RUNNING, 0, 3)  # a progress before the first photo
    board.emit("technical", StageState.RUNNING, 1, 3)
    texts = [stage_text(p) for p in shown]
    assert texts[0] == texts[1] == f"Measuring 0/3 · {PREPARING}"
    assert PREPARING not in texts[2] and texts[2].startswith("Measuring 1/3")


def test_gui_import_runs_embed_and_describe_then_scores(
    tiny_clip: Path, fake_ollama: object, tmp_path: Path, app: App, qtbot: QtBot
) -> None:
    lib = tmp_path / "lib"
    make_library(lib, 6)
    seen: list[StageProgress] = []
    app.pipeline.stage_progress.connect(seen.append)
    with qtbot.waitSignal(app.pipeline.finished, timeout=60_000) as finished:
        assert app.window.start_import(str(lib))
    assert "6 embedded" in finished.args[0] and "6 described" in finished.args[0]
    assert Embedding.select().count() == 6 and Description.select().count() == 6
    labels = _labels(app)
    assert labels["technical"] == "Measuring ✓ 6"
    assert labels["embed"] == "Embedding ✓ 6" and labels["describe"] == "Describing ✓ 6"
    assert labels["score"].startswith("Scoring ✓")
    assert any(p.stage == "embed" and p.state is StageState.RUNNING for p in seen)
    # The describe stage's content types and tags feed the gallery filters (read on a pool).
    bar = app.window.filter_bar
    qtbot.waitUntil(lambda: bar.type_combo.count() > 1)
    types = [
        app.window.filter_bar.type_combo.itemData(i)
        for i in range(app.window.filter_bar.type_combo.count())
    ]
    assert len(types) > 1
    assert not app.window.pipeline_status.cancel_button.isVisible()  # nothing runs now


def test_ollama_down_and_clip_missing_are_skipped_with_the_reason(
    ollama_down: None, tmp_path: Path, app: App, qtbot: QtBot
) -> None:
    lib = tmp_path / "lib"
    make_library(lib, 3)
    (lib / "broken.jpg").write_bytes(b"\xff\xd8\xff not a jpeg")
    with qtbot.waitSignal(app.pipeline.finished, timeout=60_000):
        assert app.window.start_import(str(lib))
    labels = _labels(app)
    status = app.window.pipeline_status.labels
    assert labels["technical"] == "Measuring ✓ 4"
    assert labels["embed"] == "Embedding skipped" and labels["describe"] == "Describing skipped"
    assert "does not exist" in status["embed"].toolTip()
    assert "Ollama" in status["describe"].toolTip()
    assert "failed" in status["technical"].toolTip()
    assert {r.status for r in StageRun.select().where(StageRun.stage == "embed")} == {"skipped"}
    assert app.model.rowCount() == 4  # the rest proceeded: all photos in the gallery
    # The Problems dock, from the View menu, lists the failed file: its panel is
    # built when the dock first shows (not before the first paint), after the run.
    assert app.window.problems_slot.built is None
    app.window.problems_action.trigger()
    assert app.window.problems_dock.isVisible()
    panel = app.window.problems_slot.built
    assert panel is not None and app.window.problems_dock.widget() is panel
    assert panel.failed.rowCount() == 1
    app.window.resize(1280, 820)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert app.window.grab().save(str(SHOTS / "pipeline_skipped_and_problems.png"))


def test_pause_resume_and_cancel(ollama_down: None, tmp_path: Path, app: App, qtbot: QtBot) -> None:
    status = app.window.pipeline_status
    lib = tmp_path / "lib"
    make_library(lib, 24)
    status.pause_button.click()  # pressed before the run: it starts held
    assert status.pause_button.text() == "Resume"
    assert app.window.start_import(str(lib))
    assert status.labels["technical"].text().endswith("(paused)")
    assert status.cancel_button.isVisible()
    with qtbot.waitSignal(
        app.pipeline.stage_progress,
        timeout=30_000,
        check_params_cb=lambda p: (
            p.stage == "technical" and p.state is StageState.RUNNING and p.done > 0
        ),
    ):
        status.pause_button.click()  # resume: wait for the first photo measured
    assert status.pause_button.text() == "Pause"
    seen: list[StageProgress] = []
    app.pipeline.stage_progress.connect(seen.append)
    with qtbot.waitSignal(app.pipeline.completed, timeout=60_000) as completed:
        status.cancel_button.click()
    assert completed.args[0].cancelled
    assert status.labels["technical"].text().startswith("Measuring cancelled at")
    # A cancelled import does not go on to embed, describe or score.
    assert not app.pipeline.running
    assert {p.stage for p in seen} <= {"technical"}
    # In-flight photos were written; the rest wait as quick looks for the next import.
    statuses = {r.status for r in StageRun.select()}
    assert "done" in statuses and statuses <= {"done", "pending"}


def test_retry_in_the_problems_dock_reads_the_file_again(
    library: Path, ollama_down: None, app: App, qtbot: QtBot
) -> None:
    problems = app.window.problems
    problems.refresh()
    assert problems.failed.rowCount() == 1
    broken = app.model.data(app.model.index(8), FlagsRole)
    assert broken is not None
    make_photo(library / "broken.jpg", 50)  # the user repaired the file
    with qtbot.waitSignal(app.pipeline.finished, timeout=60_000):
        problems.retry_all_button.click()
    assert problems.failed.rowCount() == 0
    photo = Photo.get(Photo.path == str(library / "broken.jpg").encode())
    run = StageRun.get(StageRun.photo == photo, StageRun.stage == "technical")
    assert run.status == "done" and photo.thumbnail_key
    row = app.model.row_for(photo.id)
    assert row is not None and not app.model.photo_row(row).failed  # type: ignore[union-attr]


def test_settings_apply_without_restart(library: Path, app: App, qtbot: QtBot) -> None:
    import numpy as np

    from curator.catalog.taste.store import write_scores

    ids = app.model.ids[:3]
    write_scores(1, ids, np.array([50.0, 65.0, 90.0]))
    app.model.refresh_scores()

    def matches() -> list[bool]:
        return [app.model.data(app.model.index(r), FlagsRole).match for r in range(3)]

    qtbot.waitUntil(lambda: matches() == [False, False, True], timeout=10_000)  # re-read off-thread
    dialog = app.window.tools.open_settings()
    dialog.editors["match_threshold"].setValue(60.0)  # type: ignore[attr-defined]
    dialog.editors["decode_workers"].setValue(1)  # type: ignore[attr-defined]
    dialog.editors["ollama_url"].setText("http://gpu-box:11434")  # type: ignore[attr-defined]
    with qtbot.waitSignal(app.window.settings_changed):
        dialog.accept()
    assert matches() == [False, True, True]  # the badges now
    assert app.pipeline.settings.decode_workers == 1  # the next import
    assert app.pipeline.settings.ollama_url == "http://gpu-box:11434"  # the next describe
    assert "next import" in app.window.statusBar().currentMessage()


def test_drop_a_folder_imports_it_and_remembers_it(
    tmp_path: Path, app: App, qtbot: QtBot, curator_home: Path
) -> None:
    lib = tmp_path / "dropped"
    make_library(lib, 2)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(lib))])
    drop = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(app.pipeline.finished, timeout=60_000):
        app.window.dropEvent(drop)
    assert app.model.rowCount() == 2
    saved = json.loads((curator_home / "recent_folders.json").read_text())
    assert saved == {"folders": [str(lib)]}
    app.window.recent_menu.aboutToShow.emit()
    texts = [a.text() for a in app.window.recent_menu.actions()]
    assert texts[0] == str(lib)
    # A moved-away folder is not offered; a re-import from the menu works.
    other = tmp_path / "other"
    shutil.copytree(lib, other)
    app.window.recent.add(str(other))
    app.window.recent_menu.aboutToShow.emit()
    assert [a.text() for a in app.window.recent_menu.actions()][:2] == [str(other), str(lib)]


def test_description_filters_come_from_the_catalog(library: Path, app: App, qtbot: QtBot) -> None:
    pid = app.model.ids[0]
    store_description(
        pid,
        subject="a cat",
        content_type="portrait",
        lighting_critique="soft",
        artistic_mood="calm",
        tags=["cat"],
        model="llava",
        prompt_version="p1",
    )
    bar = app.window.filter_bar
    loads = bar.choice_loads
    app.window.refresh_filter_choices()  # read on the choices pool
    qtbot.waitUntil(lambda: bar.choice_loads > loads)
    bar.type_combo.setCurrentIndex(bar.type_combo.findData("portrait"))
    assert app.model.ids == [pid]
    bar.type_combo.setCurrentIndex(0)
    bar.tag_combo.setCurrentIndex(bar.tag_combo.findData("cat"))
    assert app.model.ids == [pid]
