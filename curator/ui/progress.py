"""What the pipeline status bar shows for one stage: plain data and its sentence.

`StageProgress` is emitted by the controllers (technical: `ImportController`;
embed, describe, score: `JudgmentController`) and painted by
`PipelineStatus`. Rate and ETA are derived here from done/total/elapsed, so
every stage reports them the same way. No widgets: `stage_text` is a pure
function, tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from curator.ui.format import duration_text

STAGE_TITLES = {
    "technical": "Measuring",
    "embed": "Embedding",
    "describe": "Describing",
    "score": "Scoring",
}


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


def stage_text(p: StageProgress) -> str:
    """'Embedding 12/54 · 8.1/s · ETA 5 s', 'Describing skipped', 'Measuring ✓ 54'."""
    title = STAGE_TITLES.get(p.stage, p.stage.capitalize())
    if p.state is StageState.SKIPPED:
        return f"{title} skipped"
    if p.state is StageState.WAITING:
        return f"{title}: waiting"
    if p.state is StageState.DONE:
        return f"{title} ✓ {p.done}" if p.total else f"{title} ✓"
    if p.state is StageState.CANCELLED:
        return f"{title} cancelled at {p.done}/{p.total}"
    text = f"{title} {p.done}/{p.total}"
    rate, eta = p.rate, p.eta_s
    if rate is not None and eta is not None:
        text += f" · {rate:.1f}/s · ETA {duration_text(eta)}"
    if p.state is StageState.PAUSED:
        text += " (paused)"
    return text
