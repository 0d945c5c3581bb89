"""A form's folder field: a line edit with its "Browse…" button, one row of a QFormLayout.

Browse opens the system's folder chooser at the folder typed (else the home
folder) and puts the folder chosen in the edit; cancelling changes nothing.
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import QFileDialog, QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QWidget


def folder_field(
    parent: QWidget, form: QFormLayout, label: str, hint: str, title: str = ""
) -> tuple[QLineEdit, QPushButton]:
    """Add the row `label` (e.g. "Backup:") to `form`; its edit and its button.
    The chooser is titled `title` (by default "Backup folder")."""
    edit = QLineEdit(parent)
    edit.setPlaceholderText(hint)
    edit.setClearButtonEnabled(True)
    button = QPushButton("Browse…", parent)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    form.addRow(label, row)
    title = title or f"{label.rstrip(':')} folder"
    button.clicked.connect(lambda: browse_into(parent, edit, title))
    return edit, button


def browse_into(parent: QWidget, edit: QLineEdit, title: str) -> None:
    """The folder chooser for `edit`, titled `title`."""
    start = edit.text().strip() or os.path.expanduser("~")
    folder = QFileDialog.getExistingDirectory(parent, title, start)
    if folder:
        edit.setText(folder)
