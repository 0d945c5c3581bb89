"""A form's folder field: Browse… opens the chooser at the folder typed and fills the edit."""

from __future__ import annotations

import os

import pytest
from PySide6.QtWidgets import QFileDialog, QFormLayout, QWidget
from pytestqt.qtbot import QtBot

from curator.ui.common.folder_field import folder_field


def test_browse_starts_at_the_typed_folder_and_a_cancel_changes_nothing(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    form = QFormLayout(parent)
    edit, button = folder_field(parent, form, "Backup:", "Best on another disk")
    assert form.rowCount() == 1 and edit.placeholderText() == "Best on another disk"
    asked: list[tuple[str, str]] = []
    answers = iter(["/media/backup", ""])

    def chooser(_parent: QWidget, title: str, start: str) -> str:
        asked.append((title, start))
        return next(answers)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(chooser))
    button.click()  # nothing typed: the chooser opens at home
    assert asked[-1] == ("Backup folder", os.path.expanduser("~"))
    assert edit.text() == "/media/backup"
    button.click()  # opens at the folder typed; cancelled: the edit keeps it
    assert asked[-1] == ("Backup folder", "/media/backup")
    assert edit.text() == "/media/backup"
