"""What the dialogs that run a long job on a worker (Export…, Ingest from Card…)
share: their sentences' colours, the debounced preview, the progress box (the
file at work elided in the middle, so it never widens the dialog) and the
Cancel button's states (Cancel, Stopping…, Close). Only the furniture.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

HINT_STYLE = "color: #9a9a9a;"
ERROR_STYLE = "color: #ff6b5a;"
PREVIEW_DEBOUNCE_MS = 250


def show_sentence(label: QLabel, text: str, *, error: bool = False) -> None:
    """A hint (grey) or an error (red) in `label`."""
    label.setStyleSheet(ERROR_STYLE if error else HINT_STYLE)
    label.setText(text)


def show_running(progress: QWidget, cancel: QPushButton, running: bool, cancelling: bool) -> None:
    """`cancel` as the job stands: "Cancel" while it runs ("Stopping…", off, once
    asked to stop), "Close" after; the progress box shown while it runs."""
    if running:
        progress.show()
        cancel.setText("Stopping…" if cancelling else "Cancel")
        cancel.setEnabled(not cancelling)
    else:
        cancel.setText("Close")
        cancel.setEnabled(True)


def show_stopping(cancel: QPushButton, current: QLabel, sentence: str) -> None:
    """The job asked to stop: `cancel` says so and is off, and the file line
    (`current`) says `sentence` (what becomes of the file at work)."""
    cancel.setEnabled(False)
    cancel.setText("Stopping…")
    current.setText(sentence)


def debounced(parent: QObject, slot: Callable[[], object]) -> QTimer:
    """A single-shot timer calling `slot` once typing pauses (start() it on every edit)."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(PREVIEW_DEBOUNCE_MS)
    timer.timeout.connect(slot)
    return timer


class ProgressBox(QWidget):
    """A job's progress: `bar`, `label` (its figures) and `current` (the file)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar(self)
        self.bar.setTextVisible(False)
        self.label = QLabel("", self)
        self.current = QLabel("", self)
        self.current.setStyleSheet(HINT_STYLE)
        self.current.setMinimumWidth(1)  # long names are elided, never widen the dialog
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.bar)
        box.addWidget(self.label)
        box.addWidget(self.current)
        self.hide()

    def show_current(self, name: str, tooltip: str = "") -> None:
        """The file at work, elided in the middle to the label's width."""
        width = max(self.current.width(), 200)
        metrics = self.current.fontMetrics()
        self.current.setText(metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, width))
        self.current.setToolTip(tooltip or name)
