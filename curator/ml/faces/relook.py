"""Where to look again for a face that a burst's other frames show.

When no face is found in a frame but the frames shot just before or after it
have key faces, the face is most likely still there (docs/decisions/faces.md).
`look_again_at` says, for each such frame, where its neighbours' key faces are;
the faces stage looks closer there (`ml.faces.find`: `again_regions`).

A neighbour: same camera (`Shot.camera`), less than `gap_s` apart
(`Settings.burst_gap_s`), displayed aspect within `SAME_ASPECT`. Nothing here
decides that a face is there.

Invariants: pure; deterministic in any order; O(n log n), each frame walking
only its own time window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

Box = tuple[float, float, float, float]  # x, y, w, h as fractions of the frame

SAME_ASPECT = 0.02  # displayed aspects this close (relative) frame the subject alike
MAX_PLACES = 4  # a frame is looked at again in at most this many places
SAME_PLACE = 0.5  # two faces centred within this share of the larger's side …
SAME_SIZE = 1.25  # … and this near in size are one place to look (each its own zoom else)


@dataclass(frozen=True)
class Shot:
    """One frame as the look again reads it: `faces` are its key faces' boxes
    (fractions of the frame, largest first); empty for a frame whose faces
    were looked for and none was found — the frames to look at again."""

    photo_id: int
    camera: str | None
    when: datetime
    aspect: float | None  # displayed width / height (None: not known)
    faces: tuple[Box, ...] = ()


def look_again_at(shots: Sequence[Shot], gap_s: float) -> dict[int, tuple[Box, ...]]:
    """Each frame without a face that has neighbours with key faces (module
    docstring), with where those faces are: at most `MAX_PLACES` places,
    largest first, one box for faces at the same place."""
    ordered = sorted(shots, key=lambda s: (s.camera or "", s.when, s.photo_id))
    out: dict[int, tuple[Box, ...]] = {}
    for i, shot in enumerate(ordered):
        if shot.faces:
            continue
        boxes = [
            box
            for other in _neighbours(ordered, i, gap_s)
            if other.faces and _framed_alike(shot.aspect, other.aspect)
            for box in other.faces
        ]
        if boxes:
            out[shot.photo_id] = _places(boxes)
    return out


def _neighbours(ordered: Sequence[Shot], i: int, gap_s: float) -> list[Shot]:
    """The shots of `ordered[i]`'s camera less than `gap_s` from it, either side."""
    shot, found = ordered[i], []
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(ordered):
            other = ordered[j]
            apart = abs((other.when - shot.when).total_seconds())
            if other.camera != shot.camera or apart >= gap_s:
                break
            found.append(other)
            j += step
    return found


def _framed_alike(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a > 0 and b > 0 and abs(a / b - 1.0) <= SAME_ASPECT


def _places(boxes: list[Box]) -> tuple[Box, ...]:
    """`boxes` less each one at a larger one's place (`SAME_PLACE`) and of
    about its size (`SAME_SIZE`: a look is a region around a face, sized by
    it, and one face's boxes in two frames can differ in size — the burst
    bench's 128 px peak was found in the region of its sibling's 133 px
    box, not in its other sibling's 227 px one's at the same place),
    largest first, at most `MAX_PLACES`."""
    kept: list[Box] = []
    for box in sorted(boxes, key=lambda b: (-max(b[2], b[3]), b)):
        if not any(_same_place(box, k) for k in kept):
            kept.append(box)
        if len(kept) == MAX_PLACES:
            break
    return tuple(kept)


def _same_place(box: Box, kept: Box) -> bool:
    """Whether `box` (no larger than `kept`) is at `kept`'s place and of its size."""
    reach = SAME_PLACE * max(kept[2], kept[3])
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    near = abs(cx - kept[0] - kept[2] / 2) <= reach and abs(cy - kept[1] - kept[3] / 2) <= reach
    return near and max(kept[2], kept[3]) <= SAME_SIZE * max(box[2], box[3])


__all__ = ["MAX_PLACES", "Box", "Shot", "look_again_at"]
