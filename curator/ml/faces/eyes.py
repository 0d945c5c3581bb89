"""Are a face's eyes open? The rule, from the eyelid contours and the mesh.

Per eye, the *openness* is the eye aspect ratio of the Iris model's lids
(`networks.EyeContour`): the mean gap between the upper and the lower lid
over the middle of the eye (lid pairs 2–6 of 1–7, where the lids are
furthest apart) against the distance between the corners.

A face's eyes are judged only when they can be seen:
- **turned away or hidden**: the mesh hardly sees a face in the crop
  (presence under `SEEN_FROM`: a profile, a head turned down, a hand over
  the face) — its eye points are a guess;
- **sunglasses**: both eye regions (a square of 0.9 eye widths around the
  lids) are dark where an eye never is: their 90th percentile of luma is
  under `DARK_LENS` of the cheek below (an open eye's sclera and a closed
  lid's skin both reach the cheek's level; on the labelled set open eyes
  read 0.61 and up, 5 of 8 sunglasses 0.11–0.56; the other three are light
  or reflective lenses, judged as eyes and never called closed unless they
  read shut);
- **too small**: a face under `MIN_JUDGED_PX` (the caller's rule); and a
  face under `CLOSED_FROM_PX` is never called CLOSED ("too small to tell
  shut eyes from a look down"): its eye is 8–12 preview pixels wide, and on
  the labelled set 9 of the 10 faces of 40–63 px read shut were open or
  looking down (2 of the 5 group photos wrongly badged CLOSED EYES); open
  is still told (a burst's everyone-open frame).
Otherwise the eyes are judged on both eyes' mean openness: CLOSED when it
is under `CLOSED_BELOW`, no eye reads clearly open (`CLEARLY_OPEN`: one eye
wide open is a wink or a squint, not a missed frame) and the mesh is sure of
the face (`SURE_FROM`: a shut verdict on a poor fit would be a guess); OPEN
when it is at least `OPEN_FROM` or one eye reads clearly open; UNKNOWN
("can't tell") in the narrow band between.

Why the mean, not the more open eye: the Iris model reads a shut eye partly
open now and then, one eye at a time (behind glasses, in a blink's last
frame), and a blink closes both. On the labelled set (tests/bench/faces_eval.py,
2026-11-25: 54 faces ≥ 80 px with both eyes labelled, 16 of them shut, from
nine people) the more open eye missed two shut faces whose other eye read
fully shut: a yawning man in glasses (0.229 / 0.041) and a speaker at the
end of a blink (0.178 / 0.052). The mean of the shut faces runs 0.066–0.151,
of the open ones 0.171 (an official portrait's narrow eyes) and up, the next
0.21; no open face has both eyes under `CLEARLY_OPEN` with a mean under the
line, and the widest-open eye of a shut face reads 0.229. An earlier set (168
faces, 22 shut) put the more open eye's line at 0.17: shut eyes 0.07–0.175,
open ones from 0.18 (a smile's squint). Face Mesh's own lids do not separate
shut from open at all (shut 0.22–0.33, open from 0.20) and are not used; a
HOG + logistic classifier of the eye crops, cross-validated by person, did
no better than these lines on so few shut eyes.

Invariants: pure functions of landmark arrays and pixels; never raise for a
strange face (degenerate geometry gives UNKNOWN).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from curator.ml.faces.networks import Mesh
from curator.records import EyeState

CLOSED_BELOW = 0.16  # both eyes' mean openness under which they are shut
OPEN_FROM = 0.165  # ... from which they are open
CLEARLY_OPEN = 0.25  # one eye this open: a wink or a squint, never a blink
SEEN_FROM = 0.5  # the mesh's face presence under which the eyes are not judged
SURE_FROM = 0.9  # the presence a CLOSED verdict needs
DARK_LENS = 0.58  # eye region's 90th percentile luma / the cheek's median: a dark lens
MIN_JUDGED_PX = 40  # faces smaller than this (long side, preview pixels) are counted only
CLOSED_FROM_PX = 64  # a CLOSED verdict needs a face this large (module docstring)

TURNED_AWAY = "turned away or hidden"
SUNGLASSES = "sunglasses"
TOO_SMALL = "too small"
TOO_SMALL_TO_TELL = "too small to tell shut eyes from a look down"
CANT_TELL = "can't tell"

# Face Mesh indices of the cheek patches below the eyes.
RIGHT_CHEEK, LEFT_CHEEK = 205, 425


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


@dataclass(frozen=True)
class EyeReading:
    state: EyeState
    note: str | None
    openness: float | None  # both eyes' mean (the one eye's where one could be measured)


def square(luma: NDArray[np.uint8], centre: NDArray[np.float64], side: float) -> NDArray[np.uint8]:
    """The pixels of a square of `side` around `centre`, clipped to the image."""
    half = max(1, round(side / 2))
    x, y = round(float(centre[0])), round(float(centre[1]))
    return luma[max(0, y - half) : y + half + 1, max(0, x - half) : x + half + 1]


def dark_lenses(
    luma: NDArray[np.uint8],
    points: NDArray[np.float64],
    right_lids: NDArray[np.float64],
    left_lids: NDArray[np.float64],
) -> bool:
    """Dark lenses over both eyes (see the module docstring)."""
    for lids, cheek in ((right_lids, RIGHT_CHEEK), (left_lids, LEFT_CHEEK)):
        width = float(np.hypot(*(lids[0] - lids[8])))
        eye = square(luma, lids.mean(axis=0), 0.9 * width)
        skin = square(luma, points[cheek], 0.5 * width)
        if eye.size == 0 or skin.size == 0:
            return False
        if float(np.percentile(eye, 90)) >= DARK_LENS * max(1.0, float(np.median(skin))):
            return False
    return True


def judge_eyes(
    luma: NDArray[np.uint8],
    mesh: Mesh,
    right_lids: NDArray[np.float64],
    left_lids: NDArray[np.float64],
    size_px: float | None = None,
) -> EyeReading:
    """The eyes' state (see the module docstring) from the mesh and both eyes'
    lids, all in the pixels of `luma` (the upright preview's); `size_px` is the
    face's long side there (None: large enough)."""
    right, left = openness(right_lids), openness(left_lids)
    values = [v for v in (right, left) if v is not None]
    both = sum(values) / len(values) if values else None
    if mesh.presence < SEEN_FROM:
        return EyeReading(EyeState.UNKNOWN, TURNED_AWAY, both)
    if both is None:
        return EyeReading(EyeState.UNKNOWN, CANT_TELL, None)
    if dark_lenses(luma, mesh.points, right_lids, left_lids):
        return EyeReading(EyeState.UNKNOWN, SUNGLASSES, both)
    one_wide_open = max(values) >= CLEARLY_OPEN
    if both < CLOSED_BELOW and not one_wide_open and mesh.presence >= SURE_FROM:
        if size_px is not None and size_px < CLOSED_FROM_PX:
            return EyeReading(EyeState.UNKNOWN, TOO_SMALL_TO_TELL, both)
        return EyeReading(EyeState.CLOSED, None, both)
    if both >= OPEN_FROM or one_wide_open:
        return EyeReading(EyeState.OPEN, None, both)
    return EyeReading(EyeState.UNKNOWN, CANT_TELL, both)
