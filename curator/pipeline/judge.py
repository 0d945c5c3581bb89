"""The JUDGE phase of a run: embed (ML pool) and describe (LLM pool) side by side.

`JudgmentsPhase.start` plans both stages (`pipeline.stages.judgments`,
`plan_judgments`) in one `engine.delivery.Job` on the writer thread, never
on the UI thread:
- embed: photos without a vector of the configured CLIP model; without the
  weights they are marked `skipped` with how to get them, else an
  `EmbedRunner` embeds them (torch loads on the ML pool).
- describe: photos without a description; an Ollama health check runs first
  on the LLM pool; without Ollama they are marked `skipped` (the next run
  back-fills them), else a `DescribeRunner` describes them.
With a Ray cluster (`ray_address`) both run there (`llm.remote`,
`ml.clip_remote`) and results are written here as a local run's.
A failing plan is the run's `error`. Nothing starts after `cancel()`; `ended`
is emitted once neither stage runs nor waits (also when nothing was planned).

`JudgmentsPhase` lives on the main thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from curator.catalog.models import Stage, StageStatus
from curator.catalog.storage import storage_problem
from curator.catalog.writer import record_error
from curator.engine.cluster import ClusterUnavailable, RayCluster, RayPool, connect
from curator.engine.delivery import Delivery, Job, delivery_to, log_and_deliver
from curator.engine.progress import ProgressBoard, StageState
from curator.engine.stage_runner import RunSummary, StageGate
from curator.pipeline.phase import PipelinePools
from curator.pipeline.report import RunReport, RunRequest, StageCounts
from curator.settings import Settings

if TYPE_CHECKING:  # numpy: not before the window's first paint (issue 21 §1)
    import numpy as np
    from numpy.typing import NDArray

    from curator.llm.client import DescribeRequest, HealthReport, LLMConfig
    from curator.pipeline.stages.judgments import DescribeRunner, EmbedRunner

log = logging.getLogger(__name__)

EmbeddedFn = Callable[[str, list[tuple[int, "NDArray[np.float32]"]]], None]


@dataclass(frozen=True)
class HealthChecked:
    generation: int
    health: HealthReport


def check_health(
    generation: int, config: LLMConfig, cluster: RayCluster | None = None
) -> HealthChecked:
    """The Ollama health check (on the LLM pool), from a node of the cluster
    when there is one; `check_llm` never raises."""
    if cluster is not None:
        from curator.llm.remote import check_on_cluster

        return HealthChecked(generation, check_on_cluster(describe_pool(cluster), config))
    from curator.llm.client import check_llm

    return HealthChecked(generation, check_llm(config))


def describe_pool(cluster: RayCluster) -> RayPool:
    """The describe stage's Ray tasks: they wait on the LLM server, so they
    take no CPU of a node (the LLM pool's threads bound how many run)."""
    return RayPool(cluster, name="curator describe", num_cpus=0, max_retries=3)


@dataclass(frozen=True)
class JudgePlanned:
    """What `plan_judgments` found: the photos to embed, or the sentence they
    were skipped with (and how many); the describe requests."""

    generation: int
    embed_items: tuple[tuple[int, str], ...] = ()
    embed_skipped: int = 0
    embed_reason: str = ""
    describe: tuple[DescribeRequest, ...] = ()
    cluster: RayCluster | None = None  # where both run (the settings' Ray cluster)


@dataclass(frozen=True)
class DescribeSkipped:
    """The describe requests were marked skipped (Ollama absent)."""

    generation: int
    count: int
    reason: str


def plan_judgments(
    generation: int,
    request: RunRequest,
    settings: Settings,
    cache_dir: str,
    stop: threading.Event,
) -> JudgePlanned:
    """Plan embed and describe (on the writer thread, see the module docstring);
    photos the embed stage cannot embed (no weights) are marked skipped here."""
    from curator.catalog.judgments import any_measured, photos_needing

    if not any_measured():  # nothing to plan: the LLM client (pydantic) stays unloaded
        return JudgePlanned(generation)
    from curator.pipeline.stages import judgments as js

    cluster = connect(settings.ray_address) if settings.ray_address.strip() else None

    items: tuple[tuple[int, str], ...] = ()
    skipped, reason = 0, ""
    if "embed" in request.stages:
        model_id = js.embedding_model_id(settings)
        todo = photos_needing(Stage.EMBED, model_id)
        items = tuple((pid, str(Path(cache_dir) / key)) for pid, key in todo)
        if items:  # nothing to embed loads no numpy (the embedder's import)
            from curator.ml.embedder import model_unavailable_message, weights_present

            config = js.clip_config(settings)
            here = cluster is None  # on a cluster, each actor's node has its own weights
            if here and not weights_present(config) and not settings.clip_auto_download:
                reason = model_unavailable_message(config)
                if not stop.is_set():
                    js.mark_skipped(Stage.EMBED, [pid for pid, _ in items], model_id, reason)
                items, skipped = (), len(items)
    describe: tuple[DescribeRequest, ...] = ()
    if "describe" in request.stages:
        plan = js.plan_describe(
            settings, cache_dir, health_check=False, redo=request.redo_descriptions
        )
        describe = tuple(plan.requests)
    return JudgePlanned(generation, items, skipped, reason, describe, cluster)


def skip_describe(
    generation: int, requests: tuple[DescribeRequest, ...], version: str, reason: str
) -> DescribeSkipped:
    """Mark the describe requests skipped with Ollama's sentence (writer thread)."""
    from curator.pipeline.stages import judgments as js

    js.mark_skipped(Stage.DESCRIBE, [r.photo_id for r in requests], version, reason)
    return DescribeSkipped(generation, len(requests), reason)


class JudgmentsPhase(QObject):
    """Embed and describe for one run at a time (see the module docstring)."""

    ended = Signal()

    def __init__(
        self,
        pools: PipelinePools,
        cache_dir: Path,
        board: ProgressBoard,
        *,
        on_embedded: EmbeddedFn | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.pools, self.cache_dir, self.board = pools, cache_dir, board
        self._on_embedded = on_embedded
        self._generation = 0
        self._report = RunReport(RunRequest())
        self._settings = Settings()
        self._paused = self._cancelled = False
        self._embed: EmbedRunner | None = None
        self._describe: DescribeRunner | None = None
        self._checking = False  # the health check, then the skip write, under way
        self._planning = False
        self._stop = threading.Event()
        self._describe_requests: list[DescribeRequest] = []
        self._health: Delivery[HealthChecked] = delivery_to(self, self._on_health_checked)
        self._planned: Delivery[JudgePlanned | Exception] = delivery_to(self, self._on_planned)
        self._describe_skipped: Delivery[DescribeSkipped | Exception] = delivery_to(
            self, self._on_describe_skipped
        )
        self._gate = StageGate()
        self._cluster: RayCluster | None = None  # this run's, from its plan

    @property
    def running(self) -> bool:
        busy = self._embed is not None or self._describe is not None
        return busy or self._checking or self._planning

    def running_stages(self) -> list[str]:
        """The stages with a runner at work (their progress is re-emitted on pause)."""
        return [s for s, r in (("embed", self._embed), ("describe", self._describe)) if r]

    def start(
        self, request: RunRequest, settings: Settings, gate: StageGate, report: RunReport
    ) -> None:
        """Plan both stages on the writer thread; they start when the plan is
        back (`_on_planned`); `ended` follows once neither runs."""
        self._generation += 1
        self._report, self._settings, self._cancelled = report, settings, False
        self._gate, self._stop = gate, threading.Event()
        self._planning = True
        job = partial(
            plan_judgments, self._generation, request, settings, str(self.cache_dir), self._stop
        )
        self.pools.write.start(Job(job, self._planned, log_and_deliver))

    @Slot(object)
    def _on_planned(self, planned: JudgePlanned | Exception) -> None:
        if not self._planning or (
            isinstance(planned, JudgePlanned) and planned.generation != self._generation
        ):
            return  # an earlier run's plan
        self._planning = False
        if isinstance(planned, Exception):
            self._job_failed("plan embedding and describing", planned)
        elif not self._cancelled:
            self._start_planned(planned)
        self._maybe_end()

    def _start_planned(self, planned: JudgePlanned) -> None:
        self._cluster = planned.cluster
        if planned.cluster is not None and not self._report.cluster:
            self._report.cluster = f"{self._settings.ray_address} ({planned.cluster.describe()})"
        if planned.embed_skipped:
            reason, count = planned.embed_reason, planned.embed_skipped
            self._report.stages["embed"] = {StageStatus.SKIPPED.value: count, "reason": reason}
            self.board.emit("embed", StageState.SKIPPED, 0, count, reason)
        elif planned.embed_items:
            self._start_embed(self._settings, self._gate, list(planned.embed_items))
        if planned.describe:
            from curator.pipeline.stages import judgments as js  # imported by the plan already

            self._describe_requests = list(planned.describe)
            self._checking = True
            total = len(planned.describe)
            self.board.emit("describe", StageState.WAITING, 0, total, "Checking Ollama…")
            config = js.llm_config(self._settings)
            check = partial(check_health, self._generation, config, self._cluster)
            self.pools.llm.start(Job(check, self._health))

    def _job_failed(self, what: str, exc: Exception) -> None:
        """A planning or skip-writing job raised: a storage fault stops the run
        with its sentence; anything else is logged and the run goes on."""
        storage = storage_problem(exc, what="the catalog")
        if storage is not None:
            self._report.error = str(storage)
            return
        if isinstance(exc, ClusterUnavailable):  # the settings' Ray cluster: its sentence
            self._report.error = exc.message
            return
        record_error(
            stage="judge",
            error_type=type(exc).__name__,
            message=f"Curator could not {what}: {exc}",
            detail=repr(exc),
        )

    def cancel(self) -> None:
        self._cancelled = True
        self._stop.set()
        for runner in (self._embed, self._describe):
            if runner is not None:
                runner.cancel()

    def set_paused(self, paused: bool) -> None:
        """Describe holds its queue; embed waits at the run's gate (the service's)."""
        self._paused = paused
        if self._describe is not None:
            if paused:
                self._describe.pause()
            else:
                self._describe.resume()

    # --- embed ----------------------------------------------------------------------

    def _start_embed(
        self, settings: Settings, gate: StageGate, items: list[tuple[int, str]]
    ) -> None:
        from curator.pipeline.stages import judgments as js  # imported by the plan already

        model_id = js.embedding_model_id(settings)
        config = js.clip_config(settings)
        embedder = js.gated_embedder(config, gate, settings.clip_auto_download)
        source: js.EmbedSource | None = None
        if self._cluster is not None:  # the batches go to the cluster's actors
            from curator.ml.clip_remote import embed_on_cluster

            remote = replace(config, allow_download=settings.clip_auto_download)
            source = partial(
                embed_on_cluster,
                self._cluster,
                remote,
                wait=gate.wait_until_open,
                smaller=js.clip_renditions(),
            )
        on_embedded = self._on_embedded

        def stored(batch: list[tuple[int, NDArray[np.float32]]]) -> None:
            if on_embedded is not None:
                on_embedded(model_id, batch)

        embed = js.EmbedRunner(
            embedder,
            self.pools.ml,
            parent=self,
            writes=self.pools.write,
            on_stored=stored,
            source=source,
        )
        embed.progressed.connect(self._on_embed_progressed)
        embed.finished.connect(self._on_embed_finished)
        self._embed = embed
        self.board.begin("embed")
        self.board.emit("embed", StageState.RUNNING, 0, len(items))
        embed.start(items)

    @Slot(int, int)
    def _on_embed_progressed(self, done: int, total: int) -> None:
        self.board.emit("embed", StageState.RUNNING, done, total)

    @Slot(object)
    def _on_embed_finished(self, summary: RunSummary) -> None:
        runner, self._embed = self._embed, None
        reason = runner.skip_reason if runner is not None else ""
        if runner is not None:
            runner.deleteLater()
        self._finish_stage("embed", summary, reason)

    # --- describe -------------------------------------------------------------------

    @Slot(object)
    def _on_health_checked(self, checked: HealthChecked) -> None:
        from curator.llm.client import Describer
        from curator.pipeline.stages import judgments as js

        if checked.generation != self._generation:
            return  # an earlier run's check
        health = checked.health
        self._checking = False
        requests, self._describe_requests = self._describe_requests, []
        config = js.llm_config(self._settings)
        if self._cancelled:
            self._maybe_end()
            return
        if not health.ok:
            self._checking = True  # until the skip is written
            job = partial(
                skip_describe,
                self._generation,
                tuple(requests),
                config.stage_version,
                health.message,
            )
            self.pools.write.start(Job(job, self._describe_skipped, log_and_deliver))
            return
        self.pools.llm.setMaxThreadCount(self._settings.llm_concurrency)
        work = None
        if self._cluster is not None:  # each request is sent to a node of the cluster
            from curator.llm.remote import describe_on_cluster

            work = partial(describe_on_cluster, describe_pool(self._cluster))
        describe = js.DescribeRunner(
            Describer(config), self.pools.llm, parent=self, writes=self.pools.write, work=work
        )
        describe.progressed.connect(self._on_describe_progressed)
        describe.finished.connect(self._on_describe_finished)
        self._describe = describe
        self.board.begin("describe")
        self.board.emit("describe", StageState.RUNNING, 0, len(requests))
        describe.start(requests)
        if self._paused:
            describe.pause()

    @Slot(object)
    def _on_describe_skipped(self, skipped: DescribeSkipped | Exception) -> None:
        if isinstance(skipped, DescribeSkipped) and skipped.generation != self._generation:
            return  # an earlier run's
        self._checking = False
        if isinstance(skipped, Exception):
            self._job_failed("note that describing was skipped", skipped)
        else:
            counts: StageCounts = {StageStatus.SKIPPED.value: skipped.count}
            self._report.stages["describe"] = {**counts, "reason": skipped.reason}
            self.board.emit("describe", StageState.SKIPPED, 0, skipped.count, skipped.reason)
        self._maybe_end()

    @Slot(int, int)
    def _on_describe_progressed(self, done: int, total: int) -> None:
        self.board.emit("describe", StageState.RUNNING, done, total)

    @Slot(object)
    def _on_describe_finished(self, summary: RunSummary) -> None:
        runner, self._describe = self._describe, None
        if runner is not None:
            runner.deleteLater()
        self._finish_stage("describe", summary, "")

    # --- the end --------------------------------------------------------------------

    def _finish_stage(self, stage: str, summary: RunSummary, reason: str) -> None:
        counts: StageCounts = {k: v for k, v in summary.counts.items() if v}
        if reason:
            counts["reason"] = reason
        self._report.stages[stage] = counts
        self._report.stage_finished(stage, summary.elapsed_s)
        self._report.cancelled = self._report.cancelled or summary.cancelled
        last = self.board.last.get(stage)
        done, total = (last.done, last.total) if last else (0, 0)
        skipped = summary.counts.get(StageStatus.SKIPPED.value, 0)
        succeeded = summary.counts.get(StageStatus.DONE.value, 0)
        if summary.cancelled:
            self.board.emit(stage, StageState.CANCELLED, done, total)
        elif skipped and not succeeded:
            self.board.emit(stage, StageState.SKIPPED, 0, total, reason)
        else:
            failed = summary.counts.get(StageStatus.FAILED.value, 0)
            failed += summary.counts.get("write_failed", 0)
            note = f"{failed} failed — see View ▸ Problems" if failed else ""
            self.board.emit(stage, StageState.DONE, succeeded, total, note)
        self._maybe_end()

    def _maybe_end(self) -> None:
        if not self.running:
            self.ended.emit()
