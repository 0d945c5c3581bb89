"""The CLI's driver of the pipeline: the same `PipelineService` the GUI observes,
run to its end on a QCoreApplication loop, with progress bars and Ctrl+C.

`run_headless(request, …)` starts the service and returns its `RunReport`.
A second import of the same catalog waits its turn (a note says so). The
first Ctrl+C cancels cooperatively (in-flight work finishes and is written);
a second one writes what is buffered and stops at once (exit 130).

`run_watch(folder, …)` watches a folder (pipeline.watch's `WatchSession`)
until Ctrl+C or SIGTERM: the first stops watching and lets the live run
measure what it has; a second writes what is buffered and stops at once.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TextIO

import shiboken6
from PySide6.QtCore import QCoreApplication, QThreadPool, QTimer

from curator.engine.collector import collected_on_main_thread
from curator.engine.isolation import ChildProcessPool
from curator.engine.progress import StageProgress, StageState
from curator.pipeline.service import (
    PipelineBusy,
    PipelinePools,
    PipelineService,
    RunReport,
    RunRequest,
)
from curator.settings import Settings

if TYPE_CHECKING:
    from tqdm import tqdm

    from curator.ingest.types import IngestRequest
    from curator.pipeline.watch import Arrival, WatchSession, WatchTotals

STAGE_BARS = {
    "technical": "Measuring",
    "embed": "Embedding",
    "describe": "Describing",
    "score": "Scoring",
}


class _Progress:
    """One tqdm bar per running stage, on the given stream (or nothing)."""

    def __init__(self, stream: TextIO | None):
        self.stream = stream
        self.bars: dict[str, tqdm[None]] = {}
        self.noted: set[str] = set()

    def show(self, p: StageProgress) -> None:
        if self.stream is None:
            return
        if p.remark and p.remark not in self.noted:  # said once, above the bar
            from tqdm import tqdm

            self.noted.add(p.remark)
            tqdm.write(p.remark, file=self.stream)
        if p.state is StageState.SKIPPED and p.note and p.stage not in self.noted:
            self.noted.add(p.stage)
            self.close(p.stage)
            print(f"{STAGE_BARS.get(p.stage, p.stage)} skipped: {p.note}", file=self.stream)
            return
        if p.state in (StageState.RUNNING, StageState.PAUSED) and p.total:
            bar = self.bars.get(p.stage)
            if bar is None:
                from tqdm import tqdm

                bar = self.bars[p.stage] = tqdm(
                    total=p.total,
                    unit="photo",
                    desc=STAGE_BARS.get(p.stage, p.stage),
                    file=self.stream,
                    mininterval=0.2 if self.stream.isatty() else 5.0,
                    dynamic_ncols=True,
                )
            bar.update(p.done - bar.n)
        elif p.state in (StageState.DONE, StageState.CANCELLED):
            bar = self.bars.get(p.stage)
            if bar is not None:
                bar.update(max(0, p.done - bar.n))
            self.close(p.stage)

    def close(self, stage: str | None = None) -> None:
        for name in [stage] if stage else list(self.bars):
            bar = self.bars.pop(name, None) if name else None
            if bar is not None:
                bar.close()


def _application() -> QCoreApplication:
    """The running Qt application (the tests' QApplication), or a new core one."""
    return QCoreApplication.instance() or QCoreApplication(sys.argv[:1])


@contextmanager
def _event_loop(service: PipelineService) -> Iterator[QCoreApplication]:
    """A Qt loop that Python can interrupt: Ctrl+C cancels, a second Ctrl+C exits."""
    app = _application()
    interrupts = 0

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        nonlocal interrupts
        interrupts += 1
        service.cancel()
        if interrupts > 1:
            service.flush_now()
            raise SystemExit(130)

    previous = signal.signal(signal.SIGINT, on_sigint)
    # Qt's loop does not return to Python on its own; a short timer lets Python
    # run its signal handlers (Ctrl+C) promptly.
    ticker = QTimer()
    ticker.timeout.connect(lambda: None)
    ticker.start(100)
    try:
        yield app
    finally:
        ticker.stop()
        signal.signal(signal.SIGINT, previous)


def _pool(threads: int) -> QThreadPool:
    """The CLI's pools: this module is the headless composition root (as app.py is
    the GUI's), the one other place a QThreadPool is made."""
    pool = QThreadPool()
    pool.setMaxThreadCount(threads)
    return pool


def run_headless(
    request: RunRequest,
    *,
    catalog_path: Path,
    cache_dir: Path,
    settings: Settings,
    progress_stream: TextIO | None = None,
    processes: ChildProcessPool | None = None,
) -> RunReport:
    """Run the pipeline to its end (the CLI's import, describe, back-fill);
    `processes`: decoder children started early (`pipeline.decoders`).

    Cycle collection runs on the main thread for the whole run, pools drained
    included (engine/collector.py: a pool thread must never collect Qt objects)."""
    _application()
    with collected_on_main_thread():
        pools = PipelinePools.create(_pool, settings.llm_concurrency)
        service = PipelineService(catalog_path, cache_dir, settings, pools, processes=processes)
        progress = _Progress(progress_stream)
        service.stage_progress.connect(progress.show)
        try:
            with _event_loop(service) as app:
                service.finished.connect(lambda _report: app.quit())
                try:
                    service.start(request)
                except PipelineBusy:
                    if progress_stream is not None:
                        print(
                            "Another import into this catalog is running;"
                            " waiting for it to finish…",
                            file=progress_stream,
                        )
                    service.start(request, wait_for_lock=-1)
                if service.running:
                    app.exec()
        finally:
            progress.close()
            service.shutdown()
            for pool in pools.all():
                pool.waitForDone()
            report = service.last_report
            # Deleted here, while everything it calls back is alive: a deleteLater
            # would run in whatever event loop comes next (a test's next import),
            # and the service's Python side sits in reference cycles, so the pools
            # would otherwise be destroyed by a later cycle collection.
            shiboken6.delete(service)
            for pool in pools.all():
                shiboken6.delete(pool)
    assert report is not None
    return report


def run_watch(
    folder: str,
    *,
    catalog_path: Path,
    cache_dir: Path,
    settings: Settings,
    on_arrival: Callable[[Arrival], None],
    on_note: Callable[[str], None],
    on_start: Callable[[WatchSession], None] | None = None,
    backup: IngestRequest | None = None,
) -> WatchTotals:
    """Watch `folder` until Ctrl+C or SIGTERM (see the module docstring); what
    the watch did. `on_start` hears the session once it watches (tests: when
    to write the files); `backup`: the backup folder each frame is copied to."""
    from curator.pipeline.watch import WatchSession

    _application()
    with collected_on_main_thread():
        pools = PipelinePools.create(_pool, settings.llm_concurrency)
        service = PipelineService(catalog_path, cache_dir, settings, pools)
        session = WatchSession(folder, service, exclude=(str(cache_dir),), backup=backup)
        session.arrived.connect(on_arrival)
        session.noted.connect(on_note)
        stops = 0

        def on_signal(signum: int, frame: FrameType | None) -> None:
            nonlocal stops
            stops += 1
            if stops == 1:
                session.stop()
                return
            service.cancel()
            service.flush_now()
            raise SystemExit(130)

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        ticker = QTimer()  # lets Python run its signal handlers promptly (see _event_loop)
        ticker.timeout.connect(lambda: None)
        ticker.start(100)
        try:
            app = _application()
            session.stopped.connect(app.quit)
            session.start()
            if on_start is not None:
                on_start(session)
            app.exec()
        finally:
            ticker.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            session.shutdown()
            service.shutdown()
            for pool in pools.all():
                pool.waitForDone()
            totals = session.totals()
            shiboken6.delete(session)
            shiboken6.delete(service)  # as run_headless: while what it calls back is alive
            for pool in pools.all():
                shiboken6.delete(pool)
    return totals
