"""`WatchDialog` (File ▸ Watch Folder…): the folder to watch and, if asked,
a backup folder each frame is copied to as it lands (ingest.live_backup),
named by the ingest's templates.

It touches no file: `choice()` is what `WindowWatch` starts. Watch is enabled
only while the form can be watched; what is wrong is said in red, in the
sentences the watch itself would say (`fs.folders.folder_problem`,
`live_backup.backup_problem`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from curator.ingest.types import IngestRequest
from curator.ui.common.folder_field import folder_field
from curator.ui.common.job_dialog import show_sentence


@dataclass(frozen=True)
class WatchChoice:
    """A folder to watch, and its backup (None: none)."""

    folder: str
    backup: IngestRequest | None = None


class WatchDialog(QDialog):
    """The watch's folder and backup (see the module docstring). `last`: the
    last watch's choice, its backup's templates and folder shown again."""

    def __init__(
        self, rename: str, subfolder: str, last: WatchChoice | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Watch Folder")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.folder_edit, _ = folder_field(
            self, form, "Watch:", "The folder a tethering app or the camera's FTP writes into"
        )
        self.copy_check = QCheckBox("Also copy each frame to a backup folder, verified", self)
        form.addRow("", self.copy_check)
        self.backup_edit, _ = folder_field(self, form, "Backup:", "Best on another disk")
        from curator.ui.ingest.dialog import TOKEN_HELP  # the ingest dialog's stack: on use

        self.rename_edit = QLineEdit(rename, self)
        self.rename_edit.setToolTip(TOKEN_HELP)
        form.addRow("File names:", self.rename_edit)
        self.subfolder_edit = QLineEdit(subfolder, self)
        self.subfolder_edit.setPlaceholderText("Empty: straight into the backup folder")
        self.subfolder_edit.setToolTip(TOKEN_HELP.replace(", {seq}", "").replace(", {ext}", ""))
        form.addRow("Folders:", self.subfolder_edit)
        self.problem_label = QLabel("", self)
        self.problem_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.watch_button = self.buttons.addButton("Watch", QDialogButtonBox.ButtonRole.AcceptRole)
        self.watch_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        if last is not None:
            self.folder_edit.setText(last.folder)
            if last.backup is not None:
                self.copy_check.setChecked(True)
                self.backup_edit.setText(last.backup.destination)
                self.rename_edit.setText(last.backup.rename)
                self.subfolder_edit.setText(last.backup.subfolder)
        for edit in (self.folder_edit, self.backup_edit, self.rename_edit, self.subfolder_edit):
            edit.textChanged.connect(self._edited)
        self.copy_check.toggled.connect(self._edited)
        self._edited()

    def choice(self) -> WatchChoice | None:
        """The form as a watch; None while it can't be watched (`problem`)."""
        if self.problem() is not None:
            return None
        folder = os.path.abspath(os.path.expanduser(self.folder_edit.text().strip()))
        if not self.copy_check.isChecked():
            return WatchChoice(folder)
        dest = os.path.abspath(os.path.expanduser(self.backup_edit.text().strip()))
        rename, subfolder = self.rename_edit.text().strip(), self.subfolder_edit.text().strip()
        return WatchChoice(folder, IngestRequest(folder, dest, rename=rename, subfolder=subfolder))

    def problem(self) -> str | None:
        """Why the form can't be watched, in a sentence (None: it can)."""
        from curator.fs.folders import folder_problem
        from curator.ingest.live_backup import backup_problem

        folder = self.folder_edit.text().strip()
        if not folder:
            return "Choose the folder to watch."
        if (problem := folder_problem(folder)) is not None:
            return problem.message
        if not self.copy_check.isChecked():
            return None
        return backup_problem(
            folder,
            self.backup_edit.text(),
            self.rename_edit.text().strip(),
            self.subfolder_edit.text().strip(),
        )

    @Slot()
    def _edited(self, *_: object) -> None:
        copying = self.copy_check.isChecked()
        for edit in (self.backup_edit, self.rename_edit, self.subfolder_edit):
            edit.setEnabled(copying)
        problem = self.problem()
        self.watch_button.setEnabled(problem is None)
        show_sentence(self.problem_label, problem or "", error=problem is not None)
