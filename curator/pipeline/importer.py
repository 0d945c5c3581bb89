"""An import: scan a folder, plan the stages, run them, report.

`prepare_import` (scan + plan) and `TechnicalRunner` are what the GUI drives;
`run_import_headless` wraps them in a QCoreApplication event loop for the CLI,
with a progress bar and Ctrl+C handling: the first Ctrl+C cancels
cooperatively (in-flight photos finish and are written), a second one writes
what is buffered and stops at once.
"""

from __future__ import annotations

import signal
import sys
from dataclasses import dataclass, field
from types import FrameType
from typing import TextIO

from PySide6.QtCore import QCoreApplication, QTimer

from curator.catalog.writer import CatalogWriter
from curator.pipeline.isolation import ChildProcessPool
from curator.pipeline.runner import TechnicalRunner
from curator.pipeline.scan import ScanProblem, ScanReport, scan_folder
from curator.pipeline.stage_runner import RunSummary
from curator.pipeline.technical import TechnicalPlan, init_decoder_process, plan_technical
from curator.settings import Settings


@dataclass(frozen=True)
class ImportJob:
    folder: str
    cache_dir: str
    settings: Settings
    stages: tuple[str, ...] = ("technical",)
    retry_failed: bool = False


@dataclass
class ImportResult:
    summary: RunSummary
    scan_problems: list[ScanProblem] = field(default_factory=list)


def prepare_import(job: ImportJob) -> tuple[TechnicalPlan, list[ScanProblem]]:
    """Scan the folder and plan the technical stage (reads the catalog, writes nothing)."""
    report = ScanReport()
    candidates = scan_folder(job.folder, exclude=[job.cache_dir], report=report)
    plan = plan_technical(candidates, job.settings, job.cache_dir, retry_failed=job.retry_failed)
    return plan, report.problems


def make_process_pool(settings: Settings, plan: TechnicalPlan) -> ChildProcessPool:
    """Child processes for decoding, primed with the hashes already measured."""
    size = max(1, min(settings.decode_workers, len(plan.requests) or 1))
    return ChildProcessPool(size, initializer=init_decoder_process, initargs=(plan.known_hashes,))


def run_import_headless(
    job: ImportJob, writer: CatalogWriter, *, progress_stream: TextIO | None = None
) -> ImportResult:
    plan, problems = prepare_import(job)
    app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    processes = make_process_pool(job.settings, plan)
    runner = TechnicalRunner(
        writer,
        processes,
        max_attempts=job.settings.max_attempts,
        timeout_s=job.settings.decode_timeout_s,
    )
    result = ImportResult(RunSummary(found=plan.found), problems)
    bar = None
    if progress_stream is not None and plan.requests:
        from tqdm import tqdm

        bar = tqdm(
            total=len(plan.requests),
            unit="photo",
            desc="Measuring",
            file=progress_stream,
            mininterval=0.2 if progress_stream.isatty() else 5.0,
            dynamic_ncols=True,
        )

    def on_progress(done: int, total: int) -> None:
        if bar is not None:
            bar.update(done - bar.n)

    def on_finished(summary: RunSummary) -> None:
        result.summary = summary
        app.quit()

    interrupts = 0

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        nonlocal interrupts
        interrupts += 1
        if interrupts == 1:
            if progress_stream is not None:
                print(
                    "\nStopping after the photos in progress… (Ctrl+C again to stop now)",
                    file=progress_stream,
                )
            runner.cancel()
        else:
            runner.flush_now()
            processes.close()
            raise SystemExit(130)

    runner.progressed.connect(on_progress)
    runner.finished.connect(on_finished)
    previous = signal.signal(signal.SIGINT, on_sigint)
    # Qt's event loop does not return to Python on its own; a short timer lets
    # Python run its signal handlers (Ctrl+C) promptly.
    ticker = QTimer()
    ticker.start(100)
    ticker.timeout.connect(lambda: None)
    try:
        runner.start_plan(plan)
        if runner.running:
            app.exec()
    finally:
        ticker.stop()
        signal.signal(signal.SIGINT, previous)
        if bar is not None:
            bar.close()
        processes.close()
        runner.deleteLater()
    return result
