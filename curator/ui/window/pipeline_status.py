"""`PipelineStatus`: the status-bar widget with one label per stage, Pause/Resume
and Cancel. It only paints `StageProgress` values and emits what the user asked
for (`pause_requested(bool)`, `cancel_requested()`); a skipped stage's reason is
its tooltip; the last import's summary stays in `summary`.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from curator.ui.common.elided_label import ElidedLabel
from curator.ui.window.progress import STAGE_TITLES, StageProgress, StageState, stage_text

_ACTIVE = (StageState.RUNNING, StageState.PAUSED, StageState.WAITING)
_COLOURS = {
    StageState.SKIPPED: "#e0a040",
    StageState.DONE: "#7fbf7f",
    StageState.CANCELLED: "#b0b0b0",
}


class PipelineStatus(QWidget):
    pause_requested = Signal(bool)  # True: pause, False: resume
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(10)
        self.summary = ElidedLabel("", self)  # never widens the window (1366 px screens)
        layout.addWidget(self.summary)
        self.labels: dict[str, QLabel] = {}
        self.progress: dict[str, StageProgress] = {}
        for stage in STAGE_TITLES:
            label = QLabel("", self)
            label.setObjectName(f"stage_{stage}")
            label.hide()
            layout.addWidget(label)
            self.labels[stage] = label
        self.pause_button = QPushButton("Pause", self)
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Hold the pipeline after the photos in flight")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip(
            "Stop after the photos in flight; nothing is lost, the next import resumes"
        )
        for button in (self.pause_button, self.cancel_button):
            button.setStyleSheet("padding: 1px 10px;")
            layout.addWidget(button)
        self.pause_button.toggled.connect(self._on_pause_toggled)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self._update_buttons()

    @property
    def active(self) -> bool:
        return any(p.state in _ACTIVE for p in self.progress.values())

    @Slot(object)
    def show_progress(self, p: StageProgress) -> None:
        label = self.labels.get(p.stage)
        if label is None:
            return
        self.progress[p.stage] = p
        label.setText(stage_text(p))
        label.setToolTip(p.note)
        colour = _COLOURS.get(p.state)
        label.setStyleSheet(f"color: {colour};" if colour else "")
        label.show()
        self._update_buttons()

    @Slot(str)
    def show_summary(self, text: str) -> None:
        self.summary.setText(text)

    def clear_stages(self) -> None:
        """A new run starts: forget the last run's stage labels."""
        self.progress.clear()
        for label in self.labels.values():
            label.hide()
        self._update_buttons()

    def _update_buttons(self) -> None:
        # A pause outlives a run, so a pressed Pause stays visible while idle.
        active = self.active
        self.pause_button.setVisible(active or self.pause_button.isChecked())
        self.cancel_button.setVisible(active)

    @Slot(bool)
    def _on_pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText("Resume" if paused else "Pause")
        self._update_buttons()
        self.pause_requested.emit(paused)
