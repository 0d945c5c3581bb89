"""`PipelineController`: the GUI's thin adapter over `pipeline.service.PipelineService`.

The service runs the pipeline (the same one the CLI drives); this adapter
only turns the user's requests into `RunRequest`s with a sentence for what
can't start (no such folder, not allowed, another import running), and the
service's `RunReport` into the status bar's sentence. It owns no stage
logic, no threads and no catalog writes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal, Slot

from curator.pipeline.service import (
    ALL_STAGES,
    PipelineBusy,
    PipelineService,
    RunReport,
    RunRequest,
    summary_sentence,
)
from curator.pipeline.stages.scan import folder_problem
from curator.settings import Settings
from curator.ui.common.guard import ErrorReporter, guarded_slot


class PipelineController(QObject):
    started = Signal(str)  # the folder ('' for a retry or back-fill)
    stage_progress = Signal(object)  # StageProgress
    photos_added = Signal(list)  # photo ids a quick-look batch just inserted (new rows only)
    photos_changed = Signal(list)  # photo ids just rewritten by the technical stage or XMP
    scores_changed = Signal()
    finished = Signal(str)  # the summary sentence
    completed = Signal(object)  # RunReport, after `finished`

    def __init__(
        self, service: PipelineService, errors: ErrorReporter, parent: QObject | None = None
    ):
        super().__init__(parent)
        self.service, self.errors = service, errors
        service.stage_progress.connect(self.stage_progress)
        service.photos_added.connect(self.photos_added)  # signal to signal: no Python hop
        service.photos_changed.connect(self.photos_changed)
        service.scores_changed.connect(self.scores_changed)
        service.finished.connect(self._on_finished)
        service.started.connect(self._on_started)

    @property
    def settings(self) -> Settings:
        return self.service.settings

    @settings.setter
    def settings(self, value: Settings) -> None:
        self.service.settings = value  # applies from the next run

    @property
    def running(self) -> bool:
        return self.service.running

    @property
    def last_report(self) -> RunReport | None:
        return self.service.last_report

    def start_import(self, folder: str) -> bool:
        """Import `folder`; False (and a sentence reported) if it can't start."""
        if (problem := folder_problem(folder)) is not None:
            self.errors.report(problem.message)
            return False
        return self._start(RunRequest(folder=os.path.abspath(os.path.expanduser(folder))))

    def start_paths(self, paths: Sequence[str]) -> bool:
        """Read these files again (Retry of technical failures), then the later stages."""
        return self._start(RunRequest(paths=tuple(paths)))

    def start_backfill(self) -> bool:
        """Embed, describe and score whatever is pending (after a Retry, say)."""
        later = tuple(s for s in ALL_STAGES if s != "technical")
        return self._start(RunRequest(stages=later))

    def _start(self, request: RunRequest) -> bool:
        try:
            self.service.start(request)
        except PipelineBusy as exc:
            self.errors.report(str(exc))
            return False
        return True

    def cancel(self) -> None:
        self.service.cancel()

    def pause(self) -> None:
        self.service.pause()

    def resume(self) -> None:
        self.service.resume()

    @Slot(object)
    @guarded_slot
    def _on_started(self, request: RunRequest) -> None:
        self.started.emit(request.folder or "")

    @Slot(object)
    @guarded_slot
    def _on_finished(self, report: RunReport) -> None:
        if report.error:
            self.errors.report(report.error)
        self.finished.emit(summary_sentence(report))
        self.completed.emit(report)
