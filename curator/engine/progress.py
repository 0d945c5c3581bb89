"""What the pipeline reports about one stage: plain data, no widgets.

`StageProgress` is emitted by `pipeline.service.PipelineService` for every
stage (technical, embed, describe, score); the GUI paints it
(`ui.window.pipeline_status`) and the CLI draws a progress bar from it. Rate and
ETA are derived here from done/total/elapsed, so every stage reports them
the same way.
"""

from __future__ import annotations

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

    @property
    def rate(self) -> float | None:
        return self.done / self.elapsed_s if self.done and self.elapsed_s > 0 else None

    @property
    def eta_s(self) -> float | None:
        rate = self.rate
        return None if rate is None else max(0, self.total - self.done) / rate


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
