"""`PipelineController`: the GUI's thin adapter over `pipeline.service.PipelineService`.

It turns the user's requests into `RunRequest`s with a sentence for what can't
start (no such folder, not allowed, another import running), and the service's
`RunReport` into the status bar's sentence; no stage logic, threads or writes.

The service is made on first use, not at start-up (the pipeline's modules cost
~70 ms of CPU the first paint does not need). Until then nothing runs:
`running` is False, cancel does nothing, and a pause is remembered so the
first run starts held.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from curator.settings import Settings
from curator.ui.common.guard import ErrorReporter, guarded_slot

if TYPE_CHECKING:
    from curator.pipeline.service import PipelineService, RunReport, RunRequest


class PipelineController(QObject):
    started = Signal(str)  # the folder ('' for a retry or back-fill)
    stage_progress = Signal(object)  # StageProgress
    photos_added = Signal(list)  # photo ids a quick-look batch just inserted (new rows only)
    photos_changed = Signal(list)  # photo ids just rewritten by the technical stage or XMP
    thumbnails_changed = Signal(list)  # photo ids that just got a quick thumbnail
    scores_changed = Signal()
    finished = Signal(str)  # the summary sentence
    completed = Signal(object)  # RunReport, after `finished`
    stopping = Signal()  # the app stops (`shutdown`): a watched folder lets go first

    def __init__(
        self,
        make_service: Callable[[], PipelineService],
        settings: Settings,
        errors: ErrorReporter,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._make_service, self._settings, self.errors = make_service, settings, errors
        self._service: PipelineService | None = None
        self._held = False  # Pause pressed before the service was made: it starts held

    @property
    def service(self) -> PipelineService:
        """The pipeline service, made (and wired to this adapter) on first use."""
        if self._service is None:
            service = self._make_service()
            service.settings = self._settings
            service.setParent(self)  # lives exactly as long as the adapter
            service.stage_progress.connect(self.stage_progress)
            service.photos_added.connect(self.photos_added)  # signal to signal: no Python hop
            service.photos_changed.connect(self.photos_changed)
            service.thumbnails_changed.connect(self.thumbnails_changed)
            service.scores_changed.connect(self.scores_changed)
            service.finished.connect(self._on_finished)
            service.started.connect(self._on_started)
            if self._held:
                service.pause()
            self._service = service
        return self._service

    @property
    def made(self) -> PipelineService | None:
        """The service if it was made (an import or retry happened), else None."""
        return self._service

    @property
    def settings(self) -> Settings:
        return self._settings

    @settings.setter
    def settings(self, value: Settings) -> None:
        self._settings = value
        if self._service is not None:
            self._service.settings = value  # applies from the next run

    @property
    def running(self) -> bool:
        return self._service is not None and self._service.running

    @property
    def last_report(self) -> RunReport | None:
        return None if self._service is None else self._service.last_report

    def shutdown(self) -> None:
        """Stop the pipeline if it was ever started (see `App.shutdown`)."""
        self.stopping.emit()
        if self._service is not None:
            self._service.shutdown()

    def start_import(self, folder: str) -> bool:
        """Import `folder`; False (and a sentence reported) if it can't start."""
        from curator.fs.folders import folder_problem

        if (problem := folder_problem(folder)) is not None:
            self.errors.report(problem.message)
            return False
        from curator.pipeline.report import RunRequest

        return self._start(RunRequest(folder=os.path.abspath(os.path.expanduser(folder))))

    def start_paths(
        self,
        paths: Sequence[str],
        stages: tuple[str, ...] | None = None,
        part_of: str | None = None,
    ) -> bool:
        """Read these files (again: a Retry of technical failures), then the later
        stages; `stages`: only these (an ingest's landed copies: technical first);
        `part_of`: the longer job this run is a step of, named in its sentence."""
        from curator.pipeline.report import ALL_STAGES, RunRequest

        request = RunRequest(paths=tuple(paths), stages=stages or ALL_STAGES, part_of=part_of)
        return self._start(request)

    def start_backfill(self) -> bool:
        """Embed, describe and score whatever is pending (after a Retry, say)."""
        from curator.pipeline.report import ALL_STAGES, RunRequest

        later = tuple(s for s in ALL_STAGES if s != "technical")
        return self._start(RunRequest(stages=later))

    def _start(self, request: RunRequest) -> bool:
        from curator.pipeline.report import PipelineBusy

        try:
            self.service.start(request)
        except PipelineBusy as exc:
            self.errors.report(str(exc))
            return False
        return True

    @Slot(list)
    def prefer_thumbnails(self, paths: list[str]) -> None:
        """The grid shows these files without a thumbnail: decode them next."""
        if self._service is not None:
            self._service.prefer_thumbnails(paths)

    def cancel(self) -> None:
        if self._service is not None:
            self._service.cancel()

    def pause(self) -> None:
        if self._service is None:
            self._held = True
        else:
            self._service.pause()

    def resume(self) -> None:
        if self._service is None:
            self._held = False
        else:
            self._service.resume()

    @Slot(object)
    @guarded_slot
    def _on_started(self, request: RunRequest) -> None:
        self.started.emit(request.folder or "")

    @Slot(object)
    @guarded_slot
    def _on_finished(self, report: RunReport) -> None:
        if report.error:
            self.errors.report(report.error)
        from curator.pipeline.report import summary_sentence

        self.finished.emit(summary_sentence(report))
        self.completed.emit(report)
