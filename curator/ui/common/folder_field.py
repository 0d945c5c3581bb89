"""A form's folder field: a line edit with its "Browse…" button, one row of a QFormLayout.

Browse opens the system's folder chooser at the folder typed (else the home
folder) and puts the folder chosen in the edit; cancelling changes nothing.
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import QFileDialog, QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QWidget


def folder_field(
    parent: QWidget, form: QFormLayout, label: str, hint: str
) -> tuple[QLineEdit, QPushButton]:
    """Add the row `label` (e.g. "Backup:") to `form`; its edit and its button."""
    edit = QLineEdit(parent)
    edit.setPlaceholderText(hint)
    edit.setClearButtonEnabled(True)
    button = QPushButton("Browse…", parent)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    form.addRow(label, row)
    button.clicked.connect(lambda: browse_into(parent, edit, label.rstrip(":")))
    return edit, button


def browse_into(parent: QWidget, edit: QLineEdit, what: str) -> None:
    """The folder chooser for `edit`, titled "`what` folder"."""
    start = edit.text().strip() or os.path.expanduser("~")
    folder = QFileDialog.getExistingDirectory(parent, f"{what} folder", start)
    if folder:
        edit.setText(folder)
