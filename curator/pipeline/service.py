"""`PipelineService`: the one pipeline, driven by the CLI and observed by the GUI.

A run goes through these phases, each on its own pool, all state changes on
the thread that owns the service (the GUI's main thread, or the CLI's
QCoreApplication loop):

1. prepare (prepare pool, one thread): scan the folder and plan the
   technical stage against the catalog (`pipeline.technical.plan_technical`),
   or plan the given files (Retry), or nothing (a back-fill run);
2. quick look (`pipeline.quicklook`: the new files' embedded thumbnails and
   EXIF into the grid within seconds, in the same child processes), then
   technical (`TechnicalRunner`: decoding in crash-isolated child processes,
   results applied in batches by the one writer); scan problems go to the
   error log; then photos whose every file vanished become `missing`.
   Meanwhile the prepare pool reads the XMP (sidecars, embedded packets) of
   the files the plan names (`pipeline.xmp_stage`); once both are done, its
   ratings, flags, labels and keywords are written as decisions (source
   "xmp", on the prepare pool through its own connection, in short
   transactions), so the score phase trains on them;
3. embed (ML pool) and describe (LLM pool, after an Ollama health check on
   that pool) side by side — a stage whose model is absent is `skipped`
   with the sentence that says what to do, the other goes on;
4. score (ML pool): rescore with the newest taste model or train the first,
   regroup bursts, CLIP confidences for new AI tags — written by the worker
   through its own connection;
5. `finished(RunReport)`.

Invariants:
- one run at a time per service; a second *import* into the same catalog,
  from this process or another, is refused with a sentence or waits its
  turn (`ImportLock`, a file lock beside the catalog) — never both silently;
- every phase always ends: a failed write is retried, then reported in the
  report and the error log; a storage fault (disk full, read-only) stops the
  run with its sentence (`RunReport.error`);
- `cancel()` is cooperative: finished work is written, nothing else starts;
- workers get immutable inputs (paths, ids, a settings snapshot) and return
  results; the service never touches widgets.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from curator.catalog.db import close_thread_connection
from curator.catalog.models import Stage, StageStatus
from curator.catalog.writer import ApplyKind, CatalogWriter, record_error
from curator.engine.isolation import ChildProcessPool, memory_limit_for
from curator.engine.lock import ImportLock
from curator.engine.progress import StageProgress, StageState, duration_text
from curator.engine.stage_runner import RunSummary, StageGate, safe_emit
from curator.pipeline.stages import technical as technical_stage
from curator.pipeline.stages.quicklook import CHUNK as QUICK_LOOK_CHUNK
from curator.pipeline.stages.quicklook import QuickLookJob, plan_quick_look
from curator.pipeline.stages.scan import Candidate, ScanProblem, ScanReport, scan_folder
from curator.pipeline.stages.score import (
    BackgroundCall,
    EmbeddingSnapshot,
    ScoreJob,
    ScoreResult,
)
from curator.pipeline.stages.technical import TechnicalPlan, init_decoder_process, plan_technical
from curator.pipeline.stages.technical_runner import TechnicalRunner, import_counts
from curator.pipeline.stages.xmp import (
    XmpApplied,
    XmpPlan,
    XmpReading,
    apply_xmp,
    plan_xmp,
    read_xmp_plan,
)
from curator.settings import Settings

log = logging.getLogger(__name__)

ALL_STAGES: tuple[str, ...] = tuple(s.value for s in Stage)


_ACTIVE = (StageState.WAITING, StageState.RUNNING, StageState.PAUSED)


class PipelineBusy(Exception):
    """A run can't start now; str() is the sentence to show."""


@dataclass(frozen=True)
class RunRequest:
    """What to run. `folder`: import it; `paths`: re-read just these files
    (Retry); neither: back-fill the later stages over the whole catalog."""

    folder: str | None = None
    paths: tuple[str, ...] = ()
    stages: tuple[str, ...] = ALL_STAGES
    retry_failed: bool = False
    redo_descriptions: bool = False  # describe again photos described by another model/prompt

    @property
    def reads_files(self) -> bool:
        return (self.folder is not None or bool(self.paths)) and "technical" in self.stages


@dataclass
class RunReport:
    """What a run did, for the CLI's summary/--json and the GUI's sentence."""

    request: RunRequest
    technical: RunSummary = field(default_factory=RunSummary)
    missing: int = 0
    restored_unchanged: int = 0  # missing photos whose unchanged file came back
    scan_problems: list[ScanProblem] = field(default_factory=list)
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    elapsed_s: float = 0.0
    cancelled: bool = False
    error: str = ""  # a storage fault or a failed prepare: the run stopped
    xmp_applied: int = 0  # photos that took decisions from their XMP
    xmp_problems: int = 0  # sidecars/packets that could not be read
    xmp_default_stars: int = 0  # darktable's import-default 1 star, read as not rated
    xmp_extra_labels: int = 0  # darktable sidecars with more than one label

    @property
    def counts(self) -> dict[str, int]:
        """The import summary keys of `curator import --json`."""
        c = import_counts(self.technical)
        c["restored"] += self.restored_unchanged
        c["missing"] = self.missing
        c["write_failed"] = int(self.technical.counts.get("write_failed", 0))
        c["xmp_applied"] = self.xmp_applied
        c["xmp_default_stars_skipped"] = self.xmp_default_stars
        c["xmp_extra_labels"] = self.xmp_extra_labels
        return c


@dataclass(frozen=True)
class PipelinePools:
    """One pool per resource. The service does not own them (the app does)."""

    prepare: QThreadPool
    ml: QThreadPool
    llm: QThreadPool

    @classmethod
    def create(cls, llm_threads: int = 2) -> PipelinePools:
        pools = []
        for n in (1, 1, llm_threads):
            pool = QThreadPool()
            pool.setMaxThreadCount(n)
            pools.append(pool)
        return cls(*pools)

    def all(self) -> tuple[QThreadPool, ...]:
        return (self.prepare, self.ml, self.llm)


# -- prepare (runs on the prepare pool) ---------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    generation: int
    plan: TechnicalPlan | None
    problems: list[ScanProblem]
    error: str
    xmp: XmpPlan | None = None


def prepare(request: RunRequest, settings: Settings, cache_dir: str) -> _Prepared:
    """Scan + plan (reads the catalog through this thread's connection, writes nothing)."""
    if request.folder is not None:
        report = ScanReport()
        candidates = list(scan_folder(request.folder, exclude=[cache_dir], report=report))
        plan = plan_technical(candidates, settings, cache_dir, retry_failed=request.retry_failed)
        xmp = _plan_xmp(candidates, plan, settings)
        return _Prepared(0, plan, report.problems, "", xmp)
    if request.paths:
        candidates = path_candidates(request.paths)
        plan = plan_technical(candidates, settings, cache_dir, retry_failed=True)
        xmp = _plan_xmp(candidates, plan, settings)
        return _Prepared(0, plan, [], "", xmp)
    return _Prepared(0, None, [], "")


def _plan_xmp(candidates: list[Candidate], plan: TechnicalPlan, settings: Settings) -> XmpPlan:
    return plan_xmp(
        candidates,
        (r.path for r in plan.requests),
        darktable_one_star_is_rating=settings.xmp_darktable_one_star_is_rating,
    )


def path_candidates(paths: tuple[str, ...] | list[str]) -> list[Candidate]:
    """Candidates for these files (stat'ed now; a file that can't be is kept, unstat'ed)."""
    candidates = []
    for path in dict.fromkeys(paths):
        try:
            st = os.stat(path)
            candidates.append(Candidate(path, st.st_size, st.st_mtime_ns))
        except OSError:
            candidates.append(Candidate(path, None, None))
    return candidates


def plan_paths(
    paths: tuple[str, ...] | list[str], settings: Settings, cache_dir: str
) -> TechnicalPlan:
    """Plan the technical stage for these files only (a retry from the Failed lane).

    Each file is read again even if it failed before with the same size and
    mtime; a file that can't be stat'ed any more is planned too, so it fails
    again with an honest, current reason.
    """
    return plan_technical(path_candidates(paths), settings, cache_dir, retry_failed=True)


def make_process_pool(settings: Settings, plan: TechnicalPlan) -> ChildProcessPool:
    """Child processes for decoding, primed with the hashes already measured."""
    size = max(1, min(settings.decode_workers, len(plan.requests) or 1))
    return ChildProcessPool(
        size,
        initializer=init_decoder_process,
        initargs=(plan.known_hashes,),
        memory_limit=memory_limit_for(settings.max_image_megapixels * 1_000_000),
    )


class _PrepareSignals(QObject):
    done = Signal(object)  # _Prepared


class _PrepareTask(QRunnable):
    def __init__(
        self,
        generation: int,
        request: RunRequest,
        settings: Settings,
        cache_dir: str,
        signals: _PrepareSignals,
    ):
        super().__init__()
        self.generation, self.request, self.settings = generation, request, settings
        self.cache_dir, self.signals = cache_dir, signals

    def run(self) -> None:
        try:
            p = prepare(self.request, self.settings, self.cache_dir)
            result = _Prepared(self.generation, p.plan, p.problems, "", p.xmp)
        except Exception as exc:
            log.exception("scanning/planning failed")
            where = self.request.folder or "the files"
            result = _Prepared(self.generation, None, [], f"Could not read {where}: {exc}")
        finally:
            close_thread_connection()
        safe_emit(self.signals.done, result)


class _XmpSignals(QObject):
    read = Signal(int, object)  # generation, list[XmpReading]
    applied = Signal(int, object)  # generation, XmpApplied or the exception


class _XmpReadTask(QRunnable):
    """Reads the planned XMP on the prepare pool (files only, no catalog)."""

    def __init__(self, generation: int, plan: XmpPlan, stop: threading.Event, signals: _XmpSignals):
        super().__init__()
        self.generation, self.plan, self.stop, self.signals = generation, plan, stop, signals

    def run(self) -> None:
        readings: list[XmpReading] = []
        try:
            readings = read_xmp_plan(self.plan, self.stop.is_set)
        except Exception:
            log.exception("reading XMP failed")
        safe_emit(self.signals.read, self.generation, readings)


class _XmpApplyTask(QRunnable):
    """Writes the XMP readings as decisions on the prepare pool (its own connection)."""

    def __init__(
        self,
        generation: int,
        readings: list[XmpReading],
        stop: threading.Event,
        signals: _XmpSignals,
    ):
        super().__init__()
        self.generation, self.readings, self.stop, self.signals = (
            generation,
            readings,
            stop,
            signals,
        )

    def run(self) -> None:
        result: object
        try:
            result = apply_xmp(self.readings, self.stop.is_set)
        except Exception as exc:
            log.exception("applying XMP failed")
            result = exc
        finally:
            close_thread_connection()
        safe_emit(self.signals.applied, self.generation, result)


class _HealthSignals(QObject):
    checked = Signal(object)  # HealthReport


class _HealthCheckTask(QRunnable):
    """The Ollama health check (HTTP, up to a few seconds) on the LLM pool."""

    def __init__(self, config: Any, signals: _HealthSignals):
        super().__init__()
        self.config, self.signals = config, signals

    def run(self) -> None:
        from curator.llm.client import check_llm

        safe_emit(self.signals.checked, check_llm(self.config))


# -- the service -----------------------------------------------------------------------


class PipelineService(QObject):
    """Runs the pipeline (see the module docstring)."""

    started = Signal(object)  # RunRequest
    stage_progress = Signal(object)  # StageProgress
    photos_changed = Signal(list)  # ids the technical stage just wrote
    scores_changed = Signal()  # scores / bursts / descriptions were rewritten
    finished = Signal(object)  # RunReport

    def __init__(
        self,
        catalog_path: Path,
        cache_dir: Path,
        settings: Settings,
        pools: PipelinePools,
        *,
        embeddings: Callable[[str], EmbeddingSnapshot | None] = lambda _m: None,
        on_embedded: Callable[[str, list[tuple[int, Any]]], None] | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.catalog_path, self.cache_dir = Path(catalog_path), Path(cache_dir)
        self.settings = settings  # read at each start: a snapshot per run
        self.pools = pools
        self._embeddings, self._on_embedded = embeddings, on_embedded
        self._lock = ImportLock(self.catalog_path)
        self._generation = 0
        self._phase = "idle"
        self._request = RunRequest()
        self._snapshot = settings
        self._report = RunReport(RunRequest())
        self._started_at = 0.0
        self._stage_started: dict[str, float] = {}
        self._last: dict[str, StageProgress] = {}
        self._paused = False
        self._cancelled = False
        self._again = False
        self._gate = StageGate()
        self._technical: TechnicalRunner | None = None
        self._quick_look: Any = None  # pipeline.quicklook_runner.QuickLookRunner while it runs
        self._processes: ChildProcessPool | None = None
        self._embed: Any = None
        self._describe: Any = None
        self._checking = False
        self._describe_requests: list[Any] = []
        self._prepare_signals = _PrepareSignals(self)
        self._prepare_signals.done.connect(self._on_prepared)
        self._health_signals = _HealthSignals(self)
        self._xmp_signals = _XmpSignals(self)
        self._xmp_signals.read.connect(self._on_xmp_read)
        self._xmp_signals.applied.connect(self._on_xmp_applied)
        self._xmp_stop = threading.Event()
        self._xmp_readings: list[XmpReading] | None = None
        self._health_signals.checked.connect(self._on_health_checked)
        self._score_call = BackgroundCall(pools.ml, self)
        self._score_call.done.connect(self._on_scored)
        self.last_report: RunReport | None = None

    # --- control -----------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._phase != "idle"

    @property
    def phase(self) -> str:
        return self._phase

    def start(self, request: RunRequest, *, wait_for_lock: float = 0.0) -> None:
        """Start a run. Raises `PipelineBusy` (with the sentence) when it can't:
        a run is going on here, or another process imports into this catalog
        and did not finish within `wait_for_lock` seconds. A back-fill asked
        for while a run goes on is remembered and runs after it instead."""
        if self.running:
            if not request.reads_files:
                self._again = True
                return
            raise PipelineBusy("An import is already running; wait for it or cancel it first.")
        if request.reads_files and not self._lock.acquire(timeout=wait_for_lock):
            raise PipelineBusy(
                "Another Curator is importing into this catalog; try again when it has finished."
            )
        self._generation += 1
        self._request = request
        self._snapshot = self.settings
        self._report = RunReport(request)
        self._started_at = time.monotonic()
        self._stage_started.clear()
        self._last.clear()
        self._cancelled = self._again = False
        self._xmp_stop = threading.Event()
        self._xmp_readings = None
        self._gate = StageGate()
        if self._paused:
            self._gate.pause()
        self.started.emit(request)
        if request.reads_files:
            self._phase = "prepare"
            self._emit("technical", StageState.RUNNING, 0, 0, "Looking for photos…")
            task = _PrepareTask(
                self._generation,
                request,
                self._snapshot,
                str(self.cache_dir),
                self._prepare_signals,
            )
            self.pools.prepare.start(task)
        else:
            self._start_judgments()

    def cancel(self) -> None:
        if not self.running:
            return
        self._cancelled = True
        self._again = False
        self._gate.cancel()
        self._xmp_stop.set()
        if self._phase in ("prepare", "xmp"):
            # Nothing (more) to write: drop the scan's or the XMP reading's result
            # when it arrives and end from the event loop (never re-entrantly,
            # e.g. from a closeEvent).
            self._generation += 1
            QTimer.singleShot(0, self, self._finish)  # dropped if the service is gone
        for runner in (self._quick_look, self._technical, self._embed, self._describe):
            if runner is not None:
                runner.cancel()

    def pause(self) -> None:
        self._set_paused(True)

    def resume(self) -> None:
        self._set_paused(False)

    def _set_paused(self, paused: bool) -> None:
        """Hold (or release) queued work; a run started while paused starts held."""
        self._paused = paused
        for target in (self._gate, self._quick_look, self._technical, self._describe):
            if target is not None:
                if paused:
                    target.pause()
                else:
                    target.resume()
        self._reemit_states()

    def flush_now(self) -> None:
        """Write whatever is buffered (a hard stop: second Ctrl+C)."""
        if self._technical is not None:
            self._technical.flush_now()

    def shutdown(self) -> None:
        """Cancel and let go of the child processes and the import lock (app exit).
        The caller drains the pools afterwards."""
        self.cancel()
        self._close_processes()
        self._lock.release()

    # --- progress ---------------------------------------------------------------

    def _emit(self, stage: str, state: StageState, done: int, total: int, note: str = "") -> None:
        if state is StageState.RUNNING and self._paused:
            state = StageState.PAUSED
        began = self._stage_started.setdefault(stage, time.monotonic())
        p = StageProgress(stage, state, done, total, time.monotonic() - began, note)
        self._last[stage] = p
        self.stage_progress.emit(p)

    def _reemit_states(self) -> None:
        for stage, runner in (
            ("technical", self._technical),
            ("embed", self._embed),
            ("describe", self._describe),
        ):
            last = self._last.get(stage)
            if runner is not None and last is not None:
                self._emit(stage, StageState.RUNNING, last.done, last.total, last.note)

    # --- technical ---------------------------------------------------------------

    @Slot(object)
    def _on_prepared(self, prepared: _Prepared) -> None:
        if prepared.generation != self._generation or self._phase != "prepare":
            return  # cancelled or superseded while scanning
        if prepared.plan is None:
            self._report.error = prepared.error or "Nothing to import."
            self._finish()
            return
        self._report.scan_problems = list(prepared.problems)
        for problem in prepared.problems:
            record_error(
                stage="scan",
                path=problem.path,
                error_type="ScanError",
                message=problem.message,
                detail=problem.detail,
            )
        plan = prepared.plan
        self._phase = "technical"
        self._processes = make_process_pool(self._snapshot, plan)
        # The XMP is read beside the decoding (readings are kept until the
        # technical stage has written the photos' rows; see _apply_xmp).
        if prepared.xmp is not None and prepared.xmp.paths:
            task = _XmpReadTask(self._generation, prepared.xmp, self._xmp_stop, self._xmp_signals)
            self.pools.prepare.start(task)
        else:
            self._xmp_readings = []
        # New files show in the grid first (quick look), then are measured.
        jobs = plan_quick_look(plan, self._snapshot, str(self.cache_dir))
        if jobs:
            self._start_quick_look(jobs, plan)
        else:
            self._start_technical(plan)

    def _start_quick_look(self, jobs: list[QuickLookJob], plan: TechnicalPlan) -> None:
        from curator.catalog.models import Photo
        from curator.pipeline.stages.quicklook_runner import QuickLookRunner

        assert self._processes is not None
        files = sum(len(job.paths) for job in jobs)
        runner = QuickLookRunner(
            Photo._meta.database,
            technical_stage.STAGE_VERSION,
            self._processes,
            timeout_s=self._snapshot.decode_timeout_s,
            parent=self,
        )
        runner.photos_added.connect(self.photos_changed)
        runner.progressed.connect(
            lambda done, total: self._emit(
                "technical",
                StageState.RUNNING,
                0,
                len(plan.requests),
                f"Quick look: {min(files, done * QUICK_LOOK_CHUNK)} of {files} new files",
            )
        )
        runner.finished.connect(lambda _summary: self._on_quick_look_finished(plan))
        self._quick_look = runner
        self._emit("technical", StageState.RUNNING, 0, len(plan.requests), "Quick look…")
        runner.start(jobs)
        if self._paused:
            runner.pause()

    def _on_quick_look_finished(self, plan: TechnicalPlan) -> None:
        runner, self._quick_look = self._quick_look, None
        if runner is not None:
            if runner.write_error:  # a full or read-only catalog: nothing more can be written
                self._report.error = runner.write_error
            runner.deleteLater()
        if self._cancelled or self._phase != "technical" or self._report.error:
            self._finish()
            return
        self._start_technical(plan)

    def _start_technical(self, plan: TechnicalPlan) -> None:
        from curator.catalog.models import Photo

        assert self._processes is not None
        runner = TechnicalRunner(
            CatalogWriter(Photo._meta.database, technical_stage.STAGE_VERSION),
            self._processes,
            max_attempts=self._snapshot.max_attempts,
            timeout_s=self._snapshot.decode_timeout_s,
            on_write_failed=self._on_write_failed,
            parent=self,
        )
        runner.progressed.connect(self._on_technical_progressed)
        runner.batch_applied.connect(self._on_batch_applied)
        runner.finished.connect(self._on_technical_finished)
        self._technical = runner
        self._stage_started["technical"] = time.monotonic()
        self._emit("technical", StageState.RUNNING, 0, len(plan.requests))
        runner.start_plan(plan)
        if self._paused:
            runner.pause()

    def _on_write_failed(self, sentence: str, exc: BaseException, lost: int) -> None:
        if self._technical is not None and self._technical.write_error:
            return  # a full or read-only catalog: the report carries the sentence
        record_error(
            stage=Stage.TECHNICAL,
            error_type=type(exc).__name__,
            message=sentence,
            detail=repr(exc),
        )

    @Slot(int, int)
    def _on_technical_progressed(self, done: int, total: int) -> None:
        self._emit("technical", StageState.RUNNING, done, total)

    @Slot(object)
    def _on_batch_applied(self, outcomes: list[object]) -> None:
        from curator.catalog.queries import photo_ids_for_paths

        paths = [str(getattr(o, "path", "")) for o in outcomes]
        self.photos_changed.emit(photo_ids_for_paths(p for p in paths if p))

    @Slot(object)
    def _on_technical_finished(self, summary: RunSummary) -> None:
        runner, self._technical = self._technical, None
        self._close_processes()
        self._report.technical = summary
        if runner is not None:
            if runner.write_error:
                self._report.error = runner.write_error
            runner.deleteLater()
        if self._request.folder is not None and not summary.cancelled and not self._report.error:
            self._report.missing = self._mark_missing(self._request.folder)
        c = self._report.counts
        notes = []
        if c["failed"]:
            notes.append(f"{c['failed']} failed — see View ▸ Problems")
        if c["write_failed"]:
            notes.append(f"{c['write_failed']} not saved")
        state = StageState.CANCELLED if summary.cancelled else StageState.DONE
        done = summary.counts.get(ApplyKind.NEW.value, 0) + sum(
            summary.counts.get(k.value, 0)
            for k in (ApplyKind.CHANGED, ApplyKind.REMEASURED, ApplyKind.MOVED, ApplyKind.DUPLICATE)
        )
        total = self._last["technical"].total if "technical" in self._last else done
        self._emit(
            "technical", state, total if state is StageState.DONE else done, total, "; ".join(notes)
        )
        if summary.cancelled or self._cancelled or self._report.error:
            self._finish()
            return
        self._phase = "xmp"
        if self._xmp_readings is not None:
            self._apply_xmp()

    @Slot(int, object)
    def _on_xmp_read(self, generation: int, readings: list[XmpReading]) -> None:
        if generation != self._generation:
            return  # a cancelled or earlier run
        self._xmp_readings = list(readings)
        if self._phase == "xmp":
            self._apply_xmp()

    def _apply_xmp(self) -> None:
        """Write what the XMP said (technical rows exist now) on the prepare pool,
        then the judgments (`_on_xmp_applied`)."""
        readings, self._xmp_readings = self._xmp_readings or [], []
        if not readings or self._cancelled:
            self._on_xmp_applied(self._generation, XmpApplied())
            return
        task = _XmpApplyTask(self._generation, readings, self._xmp_stop, self._xmp_signals)
        self.pools.prepare.start(task)

    @Slot(int, object)
    def _on_xmp_applied(self, generation: int, result: object) -> None:
        if generation != self._generation or self._phase != "xmp":
            return  # cancelled meanwhile: the run has ended already
        if isinstance(result, XmpApplied):
            self._report.xmp_applied = result.applied
            self._report.xmp_problems = result.problems
            self._report.xmp_default_stars = result.default_stars
            self._report.xmp_extra_labels = result.extra_labels
            if result.photo_ids:
                self.photos_changed.emit(list(result.photo_ids))
        else:
            sentence = f"Curator could not take the ratings from XMP files: {result}"
            record_error(stage="xmp", error_type=type(result).__name__, message=sentence)
        if self._cancelled:
            self._finish()
            return
        self._start_judgments()

    def _mark_missing(self, folder: str) -> int:
        """Photos under `folder` whose every file vanished become missing (their
        decisions stay); missing ones whose file is back unchanged return."""
        from curator.catalog.missing import refresh_missing

        try:
            report = refresh_missing(folder)
        except Exception as exc:
            log.exception("marking missing photos failed")
            record_error(
                stage="scan",
                error_type=type(exc).__name__,
                message=f"Curator could not check which photos went missing: {exc}",
            )
            return 0
        self._report.restored_unchanged = report.restored
        return report.missing

    def _close_processes(self) -> None:
        if self._processes is not None:
            self._processes.close()
            self._processes = None

    # --- embed + describe ---------------------------------------------------------

    def _start_judgments(self) -> None:
        from curator.catalog.judgments import photos_needing
        from curator.pipeline.stages import judgments as js

        self._phase = "judge"
        settings, stages = self._snapshot, self._request.stages
        if "embed" in stages:
            self._start_embed(js, photos_needing, settings)
        if "describe" in stages:
            plan = js.plan_describe(
                settings,
                str(self.cache_dir),
                health_check=False,
                redo=self._request.redo_descriptions,
            )
            if plan.requests:
                self._describe_requests = list(plan.requests)
                self._checking = True
                self._emit(
                    "describe", StageState.WAITING, 0, len(plan.requests), "Checking Ollama…"
                )
                self.pools.llm.start(
                    _HealthCheckTask(js.llm_config(settings), self._health_signals)
                )
        self._after_judgments()

    def _start_embed(self, js: Any, photos_needing: Any, settings: Settings) -> None:
        from curator.ml.embedder import model_unavailable_message, weights_present

        model_id = js.embedding_model_id(settings)
        items = [
            (pid, str(self.cache_dir / key)) for pid, key in photos_needing(Stage.EMBED, model_id)
        ]
        if not items:
            return
        config = js.clip_config(settings)
        if not weights_present(config) and not settings.clip_auto_download:
            reason = model_unavailable_message(config)
            js.mark_skipped(Stage.EMBED, [pid for pid, _ in items], model_id, reason)
            self._report.stages["embed"] = {StageStatus.SKIPPED.value: len(items), "reason": reason}
            self._emit("embed", StageState.SKIPPED, 0, len(items), reason)
            return
        embedder = js.gated_embedder(config, self._gate, settings.clip_auto_download)

        def stored(batch: list[tuple[int, Any]]) -> None:
            if self._on_embedded is not None:
                self._on_embedded(model_id, batch)

        embed = js.EmbedRunner(embedder, self.pools.ml, parent=self, on_stored=stored)
        embed.progressed.connect(self._on_embed_progressed)
        embed.finished.connect(self._on_embed_finished)
        self._embed = embed
        self._stage_started["embed"] = time.monotonic()
        self._emit("embed", StageState.RUNNING, 0, len(items))
        embed.start(items)

    @Slot(int, int)
    def _on_embed_progressed(self, done: int, total: int) -> None:
        self._emit("embed", StageState.RUNNING, done, total)

    @Slot(int, int)
    def _on_describe_progressed(self, done: int, total: int) -> None:
        self._emit("describe", StageState.RUNNING, done, total)

    @Slot(object)
    def _on_health_checked(self, health: Any) -> None:
        from curator.llm.client import Describer
        from curator.pipeline.stages import judgments as js

        self._checking = False
        requests, self._describe_requests = self._describe_requests, []
        config = js.llm_config(self._snapshot)
        if self._cancelled or self._phase != "judge":
            self._after_judgments()
            return
        if not health.ok:
            ids = [r.photo_id for r in requests]
            js.mark_skipped(Stage.DESCRIBE, ids, config.stage_version, health.message)
            self._report.stages["describe"] = {
                StageStatus.SKIPPED.value: len(requests),
                "reason": health.message,
            }
            self._emit("describe", StageState.SKIPPED, 0, len(requests), health.message)
            self._after_judgments()
            return
        self.pools.llm.setMaxThreadCount(self._snapshot.llm_concurrency)
        describe = js.DescribeRunner(Describer(config), self.pools.llm, parent=self)
        describe.progressed.connect(self._on_describe_progressed)
        describe.finished.connect(self._on_describe_finished)
        self._describe = describe
        self._stage_started["describe"] = time.monotonic()
        self._emit("describe", StageState.RUNNING, 0, len(requests))
        describe.start(requests)
        if self._paused:
            describe.pause()

    @Slot(object)
    def _on_embed_finished(self, summary: RunSummary) -> None:
        runner, self._embed = self._embed, None
        reason = getattr(runner, "skip_reason", "")
        if runner is not None:
            runner.deleteLater()
        self._finish_stage("embed", summary, reason)

    @Slot(object)
    def _on_describe_finished(self, summary: RunSummary) -> None:
        runner, self._describe = self._describe, None
        if runner is not None:
            runner.deleteLater()
        self._finish_stage("describe", summary, "")

    def _finish_stage(self, stage: str, summary: RunSummary, reason: str) -> None:
        counts: dict[str, Any] = {k: v for k, v in summary.counts.items() if v}
        if reason:
            counts["reason"] = reason
        self._report.stages[stage] = counts
        self._report.cancelled = self._report.cancelled or summary.cancelled
        last = self._last.get(stage)
        done, total = (last.done, last.total) if last else (0, 0)
        skipped = counts.get(StageStatus.SKIPPED.value, 0)
        if summary.cancelled:
            self._emit(stage, StageState.CANCELLED, done, total)
        elif skipped and not counts.get(StageStatus.DONE.value):
            self._emit(stage, StageState.SKIPPED, 0, total, reason)
        else:
            failed = counts.get(StageStatus.FAILED.value, 0) + counts.get("write_failed", 0)
            note = f"{failed} failed — see View ▸ Problems" if failed else ""
            self._emit(stage, StageState.DONE, counts.get(StageStatus.DONE.value, 0), total, note)
        self._after_judgments()

    def _after_judgments(self) -> None:
        if self._embed is not None or self._describe is not None or self._checking:
            return
        if self._phase != "judge":
            return
        if self._cancelled or "score" not in self._request.stages:
            self._finish()
            return
        self._phase = "score"
        from curator.ml.config import embedding_model_id

        model = embedding_model_id(self._snapshot)
        job = ScoreJob(model, self._snapshot, self._embeddings(model), tags=True)
        self._stage_started["score"] = time.monotonic()
        self._emit("score", StageState.RUNNING, 0, 0)
        from curator.pipeline.stages.score import run_score_step

        self._score_call.start(lambda: run_score_step(job))

    @Slot(object)
    def _on_scored(self, result: object) -> None:
        if self._phase != "score":
            return
        if isinstance(result, ScoreResult):
            self._report.stages["score"] = dict(result.counts)
            if result.error:
                self._report.stages["score"]["error"] = result.error
                record_error(stage="score", error_type="ScoreError", message=result.error)
            self._emit(
                "score",
                StageState.DONE,
                result.scored,
                result.scored,
                f"{result.bursts} burst(s)" + (f"; {result.error}" if result.error else ""),
            )
        else:
            message = f"Scoring failed: {result}"
            self._report.stages["score"] = {"error": message}
            record_error(stage="score", error_type=type(result).__name__, message=message)
            self._emit("score", StageState.DONE, 0, 0, message)
        self.scores_changed.emit()
        self._finish()

    # --- the end ------------------------------------------------------------------

    def _finish(self) -> None:
        if self._phase == "idle":
            return
        self._phase = "idle"
        self._close_processes()
        self._lock.release()
        report = self._report
        report.cancelled = report.cancelled or self._cancelled or report.technical.cancelled
        report.elapsed_s = time.monotonic() - self._started_at
        if (
            self._cancelled
            and "technical" in self._last
            and self._last["technical"].state in (StageState.WAITING,)
        ):
            self._emit("technical", StageState.CANCELLED, 0, 0)
        self.last_report = report
        again = self._again and not self._cancelled
        self.finished.emit(report)
        if again:
            self.start(RunRequest(stages=tuple(s for s in ALL_STAGES if s != "technical")))


def summary_sentence(report: RunReport) -> str:
    """One sentence for the status bar: the import's counts and the later stages."""
    parts: list[str] = []
    if report.request.reads_files:
        c = report.counts
        parts.append(f"{c['found']} files")
        parts.append(f"{c['new']} new")
        for key in ("changed", "moved", "restored", "duplicates", "missing", "failed"):
            if c[key]:
                parts.append(f"{c[key]} {key}")
        if c["skipped_deleted"]:
            parts.append(f"{c['skipped_deleted']} skipped (moved to the trash before)")
        if c["xmp_applied"]:
            parts.append(f"{c['xmp_applied']} rated from XMP")
        if c["write_failed"]:
            parts.append(f"{c['write_failed']} could not be saved")
        if report.scan_problems:
            parts.append(f"{len(report.scan_problems)} could not be scanned")
    for stage, verb in (("embed", "embedded"), ("describe", "described")):
        counts = report.stages.get(stage, {})
        if counts.get("done"):
            parts.append(f"{counts['done']} {verb}")
        if counts.get("skipped"):
            parts.append(f"{stage} skipped")
    score = report.stages.get("score", {})
    if score.get("scored"):
        parts.append(f"{score['scored']} scored")
    if report.error:
        head = "Import stopped" if report.request.reads_files else "Pipeline stopped"
        return f"{head}: {report.error}"
    if report.request.reads_files:
        head = "Import cancelled" if report.cancelled else "Import finished"
    else:
        head = "Pipeline cancelled" if report.cancelled else "Pipeline finished"
    text = f"{head}: {', '.join(parts) or 'nothing to do'} in {duration_text(report.elapsed_s)}."
    if report.request.reads_files and report.counts["failed"]:
        text += " View ▸ Problems lists them with the reason."
    return text


__all__ = [
    "ALL_STAGES",
    "PipelineBusy",
    "PipelinePools",
    "PipelineService",
    "RunReport",
    "RunRequest",
    "make_process_pool",
    "path_candidates",
    "plan_paths",
    "prepare",
    "summary_sentence",
]
