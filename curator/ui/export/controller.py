"""`ExportController`: the GUI's export, off the UI thread.

`curator.export.plan.plan_export` and `curator.export.run.run_export` do the
work, as for the CLI; the controller runs them on the export pool (one thread:
the destination disk is the resource) and reports back by signal.

- Jobs have immutable inputs (an `ExportRequest`, a cancel `threading.Event`),
  never a QObject: `load_sets()`, `preview(request)` (a dry run) and `start`.
- Their only way back is the controller's `Delivery` (`ui.common.job_runner`):
  frozen messages with the job's generation; a stale preview or progress is dropped.
- Progress: every finished file, and within a big file one report per
  `PROGRESS_EVERY_S`.
- A new preview cancels the one in flight; `start` cancels the preview.
- `cancel()`: the engine stops between files or chunks (a file cut short was
  a temp name, removed). `shutdown()` cancels and closes the Delivery.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from curator.engine.delivery import Delivery
from curator.export.types import ExportProgress, ExportRequest, ExportResult
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.common.job_runner import JobRunner
from curator.ui.export.choices import ExportChoicesFile

if TYPE_CHECKING:
    from curator.export.plan import ExportPlan

log = logging.getLogger("curator.ui")

PROGRESS_EVERY_S = 0.05
ProgressFn = Callable[[ExportProgress], None]


@dataclass(frozen=True)
class ExportEngine:
    """The two engine steps; tests wrap them (a slow progress hook, say)."""

    plan: Callable[[ExportRequest], ExportPlan]
    run: Callable[[ExportPlan, ProgressFn, threading.Event], ExportResult]


def default_engine() -> ExportEngine:
    """The real engine, imported on first use (not at app start-up)."""

    def plan(request: ExportRequest) -> ExportPlan:
        from curator.export.plan import plan_export

        return plan_export(request)

    def run(plan: ExportPlan, progress: ProgressFn, cancel: threading.Event) -> ExportResult:
        from curator.export.run import run_export

        return run_export(plan, progress=progress, cancel=cancel)

    return ExportEngine(plan, run)


def project_names() -> list[str]:
    """The projects the dialog offers besides "Approved photos" (on a worker)."""
    from curator.catalog import projects

    return projects.project_names()


@dataclass(frozen=True)
class SetsLoaded:
    names: tuple[str, ...]
    error: str | None = None


@dataclass(frozen=True)
class PreviewReady:
    generation: int
    request: ExportRequest
    result: ExportResult | None  # the dry run's: PLANNED and SKIPPED_EXISTING files
    error: str | None = None  # why the plan could not be made, in a sentence
    folder: Path | None = None  # DEST/approved or DEST/<project>
    left_out: tuple[tuple[str, str], ...] = ()  # project members not sent: (path, why)


@dataclass(frozen=True)
class ProgressReport:
    generation: int
    progress: ExportProgress


@dataclass(frozen=True)
class ExportFinished:
    generation: int
    request: ExportRequest
    result: ExportResult | None
    error: str | None = None  # why the export could not run at all
    folder: Path | None = None  # where the files went (DEST/approved, DEST/<project>)


def destination_problem(dest: Path) -> str | None:
    """Why nothing could be written under `dest` (None: it looks writable); on the worker."""
    probe = dest
    while not probe.exists():
        if probe.parent == probe:
            return f"There is no disk or folder at {dest}."
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} is a file, not a folder: choose a folder to export into."
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"Curator may not write into {probe} (permission denied)."
    return None


def error_sentence(exc: BaseException) -> str:
    """The engine raises typed errors with a human sentence; an OSError gets
    one here; anything else is named with its type (the traceback goes to the log)."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f" {exc.filename}" if exc.filename else ""
        return f"The export could not write{where}: {exc.strerror.lower()}."
    text = str(exc).strip()
    if not text:
        return f"The export failed ({type(exc).__name__}); the details are in the log."
    return text if text.endswith((".", ")", "?", "!")) else text + "."


class _ThinnedProgress:
    """The engine's progress hook (on the worker): every finished file, but the
    per-chunk reports within one big file at most once per PROGRESS_EVERY_S."""

    def __init__(self, generation: int, delivery: Delivery[object]):
        self.generation, self.delivery = generation, delivery
        self.last, self.done = 0.0, -1

    def __call__(self, progress: ExportProgress) -> None:
        now = time.monotonic()
        if progress.done != self.done or now - self.last >= PROGRESS_EVERY_S:
            self.last, self.done = now, progress.done
            self.delivery.deliver(ProgressReport(self.generation, progress))


class ExportController(JobRunner):
    sets_loaded = Signal(list)  # project names (str)
    preview_ready = Signal(object)  # PreviewReady, current generation only
    progress = Signal(object)  # ExportProgress of the running export
    finished = Signal(object)  # ExportFinished

    def __init__(
        self,
        threads: QThreadPool,
        errors: ErrorReporter,
        choices: ExportChoicesFile,
        *,
        engine: ExportEngine | None = None,
        sets: Callable[[], list[str]] = project_names,
        parent: QObject | None = None,
    ):
        super().__init__(threads, errors, parent)
        self.choices = choices
        self.engine = engine or default_engine()
        self._sets = sets
        self._preview_cancel = threading.Event()

    def load_sets(self) -> None:
        if self._shut_down:
            return
        sets = self._sets

        def job() -> SetsLoaded:
            try:
                return SetsLoaded(tuple(sets()))
            except Exception as exc:
                log.exception("listing the projects for export failed")
                return SetsLoaded((), error_sentence(exc))

        self._post(job)

    def preview(self, request: ExportRequest) -> int:
        """Plan `request` as a dry run on the worker (`preview_ready`); its generation."""
        self._preview_cancel.set()  # the one in flight, if any, is stale now
        if self._shut_down:
            return self._generation
        self._generation += 1
        generation, cancel = self._generation, threading.Event()
        self._preview_cancel = cancel
        engine, dry = self.engine, replace(request, dry_run=True)

        def job() -> PreviewReady | None:
            if cancel.is_set():
                return None
            problem = destination_problem(request.dest)
            if problem is not None:
                return PreviewReady(generation, request, None, problem)
            try:
                plan = engine.plan(dry)
                if cancel.is_set():
                    return None
                result = engine.run(plan, lambda _p: None, cancel)
            except Exception as exc:
                log.info("export preview failed: %s", exc, exc_info=True)
                return PreviewReady(generation, request, None, error_sentence(exc))
            if cancel.is_set():
                return None
            return PreviewReady(
                generation, request, result, folder=plan.folder, left_out=plan.left_out
            )

        self._post(job)
        return generation

    def start(self, request: ExportRequest) -> bool:
        """Plan and run `request` on the worker; False if one is running already."""
        begun = self._begin()
        if begun is None:
            return False
        self._preview_cancel.set()
        generation, cancel = begun
        engine, progress = self.engine, _ThinnedProgress(generation, self._delivery)

        def job() -> ExportFinished:
            problem = destination_problem(request.dest)
            if problem is not None:
                return ExportFinished(generation, request, None, problem)
            try:
                plan = engine.plan(request)
                if cancel.is_set():
                    cancelled = ExportResult(request.dest, cancelled=True)
                    return ExportFinished(generation, request, cancelled, folder=plan.folder)
                result = engine.run(plan, progress, cancel)
            except Exception as exc:
                log.exception("the export failed")
                return ExportFinished(generation, request, None, error_sentence(exc))
            return ExportFinished(generation, request, result, folder=plan.folder)

        return self._started(job)

    def shutdown(self) -> None:
        """Cancel all (the preview too) and post nothing more."""
        self._preview_cancel.set()
        super().shutdown()

    def _job_failed(self, exc: Exception) -> None:
        """The jobs turn their own errors into messages; anything else is logged."""
        log.error("an export task failed", exc_info=exc)

    @Slot(object)
    @guarded_slot
    def _on_posted(self, message: object) -> None:
        if isinstance(message, ProgressReport):
            if message.generation == self._run_generation and self.running:
                self.progress.emit(message.progress)
        elif isinstance(message, PreviewReady):
            if message.generation == self._generation:
                self.preview_ready.emit(message)
        elif isinstance(message, ExportFinished):
            if message.generation == self._run_generation:
                self._run_over()
                self.finished.emit(message)
        elif isinstance(message, SetsLoaded):
            if message.error:
                self.errors.report(message.error)
            self.sets_loaded.emit(list(message.names))
