"""Are a face's eyes open, narrowed in a laugh, or shut? The rule, from the blendshapes.

Face Landmarker's blendshapes read each eye's *blink* (0–1); both eyes' mean
decides (a blink closes both); one eye open under `WINK_OPEN` is a wink. UNKNOWN
when the eyes cannot be seen: mesh presence under `SEEN_FROM` (turned away,
hidden); sunglasses (both eye regions' 90th percentile of luma under
`DARK_LENS` of the cheek's, or their median under `LENS_MEDIAN`); under
`CLOSED_FROM_PX` never shut (`TOO_SMALL_TO_TELL`), while open is still told
(under `MIN_JUDGED_PX` the caller judges nothing).
OPEN under the blink's line (`closed_line`: `CLOSED_FROM` from `SMALL_FACE_PX`;
a smaller face asks `SMALL_FACE_BLINK` plus `BROW_BLINK` times the brows'
lowering, never past `SHUT_AT_ANY_SIZE`). Over it, on a face the mesh is sure
of (`SURE_FROM`, else `CANT_TELL`): NARROWED (a laugh, never a reject) when the
face smiles broadly (`LAUGH_SMILE`), its lids meet at or above `LAUGH_MID` eye
widths under the corners' line (`lids_meet`) and its brows are lowered
(`LAUGH_BROW`); else CLOSED (shut, or lowered in a look down).
GENKI-4K development smiles: "closed" of 6 of 967 open or narrowed eyes;
faces-dev blinks kept: 0.956 (docs/decisions/eyes-laugh.md).

A shut or narrowed reading is read again on the crop its landmarks frame
(ml.faces.find.read_eyes); the second stands. The lids' aspect ratio
(`openness`) is stored for the catalog and a burst's star, not the verdict.
Invariants: pure functions of landmarks, blink scores and pixels; never raise
(degenerate geometry gives UNKNOWN).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from curator.ml.faces.networks import Mesh
from curator.records import EyeState

CLOSED_FROM = 0.30  # both eyes' mean blink from which they are shut (a large face)
# Under this face size (px it is judged in) the line rises: with a fixed line 10 % of open
# faces under 130 px read shut, 2 % from 200 px on.
SMALL_FACE_PX = 200
SMALL_FACE_BLINK = 0.15  # ... by this at CLOSED_FROM_PX
BROW_BLINK = 0.4  # ... plus this times the brows' mean lowering there
SHUT_AT_ANY_SIZE = 0.5  # ... but a mean blink this high (the model's half shut) is shut on any face
WINK_OPEN = 0.05  # one eye's blink this low: that eye is open, a wink is not a blink
SEEN_FROM = 0.5  # the mesh's face presence under which the eyes are not judged
SURE_FROM = 0.9  # the presence a CLOSED verdict needs
DARK_LENS = 0.58  # eye region's 90th percentile luma / the cheek's median: a dark lens
LENS_MEDIAN = 0.35  # ... or its median luma / the cheek's: a lens with a glint (29 GENKI
# sunglasses: 17 "can't tell", 1 "closed", where the 90th percentile alone left 11 and 4)
# A laugh, not a blink (each a line a half of the files chose alone: eyes-laugh.md):
LAUGH_SMILE = 0.7  # the smile score (0.5: smiling) from which a face smiles broadly ...
LAUGH_MID = -0.01  # ... its lids meeting at least this far above the corners' line (eye widths)
LAUGH_BROW = 0.10  # ... and its brows lowered this much (browDown, both brows' mean)
MIN_JUDGED_PX = 40  # faces smaller than this (long side, preview pixels) are counted only
CLOSED_FROM_PX = 64  # a CLOSED verdict needs a face this large (its eye 8-12 px wide under it)

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
    openness: float | None  # both eyes' mean lid aspect ratio (one eye's where one is measurable)
    blink: float | None = None  # both eyes' mean blink score


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
    """Dark lenses over both eyes: both eye regions' 90th percentile of luma
    under `DARK_LENS` of their cheek's median, or both medians under
    `LENS_MEDIAN` of it (see the module docstring)."""
    bright, middle = [], []
    for lids, cheek in ((right_lids, RIGHT_CHEEK), (left_lids, LEFT_CHEEK)):
        width = float(np.hypot(*(lids[0] - lids[8])))
        eye = square(luma, lids.mean(axis=0), 0.9 * width)
        skin = square(luma, points[cheek], 0.5 * width)
        if eye.size == 0 or skin.size == 0:
            return False
        level = max(1.0, float(np.median(skin)))
        high, mid = np.percentile(eye, (90, 50))
        bright.append(float(high) / level)
        middle.append(float(mid) / level)
    return max(bright) < DARK_LENS or max(middle) < LENS_MEDIAN


def lids_meet(lids: NDArray[np.float64]) -> float | None:
    """Where one eye's lids meet, in eye widths above the line of its corners
    (negative: under it), from its 16 lid points (`networks.RIGHT_EYE_LIDS`'
    layout): the mean of the upper and the lower lid's middle points' heights
    over that line, measured square to it; None when the corners coincide."""
    a, b = lids[0], lids[8]
    width = float(np.hypot(*(b - a)))
    if width < 1e-6:
        return None
    across = (b - a) / width
    up = np.array([across[1], -across[0]])
    if up[1] > 0:  # upwards in the image
        up = -up
    mid = (a + b) / 2
    return float((lids[12] - mid) @ up + (lids[4] - mid) @ up) / (2 * width)


def laughing(
    right_lids: NDArray[np.float64],
    left_lids: NDArray[np.float64],
    smile: float | None,
    brow_down: float,
) -> bool:
    """Whether eyes the blink reads shut are narrowed in a laugh: the face
    smiles broadly, both eyes' lids meet (`lids_meet`, their mean) high
    enough and the brows are lowered (see the module docstring)."""
    if smile is None or smile < LAUGH_SMILE or brow_down < LAUGH_BROW:
        return False
    heights = [lids_meet(right_lids), lids_meet(left_lids)]
    known = [h for h in heights if h is not None]
    return len(known) == 2 and sum(known) / 2 >= LAUGH_MID


def judge_eyes(
    luma: NDArray[np.uint8],
    mesh: Mesh,
    blink: tuple[float, float],
    size_px: float | None = None,
    brow_down: float = 0.0,
    smile: float | None = None,
) -> EyeReading:
    """The eyes' state (see the module docstring) from the landmarks (in the
    pixels of `luma`, the upright preview's) and both eyes' blink scores
    (the subject's right, then left); `size_px` is the face's long side there
    (None: large enough); `brow_down` the brows' mean lowering (0–1): on a
    small face both raise the blink a shut verdict needs (`closed_line`);
    `smile` the face's smile score (ml.faces.expression; None: not read),
    read before the eyes: with the lids and brows it tells a laugh's
    narrowed eyes from shut ones (`laughing`)."""
    right_lids, left_lids = mesh.right_lids, mesh.left_lids
    values = [v for v in (openness(right_lids), openness(left_lids)) if v is not None]
    lids = sum(values) / len(values) if values else None
    mean_blink = (blink[0] + blink[1]) / 2
    if mesh.presence < SEEN_FROM:
        return EyeReading(EyeState.UNKNOWN, TURNED_AWAY, lids, mean_blink)
    if lids is None:
        return EyeReading(EyeState.UNKNOWN, CANT_TELL, None, mean_blink)
    if dark_lenses(luma, mesh.points, right_lids, left_lids):
        return EyeReading(EyeState.UNKNOWN, SUNGLASSES, lids, mean_blink)
    winks = min(blink) < WINK_OPEN
    if mean_blink < closed_line(brow_down, size_px) or winks:
        return EyeReading(EyeState.OPEN, None, lids, mean_blink)
    if mesh.presence < SURE_FROM:
        return EyeReading(EyeState.UNKNOWN, CANT_TELL, lids, mean_blink)
    if size_px is not None and size_px < CLOSED_FROM_PX:
        return EyeReading(EyeState.UNKNOWN, TOO_SMALL_TO_TELL, lids, mean_blink)
    if laughing(right_lids, left_lids, smile, brow_down):
        return EyeReading(EyeState.NARROWED, None, lids, mean_blink)
    return EyeReading(EyeState.CLOSED, None, lids, mean_blink)


def read_shut(reading: EyeReading) -> bool:
    """Eyes the blink reads shut (CLOSED, or NARROWED in a laugh), or a
    reading the rule cannot tell from them ("can't tell": the blink over the
    line on a face the model is unsure of, or no lids): the readings read
    again. A face too small to be called shut is not one: a crowd's back
    rows would each cost a second reading that could never make them CLOSED."""
    return reading.state in (EyeState.CLOSED, EyeState.NARROWED) or reading.note == CANT_TELL


def closed_line(brow_down: float, size_px: float | None = None) -> float:
    """The mean blink from which eyes are shut on a face `size_px` pixels long
    (None: large) whose brows are lowered `brow_down` (0–1; module docstring)."""
    if size_px is None or size_px >= SMALL_FACE_PX:
        return CLOSED_FROM
    small = min((SMALL_FACE_PX - size_px) / (SMALL_FACE_PX - CLOSED_FROM_PX), 1.0)
    raised = small * (SMALL_FACE_BLINK + BROW_BLINK * min(max(brow_down, 0.0), 1.0))
    return min(CLOSED_FROM + raised, SHUT_AT_ANY_SIZE)
