"""The JUDGE phase of a run: embed (ML pool) and describe (LLM pool) side by side.

`JudgmentsPhase.start` plans both stages (`pipeline.stages.judgments`):
- embed: the photos without a vector of the configured CLIP model. Without
  the weights (and no auto-download) they are `skipped` at once with the
  sentence that says how to get them; else an `EmbedRunner` embeds them.
- describe: the photos without a description. An Ollama health check runs
  first, as an `engine.delivery.Job` on the LLM pool (HTTP, up to a few
  seconds); when Ollama is not there, they are `skipped` with its sentence
  and the next run back-fills them; else a `DescribeRunner` describes them.
Each stage's counts (and the reason of a skip) go into the run's report;
`ended` is emitted once neither stage runs nor waits for its health check —
also when nothing was planned, or after `cancel()`.

Main thread only. The LLM client, the embedder and torch are imported when a
stage needs them, never at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from curator.catalog.models import Stage, StageStatus
from curator.engine.delivery import Delivery, Job, delivery_to
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

EmbeddedFn = Callable[[str, list[tuple[int, "NDArray[np.float32]"]]], None]


@dataclass(frozen=True)
class HealthChecked:
    generation: int
    health: HealthReport


def check_health(generation: int, config: LLMConfig) -> HealthChecked:
    """The Ollama health check (on the LLM pool); `check_llm` never raises."""
    from curator.llm.client import check_llm

    return HealthChecked(generation, check_llm(config))


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
        self._checking = False
        self._describe_requests: list[DescribeRequest] = []
        self._health: Delivery[HealthChecked] = delivery_to(self, self._on_health_checked)

    @property
    def running(self) -> bool:
        return self._embed is not None or self._describe is not None or self._checking

    def running_stages(self) -> list[str]:
        """The stages with a runner at work (their progress is re-emitted on pause)."""
        return [s for s, r in (("embed", self._embed), ("describe", self._describe)) if r]

    def start(
        self, request: RunRequest, settings: Settings, gate: StageGate, report: RunReport
    ) -> None:
        """Plan and start both stages; `ended` follows (at once when nothing runs)."""
        self._generation += 1
        self._report, self._settings, self._cancelled = report, settings, False
        from curator.catalog.judgments import any_measured

        if not any_measured():  # nothing to plan: the LLM client (pydantic) stays unloaded
            self._maybe_end()
            return
        from curator.pipeline.stages import judgments as js

        if "embed" in request.stages:
            self._start_embed(settings, gate)
        if "describe" in request.stages:
            plan = js.plan_describe(
                settings, str(self.cache_dir), health_check=False, redo=request.redo_descriptions
            )
            if plan.requests:
                self._describe_requests = list(plan.requests)
                self._checking = True
                total = len(plan.requests)
                self.board.emit("describe", StageState.WAITING, 0, total, "Checking Ollama…")
                check = partial(check_health, self._generation, js.llm_config(settings))
                self.pools.llm.start(Job(check, self._health))
        self._maybe_end()

    def cancel(self) -> None:
        self._cancelled = True
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

    def _start_embed(self, settings: Settings, gate: StageGate) -> None:
        from curator.catalog.judgments import photos_needing
        from curator.pipeline.stages import judgments as js

        model_id = js.embedding_model_id(settings)
        todo = photos_needing(Stage.EMBED, model_id)
        items = [(pid, str(self.cache_dir / key)) for pid, key in todo]
        if not items:
            return  # before the embedder's import: nothing to embed loads no numpy
        from curator.ml.embedder import model_unavailable_message, weights_present

        config = js.clip_config(settings)
        if not weights_present(config) and not settings.clip_auto_download:
            reason = model_unavailable_message(config)
            js.mark_skipped(Stage.EMBED, [pid for pid, _ in items], model_id, reason)
            self._report.stages["embed"] = {StageStatus.SKIPPED.value: len(items), "reason": reason}
            self.board.emit("embed", StageState.SKIPPED, 0, len(items), reason)
            return
        embedder = js.gated_embedder(config, gate, settings.clip_auto_download)
        on_embedded = self._on_embedded

        def stored(batch: list[tuple[int, NDArray[np.float32]]]) -> None:
            if on_embedded is not None:
                on_embedded(model_id, batch)

        embed = js.EmbedRunner(embedder, self.pools.ml, parent=self, on_stored=stored)
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
            ids = [r.photo_id for r in requests]
            js.mark_skipped(Stage.DESCRIBE, ids, config.stage_version, health.message)
            skipped: StageCounts = {StageStatus.SKIPPED.value: len(requests)}
            self._report.stages["describe"] = {**skipped, "reason": health.message}
            self.board.emit("describe", StageState.SKIPPED, 0, len(requests), health.message)
            self._maybe_end()
            return
        self.pools.llm.setMaxThreadCount(self._settings.llm_concurrency)
        describe = js.DescribeRunner(Describer(config), self.pools.llm, parent=self)
        describe.progressed.connect(self._on_describe_progressed)
        describe.finished.connect(self._on_describe_finished)
        self._describe = describe
        self.board.begin("describe")
        self.board.emit("describe", StageState.RUNNING, 0, len(requests))
        describe.start(requests)
        if self._paused:
            describe.pause()

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
