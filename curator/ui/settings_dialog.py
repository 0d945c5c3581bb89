"""The settings dialog, generated from the typed settings registry.

One editor per `Settings` field, chosen by the field's type (int → spin box
with the field's bounds, float → double spin box, bool → check box, str →
line edit), labelled with the field's title and with its description as the
tooltip and a grey hint. Nothing is hand-listed here: a new field in
`curator.settings` appears in the dialog by itself. OK validates through
pydantic (an invalid value is named in the dialog and nothing is saved),
writes the settings file and emits `settings_changed(Settings)`; the app
applies what it can without a restart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from curator.settings import Settings, form_fields, save_settings

APPLY_NOTE = (
    "Nothing needs a restart: the MATCH threshold applies at once; worker counts, "
    "preview sizes, the Ollama URL and model and the CLIP model apply from the next "
    "import (or Retry)."
)


def _bounds(name: str) -> tuple[float | None, float | None]:
    lo = hi = None
    for meta in Settings.model_fields[name].metadata:
        lo = getattr(meta, "ge", lo) if getattr(meta, "ge", None) is not None else lo
        hi = getattr(meta, "le", hi) if getattr(meta, "le", None) is not None else hi
    return lo, hi


def _editor(name: str, value: Any) -> QWidget:
    lo, hi = _bounds(name)
    if isinstance(value, bool):
        box = QCheckBox()
        box.setChecked(value)
        return box
    if isinstance(value, int):
        spin = QSpinBox()
        spin.setRange(
            int(lo if lo is not None else -(2**31)), int(hi if hi is not None else 2**31 - 1)
        )
        spin.setValue(value)
        return spin
    if isinstance(value, float):
        dspin = QDoubleSpinBox()
        dspin.setDecimals(2)
        dspin.setRange(lo if lo is not None else -1e9, hi if hi is not None else 1e9)
        dspin.setValue(value)
        return dspin
    line = QLineEdit(str(value))
    line.setClearButtonEnabled(True)
    return line


def _value(editor: QWidget) -> Any:
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QSpinBox | QDoubleSpinBox):
        return editor.value()
    if isinstance(editor, QLineEdit):
        return editor.text().strip()
    raise TypeError(type(editor))


class SettingsDialog(QDialog):
    settings_changed = Signal(object)  # Settings

    def __init__(self, settings: Settings, settings_file: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Curator settings")
        self.settings_file = settings_file
        self.editors: dict[str, QWidget] = {}
        # Settings with a page of their own (keyboard) pass through unchanged.
        self.kept = {
            n: getattr(settings, n) for n in Settings.model_fields if n not in form_fields()
        }
        form = QFormLayout()
        for name in form_fields():
            field = Settings.model_fields[name]
            editor = _editor(name, getattr(settings, name))
            editor.setObjectName(name)
            editor.setToolTip(field.description or "")
            self.editors[name] = editor
            form.addRow(field.title or name, editor)
            if field.description:
                hint = QLabel(field.description)
                hint.setWordWrap(True)
                hint.setStyleSheet("color: palette(mid); font-size: 11px;")
                form.addRow("", hint)
        inner = QWidget()
        inner.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.note = QLabel(APPLY_NOTE)
        self.note.setWordWrap(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c0392b;")
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, 640)

    def values(self) -> dict[str, Any]:
        return {name: _value(editor) for name, editor in self.editors.items()}

    def accept(self) -> None:
        try:
            settings = Settings(**self.kept, **self.values())
        except ValidationError as exc:
            problems = "; ".join(
                f"{Settings.model_fields[str(e['loc'][0])].title or e['loc'][0]}: {e['msg']}"
                for e in exc.errors()
                if e["loc"]
            )
            self.error.setText(f"Not saved — {problems}")
            self.error.show()
            return
        save_settings(self.settings_file, settings)
        self.settings_changed.emit(settings)
        super().accept()
