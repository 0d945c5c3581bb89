"""Issue 12 §1: the Settings dialog changes only what the user changed — the
wheel scrolls the dialog instead of a field under the pointer, and a value
from an environment override is never written to settings.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QLabel, QSpinBox
from pytestqt.qtbot import QtBot

from curator.settings import Settings, load_settings
from curator.ui.window.settings_dialog import SettingsDialog


def _wheel(widget: QSpinBox, notches: int) -> None:
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, -120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_the_dialog_not_the_field_under_the_pointer(
    tmp_path: Path, qtbot: QtBot
) -> None:
    dialog = SettingsDialog(Settings(), tmp_path / "settings.json")
    qtbot.addWidget(dialog)
    dialog.resize(520, 320)  # short: the form scrolls
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.advanced_button.setChecked(True)  # the workers are an advanced setting
    spin = dialog.editors["decode_workers"]
    assert isinstance(spin, QSpinBox)
    before, bar = spin.value(), dialog.scroll_area.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    _wheel(spin, 2)
    assert spin.value() == before  # the field under the pointer is untouched
    assert bar.value() > 0  # the dialog scrolled instead
    assert spin.focusPolicy() == Qt.FocusPolicy.StrongFocus

    spin.setFocus()  # clicked or tabbed into: now the wheel is the field's
    qtbot.waitUntil(spin.hasFocus)
    _wheel(spin, -1)
    assert spin.value() == before + 1


def test_ok_never_saves_an_environment_override(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_file = tmp_path / "settings.json"
    settings_file.write_text(json.dumps({"llm_concurrency": 2}))
    monkeypatch.setenv("CURATOR_DECODE_WORKERS", "7")
    live = load_settings(settings_file)
    assert live.decode_workers == 7 and live.llm_concurrency == 2
    dialog = SettingsDialog(live, settings_file)
    qtbot.addWidget(dialog)
    hints = [label.text() for label in dialog.findChildren(QLabel)]
    assert any("CURATOR_DECODE_WORKERS" in text for text in hints)  # said, not hidden
    dialog.editors["preview_long_edge"].setValue(1600)  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        dialog.accept()
    applied: Settings = blocker.args[0]
    assert applied.decode_workers == 7 and applied.preview_long_edge == 1600  # this session
    on_disk = json.loads(settings_file.read_text())
    assert on_disk == {"llm_concurrency": 2, "preview_long_edge": 1600}  # no decode_workers

    # Changed by the user in the dialog, an overridden field is saved.
    dialog2 = SettingsDialog(applied, settings_file)
    qtbot.addWidget(dialog2)
    mine = 3 if Settings().decode_workers != 3 else 4  # not the default (it is not saved)
    dialog2.editors["decode_workers"].setValue(mine)  # type: ignore[attr-defined]
    dialog2.accept()
    assert json.loads(settings_file.read_text())["decode_workers"] == mine


def test_the_photographers_choices_come_first_and_the_engineering_is_advanced(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """Issue 19 §4: the dialog speaks a photographer's language; workers, sizes,
    timeouts and the LLM/CLIP set-up are folded under Advanced."""
    from curator.settings import ADVANCED, form_fields

    dialog = SettingsDialog(Settings(), tmp_path / "settings.json")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert set(form_fields()) == set(dialog.editors)  # every setting still has its editor
    mine = [n for n in form_fields() if n not in ADVANCED]
    assert {"match_threshold", "advance_after_rating", "burst_gap_s", "backup_frequency"} <= set(
        mine
    )
    for name in mine:
        assert dialog.editors[name].isVisible(), name
    for name in ADVANCED:
        assert not dialog.editors[name].isVisible(), name
    dialog.advanced_button.setChecked(True)
    qtbot.waitUntil(lambda: dialog.editors["decode_workers"].isVisible(), timeout=10_000)
    # What a choice does to the work, not how it is computed.
    hints = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "MATCH badge" in hints and "approved export" in hints
