"""The Failed lane / error-log panel and the generated settings dialog."""

from __future__ import annotations

import json
from pathlib import Path

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from curator.catalog.db import Catalog
from curator.paths import resolve_paths
from curator.settings import FIELDS, Settings, load_settings
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json


def test_failed_lane_lists_reasons_and_retries(
    tmp_path: Path, qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    from PySide6.QtCore import QItemSelectionModel

    from curator.ui.maintenance.problems_view import ProblemsPanel

    lib = tmp_path / "lib"
    lib.mkdir()
    make_jpeg(lib / "ok.jpg", 200, 150)
    (lib / "empty.jpg").write_bytes(b"")
    (lib / "notes.jpg").write_text("not a picture\n" * 10)
    import_json(lib)
    with Catalog.open(resolve_paths().catalog):
        panel = ProblemsPanel()
        qtbot.addWidget(panel)
        qtmodeltester.check(panel.failed)
        qtmodeltester.check(panel.errors)
        assert panel.failed.rowCount() == 2
        names = {panel.failed.data(panel.failed.index(r, 0)) for r in range(2)}
        assert names == {"empty.jpg", "notes.jpg"}
        reasons = " ".join(str(panel.failed.data(panel.failed.index(r, 2))) for r in range(2))
        assert "empty" in reasons
        assert panel.errors.rowCount() == 2
        assert "Failed (2)" in panel.tabs.tabText(0)

        # Not selectRow(): it reads the keyboard's modifiers, which a key test
        # earlier in the process can leave looking held (Shift: a range from
        # no anchor, selecting nothing).
        panel.failed_view.selectionModel().select(
            panel.failed.index(0, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        with qtbot.waitSignal(panel.retry_requested) as blocker:
            panel.retry_button.click()
        assert len(blocker.args[0]) == 1
        assert panel.failed.rowCount() == 1  # reset to pending, out of the lane
        with qtbot.waitSignal(panel.retry_requested) as blocker:
            panel.retry_all_button.click()
        assert panel.failed.rowCount() == 0 and not panel.retry_all_button.isEnabled()
        assert panel.errors.rowCount() == 2  # the log keeps its history

    # The retried files are read again by the next import (and fail again, honestly).
    again = import_json(lib)
    assert again["failed"] == 2 and again["unchanged"] == 1


def test_settings_dialog_is_generated_validates_and_saves(tmp_path: Path, qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QCheckBox, QLineEdit, QSpinBox

    from curator.ui.window.settings_dialog import SettingsDialog

    settings_file = tmp_path / "settings.json"
    dialog = SettingsDialog(Settings(), settings_file)
    qtbot.addWidget(dialog)
    # Every field, none by hand (the keyboard's overrides have their own page).
    assert set(dialog.editors) == set(FIELDS) - {
        "key_overrides",
        "ingest_destination",  # File ▸ Ingest from Card… keeps these two
        "ingest_backup",
    }
    assert isinstance(dialog.editors["decode_workers"], QSpinBox)
    assert isinstance(dialog.editors["clip_auto_download"], QCheckBox)
    assert isinstance(dialog.editors["ollama_url"], QLineEdit)
    assert dialog.editors["preview_long_edge"].minimum() == 320  # bounds from the field

    url = dialog.editors["ollama_url"]
    assert isinstance(url, QLineEdit)
    url.setText("http://gpu-box:11434")
    dialog.editors["llm_concurrency"].setValue(2)  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        dialog.accept()
    saved: Settings = blocker.args[0]
    assert saved.ollama_url == "http://gpu-box:11434" and saved.llm_concurrency == 2
    on_disk = json.loads(settings_file.read_text())
    assert on_disk == {"llm_concurrency": 2, "ollama_url": "http://gpu-box:11434"}
    assert load_settings(settings_file, env={}).ollama_url == "http://gpu-box:11434"


def test_settings_dialog_keeps_what_it_does_not_show(tmp_path: Path, qtbot: QtBot) -> None:
    from curator.ui.window.settings_dialog import SettingsDialog

    settings_file = tmp_path / "settings.json"
    settings_file.write_text(json.dumps({"key_overrides": {"reject": "K"}}))
    dialog = SettingsDialog(load_settings(settings_file, env={}), settings_file)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        dialog.accept()
    assert blocker.args[0].key_overrides == {"reject": "K"}
    assert json.loads(settings_file.read_text()) == {"key_overrides": {"reject": "K"}}


def test_settings_dialog_refuses_invalid_values(tmp_path: Path, qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QLineEdit

    from curator.ui.window.settings_dialog import SettingsDialog

    settings_file = tmp_path / "settings.json"
    dialog = SettingsDialog(Settings(), settings_file)
    qtbot.addWidget(dialog)
    dialog.show()
    model = dialog.editors["clip_model"]
    assert isinstance(model, QLineEdit)
    dialog.editors["burst_min_cosine"].setValue(0.2)  # type: ignore[attr-defined]  # clamped by the spin box
    assert dialog.editors["burst_min_cosine"].value() == 0.5  # type: ignore[attr-defined]
    dialog.accept()
    assert not dialog.isVisible()  # a clamped value is valid: saved and closed
    assert json.loads(settings_file.read_text())["burst_min_cosine"] == 0.5
    # A free-text field that fails validation keeps the dialog open and saves nothing.
    dialog2 = SettingsDialog(Settings(), tmp_path / "other.json")
    qtbot.addWidget(dialog2)
    dialog2.show()
    dialog2.editors["decode_workers"].setMinimum(0)  # type: ignore[attr-defined]
    dialog2.editors["decode_workers"].setValue(0)  # type: ignore[attr-defined]
    dialog2.accept()
    assert dialog2.isVisible() and not dialog2.error.isHidden()
    assert "Decode workers" in dialog2.error.text()
    assert not (tmp_path / "other.json").exists()
