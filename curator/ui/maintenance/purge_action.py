"""Edit ▸ Move Rejected to Trash…: the dialog side of `PurgeController`.

A plan on the worker → a confirmation with the count and size → the purge on
the worker, progress in the status bar → one summary sentence → `deleted(ids)`
so the window refreshes the gallery. The action is disabled meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.maintenance.purge_controller import (
    PurgeController,
    PurgeFinished,
    PurgePlanned,
    PurgeProgress,
)

TITLE = "Move Rejected to Trash"


class PurgeAction(QObject):
    deleted = Signal(list)  # photo ids now tombstones

    def __init__(
        self,
        window: QWidget,
        controller: PurgeController,
        errors: ErrorReporter,
        status: Callable[[str], None],
    ):
        super().__init__(window)
        self.window, self.controller, self.errors, self.status = window, controller, errors, status
        self.action = QAction("Move Rejected to &Trash…", window)
        self.action.setStatusTip(
            "Move the files of every rejected photo to the system trash (they can be put back)"
        )
        self.action.triggered.connect(self.ask)
        controller.running_changed.connect(lambda running: self.action.setEnabled(not running))
        controller.planned.connect(self._on_planned)
        controller.progress.connect(self._on_progress)
        controller.finished.connect(self._on_finished)
        self.last_sentence = ""

    @Slot()
    @guarded_slot
    def ask(self) -> None:
        if self.controller.plan():
            self.status("Counting the rejected photos…")

    @Slot(object)
    @guarded_slot
    def _on_planned(self, message: PurgePlanned) -> None:
        from PySide6.QtWidgets import QMessageBox  # its Qt type: made when first needed

        from curator.purge.run import human_size

        plan = message.plan
        if plan is None:
            self.errors.report(message.error or "The rejected photos could not be listed.")
            return
        if not plan.photos:
            self._say("There are no rejected photos with files on disk to move to the trash.")
            return
        n, files = len(plan.photos), len(plan.files)
        text = (
            f"Move {n} rejected photo{'s' * (n != 1)} ({files} file{'s' * (files != 1)}, "
            f"{human_size(plan.total_bytes)}) to the trash?"
        )
        detail = (
            "The files go to the system trash, where they can be restored; Curator forgets "
            "the photos and will not import the same files again. Decisions are kept."
        )
        answer = QMessageBox.question(
            self.window,
            TITLE,
            f"{text}\n\n{detail}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            self.status("Nothing was moved to the trash.")
            return
        if self.controller.start(plan):
            self.status(f"Moving {files} file{'s' * (files != 1)} to the trash…")

    @Slot(object)
    @guarded_slot
    def _on_progress(self, message: PurgeProgress) -> None:
        self.status(
            f"Moving rejected photos to the trash: {message.done} of {message.total} files…"
        )

    @Slot(object)
    @guarded_slot
    def _on_finished(self, message: PurgeFinished) -> None:
        report = message.report
        if report is None:
            self.errors.report(message.error or "The purge stopped.")
            return
        self._say(report.sentence())
        if report.failed:
            self.errors.report(report.sentence())
        self.deleted.emit(list(report.deleted))

    def _say(self, sentence: str) -> None:
        self.last_sentence = sentence
        self.status(sentence)
