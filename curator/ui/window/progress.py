"""The sentence the pipeline status bar shows for one stage.

`StageProgress` (plain data) is emitted by `pipeline.service.PipelineService`
and painted by `PipelineStatus`; `stage_text` is a pure function, tested on
its own.
"""

from __future__ import annotations

from curator.engine.progress import StageProgress, StageState, duration_text

__all__ = ["STAGE_TITLES", "StageProgress", "StageState", "stage_text"]

STAGE_TITLES = {
    "technical": "Measuring",
    "embed": "Embedding",
    "describe": "Describing",
    "score": "Scoring",
}


def stage_text(p: StageProgress) -> str:
    """'Embedding 12/54 · 8.1/s · ETA 5 s', 'Describing skipped', 'Measuring ✓ 54',
    'Measuring: waiting for photos' (a watch's live run, nothing yet)."""
    title = STAGE_TITLES.get(p.stage, p.stage.capitalize())
    if p.state is StageState.SKIPPED:
        return f"{title} skipped"
    if p.state is StageState.WAITING:
        return f"{title}: waiting"
    if p.state is StageState.DONE:
        return f"{title} ✓ {p.done}" if p.total else f"{title} ✓"
    if p.state is StageState.CANCELLED:
        return f"{title} cancelled at {p.done}/{p.total}"
    if p.state is StageState.RUNNING and p.total == 0:
        return f"{title}: waiting for photos"  # a live run (a watch) between frames
    text = f"{title} {p.done}/{p.total}"
    rate, eta = p.rate, p.eta_s
    if rate is not None and eta is not None and p.done < p.total:
        text += f" · {rate:.1f}/s · ETA {duration_text(eta)}"
    if p.state is StageState.PAUSED:
        text += " (paused)"
    if p.remark:  # the face networks being prepared: why the first photo takes a while
        text += f" · {p.remark}"
    return text
