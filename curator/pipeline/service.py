"""`PipelineService`: the one pipeline, driven by the CLI and observed by the GUI.

A run is a state machine (pipeline.phase); every state change happens on the
thread that owns the service, and every worker's result comes back through an
`engine.delivery.Job` stamped with the run's generation:

1. PREPARE (prepare pool): scan and plan the technical stage (pipeline.prepare)
   or plan the given files (Retry); a back-fill starts at FACES;
2. QUICK_LOOK (stages.quicklook: embedded thumbnails and EXIF, `photos_added`,
   then missing thumbnails, `thumbnails_changed`), then TECHNICAL
   (`TechnicalRunner`, crash-isolated, `photos_changed`); a live run
   (`RunRequest.live`) stays in TECHNICAL while fed (`feed`, pipeline.live)
   until `end_feed`; then photos whose every file vanished become `missing`.
   Meanwhile the prepare pool reads the files' XMP (pipeline.xmp_phase);
3. XMP: ratings, flags, labels, keywords become decisions (source "xmp");
   then FACES (pipeline.faces);
4. JUDGE (pipeline.judge): embed (ML pool) and describe (LLM pool, after a
   health check) side by side; a stage whose model is absent is `skipped`;
5. SCORE (ML pool): rescore or train, regroup bursts, CLIP confidences; IDLE.

Invariants:
- one run at a time per service; a second import into the same catalog, from
  any process, is refused or waits (`ImportLock`) — never both silently;
- every phase ends: a failed write is retried, then reported; a storage fault
  stops the run (`RunReport.error`); `cancel()` is cooperative;
- the decoder children serve run after run (a start costs ~0.4 s CPU),
  re-primed with each run's known hashes (`prepare.process_pool_for`), closed
  `DECODERS_IDLE_S` after the last run, at `shutdown()`, or when the settings
  change their size or memory limit;
- workers get immutable inputs; the service touches no widget and makes no
  pool (the composition root passes `PipelinePools` in).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from curator.catalog.models import Stage
from curator.catalog.writer import CatalogWriter, record_error
from curator.engine.delivery import Delivery, Job, delivery_to, log_and_deliver
from curator.engine.isolation import ChildProcessPool
from curator.engine.lock import ImportHolder, ImportLock
from curator.engine.progress import ProgressBoard, StageProgress, StageState
from curator.engine.stage_runner import RunSummary, StageGate
from curator.engine.types import StageFn
from curator.pipeline import prepare as prep
from curator.pipeline.faces import FacesPhase
from curator.pipeline.judge import EmbeddedFn, JudgmentsPhase
from curator.pipeline.live import LiveFeed, live_settings
from curator.pipeline.phase import Phase, PhaseMachine, PipelinePools
from curator.pipeline.prepare import (
    MissingMarked,
    Prepared,
    make_process_pool,
    path_candidates,
    plan_paths,
    prepare,
)
from curator.pipeline.quick import QuickLookPhase
from curator.pipeline.report import (
    ALL_STAGES,
    PipelineBusy,
    RunReport,
    RunRequest,
    summary_sentence,
)
from curator.pipeline.stages import technical as technical_stage
from curator.pipeline.stages.clip_preload import preload_on_gpu
from curator.pipeline.stages.faces import preparing_remark
from curator.pipeline.stages.people import may_group, preload_grouping
from curator.pipeline.stages.quicklook import QuickLookJob, plan_quick_look
from curator.pipeline.stages.score import EmbeddingSnapshot, ScoreJob, ScoreResult
from curator.pipeline.stages.technical import TechnicalPlan
from curator.pipeline.stages.technical_remote import (
    ClusterPlan,
    IsolatedCalls,
    NodeMeasure,
    seat_timeout,
)
from curator.pipeline.stages.technical_runner import TechnicalRunner
from curator.pipeline.xmp_phase import XmpPhase
from curator.settings import Settings, clip_config

log = logging.getLogger(__name__)

# How long the decoder children wait for the next run once one has measured its
# files (a second folder dropped, a retry, the watch folder's next batch).
DECODERS_IDLE_S = 60.0


def _holder_of(request: RunRequest) -> ImportHolder:
    """What this process says it does while it holds the import lock."""
    from curator.catalog.backends.seat import current_seat

    what = "watch" if request.live else "import"
    folder = request.watching or request.folder or ""
    return ImportHolder(what, folder, current_seat().desk, os.getpid())


WATCHING_SENTENCE = (
    "A folder is being watched (File ▸ Watch Folder…): stop watching to import another one."
)


class PipelineService(QObject):
    """Runs the pipeline (see the module docstring)."""

    started = Signal(object)  # RunRequest
    stage_progress = Signal(object)  # StageProgress
    photos_added = Signal(list)  # ids of the photos a quick-look batch just inserted
    paths_listed = Signal(list)  # a live run's files whose quick look was just written
    paths_measured = Signal(object)  # list of the technical outcomes just written (a path each)
    feed_failed = Signal(list, str)  # a live run's files that could not be planned, why
    feed_settled = Signal(list)  # a live run's files catalogued already: not read
    photos_changed = Signal(list)  # ids the technical stage or the XMP just rewrote
    thumbnails_changed = Signal(list)  # ids whose quick thumbnail round two just wrote
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
        on_embedded: EmbeddedFn | None = None,
        decoder_niceness: int = 0,
        processes: ChildProcessPool | None = None,
        parent: QObject | None = None,
    ):
        """`processes`: decoder children started already, the service's from now
        (`pipeline.decoders.start_decoders_early`: the CLI's import)."""
        super().__init__(parent)
        self.decoder_niceness = decoder_niceness  # the GUI's: below the window's priority
        self.catalog_path, self.cache_dir = Path(catalog_path), Path(cache_dir)
        self.settings = settings  # read at each start: a snapshot per run
        self.pools = pools
        self._embeddings = embeddings
        self._lock = ImportLock(self.catalog_path)
        self._machine = PhaseMachine()
        self._generation = 0
        self._request = RunRequest()
        self._snapshot = settings
        self._report = RunReport(RunRequest())
        self._started_at = 0.0
        self._board = ProgressBoard(self.stage_progress.emit)
        self._cancelled = False
        self._again = False
        self._shut = False  # shutdown() ran: nothing starts again (a late signal's start)
        self._gate = StageGate()
        self._quick_look: QuickLookPhase | None = None
        self._technical: TechnicalRunner | None = None
        self._live: LiveFeed | None = None  # a live run's feed (pipeline.live)
        self._cluster_plan: ClusterPlan | None = None  # this run's Ray cluster, if any
        self._processes = processes
        self._processes_idle = QTimer(self)  # closes the decoder children after a quiet spell
        self._processes_idle.setSingleShot(True)
        self._processes_idle.setInterval(int(DECODERS_IDLE_S * 1000))
        self._processes_idle.timeout.connect(self._close_processes)
        self._xmp = XmpPhase(pools, parent=self)
        self._xmp.photos_changed.connect(self.photos_changed)
        self._xmp.ended.connect(self._on_xmp_ended)
        self._judge = JudgmentsPhase(
            pools, self.cache_dir, self._board, on_embedded=on_embedded, parent=self
        )
        self._judge.ended.connect(self._on_judgments_ended)
        self._faces = FacesPhase(
            pools,
            str(self.cache_dir),
            self._board,
            self._decoders_for_faces,
            parent=self,
            catalog_path=self.catalog_path,
        )
        self._faces.ended.connect(self._on_faces_ended)
        self._faces.photos_changed.connect(self.photos_changed)
        self._prepared: Delivery[Prepared] = delivery_to(self, self._on_prepared)
        self._missing_marked: Delivery[MissingMarked] = delivery_to(self, self._on_missing_marked)
        self._scored: Delivery[ScoreResult | Exception] = delivery_to(self, self._on_scored)
        self.last_report: RunReport | None = None

    # --- control -----------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._machine.phase is not Phase.IDLE

    @property
    def phase(self) -> Phase:
        return self._machine.phase

    @property
    def phase_history(self) -> list[Phase]:
        """The phases of the current (or the last) run, from IDLE."""
        return list(self._machine.history)

    def start(self, request: RunRequest, *, wait_for_lock: float = 0.0) -> None:
        """Start a run. Raises `PipelineBusy` (with the sentence) when it can't:
        a run is going on here, or another process imports into this catalog
        and did not finish within `wait_for_lock` seconds. A back-fill asked
        for while a run goes on is remembered and runs after it instead. After
        `shutdown` nothing starts: the pools are being drained."""
        if self._shut:
            return
        if self.running:
            if not request.reads_files:
                self._again = True
                return
            if self._request.live:
                raise PipelineBusy(WATCHING_SENTENCE)
            raise PipelineBusy("An import is already running; wait for it or cancel it first.")
        if request.reads_files and not self._lock.acquire(timeout=wait_for_lock):
            holder = self._lock.holder()
            raise PipelineBusy(
                holder.sentence()
                if holder is not None
                else "Another Curator is importing into this catalog; try again when it has"
                " finished."
            )
        if request.reads_files:
            self._lock.say(_holder_of(request))
        self._generation += 1
        self._request, self._snapshot = request, self.settings
        if request.live:  # one decoder child more: the quick looks' (pipeline.live)
            self._snapshot = live_settings(self.settings)
        self._report = RunReport(request)
        self._started_at = time.monotonic()
        self._board.reset()
        self._cancelled = self._again = False
        if self._live is not None:
            self._live.deleteLater()
        self._live = self._live_feed() if request.live else None
        self._gate = StageGate()
        if self._board.paused:
            self._gate.pause()
        self.started.emit(request)
        if not request.reads_files:
            self._start_faces()
            return
        self._machine.enter(Phase.PREPARE)
        self._board.emit("technical", StageState.RUNNING, 0, 0, "Looking for photos…")
        job = partial(
            prep.prepare_run,
            self._generation,
            request,
            self._snapshot,
            str(self.cache_dir),
            str(self.catalog_path),
        )
        self.pools.prepare.start(Job(job, self._prepared))

    def feed(self, paths: list[str]) -> bool:
        """More whole files for the live run; False when none takes them."""
        return self._live is not None and self.running and self._live.feed(paths)

    def end_feed(self) -> None:
        """The live run takes nothing more: it ends once what it has is measured."""
        if self._live is not None:
            self._live.close()

    def cancel(self) -> None:
        if not self.running:
            return
        self._cancelled = True
        self._again = False
        self._gate.cancel()
        self._xmp.stop()
        if self.phase in (Phase.PREPARE, Phase.XMP):
            # Nothing (more) to write: drop the scan's or the XMP writing's result
            # when it arrives and end from the event loop (never re-entrantly,
            # e.g. from a closeEvent).
            self._generation += 1
            QTimer.singleShot(0, self, self._finish)  # dropped if the service is gone
        if self._live is not None:
            self._live.cancel()
        for runner in (self._quick_look, self._technical):
            if runner is not None:
                runner.cancel()
        self._faces.cancel()
        self._judge.cancel()

    def pause(self) -> None:
        self._set_paused(True)

    def resume(self) -> None:
        self._set_paused(False)

    def _set_paused(self, paused: bool) -> None:
        """Hold (or release) queued work; a run started while paused starts held."""
        self._board.paused = paused
        for target in (self._gate, self._quick_look, self._technical):
            if target is not None:
                if paused:
                    target.pause()
                else:
                    target.resume()
        self._judge.set_paused(paused)
        if paused:
            self._faces.pause()
        else:
            self._faces.resume()
        running = self._judge.running_stages() + (["technical"] if self._technical else [])
        running += ["faces"] if self._faces.running else []
        for stage in running:
            last = self._board.last.get(stage)
            if last is not None:
                self._board.emit(stage, StageState.RUNNING, last.done, last.total, last.note)

    def prefer_thumbnails(self, paths: list[str]) -> None:
        """Decode these files' quick thumbnails next (the tiles on screen, in
        order); a file that is not waiting for one is ignored."""
        if self._quick_look is not None:
            self._quick_look.prefer(paths)
        if self._live is not None:
            self._live.prefer(paths)

    def decoder_pids(self) -> list[int]:
        """The live decoder children's process ids (kept between runs, see above)."""
        return self._processes.worker_pids() if self._processes is not None else []

    def flush_now(self) -> None:
        """Write whatever is buffered (a hard stop: second Ctrl+C)."""
        if self._technical is not None:
            self._technical.flush_now()

    def shutdown(self) -> None:
        """Cancel and let go of the child processes and the import lock (app exit).
        The caller drains the pools afterwards."""
        self._shut = True
        self.cancel()
        if self._live is not None:
            self._live.shutdown()
        for runner in (self._quick_look, self._technical):
            if runner is not None:
                runner.close()  # a write finishing during the drain reports to no one
        self._faces.close()
        self._close_processes()
        self._lock.release()

    # --- PREPARE → QUICK_LOOK → TECHNICAL ----------------------------------------

    @Slot(object)
    def _on_prepared(self, prepared: Prepared) -> None:
        if prepared.generation != self._generation or self.phase is not Phase.PREPARE:
            return  # cancelled or superseded while scanning
        if prepared.plan is None:
            self._report.error = prepared.error or "Nothing to import."
            self._finish()
            return
        self._report.scan_problems = list(prepared.problems)  # logged by prepare_run
        plan = prepared.plan
        self._cluster_plan = prepared.cluster
        if prepared.cluster is not None:
            self._report.cluster = (
                f"{self._snapshot.ray_address} ({prepared.cluster.cluster.describe()})"
            )
        self._processes_idle.stop()
        self._processes = prep.process_pool_for(
            self._processes, self._snapshot, plan, self.decoder_niceness
        )
        self.pools.decode.setMaxThreadCount(self._processes.size)  # one per child
        self._xmp.read(self._generation, prepared.xmp)  # beside the decoding (xmp_phase)
        if self._request.live:
            self._start_live(plan)
            return
        # New files show in the grid first (quick look), then are measured.
        jobs = plan_quick_look(plan, self._snapshot, str(self.cache_dir))
        if jobs:
            self._start_quick_look(jobs, plan)
        else:
            self._start_technical(plan)

    def _start_quick_look(self, jobs: list[QuickLookJob], plan: TechnicalPlan) -> None:
        from curator.catalog.models import Photo

        assert self._processes is not None
        self._machine.enter(Phase.QUICK_LOOK)
        quick = QuickLookPhase(
            Photo._meta.database,
            technical_stage.STAGE_VERSION,
            self._processes,
            self.pools.decode,
            self.pools.write,
            timeout_s=self._snapshot.decode_timeout_s,
            parent=self,
        )
        total = len(plan.requests)
        quick.photos_added.connect(self.photos_added)
        quick.thumbnails_changed.connect(self.thumbnails_changed)
        quick.note.connect(
            lambda note: self._board.emit("technical", StageState.RUNNING, 0, total, note)
        )
        quick.ended.connect(lambda: self._on_quick_look_finished(plan))
        self._quick_look = quick
        if self._board.paused:
            quick.pause()
        self._board.emit("technical", StageState.RUNNING, 0, total, "Quick look…")
        quick.start(jobs)

    def _on_quick_look_finished(self, plan: TechnicalPlan) -> None:
        quick, self._quick_look = self._quick_look, None
        if quick is not None:
            if quick.write_error:  # a full or read-only catalog: nothing more can be written
                self._report.error = quick.write_error
            quick.deleteLater()
        if self._cancelled or self.phase is not Phase.QUICK_LOOK or self._report.error:
            self._finish()
            return
        self._start_technical(plan)

    def _live_feed(self) -> LiveFeed:
        from curator.catalog.models import Photo

        live = LiveFeed(
            Photo._meta.database,
            technical_stage.STAGE_VERSION,
            self.pools,
            self._snapshot,
            str(self.cache_dir),
            faces="faces" in self._request.stages,
            parent=self,
        )
        live.photos_added.connect(self.photos_added)
        live.thumbnails_changed.connect(self.thumbnails_changed)
        live.paths_listed.connect(self.paths_listed)
        live.batch_failed.connect(self.feed_failed)
        live.settled.connect(self.feed_settled)
        return live

    def _start_live(self, plan: TechnicalPlan) -> None:
        """TECHNICAL with an open feed: every batch (this first one too) is shown
        and measured as pipeline.live says."""
        assert self._processes is not None and self._live is not None
        self._start_technical(TechnicalPlan(known_hashes=plan.known_hashes), open_feed=True)
        assert self._technical is not None
        self._technical.max_in_flight = max(1, self._processes.size - 1)
        self._live.attach(self._technical, self._processes, plan)

    def _start_technical(self, plan: TechnicalPlan, *, open_feed: bool = False) -> None:
        from curator.catalog.models import Photo

        assert self._processes is not None
        self._machine.enter(Phase.TECHNICAL)
        timeout_s = self._snapshot.decode_timeout_s
        workers: IsolatedCalls = self._processes
        body: StageFn | NodeMeasure = technical_stage.run_technical
        if self._cluster_plan is not None:  # the same runner; the bodies run on the cluster
            ray_pool = self._cluster_plan.pool()
            workers, body = ray_pool, self._cluster_plan.body(timeout_s)
            timeout_s = seat_timeout(timeout_s)
            self.pools.decode.setMaxThreadCount(ray_pool.size)  # one per task in flight
        runner = TechnicalRunner(
            CatalogWriter(Photo._meta.database, technical_stage.STAGE_VERSION),
            workers,
            self.pools.decode,
            max_attempts=self._snapshot.max_attempts,
            timeout_s=timeout_s,
            fn=body,
            on_write_failed=self._on_write_failed,
            writes=self.pools.write,
            parent=self,
        )
        runner.progressed.connect(self._on_technical_progressed)
        runner.photos_written.connect(self._on_batch_applied)
        runner.batch_applied.connect(self.paths_measured)
        runner.finished.connect(self._on_technical_finished)
        self._technical = runner
        self._board.begin("technical")
        remark = "" if self._cluster_plan is not None else preparing_remark(plan.requests)
        self._board.emit("technical", StageState.RUNNING, 0, len(plan.requests), remark=remark)
        runner.start_plan(plan, open_feed=open_feed)
        if self._board.paused:
            runner.pause()
        embeds = Stage.EMBED.value in self._request.stages
        if plan.requests and embeds and self._cluster_plan is None:
            preload_on_gpu(clip_config(self._snapshot))  # loaded while the photos are measured
        faces = any(r.faces_model for r in plan.requests)
        if faces and may_group(len(plan.requests), bool(plan.known_hashes)):
            preload_grouping()  # the people step's numpy, likewise

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
        self._board.emit("technical", StageState.RUNNING, done, total)

    @Slot(list)
    def _on_batch_applied(self, ids: list[int]) -> None:
        """A written technical batch: the ids the writer thread looked up go out."""
        self.photos_changed.emit(ids)

    @Slot(object)
    def _on_technical_finished(self, summary: RunSummary) -> None:
        runner, self._technical = self._technical, None
        if self._live is not None:
            self._live.cancel()  # ended by a storage fault or a cancel: what waits is dropped
        self._processes_idle.start()  # kept for the next run (class docstring)
        self._report.technical = summary
        self._report.stage_finished("technical", summary.elapsed_s)
        if runner is not None:
            if runner.write_error:
                self._report.error = runner.write_error
            runner.deleteLater()
        folder = self._request.folder
        if folder is not None and not summary.cancelled and not self._report.error:
            # On the writer thread, after the stage's last batch (committed: the
            # runner finishes once its last write has settled); XMP follows.
            job = partial(prep.mark_missing, self._generation, folder)
            self.pools.write.start(Job(job, self._missing_marked))
            return
        self._after_technical()

    @Slot(object)
    def _on_missing_marked(self, marked: MissingMarked) -> None:
        if marked.generation != self._generation or self.phase is not Phase.TECHNICAL:
            return  # cancelled or superseded meanwhile
        self._report.missing = marked.missing
        self._report.restored_unchanged = marked.restored
        self._after_technical()

    def _after_technical(self) -> None:
        summary = self._report.technical
        self._report_technical(summary)
        self._faces.add_judged_with_import(
            self._report, summary.counts.get("faces_done", 0), summary.counts.get("faces_failed", 0)
        )
        if summary.cancelled or self._cancelled or self._report.error:
            self._finish()
            return
        self._machine.enter(Phase.XMP)
        self._xmp.write(self._report)

    def _report_technical(self, summary: RunSummary) -> None:
        state = StageState.CANCELLED if summary.cancelled else StageState.DONE
        done = self._report.technical_done
        last = self._board.last.get("technical")
        total = last.total if last is not None else done
        shown = total if state is StageState.DONE else done
        self._board.emit("technical", state, shown, total, self._report.technical_note())

    @Slot()
    def _close_processes(self) -> None:
        self._processes_idle.stop()
        if self._processes is not None:
            self._processes.close()
            self._processes = None

    @Slot()
    def _on_xmp_ended(self) -> None:
        if self.phase is not Phase.XMP:
            return  # cancelled meanwhile: the run has ended already
        if self._cancelled:
            self._finish()
            return
        self._start_faces()

    # --- FACES → JUDGE → SCORE -------------------------------------------------------

    def _start_faces(self) -> None:
        if "faces" not in self._request.stages:
            self._start_judgments()
            return
        self._machine.enter(Phase.FACES)
        self._faces.start(self._snapshot, self._gate, self._report)

    def _decoders_for_faces(self) -> ChildProcessPool:
        """The decoder children for the faces back-fill: this run's, or (a run
        that read no files) the kept ones re-primed, or new ones."""
        self._processes_idle.stop()
        self._processes = prep.process_pool_for(
            self._processes, self._snapshot, TechnicalPlan(), self.decoder_niceness
        )
        return self._processes

    @Slot()
    def _on_faces_ended(self) -> None:
        if self.phase is not Phase.FACES:
            return  # a cancelled run's late plan
        if self._cancelled or self._report.error:
            self._finish()
            return
        self._start_judgments()

    def _start_judgments(self) -> None:
        self._machine.enter(Phase.JUDGE)
        self._judge.start(self._request, self._snapshot, self._gate, self._report)

    @Slot()
    def _on_judgments_ended(self) -> None:
        if self.phase is not Phase.JUDGE:
            return  # a cancelled run's late health check
        if self._cancelled or self._report.error or "score" not in self._request.stages:
            self._finish()
            return
        from curator.pipeline.stages.score import run_score_step
        from curator.settings import embedding_model_id

        self._machine.enter(Phase.SCORE)
        model = embedding_model_id(self._snapshot)
        job = ScoreJob(model, self._snapshot, self._embeddings(model), tags=True)
        self._board.begin("score")
        self._board.emit("score", StageState.RUNNING, 0, 0)
        self.pools.ml.start(Job(partial(run_score_step, job), self._scored, log_and_deliver))

    @Slot(object)
    def _on_scored(self, result: ScoreResult | Exception) -> None:
        if self.phase is not Phase.SCORE:
            return
        if isinstance(result, ScoreResult):
            self._report.stages["score"] = dict(result.counts)
            note = f"{result.bursts} burst(s)"
            if result.error:
                self._report.stages["score"]["error"] = result.error
                record_error(stage="score", error_type="ScoreError", message=result.error)
                note += f"; {result.error}"
            self._board.emit("score", StageState.DONE, result.scored, result.scored, note)
        else:
            message = f"Scoring failed: {result}"
            self._report.stages["score"] = {"error": message}
            record_error(stage="score", error_type=type(result).__name__, message=message)
            self._board.emit("score", StageState.DONE, 0, 0, message)
        self.scores_changed.emit()
        self._finish()

    # --- the end ------------------------------------------------------------------

    def _finish(self) -> None:
        if self.phase is Phase.IDLE:
            return
        self._machine.enter(Phase.IDLE)
        if self._processes is not None:
            self._processes_idle.start()
        self._lock.release()
        report = self._report
        report.cancelled = report.cancelled or self._cancelled or report.technical.cancelled
        report.elapsed_s = time.monotonic() - self._started_at
        technical = self._board.last.get("technical")
        if self._cancelled and technical is not None and technical.state is StageState.WAITING:
            self._board.emit("technical", StageState.CANCELLED, 0, 0)
        self.last_report = report
        again = self._again and not self._cancelled
        self.finished.emit(report)
        if again:
            self.start(RunRequest(stages=tuple(s for s in ALL_STAGES if s != "technical")))


__all__ = [
    "ALL_STAGES",
    "Phase",
    "PipelineBusy",
    "PipelinePools",
    "PipelineService",
    "RunReport",
    "RunRequest",
    "StageProgress",
    "make_process_pool",
    "path_candidates",
    "plan_paths",
    "prepare",
    "summary_sentence",
]
