"""Missed focus: is the subject softer than a sharp scene around it?

A pure judgment on the working luma and its per-tile detail
(`metrics.tile_detail`): `subject_focus` says how much softer the subject is
than the sharp part of the frame, and the factor by which the frame's detail
level falls. Per tile:
- the subject is the central ellipse (`SUBJECT_AXIS`);
- soft, not plain: fine detail against `coarse_contrast`; only textured tiles
  (`TEXTURE_SHARE`, `MIN_CONTRAST`) count;
- sharp elsewhere: tiles at `SHARP_SHARE` of the top ratio, broad and around
  the subject (`MIN_SHARP_SHARE`, `MIN_QUADRANTS`, `MIN_SHARP_LEVEL`,
  `NOISE_MARGIN`): a subject on bokeh is not missed;
- under `SOFT_FROM` the level falls by ``ratio ** (LEVEL_EXPONENT x weight)``,
  weight reaching 1 at `SOFT_FULL`; `MISSED_FOCUS_NOTE` from `NOTE_BELOW`.
Too few textured tiles (`MIN_SUBJECT_TILES`, `MIN_OUTSIDE_TILES`): not judged.
Benches: docs/decisions/imaging.md.

Invariants: inputs never modified; the factor is in (0, 1], exactly 1.0
when not judged or not clearly softer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from curator.imaging.orientation import box_shrink, grid_means

__all__ = [
    "MISSED_FOCUS_NOTE",
    "SubjectFocus",
    "coarse_contrast",
    "subject_ellipse",
    "subject_focus",
]

MISSED_FOCUS_NOTE = "focus missed the subject"
SUBJECT_AXIS = 0.2  # the subject ellipse's semi-axes (frame widths / heights): ~1/8 of it
COARSE_SIGMA = 2.0  # px at the working scale: the coarse band keeps what a blur leaves
MIN_CONTRAST = 0.1  # coarse energy (grey levels^2 / px^4) under which a tile is plain
TEXTURE_SHARE = 0.1  # ... or under this share of the frame's 90th percentile
SHARP_QUANTILE = 90.0
SHARP_SHARE = 0.3  # a sharp tile's ratio is at least this share of the frame's top
MIN_SHARP_SHARE = 0.5  # of the textured tiles outside the subject, at least half sharp
MIN_QUADRANTS = 3  # the sharp scene surrounds the subject
MIN_SUBJECT_TILES = 3
MIN_OUTSIDE_TILES = 10
MIN_SHARP_TILES = 5
MIN_SHARP_LEVEL = 1.2  # the sharp elsewhere's median tile level: detail, not the least blur
NOISE_MARGIN = 0.5  # ... and its detail energy at least half the noise's: not noise left over
SOFT_FROM = 0.35  # subject / sharp-elsewhere ratio where the level starts to fall
SOFT_FULL = 0.15  # ... and where it falls by the whole ratio ** LEVEL_EXPONENT
LEVEL_EXPONENT = 0.8  # whole frames blurred σ 1-3 px: the level falls as the ratio ** 0.6-0.9
# Halfway down the ramp (log scale): a subject only a little softer lowers the score
# a little, without a claim about focus.
NOTE_BELOW = math.sqrt(SOFT_FROM * SOFT_FULL)
MIN_RATIO = 0.03  # under this the subject has no fine detail left to measure (factor ≥ 0.06)


@dataclass(frozen=True)
class SubjectFocus:
    """`ratio`: the subject's fine-to-coarse detail against the sharp elsewhere's
    (None: not judged — too little texture, or no sharp scene around it);
    `factor`: what the frame's detail level is multiplied by (1.0: unchanged)."""

    ratio: float | None
    factor: float

    @property
    def missed(self) -> bool:
        """Clearly missed: worth the note "focus missed the subject"."""
        return self.ratio is not None and self.ratio < NOTE_BELOW


NOT_JUDGED = SubjectFocus(None, 1.0)


def coarse_contrast(work: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Per tile (`shape` = rows, cols), the mean squared Laplacian of the working
    luma blurred sigma `COARSE_SIGMA`: the contrast a blur leaves."""
    rows, cols = shape
    # Halved by whole 2 x 2 blocks (an odd last row or column left out): OpenCV's
    # exact-ratio path.
    half = box_shrink(work.astype(np.float32), 2)
    smooth = cv2.GaussianBlur(half, (0, 0), COARSE_SIGMA / 2)
    lap = cv2.Laplacian(smooth, cv2.CV_32F, borderType=cv2.BORDER_REFLECT) / 4  # per full px^2
    return grid_means(lap * lap, cols, rows).astype(np.float64)


def subject_ellipse(rows: int, cols: int) -> np.ndarray:
    """Tiles whose centre lies in the central ellipse (semi-axes `SUBJECT_AXIS`)."""
    y = (np.arange(rows) + 0.5) / rows - 0.5
    x = (np.arange(cols) + 0.5) / cols - 0.5
    return np.asarray((x[None, :] / SUBJECT_AXIS) ** 2 + (y[:, None] / SUBJECT_AXIS) ** 2 <= 1)


def subject_focus(work: np.ndarray, detail: np.ndarray, noise: np.ndarray) -> SubjectFocus:
    """How much softer the central subject is than the sharp scene around it.
    `work`: the working luma; `detail`: per-tile fine detail (rows, cols), noise
    off (`metrics.tile_detail`); `noise`: the noise energy per direction that was
    taken off (`metrics.directional_energy`)."""
    rows, cols = detail.shape
    coarse = coarse_contrast(work, (rows, cols))
    ratio = detail / (coarse + 1e-3)
    textured = coarse >= max(MIN_CONTRAST, TEXTURE_SHARE * float(np.percentile(coarse, 90)))
    centre = subject_ellipse(rows, cols)
    subject, outside = centre & textured, ~centre & textured
    if subject.sum() < MIN_SUBJECT_TILES or outside.sum() < MIN_OUTSIDE_TILES:
        return NOT_JUDGED
    top = float(np.percentile(ratio[textured], SHARP_QUANTILE))
    sharp = outside & (ratio >= SHARP_SHARE * top)
    if sharp.sum() < MIN_SHARP_TILES or sharp.sum() < MIN_SHARP_SHARE * outside.sum():
        return NOT_JUDGED
    floor = max(MIN_SHARP_LEVEL**2, NOISE_MARGIN * float(np.mean(noise)) if noise.size else 0.0)
    if float(np.median(detail[sharp])) < floor:
        return NOT_JUDGED  # blurred, shaken or noisy everywhere: the frame score says so
    ys, xs = np.nonzero(sharp)
    quadrants = 2 * (ys >= rows / 2) + (xs >= cols / 2)
    if np.unique(quadrants).size < MIN_QUADRANTS:
        return NOT_JUDGED
    soft = max(float(np.median(ratio[subject]) / np.median(ratio[sharp])), MIN_RATIO)
    if soft >= SOFT_FROM:
        return SubjectFocus(round(soft, 3), 1.0)
    weight = min(1.0, math.log(SOFT_FROM / soft) / math.log(SOFT_FROM / SOFT_FULL))
    return SubjectFocus(round(soft, 3), soft ** (LEVEL_EXPONENT * weight))
