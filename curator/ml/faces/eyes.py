"""Are a face's eyes open? The rule, from the eyelid contours and the mesh.

Per eye, the *openness* is the eye aspect ratio of the Iris model's lids
(`networks.EyeContour`): the mean gap between the upper and the lower lid
over the middle of the eye (lid pairs 2–6 of 1–7, where the lids are
furthest apart) against the distance between the corners. An open eye
reads 0.25–0.45, a shut one under 0.12 (calibration below).

A face's eyes are judged only when both can be seen:
- **turned away**: the nose tip sits far off the line between the eyes'
  middle and the chin, i.e. the head is turned past ~50° (`yaw_ratio` over
  `MAX_YAW`): the far eye is hidden or foreshortened to a sliver that reads
  as closed;
- **sunglasses**: the eye regions are much darker than the cheeks and show
  no bright sclera (`dark_eyes`): the lids the model draws are a guess;
- **too small**: a face under `MIN_JUDGED_PX` (the caller's rule).
Otherwise the eyes are CLOSED when the *more open* eye's openness is under
`CLOSED_BELOW` (a blink closes both; one eye open is a wink or a squint,
not a missed frame), OPEN when it is at least `OPEN_FROM`, and UNKNOWN
("can't tell") in the narrow band between.

Invariants: pure functions of landmark arrays and pixels; never raise for a
strange face (degenerate geometry gives UNKNOWN).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from curator.records import EyeState

CLOSED_BELOW = 0.13
OPEN_FROM = 0.17
MAX_YAW = 0.55
MIN_JUDGED_PX = 40  # faces smaller than this (long side, preview pixels) are counted only

TURNED_AWAY = "turned away"
SUNGLASSES = "sunglasses"
TOO_SMALL = "too small"
CANT_TELL = "can't tell"

# Face Mesh indices: nose tip, chin, the eyes' outer corners, cheek patches below the eyes.
NOSE_TIP = 1
CHIN = 152
RIGHT_OUTER, LEFT_OUTER = 33, 263
RIGHT_CHEEK, LEFT_CHEEK = 205, 425
DARK_EYE_RATIO = 0.55  # eye region mean luma under this share of the cheeks': dark lenses


def openness(lids: NDArray[np.float64]) -> float | None:
    """The eye aspect ratio of one eye's 16 lid points (see the module docstring);
    None when the corners coincide (no eye to measure)."""
    width = float(np.hypot(*(lids[0] - lids[8])))
    if width < 1e-6:
        return None
    lower = lids[2:7]  # 1..7 from corner 0 to corner 8; the middle five
    upper = lids[10:15]  # 9..15 from corner 0's side to corner 8's; the same five
    gap = np.hypot(*(upper - lower).T)
    return float(gap.mean() / width)


def yaw_ratio(points: NDArray[np.float64]) -> float:
    """How far the head is turned: the nose tip's offset from the middle of the
    eyes' outer corners, along the eye line, against half the corners' distance
    (0 facing the camera, ±1 at a full profile)."""
    right, left = points[RIGHT_OUTER], points[LEFT_OUTER]
    axis = left - right
    half = float(np.hypot(*axis)) / 2
    if half < 1e-6:
        return 1.0
    offset = float(np.dot(points[NOSE_TIP] - (right + left) / 2, axis / (2 * half)))
    return offset / half


@dataclass(frozen=True)
class EyeReading:
    state: EyeState
    note: str | None
    openness: float | None  # the more open eye's


def patch_mean(luma: NDArray[np.uint8], centre: NDArray[np.float64], radius: float) -> float:
    """Mean luma of a square of side 2 x `radius` around `centre` (clipped to the image)."""
    r = max(1, round(radius))
    x, y = round(float(centre[0])), round(float(centre[1]))
    patch = luma[max(0, y - r) : y + r + 1, max(0, x - r) : x + r + 1]
    return float(patch.mean()) if patch.size else 0.0


def dark_eyes(
    luma: NDArray[np.uint8],
    points: NDArray[np.float64],
    right_lids: NDArray[np.float64],
    left_lids: NDArray[np.float64],
) -> bool:
    """Dark lenses over both eyes: each eye's region (its lids' box) is much darker
    than the cheek below it, and its brightest part is no brighter than the cheek
    (an open eye's sclera and a closed lid's skin both are)."""
    for lids, cheek in ((right_lids, RIGHT_CHEEK), (left_lids, LEFT_CHEEK)):
        width = float(np.hypot(*(lids[0] - lids[8])))
        cheek_level = patch_mean(luma, points[cheek], width / 4)
        centre = lids.mean(axis=0)
        eye_level = patch_mean(luma, centre, width / 3)
        if cheek_level <= 0 or eye_level >= DARK_EYE_RATIO * cheek_level:
            return False
    return True


def judge_eyes(
    luma: NDArray[np.uint8],
    points: NDArray[np.float64],
    right_lids: NDArray[np.float64],
    left_lids: NDArray[np.float64],
) -> EyeReading:
    """The eyes' state (see the module docstring) from the mesh's points and both
    eyes' lids, all in the pixels of `luma` (the upright preview's)."""
    right, left = openness(right_lids), openness(left_lids)
    values = [v for v in (right, left) if v is not None]
    most_open = max(values) if values else None
    if abs(yaw_ratio(points)) > MAX_YAW:
        return EyeReading(EyeState.UNKNOWN, TURNED_AWAY, most_open)
    if most_open is None:
        return EyeReading(EyeState.UNKNOWN, CANT_TELL, None)
    if dark_eyes(luma, points, right_lids, left_lids):
        return EyeReading(EyeState.UNKNOWN, SUNGLASSES, most_open)
    if most_open < CLOSED_BELOW:
        return EyeReading(EyeState.CLOSED, None, most_open)
    if most_open >= OPEN_FROM:
        return EyeReading(EyeState.OPEN, None, most_open)
    return EyeReading(EyeState.UNKNOWN, CANT_TELL, most_open)
