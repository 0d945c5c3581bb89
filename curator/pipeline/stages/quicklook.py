"""The quick look stage: plan → run → apply, ahead of the technical stage.

It puts every new file in the grid within seconds, from the camera's embedded
thumbnail (imaging.quicklook); the measurement follows and replaces it.

- `plan_quick_look` (main thread, no I/O): the technical plan's new paths
  (`TechnicalPlan.new_paths`) in chunks of `CHUNK`, one child call each.
- `run_quick_looks(job)` (a child of the technical stage's pool) is pure: the
  chunk's `QuickLook`s, skipping known hashes. Never raises.
- apply: `catalog.quicklook.apply_quick_looks` (driven by
  pipeline.stages.quicklook_runner).

Round one lists every new file (~1 ms a file, `decode=False`) and queues the
JPEGs without a thumbnail in a `ThumbnailQueue`; round two decodes those at
DCT 1/8 (~10 ms a file), `THUMBNAIL_CHUNK` at a time, on-screen files first
(`ThumbnailQueue.prefer`), a turn per chunk queued;
`catalog.quicklook.apply_quick_thumbnails` writes them. A failed quick look
costs only time: the technical stage reports it.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from curator.imaging.types import QuickLook
from curator.pipeline.stages.technical_child import known_hashes

if TYPE_CHECKING:  # a decoder child imports this module: no catalog, no settings there
    from curator.pipeline.stages.technical import TechnicalPlan
    from curator.settings import Settings

CHUNK = 16  # paths per child call (round one: listings, ~1 ms a file)
THUMBNAIL_CHUNK = 4  # paths per child call in round two: a scroll is served within ~50 ms


@dataclass(frozen=True)
class QuickLookJob:
    """Immutable input of one child call: a chunk of paths (picklable).
    `decode` False: round one (list a JPEG without an embedded thumbnail);
    True: round two, whose paths the runner takes from the `ThumbnailQueue`
    when the job is run (a job made with no paths is a turn at the queue)."""

    paths: tuple[str, ...]
    cache_dir: str
    long_edge: int = 320
    decode: bool = False


class ThumbnailQueue:
    """The files round two still has to decode, in the order they will be
    taken: round one's plan (`plan_order`: a watch's newest file first),
    whichever of its parallel jobs wrote first, then any others as put;
    `prefer` moves the given ones to the front. Thread-safe: the UI thread
    puts and prefers; pool threads take. A take never waits: a turn is queued
    for files already put (`plan_thumbnail_turns`), so no pool thread is held
    for round one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._order: dict[str, None] = {}  # insertion-ordered set; front first
        self._front: list[str] = []  # preferred, in the order asked
        self._rank: dict[str, int] = {}  # round one's planned order

    def plan_order(self, paths: Iterable[str]) -> None:
        """The order to take files in (round one's jobs' paths, in order)."""
        with self._lock:
            self._rank = {path: i for i, path in enumerate(paths)}

    def __len__(self) -> int:
        with self._lock:
            return len(self._order)

    def put(self, paths: Iterable[str]) -> None:
        with self._lock:
            for path in paths:
                self._order[path] = None

    def prefer(self, paths: Iterable[str]) -> None:
        """Decode these next (the tiles on screen), in this order. Replaces
        the last preference. A path not queued yet is remembered (its row
        may reach the grid just before round one queues it); one never
        queued, or already taken, is passed over."""
        with self._lock:
            self._front = list(dict.fromkeys(paths))

    def take(self, n: int) -> tuple[str, ...]:
        """Up to `n` paths, preferred first; each path is taken once; () when
        none is queued."""
        with self._lock:
            taken: list[str] = []
            for path in [p for p in self._front if p in self._order][:n]:
                del self._order[path]
                taken.append(path)
            if taken:
                chosen = set(taken)
                self._front = [p for p in self._front if p not in chosen]
            last = len(self._rank)  # nsmallest: sorted()[:k] in O(n log k)
            for path in heapq.nsmallest(
                n - len(taken), self._order, key=lambda p: self._rank.get(p, last)
            ):
                del self._order[path]
                taken.append(path)
            return tuple(taken)


def plan_quick_look(
    plan: TechnicalPlan, settings: Settings, cache_dir: str, *, newest_first: bool = False
) -> list[QuickLookJob]:
    """Round one: chunks of the new files, in the technical plan's (scan) order,
    or its reverse (`newest_first`: a watch's batch, planned in landing order)."""
    paths = [r.path for r in plan.requests if r.path in plan.new_paths]
    if newest_first:
        paths.reverse()
    return [
        QuickLookJob(tuple(paths[i : i + CHUNK]), cache_dir, settings.thumbnail_long_edge)
        for i in range(0, len(paths), CHUNK)
    ]


def plan_thumbnail_turns(queued: int, like: QuickLookJob) -> list[QuickLookJob]:
    """Round two: one turn at the queue per `THUMBNAIL_CHUNK` of the files
    just `queued` (a turn takes the preferred ones first, whichever they are)."""
    turns = -(-queued // THUMBNAIL_CHUNK)
    return [QuickLookJob((), like.cache_dir, like.long_edge, decode=True)] * turns


def run_quick_looks(job: QuickLookJob) -> tuple[QuickLook, ...]:
    """The stage body (runs in a child process): the chunk's quick looks."""
    from curator.imaging.quicklook import quick_look  # the imaging stack: children only

    hashes = known_hashes()
    looks = []
    for path in job.paths:
        try:
            look = quick_look(
                path,
                job.cache_dir,
                long_edge=job.long_edge,
                known_hashes=hashes,
                decode=job.decode,
            )
        except Exception:  # a quick look is optional: the technical stage will say why
            look = None
        if look is not None:
            looks.append(look)
    return tuple(looks)
