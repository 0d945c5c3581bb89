"""The moments of a burst or scene: frames that are one picture taken again.

A burst (ml.bursts) is one moment unless different people stand in front of
the same backdrop, read from the key faces' layout (ml.faces.verdicts) against
each moment's first frame: another count of key faces (or faces against none),
or a key face with none of the other frame within its own width and height or
within `SIZE_RATIO` of its size, is another moment. An unjudged frame joins
the burst's first moment. Two people swapping places read as one moment.

Pure; deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence

from curator.records import ProposalFrame

SIZE_RATIO = 1.6
Box = tuple[float, float, float, float]


def layout(frame: ProposalFrame) -> tuple[Box, ...] | None:
    """The frame's key faces, () when the stage looked and found nobody, None
    when there is nothing to compare (not looked at, or faces too small to judge)."""
    faces = frame.faces
    if faces is None:
        return None
    if faces.count == 0:
        return ()
    if faces.key == 0 or not frame.key_boxes:
        return None
    return frame.key_boxes


def _near(a: Box, b: Box) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    dx = abs((ax + aw / 2) - (bx + bw / 2))
    dy = abs((ay + ah / 2) - (by + bh / 2))
    if dx > max(aw, bw) or dy > max(ah, bh):
        return False
    big, small = max(aw * ah, bw * bh), min(aw * ah, bw * bh)
    return small > 0 and (big / small) ** 0.5 <= SIZE_RATIO


def same_people(a: tuple[Box, ...] | None, b: tuple[Box, ...] | None) -> bool:
    """Whether two layouts show the same people where they stood (None: unknown, same)."""
    if a is None or b is None:
        return True
    if len(a) != len(b):
        return False
    return all(any(_near(x, y) for y in b) for x in a) and all(
        any(_near(y, x) for x in a) for y in b
    )


def moments(frames: Sequence[ProposalFrame], by_faces: bool = True) -> list[list[int]]:
    """The moments of one burst's frames (in capture order), as lists of indexes
    into `frames`; without `by_faces` the burst is one moment."""
    if not by_faces or len(frames) < 2:
        return [list(range(len(frames)))]
    groups: list[list[int]] = []
    anchors: list[tuple[Box, ...] | None] = []
    for i, frame in enumerate(frames):
        mine = layout(frame)
        for k, group in enumerate(groups):
            if mine is None or same_people(anchors[k], mine):
                group.append(i)
                if anchors[k] is None:  # a moment's anchor is its first known layout
                    anchors[k] = mine
                break
        else:
            groups.append([i])
            anchors.append(mine)
    return groups
