"""`ProjectPicker`: the quick "which project?" dialog (Shift+B, or B with none chosen).

A field that filters the projects (with their counts) as you type; the last
row creates a project (`New project “<typed text>”`, or `New project…`).
↑/↓ move in the list, Enter chooses, Esc cancels. It writes nothing: it emits
`chosen(project_id)` or `create_requested(name)` and the owner writes.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from curator.catalog.projects import ProjectSummary

NEW = -1  # the item data of the "New project" row


class ProjectPicker(QDialog):
    chosen = Signal(int)  # an existing project's id
    create_requested = Signal(str)  # the name of a project to create

    def __init__(
        self,
        projects: Sequence[ProjectSummary],
        *,
        current_id: int | None = None,
        title: str = "Choose a project",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.projects = list(projects)
        self.current_id = current_id
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Type to filter, Enter to choose:", self))
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Project name")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.installEventFilter(self)
        layout.addWidget(self.filter_edit)
        self.list = QListWidget(self)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.choose)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.filter_edit.textChanged.connect(self._fill)
        self.list.itemActivated.connect(lambda _item: self.choose())
        self._fill()
        self.filter_edit.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """↑/↓ in the text field move the list's highlight."""
        if watched is self.filter_edit and isinstance(event, QKeyEvent):
            key = event.key()
            if event.type() == QEvent.Type.KeyPress and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                step = -1 if key == Qt.Key.Key_Up else 1
                row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
                self.list.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)

    @property
    def typed(self) -> str:
        return self.filter_edit.text().strip()

    @Slot()
    def _fill(self, *_: object) -> None:
        self.list.clear()
        needle = self.typed.casefold()
        exact = False
        highlight = 0
        for project in self.projects:
            if needle and needle not in project.name.casefold():
                continue
            exact = exact or project.name.casefold() == needle
            item = QListWidgetItem(f"{project.name}  ({project.count})", self.list)
            item.setData(Qt.ItemDataRole.UserRole, project.id)
            if project.id == self.current_id and not needle:
                highlight = self.list.count() - 1
        new_text = f"New project “{self.typed}”" if needle and not exact else "New project…"
        new_item = QListWidgetItem(new_text, self.list)
        new_item.setData(Qt.ItemDataRole.UserRole, NEW)
        self.list.setCurrentRow(highlight)

    @Slot()
    def choose(self) -> None:
        """Choose the highlighted row (Enter, OK, a double click)."""
        item = self.list.currentItem()
        if item is None:
            return
        project_id = int(item.data(Qt.ItemDataRole.UserRole))
        if project_id != NEW:
            self.accept()
            self.chosen.emit(project_id)
            return
        taken = any(p.name.casefold() == self.typed.casefold() for p in self.projects)
        name = "" if taken else self.typed
        if not name:
            name, ok = QInputDialog.getText(self, "New project", "Name of the new project:")
            if not ok or not name.strip():
                return
        self.accept()
        self.create_requested.emit(name.strip())
