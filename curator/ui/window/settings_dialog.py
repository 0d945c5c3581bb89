"""The settings dialog, generated from the typed settings registry: one editor
per `Settings` field by its type (spin boxes with its bounds, check box, line
edit, a combo box for a `Literal`), with its title, description and hint, so a
new field appears by itself. OK validates (`settings.validate`: an invalid
value is named, nothing saved), writes ONLY the fields changed
(`settings.save_changes`) and emits `settings_changed(Settings)`. The
engineering knobs (`settings.ADVANCED`) are folded under "Advanced settings";
a spin box or combo box takes the wheel only once focused.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from curator.settings import (
    ADVANCED,
    FIELDS,
    InvalidSettings,
    Settings,
    SettingsError,
    env_overrides,
    form_fields,
    save_changes,
    validate,
)

APPLY_NOTE = (
    "Nothing needs a restart: the MATCH threshold applies at once; worker counts, "
    "preview sizes, the Ollama URL and model and the CLIP model apply from the next "
    "import (or Retry)."
)


def _editor(name: str, value: Any) -> QWidget:
    spec = FIELDS[name]
    lo, hi = spec.ge, spec.le
    if spec.choices:
        combo = QComboBox()
        combo.addItems([str(choice) for choice in spec.choices])
        combo.setCurrentText(str(value))
        return combo
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
    if isinstance(editor, QComboBox):
        return editor.currentText()
    raise TypeError(type(editor))


class SettingsDialog(QDialog):
    settings_changed = Signal(object)  # Settings

    def __init__(self, settings: Settings, settings_file: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Curator settings")
        self.settings_file = settings_file
        self.settings = settings
        self.editors: dict[str, QWidget] = {}
        self.overridden = env_overrides()
        form, advanced = QFormLayout(), QFormLayout()
        for name in form_fields():
            self._add_row(advanced if name in ADVANCED else form, name, settings)
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.addLayout(form)
        self.advanced_button = QToolButton()
        self.advanced_button.setText("Advanced settings (decoding, sizes, LLM, CLIP)")
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced = QWidget()
        self.advanced.setLayout(advanced)
        self.advanced.setVisible(False)
        self.advanced_button.toggled.connect(self._show_advanced)
        column.addWidget(self.advanced_button)
        column.addWidget(self.advanced)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.scroll_area = scroll
        self.initial = self.values()
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

    def _add_row(self, form: QFormLayout, name: str, settings: Settings) -> None:
        """One editor, labelled with the field's title, its description as a hint."""
        field = FIELDS[name]
        editor = _editor(name, getattr(settings, name))
        editor.setObjectName(name)
        editor.setToolTip(field.description or "")
        if isinstance(editor, QAbstractSpinBox | QComboBox):
            editor.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # no wheel focus
            editor.installEventFilter(self)
        self.editors[name] = editor
        form.addRow(field.title or name, editor)
        description = field.description or ""
        if name in self.overridden:
            description += (
                f" Set by {self.overridden[name]} for this session: saved only if you"
                " change it here."
            )
        if description:
            hint = QLabel(description.strip())
            hint.setWordWrap(True)
            hint.setStyleSheet("color: palette(mid); font-size: 11px;")
            form.addRow("", hint)

    def _show_advanced(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        arrow = Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        self.advanced_button.setArrowType(arrow)

    def values(self) -> dict[str, Any]:
        return {name: _value(editor) for name, editor in self.editors.items()}

    def changes(self) -> dict[str, Any]:
        """The fields the user changed in the dialog (nothing else is saved)."""
        now = self.values()
        return {name: value for name, value in now.items() if value != self.initial[name]}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Wheel
            and isinstance(watched, QWidget)
            and not watched.hasFocus()
        ):
            QCoreApplication.sendEvent(self.scroll_area.verticalScrollBar(), event)
            return True  # the field under the pointer keeps its value
        return super().eventFilter(watched, event)

    def accept(self) -> None:
        changes = self.changes()
        try:
            settings = validate({**asdict(self.settings), **changes})
        except InvalidSettings as exc:
            problems = "; ".join(
                f"{FIELDS[str(loc[0])].title or loc[0]}: {msg}" for loc, msg in exc.problems if loc
            )
            self.error.setText(f"Not saved — {problems}")
            self.error.show()
            return
        try:
            save_changes(self.settings_file, changes)
        except (SettingsError, OSError) as exc:
            self.error.setText(f"Not saved — {exc}")
            self.error.show()
            return
        self.settings_changed.emit(settings)
        super().accept()
