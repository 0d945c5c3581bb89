"""`ImportController`: runs an import's technical stage on the GUI's event loop.

prepare (main thread: scan the folder, plan against the catalog) → run
(`TechnicalRunner`: decoding in crash-isolated child processes, waited on by
pool threads) → apply (the runner's batched CatalogWriter, main thread).
Each committed batch is turned into photo ids and emitted as
`photos_changed`, so the gallery grows live. Progress is a sentence:
"Measuring 12/54 — 8.1 photos/s — ETA 5 s".

Known limit: `prepare_import` (the folder scan and one catalog read) runs
on the main thread; fine for a few thousand files, to move to a worker for
huge trees (see issue 4).

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

from PySide6.QtCore import QObject, Signal, Slot

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

    @property
    def running(self) -> bool:
        return self._runner is not None and self._runner.running

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
        plan, problems = prepare_import(job)
        self._scan_problems = len(problems)
        self.started.emit(folder)
        self._start_plan(plan)
        return True

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
        if self._runner is not None:
            self._runner.cancel()

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
