"""What the pipeline reports about one stage: plain data, no widgets.

`StageProgress` is emitted by `pipeline.service.PipelineService` for every
stage (technical, embed, describe, score); the GUI paints it
(`ui.window.pipeline_status`) and the CLI draws a progress bar from it. Rate and
ETA are derived here from done/total/elapsed, so every stage reports them
the same way. `ProgressBoard` keeps each stage's latest record and clock
for the service that publishes them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class StageState(StrEnum):
    WAITING = "waiting"  # planned, not started (describe waits for its health check)
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    SKIPPED = "skipped"  # nothing could run; `note` says why and what to do
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class StageProgress:
    stage: str  # technical | embed | describe | score
    state: StageState
    done: int = 0
    total: int = 0
    elapsed_s: float = 0.0
    note: str = ""  # the skip reason, or a short remark (tooltip)
    # A sentence said with the progress while it holds (the status bar shows it
    # beside the count, the CLI prints it once): the face networks being prepared.
    remark: str = ""

    @property
    def rate(self) -> float | None:
        return self.done / self.elapsed_s if self.done and self.elapsed_s > 0 else None

    @property
    def eta_s(self) -> float | None:
        rate = self.rate
        return None if rate is None else max(0, self.total - self.done) / rate


_UNDER_WAY = (StageState.RUNNING, StageState.PAUSED)


class ProgressBoard:
    """Each stage's latest `StageProgress`, timed from when the stage began.

    `emit` records and publishes one; RUNNING reads PAUSED while the run is
    paused; a stage's remark holds until its first item is done (the first
    photo waits for what the remark says). Owned by the pipeline service
    (one thread)."""

    def __init__(self, publish: Callable[[StageProgress], object]):
        self.publish = publish
        self.paused = False
        self.last: dict[str, StageProgress] = {}
        self._began: dict[str, float] = {}

    def reset(self) -> None:
        self.last.clear()
        self._began.clear()

    def begin(self, stage: str) -> None:
        """The stage's clock starts now (rate and ETA count from here)."""
        self._began[stage] = time.monotonic()

    def emit(
        self,
        stage: str,
        state: StageState,
        done: int,
        total: int,
        note: str = "",
        remark: str = "",
    ) -> None:
        if state is StageState.RUNNING and self.paused:
            state = StageState.PAUSED
        before = self.last.get(stage)
        if not remark and before is not None and done == 0 and state in _UNDER_WAY:
            remark = before.remark
        began = self._began.setdefault(stage, time.monotonic())
        elapsed = time.monotonic() - began
        progress = StageProgress(stage, state, done, total, elapsed, note, remark)
        self.last[stage] = progress
        self.publish(progress)


def duration_text(seconds: float) -> str:
    if seconds < 1:
        return "< 1 s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 90:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
