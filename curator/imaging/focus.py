"""Missed focus: is the subject softer than a sharp scene around it?

Responsibility: a pure judgment on the working luma (imaging.metrics' 1024 px
scale) and its per-tile detail (`metrics.tile_detail`, noise already taken
off): `subject_focus` says how much softer the subject is than the sharp part
of the frame, and by what factor the frame's detail level should fall so
that the score reads as sharp as the subject, not as sharp as the wall
behind it. No I/O, no model, deterministic.

Why a separate judgment: the frame score pools the sharpest tiles (a sharp
subject covering 4 % of a frame on bokeh must read sharp), so a soft
subject in front of a sharp background also reads sharp (issue 20: 0–4 of
19 missed-focus frames flagged). Re-weighting that pooling by a saliency map
cost the sharp small subject a third of its score; this judgment leaves the
pooling alone and lowers the level only in the opposite situation, which it
recognises by its shape.

How (per tile of the 16 x 16 grid):
- *where the subject is*: no face or saliency model ships with the OpenCV
  wheel we use (5.x has no Haar cascades; its face detector needs a
  downloaded network), so the subject is where photographers put it and
  autofocus looks first: the central ellipse, semi-axes `SUBJECT_AXIS` of
  the frame's width and height (about an eighth of the frame);
- *soft, not plain*: a tile's fine detail (second differences at the pixel
  scale, noise off) against its coarse contrast (the Laplacian of the luma
  blurred about sigma `COARSE_SIGMA`: at half size, sigma 1 — ten times
  cheaper than at full size, the same judgments on the bench) — blur takes
  the fine detail and leaves the coarse contrast, while a plain wall or a
  sky has neither. Only tiles with coarse contrast (`textured`: at least
  `TEXTURE_SHARE` of the frame's 90th percentile, and `MIN_CONTRAST`) are
  compared;
- *sharp elsewhere*: tiles whose ratio is at least `SHARP_SHARE` of the
  frame's 90th percentile. Missed focus needs the sharp scene to be broad
  and around the subject: at least half of the textured tiles outside the
  subject are sharp (`MIN_SHARP_SHARE`), in at least three of the four
  quadrants, and their median detail level is at least `MIN_SHARP_LEVEL`
  (a frame shaken everywhere has a least-blurred part, not a sharp one: a
  21 px shake was otherwise noted on one source) and at least
  `NOISE_MARGIN` of the noise energy (what is left of heavy noise after
  the discount is not a sharp scene: a sigma 4 blur plus noise sd 16 was
  otherwise noted on 3 of 19 sources). A sharp subject on bokeh is the
  opposite (its sharp tiles are compact, on one side), and so is a depth
  of field that falls off from the foreground (sharp on one side only);
- the subject's ratio (median of its textured tiles) against the sharp
  elsewhere's (their median): under `SOFT_FROM` the level starts to fall,
  by `ratio ** (LEVEL_EXPONENT x weight)`, the weight rising from 0 at
  `SOFT_FROM` to 1 at `SOFT_FULL` (log scale, so there is no cliff). On
  whole frames blurred sigma 1–3 px, the level falls as the ratio to the
  power 0.6–0.9 (median 0.7–0.9: `LEVEL_EXPONENT` 0.8), so a missed
  subject scores about as a frame blurred as much as the subject would —
  or lower: the noise is estimated where the frame is flattest, which in a
  missed-focus frame is often the soft subject itself, so its detail is
  taken down to the floor (a 25 % subject blurred sigma 3 scores 0–14 where
  the whole frame blurred so scores 1–24). The ratio is floored at
  `MIN_RATIO`, so the factor is at least 0.06. The note comes from halfway
  down the ramp (`NOTE_BELOW`, ratio 0.23): a real 640 px photo with a
  10 % soft centre read 0.26 and kept a score of 96 — a note there would
  contradict the number.
A frame with too little texture in the subject or around it (fewer than
`MIN_SUBJECT_TILES` / `MIN_OUTSIDE_TILES`) is not judged: factor 1.0, the
frame score unchanged.

Bench (tests/bench/score_bench.md, judgment_series, before → after): missed
focus flagged (BLUR) on 2 → 13 of 19 sources with a 10 % subject blurred
sigma 3, 4 → 18 with a 25 % one, 2 → 11 with noise sd 6 added; the sharp
subject at 4–11 % on bokeh and every other row of both benches unchanged;
the note on none of 114 frames that are not missed focus. Not seen: a soft
subject centred on a thirds point (2 of 19, as before) — the subject is
only looked for in the middle. Cost: 0.8 ms best / 1.2 ms median a frame at
1024 px on 2 busy cores.

Invariants: inputs are never modified; the factor is in (0, 1]; 1.0 exactly
whenever the frame is not judged or the subject is not clearly softer.
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
SUBJECT_AXIS = 0.2  # semi-axes of the central subject ellipse, in frame widths / heights
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
LEVEL_EXPONENT = 0.8
# The note is given from halfway down the ramp (log scale): a subject only a little
# softer than its scene lowers the score a little, without a claim about focus.
NOTE_BELOW = math.sqrt(SOFT_FROM * SOFT_FULL)
MIN_RATIO = 0.03  # under this the subject has no fine detail left to measure


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
    # exact-ratio path; 683 rows into 341 took its fractional one, 0.6 ms more.
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
