"""Burst and bracket detection, and best-frame suggestion. Pure; no catalog, no Qt.

A burst is a run of frames from the same camera, each taken within
`max_gap_s` of the previous one, that show the same scene as the run's
*first* frame: their CLIP embeddings agree (cosine ≥ `min_cosine`) **or**
their exposure-invariant structural signatures agree (imaging.structure,
distance ≤ `max_structure_distance`). The signature is what holds an
exposure bracket together — its brightest frames fall under the cosine
threshold — and what groups bursts when there are no embeddings at all (no
CLIP weights yet). Comparing with the first frame, not the previous one,
keeps a group from drifting across a slow pan.

Order, and so the groups, are deterministic: frames sort by camera, capture
time (with sub-seconds), the camera's sequence number (frames without one
after those with), file name, then full path — never the photo id, so the
same folder gives the same groups whatever order it was imported in. The
sort is O(n log n) and the sweep O(n): never all pairs of the library; only
frames in the time gate of a neighbour have their signature prepared.
Frames without a capture time, or with neither an embedding nor a
signature, are never grouped.

Best frame (`best_frame`), in this order, each step keeping the frames
within `tech_tolerance` points of the best one:
1. exposure — in a bracket (frames whose EXIF exposure bias differs) the
   frames closest to the metered exposure (smallest |bias|) first, so a
   −1.3 EV frame never wins while the metered one is there; then the
   exposure score;
2. sharpness score (a shaken frame loses);
3. preference score (the user's taste); a remaining tie goes to the first
   frame in capture order.

`Frame` and `Burst` are plain records (curator.records, re-exported here): the
catalog reads frames and writes bursts without importing ml.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import numpy as np

from curator.imaging.structure import (
    SAME_SCENE_MAX_DISTANCE,
    prepare_signatures,
    prepared_distance,
)
from curator.records import Burst, Frame

__all__ = [
    "Burst",
    "Frame",
    "best_frame",
    "capture_order",
    "find_bursts",
    "technical_quality",
]


def technical_quality(frame: Frame) -> float:
    """Harmonic mean of sharpness and exposure (0 when either is missing or 0)."""
    s, e = frame.sharpness or 0.0, frame.exposure or 0.0
    return 0.0 if s <= 0 or e <= 0 else 2 * s * e / (s + e)


def capture_order(frame: Frame) -> tuple[str, datetime, bool, int, str, str]:
    """The sort key: camera, capture time, sequence number, file name, path."""
    assert frame.captured_at is not None
    seq = frame.sequence_number
    return (
        frame.camera or "",
        frame.captured_at,
        seq is None,
        seq if seq is not None else 0,
        frame.name,
        frame.path,
    )


def best_frame(frames: Sequence[Frame], tech_tolerance: float = 5.0) -> int:
    """The suggested frame's photo id (rule in the module docstring); `frames`
    in capture order."""
    pool = list(frames)
    biases = {f.exposure_bias for f in pool if f.exposure_bias is not None}
    if len(biases) > 1:  # a bracket: the frames nearest the metered exposure
        nearest = min(abs(b) for b in biases)
        pool = [f for f in pool if f.exposure_bias is not None and abs(f.exposure_bias) == nearest]
    for measure in (_score(lambda f: f.exposure), _score(lambda f: f.sharpness)):
        top = max(measure(f) for f in pool)
        pool = [f for f in pool if measure(f) >= top - tech_tolerance]
    top_pref = max(f.preference or 0.0 for f in pool)
    return next(f for f in pool if (f.preference or 0.0) == top_pref).photo_id


def _score(get: Callable[[Frame], float | None]) -> Callable[[Frame], float]:
    return lambda f: get(f) or 0.0


def find_bursts(
    frames: Sequence[Frame],
    *,
    max_gap_s: float = 3.0,
    min_cosine: float = 0.92,
    max_structure_distance: float = SAME_SCENE_MAX_DISTANCE,
    tech_tolerance: float = 5.0,
) -> list[Burst]:
    """Bursts of `frames` (see the module docstring); each lists its photo ids
    in capture order, its group id is the smallest of them."""
    usable = [
        f
        for f in frames
        if f.captured_at is not None and (f.embedding is not None or f.struct_sig is not None)
    ]
    usable.sort(key=capture_order)

    def in_gate(earlier: Frame, later: Frame) -> bool:
        gap = (later.captured_at - earlier.captured_at).total_seconds()  # type: ignore[operator]
        return later.camera == earlier.camera and gap <= max_gap_s

    # Only frames in the time gate of a neighbour are ever compared: prepare those.
    gated = [
        (i > 0 and in_gate(usable[i - 1], f)) or (i + 1 < len(usable) and in_gate(f, usable[i + 1]))
        for i, f in enumerate(usable)
    ]
    signatures = prepare_signatures(
        [f.struct_sig if near else None for f, near in zip(usable, gated, strict=True)]
    )

    def same_scene(first: int, this: int) -> bool:
        """Embeddings agree, or the structural signatures do."""
        a, b = usable[first].embedding, usable[this].embedding
        if a is not None and b is not None and float(np.dot(a, b)) >= min_cosine:
            return True
        distance = prepared_distance(signatures[first], signatures[this])
        return distance is not None and distance <= max_structure_distance

    bursts: list[Burst] = []
    run: list[int] = []  # indices into `usable`; run[0] is the anchor

    def close_run() -> None:
        if len(run) >= 2:
            members = [usable[i] for i in run]
            ids = tuple(f.photo_id for f in members)
            bursts.append(Burst(min(ids), ids, best_frame(members, tech_tolerance)))
        run.clear()

    for index, frame in enumerate(usable):
        if run and not (in_gate(usable[run[-1]], frame) and same_scene(run[0], index)):
            close_run()
        run.append(index)
    close_run()
    return bursts
