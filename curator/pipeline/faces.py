"""The FACES phase of a run: the faces back-fill, between the XMP and JUDGE.

It catches every measured photo whose faces are not done at the current
version (an import judges faces beside measurement: `pipeline.stages.faces`):

1. `plan_faces` runs as a Job on the writer thread;
2. a `FacesRunner` sends the requests to the decoder children (`processes()`)
   and applies results in batches on the writer thread, emitting each batch's
   ids in `photos_changed`;
3. the look again (`pipeline.stages.faces.plan_look_again`), planned once the
   back-fill is written, judged the same way (`looked_again`, `found_again`);
4. the people step (`pipeline.stages.people.update_people`) on the writer pool,
   counts in `stages["people"]`; skipped after `cancel()` or a storage fault;
   its failure is logged, never the run's. With `people_recognition` off it
   deletes every descriptor and person instead, backups included;
5. `ended` is emitted once nothing runs (also when nothing was planned, the
   model is missing, or after `cancel()`).

The report gets `stages["faces"]` (done, failed, skipped and reason, plus
`add_judged_with_import`'s count). `FacesPhase` lives on the service's thread.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from curator.catalog.backup import backup_folder
from curator.catalog.storage import storage_problem
from curator.catalog.writer import record_error
from curator.engine.delivery import Delivery, Job, delivery_to, log_and_deliver
from curator.engine.isolation import ChildProcessPool
from curator.engine.progress import ProgressBoard, StageState
from curator.engine.stage_runner import RunSummary, StageGate
from curator.pipeline.phase import PipelinePools
from curator.pipeline.report import RunReport, RunRequest
from curator.pipeline.stages.faces import FacesPlan, FacesRunner, plan_faces, plan_look_again
from curator.pipeline.stages.people import PeopleResult, forgotten_counts, update_people
from curator.settings import Settings

STAGE = "faces"


Planner = Callable[[Settings, str], FacesPlan]
BACK_FILL, LOOK_AGAIN = "back-fill", "look again"
_PLANNERS: dict[str, Planner] = {BACK_FILL: plan_faces, LOOK_AGAIN: plan_look_again}
_NEXT = {BACK_FILL: LOOK_AGAIN}  # the step after each (none: the people step)
# Each step's runner counts as the report names them (step 3 of the docstring).
_FAILURES = {"failed": "failed", "write_failed": "write_failed"}
_COUNTED = {
    BACK_FILL: {"done": "done", **_FAILURES},
    LOOK_AGAIN: {"done": "looked_again", "with_faces": "found_again", **_FAILURES},
}


def _plan(
    generation: int, planner: Planner, settings: Settings, cache_dir: str
) -> tuple[int, FacesPlan]:
    return generation, planner(settings, cache_dir)


def _grouped(
    generation: int, recognise: bool, backups: tuple[Path, Path] | None
) -> tuple[int, PeopleResult]:
    return generation, update_people(recognise=recognise, backups=backups)


class FacesPhase(QObject):
    """The faces back-fill for one run at a time (see the module docstring)."""

    ended = Signal()
    photos_changed = Signal(list)  # ids whose faces a back-fill batch just wrote

    def __init__(
        self,
        pools: PipelinePools,
        cache_dir: str,
        board: ProgressBoard,
        processes: Callable[[], ChildProcessPool],
        parent: QObject | None = None,
        catalog_path: Path | None = None,
    ):
        super().__init__(parent)
        self.pools, self.cache_dir, self.board = pools, cache_dir, board
        self.catalog_path = catalog_path  # whose backups forgetting erases too (step 4)
        self._processes = processes
        self._generation = 0
        self._report = RunReport(RunRequest())
        self._settings = Settings()
        self._gate = StageGate()
        self._runner: FacesRunner | None = None
        self._step = BACK_FILL
        self._planning = False
        self._cancelled = False
        self._planned: Delivery[tuple[int, FacesPlan] | Exception] = delivery_to(
            self, self._on_planned
        )
        self._grouped: Delivery[tuple[int, PeopleResult] | Exception] = delivery_to(
            self, self._on_grouped
        )
        self._grouping = False

    @property
    def running(self) -> bool:
        return self._planning or self._grouping or self._runner is not None

    def start(self, settings: Settings, gate: StageGate, report: RunReport) -> None:
        self._generation += 1
        self._report, self._settings, self._gate = report, settings, gate
        self._cancelled = False
        self._plan_step(BACK_FILL)

    def _plan_step(self, step: str) -> None:
        """Steps 1 and 3: plan the back-fill or the look again on the writer pool."""
        self._step, self._planning = step, True
        job = partial(_plan, self._generation, _PLANNERS[step], self._settings, self.cache_dir)
        self.pools.write.start(Job(job, self._planned, log_and_deliver))

    def _after_step(self) -> None:
        """The next step once the current one has nothing (more) running."""
        following = _NEXT.get(self._step)
        if following is None or self._cancelled or self._report.error:
            self._group_people()
        else:
            self._plan_step(following)

    def cancel(self) -> None:
        self._cancelled = True
        if self._runner is not None:
            self._runner.cancel()

    def pause(self) -> None:
        if self._runner is not None:
            self._runner.pause()

    def resume(self) -> None:
        if self._runner is not None:
            self._runner.resume()

    def close(self) -> None:
        self._planned.close()
        self._grouped.close()
        if self._runner is not None:
            self._runner.close()

    def add_judged_with_import(self, report: RunReport, done: int, failed: int) -> None:
        """Faces judged beside the import's measurements (technical batches)."""
        counts = report.stages.setdefault(STAGE, {})
        for key, value in (("done", done), ("failed", failed)):
            if value:
                counts[key] = int(counts.get(key) or 0) + value

    @Slot(object)
    def _on_planned(self, planned: tuple[int, FacesPlan] | Exception) -> None:
        if not self._planning:
            return
        if not isinstance(planned, Exception) and planned[0] != self._generation:
            return  # an earlier run's plan
        self._planning = False
        if isinstance(planned, Exception):
            self._plan_failed(planned)
        elif not self._cancelled:
            self._start_planned(planned[1])
        if self._runner is None:
            self._after_step()

    def _plan_failed(self, exc: Exception) -> None:
        storage = storage_problem(exc, what="the catalog")
        if storage is not None:
            self._report.error = str(storage)
            return
        record_error(
            stage=STAGE,
            error_type=type(exc).__name__,
            message=f"Curator could not plan judging faces ({self._step}): {exc}",
            detail=repr(exc),
        )

    def _start_planned(self, plan: FacesPlan) -> None:
        counts = self._report.stages.setdefault(STAGE, {})
        if plan.reason:
            skipped = plan.skipped + plan.waiting
            counts.update({"skipped": skipped, "reason": plan.reason})
            self.board.emit(STAGE, StageState.SKIPPED, 0, skipped, plan.reason)
            return
        if not plan.requests:
            return
        processes = self._processes()
        self.pools.decode.setMaxThreadCount(max(self.pools.decode.maxThreadCount(), processes.size))
        runner = FacesRunner(
            processes,
            self.pools.decode,
            timeout_s=self._settings.decode_timeout_s,
            writes=self.pools.write,
            parent=self,
        )
        runner.progressed.connect(self._on_progressed)
        runner.photos_written.connect(self.photos_changed)
        runner.finished.connect(self._on_finished)
        self._runner = runner
        self.board.begin(STAGE)
        self.board.emit(STAGE, StageState.RUNNING, 0, len(plan.requests))
        runner.start(list(plan.requests))
        if self._gate.paused:  # the run was paused before this began
            runner.pause()

    @Slot(int, int)
    def _on_progressed(self, done: int, total: int) -> None:
        self.board.emit(STAGE, StageState.RUNNING, done, total)

    @Slot(object)
    def _on_finished(self, summary: RunSummary) -> None:
        runner, self._runner = self._runner, None
        self._report.stage_finished(STAGE, summary.elapsed_s)
        if runner is not None:
            if runner.write_error:
                self._report.error = runner.write_error
            runner.deleteLater()
        counts = self._report.stages.setdefault(STAGE, {})
        for key, name in _COUNTED[self._step].items():
            if summary.counts.get(key):
                counts[name] = int(counts.get(name) or 0) + int(summary.counts[key])
        done = int(summary.counts.get("done", 0)) + int(summary.counts.get("failed", 0))
        state = StageState.CANCELLED if summary.cancelled else StageState.DONE
        note = f"{summary.counts['failed']} failed" if summary.counts.get("failed") else ""
        self.board.emit(STAGE, state, done, done, note)
        self._after_step()

    def _group_people(self) -> None:
        """Step 4 (see the module docstring), then `ended`."""
        if self._cancelled or self._report.error:
            self.ended.emit()
            return
        self._grouping = True
        where = self.catalog_path
        backups = (
            None if where is None else (where, backup_folder(where, self._settings.backup_folder))
        )
        job = partial(_grouped, self._generation, self._settings.people_recognition, backups)
        self.pools.write.start(Job(job, self._grouped, log_and_deliver))

    @Slot(object)
    def _on_grouped(self, grouped: tuple[int, PeopleResult] | Exception) -> None:
        if not self._grouping:
            return
        if not isinstance(grouped, Exception) and grouped[0] != self._generation:
            return  # an earlier run's
        self._grouping = False
        if isinstance(grouped, Exception):
            storage = storage_problem(grouped, what="the catalog")
            if storage is not None:
                self._report.error = str(storage)
            else:
                record_error(
                    stage="people",
                    error_type=type(grouped).__name__,
                    message=f"Curator could not group the faces into people: {grouped}",
                    detail=repr(grouped),
                )
        else:
            result = grouped[1]
            if result.placed or result.new_people:
                self._report.stages["people"] = {
                    "placed": result.placed,
                    "new_people": result.new_people,
                    "without_person": result.left,
                }
            if result.forgotten or result.erased:  # recognising people switched off
                self._report.stages["people"] = forgotten_counts(result)
        self.ended.emit()
