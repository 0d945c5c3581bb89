"""What the dialogs that run a long job on a worker (Export…, Ingest from Card…,
Client Gallery…) share: their sentences' colours, the debounced preview, the
progress box (the file at work elided in the middle, so it never widens the
dialog) and `JobDialog`, their frame: the form on top, off while the job
runs, and the buttons (the run's, the actions offered after it, and Cancel,
whose states are Cancel, Stopping… and Close). Only the furniture: what a
form asks for and what a run says are each dialog's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from curator.ui.common.guard import guarded_slot
from curator.ui.common.job_runner import JobRunner

HINT_STYLE = "color: #9a9a9a;"
ERROR_STYLE = "color: #ff6b5a;"
PREVIEW_DEBOUNCE_MS = 250


def show_sentence(label: QLabel, text: str, *, error: bool = False) -> None:
    """A hint (grey) or an error (red) in `label`."""
    label.setStyleSheet(ERROR_STYLE if error else HINT_STYLE)
    label.setText(text)


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


class JobDialog(QDialog):
    """The frame of a dialog that runs `job`'s one long run: `form` on top (its
    `form_widgets` off while the job runs), the rows `lay_out` is given (among
    them `progress_box`), then the buttons of `add_buttons`. Cancel, Esc and
    closing stop a running job (Cancel says "Stopping…", off, and the file line
    `STOPPING`: what becomes of the file at work) and the dialog stays for the
    summary; else they close it."""

    STOPPING = "Stopping…"

    def __init__(self, job: JobRunner, title: str, width: int, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.errors = job.errors
        self.setWindowTitle(title)
        self.setMinimumWidth(width)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form_widgets: tuple[QWidget, ...] = ()
        self.progress_box = ProgressBox(self)
        self.progress_bar, self.progress_label = self.progress_box.bar, self.progress_box.label
        self.current_label = self.progress_box.current
        self._job = job
        job.running_changed.connect(self._set_running)

    def add_buttons(self, run: str, *actions: str) -> tuple[QPushButton, ...]:
        """The run's button (`run_button`, the default), one per action offered
        after a run (hidden until then), and `cancel_button`; all but the last."""
        self.buttons = QDialogButtonBox(self)
        self.run_button = self.buttons.addButton(run, QDialogButtonBox.ButtonRole.AcceptRole)
        self.run_button.setDefault(True)
        made = [self.run_button]
        for action in actions:
            made.append(self.buttons.addButton(action, QDialogButtonBox.ButtonRole.ActionRole))
            made[-1].hide()
        self.cancel_button = self.buttons.addButton("Close", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.clicked.connect(self._cancel_or_close)
        return tuple(made)

    def lay_out(self, *rows: QWidget, grow: QWidget | None = None) -> None:
        """The form, `rows` top to bottom (`grow` takes the height to spare), the buttons."""
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        for row in rows:
            layout.addWidget(row, 1 if row is grow else 0)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def previewed(self, preview: Callable[[Any], object], wanting: str, counting: str) -> None:
        """The form previewed in `preview_label`: `wanting` while `request()` is
        None, else `counting` until `preview(request)`, asked of the job once
        typing pauses, comes back (`_show_preview`)."""
        self.preview_label = QLabel("", self)
        self.preview_label.setWordWrap(True)
        self.preview_label.setStyleSheet(HINT_STYLE)
        self.preview_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._preview, self._wanting, self._counting = preview, wanting, counting
        self._preview_timer = debounced(self, self._ask_preview)

    def request(self) -> object | None:
        """What the form asks the job for (None: nothing yet; the run button is off)."""
        return None

    def _schedule_preview(self, *_: object) -> None:
        if self._job.running:
            return
        ready = self.request() is not None
        self.run_button.setEnabled(ready)
        if not ready:
            self._show_preview(self._wanting)
            self._preview_timer.stop()
            return
        self._show_preview(self._counting)
        self._preview_timer.start()

    @Slot()
    @guarded_slot
    def _ask_preview(self) -> None:
        request = self.request()
        if request is not None and not self._job.running:
            self._preview(request)

    def _show_preview(self, text: str, *, error: bool = False) -> None:
        show_sentence(self.preview_label, text, error=error)

    def enable(self, running: bool) -> None:
        """Whatever else a run turns off, or on again after it (a subclass's)."""

    @Slot(bool)
    @guarded_slot
    def _set_running(self, running: bool) -> None:
        for widget in self.form_widgets:
            widget.setEnabled(not running)
        self.run_button.setEnabled(not running and self.request() is not None)
        self.enable(running)
        stopping = running and self._job.cancelling
        if running:
            self.progress_box.show()
        self.cancel_button.setText("Stopping…" if stopping else "Cancel" if running else "Close")
        self.cancel_button.setEnabled(not stopping)

    def stop(self) -> None:
        """Ask the running job to stop (see the class docstring)."""
        self._job.cancel()
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Stopping…")
        self.current_label.setText(self.STOPPING)

    @Slot()
    @guarded_slot
    def _cancel_or_close(self) -> None:
        if self._job.running:
            self.stop()
            return
        self.reject()

    def reject(self) -> None:
        """Esc, Cancel, close: while the job runs, stop it and stay for the summary; else close."""
        if self._job.running:
            self.stop()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._job.running:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)
