"""The quick look stage: plan → run → apply, ahead of the technical stage.

Why: the technical stage decodes and measures (~20 files/s for 3 MP JPEGs on
two cores), so a 1,000-file folder used to fill the grid over ~50 s. The
quick look puts every new file in the grid within seconds from the camera's
embedded thumbnail (imaging.quicklook); the measurement follows behind and
replaces it.

- `plan_quick_look(plan, settings, cache_dir)` (main thread, no I/O): the
  technical plan's requests whose path the catalog has no row for
  (`TechnicalPlan.new_paths`), in chunks of `CHUNK` paths — one child call
  each, so the per-call round trip is paid once per chunk.
- `run_quick_looks(job)` (a child process of the technical stage's pool,
  crash-isolated like the decoding: LibRaw reads RAW thumbnails) is pure:
  the chunk's `QuickLook`s, skipping what cannot be quick-looked and the
  bytes already measured (the child's known hashes). Never raises.
- apply: `catalog.quicklook.apply_quick_looks`, the one write path
  (pipeline.stages.quicklook_runner drives run and apply on the StageRunner).

A failed or skipped quick look costs nothing but time: the file shows up
when the technical stage measures it, and that stage reports any failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from curator.imaging.types import QuickLook
from curator.pipeline.stages.technical_child import known_hashes

if TYPE_CHECKING:  # a decoder child imports this module: no catalog, no settings there
    from curator.pipeline.stages.technical import TechnicalPlan
    from curator.settings import Settings

CHUNK = 16  # paths per child call


@dataclass(frozen=True)
class QuickLookJob:
    """Immutable input of one child call: a chunk of paths (picklable)."""

    paths: tuple[str, ...]
    cache_dir: str
    long_edge: int = 320


def plan_quick_look(plan: TechnicalPlan, settings: Settings, cache_dir: str) -> list[QuickLookJob]:
    """Chunks of the new files, in the technical plan's (scan) order."""
    paths = [r.path for r in plan.requests if r.path in plan.new_paths]
    return [
        QuickLookJob(tuple(paths[i : i + CHUNK]), cache_dir, settings.thumbnail_long_edge)
        for i in range(0, len(paths), CHUNK)
    ]


def run_quick_looks(job: QuickLookJob) -> tuple[QuickLook, ...]:
    """The stage body (runs in a child process): the chunk's quick looks."""
    from curator.imaging.quicklook import quick_look  # the imaging stack: children only

    hashes = known_hashes()
    looks = []
    for path in job.paths:
        try:
            look = quick_look(path, job.cache_dir, long_edge=job.long_edge, known_hashes=hashes)
        except Exception:  # a quick look is optional: the technical stage will say why
            look = None
        if look is not None:
            looks.append(look)
    return tuple(looks)
