"""`LiveFeed`: the batches of a live run (a watched folder's arrivals), each
planned, shown and handed to the run's open technical stage while it runs.

A live run (`RunRequest.live`) is an import that stays open (`StageRunner.extend`)
on the warm decoder children: a landed frame costs no process start. It has one
child more than the settings say (`live_settings`) and measures on all but one
(`StageRunner.max_in_flight`), so a quick look never waits behind a backlog.

Protocol (main thread; the service `attach`es the run's technical runner and
children in TECHNICAL, with the first batch planned by PREPARE):
- `feed(paths)`: whole files, in landing order, wait in `waiting` (until
  attached, when each child is warmed: `faces_child.warm_up`); one batch at a
  time is planned on the prepare pool (`plan_batch`, read-only), stamped with
  the feed's generation.
- A planned batch's new files get their quick look (pipeline.quick) at a
  priority above the measuring and every earlier batch's, newest file
  first; its requests go to the runner (`extend_plan`) once
  its and every earlier batch's quick look ended: measured in landing order.
  Files the plan does not read are said in `settled`; a failed plan in
  `batch_failed` (paths, sentence).
- `close()`: once nothing waits or is planned and every batch was handed over,
  the runner's feed is closed; `cancel()` drops what waits and stops the quick
  looks; `shutdown()` delivers nothing more. After either, `feed` takes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from functools import partial

from peewee import SqliteDatabase
from PySide6.QtCore import QObject, Signal, Slot

from curator.engine.delivery import Delivery, Job, delivery_to
from curator.engine.isolation import ChildProcessPool, WorkerCrashed, WorkerFailed, WorkerTimedOut
from curator.imaging.types import TechnicalRequest
from curator.pipeline.phase import PipelinePools
from curator.pipeline.prepare import path_candidates
from curator.pipeline.quick import QuickLookPhase
from curator.pipeline.stages.quicklook import plan_quick_look
from curator.pipeline.stages.technical import TechnicalPlan, plan_technical
from curator.pipeline.stages.technical_runner import TechnicalRunner
from curator.settings import Settings

log = logging.getLogger(__name__)

# The quick looks' priority in the decode pool, above the measuring's 0; each
# batch's one more than the last (QThreadPool takes the highest first).
QUICK_LOOK_PRIORITY = 1


@dataclass(frozen=True)
class BatchPlanned:
    """A batch's plan (None: see `error`), stamped with the feed's generation."""

    generation: int
    paths: tuple[str, ...]
    plan: TechnicalPlan | None
    error: str = ""


def live_settings(settings: Settings) -> Settings:
    """A live run's settings: one decoder child more, for the quick looks."""
    return replace(settings, decode_workers=max(1, settings.decode_workers) + 1)


def warm_child(processes: ChildProcessPool, request: TechnicalRequest, timeout_s: float) -> None:
    """One child started and warmed (on a decode thread); a failure is the first
    photo's to say."""
    from curator.pipeline.stages.faces_child import warm_up

    try:
        processes.call(warm_up, request, timeout_s)
    except (WorkerCrashed, WorkerTimedOut, WorkerFailed):
        log.info("a decoder child could not be warmed", exc_info=True)


def plan_batch(
    generation: int, paths: tuple[str, ...], settings: Settings, cache_dir: str, faces: bool
) -> BatchPlanned:
    """The technical plan of these files (on the prepare pool; never raises)."""
    try:
        plan = plan_technical(path_candidates(paths), settings, cache_dir, faces=faces)
    except Exception as exc:
        log.exception("planning a watched folder's batch failed")
        return BatchPlanned(generation, paths, None, f"Curator could not plan them: {exc}")
    return BatchPlanned(generation, paths, plan)


@dataclass
class _Batch:
    plan: TechnicalPlan
    looked: bool = False
    looks: list[QuickLookPhase] = field(default_factory=list)


class LiveFeed(QObject):
    """The live run's batches (see the module docstring)."""

    photos_added = Signal(list)
    thumbnails_changed = Signal(list)
    paths_listed = Signal(list)
    batch_failed = Signal(list, str)  # paths, the sentence
    settled = Signal(list)  # fed files the plan reads not: catalogued, unchanged (or failed)
    drained = Signal()  # closed, and every batch handed over

    def __init__(
        self,
        db: SqliteDatabase,
        stage_version: str,
        pools: PipelinePools,
        settings: Settings,
        cache_dir: str,
        *,
        faces: bool,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.db, self.stage_version, self.pools = db, stage_version, pools
        self.settings, self.cache_dir, self.faces = settings, cache_dir, faces
        self.runner: TechnicalRunner | None = None
        self.processes: ChildProcessPool | None = None
        self.waiting: list[str] = []
        self._planning = False
        self._closing = False
        self._ended = False  # drained: it takes nothing more
        self._generation = 0
        self._batches: list[_Batch] = []  # planned, not yet handed to the runner
        self._priority = QUICK_LOOK_PRIORITY
        self._planned: Delivery[BatchPlanned] = delivery_to(self, self._on_planned)
        self._warmed: Delivery[None] = delivery_to(self, lambda _none: None)

    @property
    def busy(self) -> bool:
        """Files wait, are planned, or are being shown before their measurement."""
        return bool(self.waiting) or self._planning or bool(self._batches)

    def feed(self, paths: list[str]) -> bool:
        """Take these whole files; False once closed (they were not taken)."""
        if self._closing or self._ended:
            return False
        self.waiting.extend(paths)
        self._next()
        return True

    def attach(
        self, runner: TechnicalRunner, processes: ChildProcessPool, first: TechnicalPlan
    ) -> None:
        """The run is in TECHNICAL: its open runner, its children and its first
        batch (planned by its PREPARE); what waits is planned next."""
        self.runner, self.processes = runner, processes
        self._warm(processes)
        self._show(first)
        self._next()

    def _warm(self, processes: ChildProcessPool) -> None:
        """Start and warm every decoder child, on the decode pool's threads (the
        measurements' priority: a first frame's quick look goes before)."""
        from curator.pipeline.stages.faces import faces_request_fields

        riding = faces_request_fields(self.settings) if self.faces else {}
        request = TechnicalRequest(
            path="",
            cache_dir=self.cache_dir,
            faces_model=riding.get("faces_model"),
            faces_version=riding.get("faces_version") or "",
            faces_describe=self.settings.people_recognition,
        )
        timeout = self.settings.decode_timeout_s
        for _ in range(processes.size):
            job = partial(warm_child, processes, request, timeout)
            self.pools.decode.start(Job(job, self._warmed))

    def prefer(self, paths: list[str]) -> None:
        """Decode these files' quick thumbnails next within their batch's look
        (the tiles on screen, in order); a file not waiting for one is ignored."""
        for batch in self._batches:
            for look in batch.looks:
                look.prefer(paths)

    def close(self) -> None:
        self._closing = True
        self._maybe_drained()

    def cancel(self) -> None:
        self._ended = True
        self.waiting.clear()
        self._generation += 1  # a plan on its way is dropped
        self._planning = False
        for batch in self._batches:
            for look in batch.looks:
                look.cancel()
        if self.runner is not None and self.runner.running:
            self.runner.close_feed()
        self._let_go()

    def _let_go(self) -> None:
        """Deliver nothing more (the feed may be deleted once the run ends)."""
        self._planned.close()
        self._warmed.close()

    def shutdown(self) -> None:
        self._ended = True
        self._let_go()
        for batch in self._batches:
            for look in batch.looks:
                look.close()

    def _next(self) -> None:
        if self._planning or not self.waiting or self.runner is None:
            return
        paths, self.waiting = tuple(dict.fromkeys(self.waiting)), []
        self._planning = True
        job = partial(
            plan_batch, self._generation, paths, self.settings, self.cache_dir, self.faces
        )
        self.pools.prepare.start(Job(job, self._planned))

    @Slot(object)
    def _on_planned(self, planned: BatchPlanned) -> None:
        if planned.generation != self._generation:
            return
        self._planning = False
        if planned.plan is None:
            self.batch_failed.emit(list(planned.paths), planned.error)
        else:
            reading = {r.path for r in planned.plan.requests}
            unread = [p for p in planned.paths if p not in reading]
            if unread:
                self.settled.emit(unread)
            self._show(planned.plan)
        self._next()
        self._maybe_drained()

    def _show(self, plan: TechnicalPlan) -> None:
        """The batch's quick look (newest file first, above every earlier batch), then
        its measurement in arrival order (`_hand_over`)."""
        assert self.processes is not None
        batch = _Batch(plan)
        self._batches.append(batch)
        jobs = plan_quick_look(plan, self.settings, self.cache_dir, newest_first=True)
        if not jobs:
            batch.looked = True
            self._hand_over()
            return
        look = QuickLookPhase(
            self.db,
            self.stage_version,
            self.processes,
            self.pools.decode,
            self.pools.write,
            timeout_s=self.settings.decode_timeout_s,
            priority=self._priority,
            parent=self,
        )
        self._priority += 1
        look.photos_added.connect(self.photos_added)
        look.thumbnails_changed.connect(self.thumbnails_changed)
        look.paths_listed.connect(self.paths_listed)
        look.ended.connect(lambda: self._on_looked(batch, look))
        batch.looks.append(look)

        look.start(jobs)

    def _on_looked(self, batch: _Batch, look: QuickLookPhase) -> None:
        batch.looked = True
        batch.looks.remove(look)
        look.deleteLater()
        self._hand_over()

    def _hand_over(self) -> None:
        """The leading batches whose quick look has ended go to the runner, in order."""
        while self._batches and self._batches[0].looked:
            batch = self._batches.pop(0)
            # Cancelled (its runner's feed closed) or ended by a storage fault: dropped.
            if not self._ended and self.runner is not None and self.runner.running:
                self.runner.extend_plan(batch.plan)
        self._maybe_drained()

    def _maybe_drained(self) -> None:
        if self._closing and not self.busy and not self._ended and self.runner is not None:
            self._ended = True
            self._let_go()
            if self.runner.running:
                self.runner.close_feed()
            self.drained.emit()
