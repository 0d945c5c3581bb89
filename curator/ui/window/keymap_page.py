"""Keyboard remapping: the "Keyboard Shortcuts" page over the key table
(`ui.review.keymap`). Choose a row, press a key, Assign (a key another action
has is refused with a sentence); "Reset to defaults" drops every override. OK
writes only `key_overrides` (`save_changes`) and emits `overrides_changed(dict)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from curator.settings import SettingsError, save_changes
from curator.ui.review.keymap import all_bindings, binding_for, keys_for, override_conflict


def normalized(key: str) -> str:
    """The key as QKeySequence's portable text ("ctrl+k" → "Ctrl+K"); "" if not a key."""
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText)


class KeymapDialog(QDialog):
    overrides_changed = Signal(dict)  # {action: key}, saved

    def __init__(
        self, overrides: Mapping[str, str], settings_file: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.settings_file = settings_file
        self.overrides: dict[str, str] = dict(overrides)
        self.bindings = all_bindings()
        self.table = QTableWidget(len(self.bindings), 2, self)
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.key_edit = QKeySequenceEdit(self)
        self.key_edit.setMaximumSequenceLength(1)
        self.assign_button = QPushButton("Assign", self)
        self.default_button = QPushButton("Default for this action", self)
        self.reset_button = QPushButton("Reset to defaults", self)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        row = QHBoxLayout()
        row.addWidget(QLabel("New key:", self))
        row.addWidget(self.key_edit, 1)
        row.addWidget(self.assign_button)
        row.addWidget(self.default_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.reset_button)
        layout.addWidget(buttons)
        self.assign_button.clicked.connect(self._on_assign)
        self.default_button.clicked.connect(self._on_default)
        self.reset_button.clicked.connect(self.reset_defaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._fill()
        self.table.selectRow(0)
        self.resize(640, 560)

    def _fill(self) -> None:
        for i, b in enumerate(self.bindings):
            self.table.setItem(i, 0, QTableWidgetItem(b.cull))
            keys = " / ".join(keys_for(b, self.overrides))
            item = QTableWidgetItem(keys + ("  (changed)" if b.action in self.overrides else ""))
            self.table.setItem(i, 1, item)
        self.table.resizeColumnToContents(0)

    @property
    def selected_action(self) -> str | None:
        row = self.table.currentRow()
        return self.bindings[row].action if 0 <= row < len(self.bindings) else None

    def assign(self, action: str, key: str) -> str | None:
        """Give `action` the one key `key`; the refusal sentence, or None when done."""
        key = normalized(key)
        problem = override_conflict(self.overrides, action, key)
        if problem is not None:
            self.message.setText(problem)
            return problem
        binding = binding_for(action)
        if binding is not None and binding.keys == (key,):
            self.overrides.pop(action, None)  # back to its default: no override to keep
        else:
            self.overrides[action] = key
        self.message.setText(f"{key}: {binding.cull if binding else action}.")
        self._fill()
        return None

    @Slot()
    def reset_defaults(self) -> None:
        self.overrides.clear()
        self.message.setText("Every action has its default keys again (saved with OK).")
        self._fill()

    @Slot()
    def _on_assign(self) -> None:
        action = self.selected_action
        if action is not None:
            self.assign(
                action,
                self.key_edit.keySequence().toString(QKeySequence.SequenceFormat.PortableText),
            )

    @Slot()
    def _on_default(self) -> None:
        action = self.selected_action
        if action is None:
            return
        binding = binding_for(action)
        if binding is None:
            return
        others = {a: k for a, k in self.overrides.items() if a != action}
        for key in binding.keys:
            problem = override_conflict(others, action, key)
            if problem is not None:
                self.message.setText(problem)
                return
        self.overrides.pop(action, None)
        self._fill()

    def accept(self) -> None:
        try:
            save_changes(self.settings_file, {"key_overrides": dict(self.overrides)})
        except (OSError, SettingsError) as exc:
            self.message.setText(f"Not saved — {exc}")
            return
        self.overrides_changed.emit(dict(self.overrides))
        super().accept()
