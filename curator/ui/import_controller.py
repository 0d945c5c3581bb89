"""`ImportController`: runs an import's technical stage on the GUI's event loop.

prepare (main thread: scan the folder, plan against the catalog) → run
(`TechnicalRunner`: decoding in crash-isolated child processes, waited on by
pool threads) → apply (the runner's batched CatalogWriter, main thread).
Each committed batch is turned into photo ids and emitted as
`photos_changed`, so the gallery grows live. Progress is a sentence:
"Measuring 12/54 — 8.1 photos/s — ETA 5 s".

The folder scan and the plan (`prepare_import`: a walk of the tree and one
catalog read) run in a `PrepareImportTask` on a one-thread pool, never on
the UI thread; its result carries the start's generation, so a cancelled or
superseded start is dropped. Reading the catalog there is safe: peewee
gives each thread its own SQLite connection and WAL lets readers run beside
the writer.

Stopping: `cancel()` is cooperative — queued files are not started,
in-flight ones finish and are written — and `finished` follows; the child
processes are closed once the runner has finished. `pause()` holds queued
files (in-flight ones finish). `completed(RunSummary)` tells the app the
technical stage ended, so it can start embed + describe; `stage_progress`
feeds the status bar. `start_paths` re-reads given files (Retry in the
Failed lane). `settings` is read at each start: new worker counts and
preview sizes apply to the next import.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from curator.catalog.db import Catalog
from curator.catalog.queries import photo_ids_for_paths
from curator.catalog.writer import CatalogWriter
from curator.pipeline.importer import ImportJob, make_process_pool, plan_paths, prepare_import
from curator.pipeline.isolation import ChildProcessPool
from curator.pipeline.runner import TechnicalRunner, import_counts
from curator.pipeline.stage_runner import RunSummary
from curator.pipeline.technical import STAGE_VERSION, TechnicalPlan
from curator.settings import Settings
from curator.ui.format import duration_text
from curator.ui.guard import ErrorReporter, guarded_slot
from curator.ui.progress import StageProgress, StageState


def progress_sentence(done: int, total: int, elapsed_s: float) -> str:
    text = f"Measuring {done}/{total}"
    if done and elapsed_s > 0:
        rate = done / elapsed_s
        text += f" — {rate:.1f} photos/s — ETA {duration_text((total - done) / rate)}"
    return text


class _PrepareSignals(QObject):
    done = Signal(object)  # _Prepared


class _Prepared:
    def __init__(self, generation: int, plan: TechnicalPlan | None, problems: int, error: str):
        self.generation, self.plan, self.problems, self.error = generation, plan, problems, error


class PrepareImportTask(QRunnable):
    """Scan + plan off the UI thread; returns the plan (or the error's sentence)."""

    def __init__(self, generation: int, job: ImportJob, signals: _PrepareSignals):
        super().__init__()
        self.generation, self.job, self.signals = generation, job, signals

    def run(self) -> None:
        try:
            plan, problems = prepare_import(self.job)
            result = _Prepared(self.generation, plan, len(problems), "")
        except Exception as exc:
            result = _Prepared(self.generation, None, 0, f"Could not read the folder: {exc}")
        self.signals.done.emit(result)


class ImportController(QObject):
    started = Signal(str)  # folder
    progress = Signal(str)  # the status-bar sentence
    photos_changed = Signal(list)  # photo ids just written
    finished = Signal(str)  # the summary sentence
    completed = Signal(object)  # RunSummary, after `finished`
    stage_progress = Signal(object)  # StageProgress of the technical stage

    def __init__(
        self,
        catalog: Catalog,
        cache_dir: Path,
        settings: Settings,
        errors: ErrorReporter,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.catalog, self.cache_dir, self.settings, self.errors = (
            catalog,
            cache_dir,
            settings,
            errors,
        )
        self._runner: TechnicalRunner | None = None
        self._processes: ChildProcessPool | None = None
        self._started_at = 0.0
        self._scan_problems = 0
        self._paused = False
        self.last_summary: RunSummary | None = None
        self._generation = 0
        self._preparing = False
        self._prepare_pool = QThreadPool(self)
        self._prepare_pool.setMaxThreadCount(1)
        self._prepare_signals = _PrepareSignals(self)
        self._prepare_signals.done.connect(self._on_prepared)

    @property
    def running(self) -> bool:
        return self._preparing or (self._runner is not None and self._runner.running)

    def start(self, folder: str) -> bool:
        """Start importing `folder`; False (and a sentence reported) if it can't."""
        folder = os.path.abspath(os.path.expanduser(folder))
        if self.running:
            self.errors.report("An import is already running; wait for it or cancel it first.")
            return False
        if not os.path.isdir(folder):
            self.errors.report(f"There is no folder at {folder}.")
            return False
        if not os.access(folder, os.R_OK | os.X_OK):
            self.errors.report(f"Curator is not allowed to read the folder {folder}.")
            return False
        job = ImportJob(folder=folder, cache_dir=str(self.cache_dir), settings=self.settings)
        self._generation += 1
        self._preparing = True
        self.started.emit(folder)
        self.progress.emit(f"Looking for photos in {folder}…")
        self._started_at = time.monotonic()
        self._emit_progress(0, 0)
        self._prepare_pool.start(PrepareImportTask(self._generation, job, self._prepare_signals))
        return True

    @Slot(object)
    @guarded_slot
    def _on_prepared(self, prepared: _Prepared) -> None:
        if prepared.generation != self._generation or not self._preparing:
            return  # cancelled or superseded while scanning
        self._preparing = False
        if prepared.plan is None:
            self.errors.report(prepared.error)
            self.finished.emit(prepared.error)
            return
        self._scan_problems = prepared.problems
        self._start_plan(prepared.plan)

    def start_paths(self, paths: Sequence[str]) -> bool:
        """Read these files again (Retry of technical failures); False if busy."""
        if self.running:
            self.errors.report("An import is running; retry when it has finished.")
            return False
        self._scan_problems = 0
        self._start_plan(plan_paths(paths, self.settings, str(self.cache_dir)))
        return True

    def _start_plan(self, plan: TechnicalPlan) -> None:
        self._processes = make_process_pool(self.settings, plan)
        runner = TechnicalRunner(
            CatalogWriter(self.catalog.db, STAGE_VERSION),
            self._processes,
            max_attempts=self.settings.max_attempts,
            timeout_s=self.settings.decode_timeout_s,
            parent=self,
        )
        runner.progressed.connect(self._on_progressed)
        runner.batch_applied.connect(self._on_batch_applied)
        runner.finished.connect(self._on_finished)
        self._runner = runner
        self._started_at = time.monotonic()
        self.progress.emit(progress_sentence(0, len(plan.requests), 0.0))
        self._emit_progress(0, len(plan.requests))
        runner.start_plan(plan)
        if self._paused:
            runner.pause()

    def cancel(self) -> None:
        if self._preparing:
            # Nothing was written yet: drop the scan's result when it arrives, and
            # report the end from the event loop (never re-entrantly from the caller,
            # e.g. a closeEvent).
            self._preparing = False
            self._generation += 1
            QTimer.singleShot(0, self._finish_cancelled_scan)
        if self._runner is not None:
            self._runner.cancel()

    def _finish_cancelled_scan(self) -> None:
        summary = RunSummary(cancelled=True)
        self.last_summary = summary
        self.stage_progress.emit(StageProgress("technical", StageState.CANCELLED, 0, 0, 0.0))
        self.finished.emit(self.summary_sentence(summary))
        self.completed.emit(summary)

    def pause(self) -> None:
        self._paused = True
        if self._runner is not None:
            self._runner.pause()
            self._emit_progress(*self._runner.progress)

    def resume(self) -> None:
        self._paused = False
        if self._runner is not None:
            self._runner.resume()
            self._emit_progress(*self._runner.progress)

    def _emit_progress(self, done: int, total: int, state: StageState | None = None) -> None:
        if state is None:
            state = StageState.PAUSED if self._paused else StageState.RUNNING
        elapsed = time.monotonic() - self._started_at
        self.stage_progress.emit(StageProgress("technical", state, done, total, elapsed))

    @Slot(int, int)
    @guarded_slot
    def _on_progressed(self, done: int, total: int) -> None:
        self.progress.emit(progress_sentence(done, total, time.monotonic() - self._started_at))
        self._emit_progress(done, total)

    @Slot(object)
    @guarded_slot
    def _on_batch_applied(self, outcomes: list[object]) -> None:
        paths = [str(getattr(o, "path", "")) for o in outcomes]
        self.photos_changed.emit(photo_ids_for_paths(p for p in paths if p))

    @Slot(object)
    @guarded_slot
    def _on_finished(self, summary: RunSummary) -> None:
        self.last_summary = summary
        if self._processes is not None:
            self._processes.close()
            self._processes = None
        done, total = (0, 0)
        if self._runner is not None:
            done, total = self._runner.progress
            self._runner.deleteLater()
            self._runner = None
        state = StageState.CANCELLED if summary.cancelled else StageState.DONE
        failed = import_counts(summary)["failed"]
        self.stage_progress.emit(
            StageProgress(
                "technical",
                state,
                done,
                total,
                summary.elapsed_s,
                f"{failed} failed — see View ▸ Problems" if failed else "",
            )
        )
        self.finished.emit(self.summary_sentence(summary))
        self.completed.emit(summary)

    def summary_sentence(self, summary: RunSummary) -> str:
        c = import_counts(summary)
        verb = "Import cancelled" if summary.cancelled else "Import finished"
        parts = [f"{c['found']} files", f"{c['new']} new"]
        for key in ("changed", "moved", "duplicates", "failed"):
            if c[key]:
                parts.append(f"{c[key]} {key}")
        if self._scan_problems:
            parts.append(f"{self._scan_problems} could not be scanned")
        text = f"{verb}: {', '.join(parts)} in {duration_text(summary.elapsed_s)}."
        if c["failed"]:
            text += " View ▸ Problems lists them with the reason."
        return text
