"""Burst detection and best-frame suggestion. Pure; no catalog, no Qt.

A burst is a run of frames from the same camera, each taken within
`max_gap_s` of the previous one, whose CLIP embeddings are near-identical
(cosine ≥ `min_cosine` with the previous frame). Frames are sorted by
(camera, capture time) and swept once: O(n log n) for the sort and O(n) for
the sweep — never all pairs of the library. Frames without a capture time or
an embedding are never grouped.

Best frame: the technically best first — a frame's technical quality is the
harmonic mean of its sharpness and exposure scores, so an exposure bracket's
−1.3 EV frame does not win just because it is crisp — and among frames within
`tech_tolerance` points of the technically best, the highest preference score
(the user's taste) decides.

`Frame` and `Burst` are plain records (curator.records, re-exported here): the
catalog reads frames and writes bursts without importing ml.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from curator.records import Burst, Frame

__all__ = ["Burst", "Frame", "best_frame", "find_bursts", "technical_quality"]


def technical_quality(frame: Frame) -> float:
    s, e = frame.sharpness or 0.0, frame.exposure or 0.0
    return 0.0 if s <= 0 or e <= 0 else 2 * s * e / (s + e)


def best_frame(frames: Sequence[Frame], tech_tolerance: float = 5.0) -> int:
    top = max(technical_quality(f) for f in frames)
    near = [f for f in frames if technical_quality(f) >= top - tech_tolerance]
    return max(near, key=lambda f: (f.preference or 0.0, technical_quality(f))).photo_id


def find_bursts(
    frames: Sequence[Frame],
    *,
    max_gap_s: float = 3.0,
    min_cosine: float = 0.92,
    tech_tolerance: float = 5.0,
) -> list[Burst]:
    usable = [f for f in frames if f.captured_at is not None and f.embedding is not None]
    usable.sort(key=lambda f: (f.camera or "", f.captured_at, f.photo_id))
    bursts: list[Burst] = []
    run: list[Frame] = []

    def close_run() -> None:
        if len(run) >= 2:
            ids = tuple(f.photo_id for f in run)
            bursts.append(Burst(min(ids), ids, best_frame(run, tech_tolerance)))
        run.clear()

    for frame in usable:
        if run:
            prev = run[-1]
            gap = (frame.captured_at - prev.captured_at).total_seconds()  # type: ignore[operator]
            similar = float(np.dot(frame.embedding, prev.embedding)) >= min_cosine  # type: ignore[arg-type]
            if frame.camera != prev.camera or gap > max_gap_s or not similar:
                close_run()
        run.append(frame)
    close_run()
    return bursts
