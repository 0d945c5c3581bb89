"""`JudgmentController`: the GUI's embed + describe → score/bursts run, on the
GUI's event loop (the CLI's `importer.run_import_headless` does the same
stages headless).

Order and threads:
- `start()` plans both stages from the catalog (`photos_needing`: only what
  is not done at the current model/prompt version) and starts them side by
  side: embed on the ML pool (one thread; torch is imported there, by the
  embedder's `load()`, never on the main thread), describe on the LLM pool
  after an Ollama health check that also runs on the LLM pool. Results are
  written on the main thread by the stage runners (one write path).
- Missing CLIP weights (the embedder's `ModelUnavailable`) or an unreachable
  LLM mark the planned photos `skipped` with the sentence that says what to
  do; the status shows "skipped" with that sentence, the other stage goes
  on, and the next run back-fills them.
- When both are finished (and not cancelled) the score step runs: rescore
  with the live taste model (or ask the RetrainScheduler for a first one),
  regroup bursts, then `scores_changed` so the gallery repaints in place.
- `pause()` holds queued describe requests (StageRunner's gate) and the next
  embedding batch (`GatedClipEmbedder`); `cancel()` is cooperative for both.
- `start()` while running remembers to run again when this run ends (a
  retry or a second import never waits on the user).

Settings are a snapshot taken at `start()`: a new Ollama URL/model or CLIP
model applies to the next run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from curator.catalog.models import Stage, StageStatus
from curator.pipeline.stage_runner import RunSummary, StageGate
from curator.settings import Settings
from curator.ui.guard import ErrorReporter, guarded_slot
from curator.ui.progress import StageProgress, StageState

if TYPE_CHECKING:
    from curator.llm.client import HealthReport, LLMConfig
    from curator.pipeline.judgment_stages import DescribeRunner, EmbedRunner


def gated_embedder(config: Any, gate: StageGate, auto_download: bool) -> Any:
    """A ClipEmbedder that waits at `gate` before each batch and may download
    its weights on first use (the decision runs on the ML thread: the check
    imports open_clip, i.e. torch)."""
    from curator.ml.embedder import ClipEmbedder, weights_present
    from curator.pipeline.judgment_stages import weights_host_reachable

    class GatedClipEmbedder(ClipEmbedder):
        def load(self) -> ClipEmbedder:
            if (
                auto_download
                and not self.loaded
                and not self.config.allow_download
                and not weights_present(self.config)
                and weights_host_reachable()
            ):
                self.config = replace(self.config, allow_download=True)
            return super().load()

        def embed_tensors(self, batch: Any) -> Any:
            gate.wait_until_open()  # paused: hold the next batch (cancel opens the gate)
            return super().embed_tensors(batch)

    return GatedClipEmbedder(config)


class _HealthSignals(QObject):
    checked = Signal(object)  # HealthReport


class HealthCheckTask(QRunnable):
    """The Ollama health check (HTTP, up to 10 s) off the main thread."""

    def __init__(self, config: LLMConfig, signals: _HealthSignals):
        super().__init__()
        self.config, self.signals = config, signals

    def run(self) -> None:
        from curator.llm.client import check_ollama

        self.signals.checked.emit(check_ollama(self.config))


class JudgmentController(QObject):
    stage_progress = Signal(object)  # StageProgress
    scores_changed = Signal()  # preference scores / bursts / descriptions were rewritten
    finished = Signal(str)  # a sentence

    def __init__(
        self,
        cache_dir: Path,
        settings: Settings,
        errors: ErrorReporter,
        *,
        ml_pool: QThreadPool,
        llm_pool: QThreadPool,
        request_retrain: Callable[[], None],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.cache_dir, self.settings, self.errors = cache_dir, settings, errors
        self.ml_pool, self.llm_pool = ml_pool, llm_pool
        self.request_retrain = request_retrain
        self._embed: EmbedRunner | None = None
        self._describe: DescribeRunner | None = None
        self._checking = False
        self._gate = StageGate()
        self._again = False
        self._cancelled = False
        self._snapshot = settings
        self._started: dict[str, float] = {}
        self._health_signals = _HealthSignals(self)
        self._health_signals.checked.connect(self._on_health_checked)
        self._describe_requests: list[Any] = []
        self._paused = False
        self._last: dict[str, StageProgress] = {}
        self.last_stages: dict[str, dict[str, Any]] = {}

    @property
    def running(self) -> bool:
        return self._embed is not None or self._describe is not None or self._checking

    # --- control ------------------------------------------------------------

    def start(self) -> None:
        """Run embed + describe over everything not done yet, then score."""
        if self.running:
            self._again = True
            return
        from curator.catalog.judgments import photos_needing
        from curator.pipeline import judgment_stages as js

        settings = self._snapshot = self.settings
        self._again = self._cancelled = False
        self._gate = StageGate()
        if self._paused:
            self._gate.pause()
        self.last_stages = {}
        model_id = js.embedding_model_id(settings)
        items = [
            (pid, str(self.cache_dir / key)) for pid, key in photos_needing(Stage.EMBED, model_id)
        ]
        if items:
            embedder = gated_embedder(
                js.clip_config(settings), self._gate, settings.clip_auto_download
            )
            embed = js.EmbedRunner(embedder, self.ml_pool, parent=self)
            embed.progressed.connect(self._on_embed_progressed)
            embed.finished.connect(self._on_embed_finished)
            self._embed = embed
            self._started["embed"] = time.monotonic()
            self._emit("embed", StageState.RUNNING, 0, len(items))
            embed.start(items)
        dplan = js.plan_describe(settings, str(self.cache_dir), health_check=False)
        if dplan.requests:
            self._describe_requests = list(dplan.requests)
            self._checking = True
            self._emit("describe", StageState.WAITING, 0, len(dplan.requests), "Checking Ollama…")
            self.llm_pool.start(HealthCheckTask(js.llm_config(settings), self._health_signals))
        if not self.running:
            QTimer.singleShot(0, self._after_stages)

    def pause(self) -> None:
        self._paused = True
        self._gate.pause()
        if self._describe is not None:
            self._describe.pause()
        for stage, runner in (("embed", self._embed), ("describe", self._describe)):
            if runner is not None:
                done, total = self._progress_of(stage)
                self._emit(stage, StageState.PAUSED, done, total)

    def resume(self) -> None:
        self._paused = False
        self._gate.resume()
        if self._describe is not None:
            self._describe.resume()
        for stage, runner in (("embed", self._embed), ("describe", self._describe)):
            if runner is not None:
                done, total = self._progress_of(stage)
                self._emit(stage, StageState.RUNNING, done, total)

    def cancel(self) -> None:
        self._cancelled = True
        self._again = False
        self._gate.cancel()
        if self._embed is not None:
            self._embed.cancel()
        if self._describe is not None:
            self._describe.cancel()

    # --- progress -----------------------------------------------------------

    def _progress_of(self, stage: str) -> tuple[int, int]:
        last = self._last.get(stage)
        return (last.done, last.total) if last else (0, 0)

    def _emit(self, stage: str, state: StageState, done: int, total: int, note: str = "") -> None:
        if state is StageState.RUNNING and self._paused:
            state = StageState.PAUSED
        elapsed = time.monotonic() - self._started.get(stage, time.monotonic())
        p = StageProgress(stage, state, done, total, elapsed, note)
        self._last[stage] = p
        self.stage_progress.emit(p)

    @Slot(int, int)
    @guarded_slot
    def _on_embed_progressed(self, done: int, total: int) -> None:
        self._emit("embed", StageState.RUNNING, done, total)

    @Slot(int, int)
    @guarded_slot
    def _on_describe_progressed(self, done: int, total: int) -> None:
        self._emit("describe", StageState.RUNNING, done, total)

    # --- stage ends ---------------------------------------------------------

    @Slot(object)
    @guarded_slot
    def _on_health_checked(self, health: HealthReport) -> None:
        self._checking = False
        from curator.llm.client import Describer
        from curator.pipeline import judgment_stages as js

        requests, self._describe_requests = self._describe_requests, []
        config = js.llm_config(self._snapshot)
        if self._cancelled:
            self._after_stages()
            return
        if not health.ok:
            js.mark_skipped(
                Stage.DESCRIBE, [r.photo_id for r in requests], config.stage_version, health.message
            )
            self.last_stages["describe"] = {"skipped": len(requests), "reason": health.message}
            self._emit("describe", StageState.SKIPPED, 0, len(requests), health.message)
            self._after_stages()
            return
        self.llm_pool.setMaxThreadCount(self._snapshot.llm_concurrency)
        describe = js.DescribeRunner(Describer(config), self.llm_pool, parent=self)
        describe.progressed.connect(self._on_describe_progressed)
        describe.finished.connect(self._on_describe_finished)
        self._describe = describe
        self._started["describe"] = time.monotonic()
        self._emit("describe", StageState.RUNNING, 0, len(requests))
        describe.start(requests)
        if self._paused:
            describe.pause()

    @Slot(object)
    @guarded_slot
    def _on_embed_finished(self, summary: RunSummary) -> None:
        runner, self._embed = self._embed, None
        if runner is not None:
            runner.deleteLater()
        self._finish_stage("embed", summary)

    @Slot(object)
    @guarded_slot
    def _on_describe_finished(self, summary: RunSummary) -> None:
        runner, self._describe = self._describe, None
        if runner is not None:
            runner.deleteLater()
        self._finish_stage("describe", summary)

    def _finish_stage(self, stage: str, summary: RunSummary) -> None:
        counts = {k: v for k, v in summary.counts.items() if v}
        self.last_stages[stage] = counts
        done, total = self._progress_of(stage)
        skipped = counts.get(StageStatus.SKIPPED.value, 0)
        if summary.cancelled:
            self._emit(stage, StageState.CANCELLED, done, total)
        elif skipped and not counts.get(StageStatus.DONE.value):
            self._emit(stage, StageState.SKIPPED, 0, total, self._skip_reason(stage))
        else:
            failed = counts.get(StageStatus.FAILED.value, 0)
            note = f"{failed} failed — see View ▸ Problems" if failed else ""
            self._emit(stage, StageState.DONE, counts.get(StageStatus.DONE.value, 0), total, note)
        self._after_stages()

    def _skip_reason(self, stage: str) -> str:
        """The sentence a runner logged when its model was unavailable (newest first)."""
        from curator.catalog.problems import error_entries

        for entry in error_entries(limit=50):
            if entry.stage == stage and entry.photo_id is None:
                return entry.message
        return ""

    def _after_stages(self) -> None:
        if self.running:
            return
        if not self._cancelled:
            self._score()
        again = self._again
        self.finished.emit(self.summary_sentence())
        if again:
            self.start()

    def _score(self) -> None:
        from curator.catalog.judgments import latest_taste
        from curator.pipeline.judgment_stages import embedding_model_id
        from curator.pipeline.score import regroup_bursts, rescore

        self._started["score"] = time.monotonic()
        model = embedding_model_id(self._snapshot)
        if latest_taste(model) is None:
            scored = 0
            self.request_retrain()  # trains a first model if there are enough decisions
        else:
            scored = rescore(model)
        bursts = regroup_bursts(model, self._snapshot)
        self.last_stages["score"] = {"scored": scored, "bursts": bursts}
        self._emit("score", StageState.DONE, scored, scored, f"{bursts} burst(s)")
        self.scores_changed.emit()

    def summary_sentence(self) -> str:
        if self._cancelled:
            return "Descriptions and embeddings cancelled; the next import picks them up."
        parts = []
        for stage, verb in (("embed", "embedded"), ("describe", "described")):
            counts = self.last_stages.get(stage, {})
            if counts.get("done"):
                parts.append(f"{counts['done']} {verb}")
            if counts.get("skipped"):
                parts.append(f"{stage} skipped")
        score = self.last_stages.get("score", {})
        if score.get("scored"):
            parts.append(f"{score['scored']} scored")
        return "Pipeline finished" + (": " + ", ".join(parts) if parts else "") + "."
