"""Technical quality measures on a luma image: sharpness (here) and exposure
(imaging.exposure, re-exported).

Pure numpy/OpenCV from a 2-D uint8 luma to `SharpnessMeasure` /
`ExposureMeasure`. Calibration and costs: docs/decisions/imaging.md.

Sharpness is measured at `WORKING_LONG_EDGE`; a frame under
`MIN_JUDGED_LONG_EDGE` / `MIN_JUDGED_SHORT_EDGE` is not judged (``score``
None, `TOO_SMALL_NOTE`). The score:
1. `directional_energy`: squared second differences in four directions after
   `PRE_SMOOTH`, per tile of `SCORE_GRID`, with noise from the flattest tiles
   (`flat_sample`);
2. `tile_detail`: noise off (to `NOISE_FLOOR`), then a weighted geometric mean
   of the weakest direction and the mean of four;
3. `pooled_level`: the top `TOP_TILE_SHARE` of tiles against all;
4. `sharpness_score`: ``100 / (1 + (MID_SHARPNESS / level)^2)`` (inverse:
   `level_of_score`);
5. missed focus (imaging.focus) lowers the level; a one-way smear
   (`smear_ratio`) is noted as camera shake.
``noise`` (`noise_sigma`) is stored too.

Invariants: inputs never modified; scores in 0..100 or None; an empty array
raises ValueError.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from curator.imaging.exposure import (  # re-exported: the technical stage's one import
    HIGHLIGHT_LEVEL,
    SHADOW_LEVEL,
    SRGB_LINEAR,
    check_luma,
    luma_histogram,
    measure_exposure,
)
from curator.imaging.focus import MISSED_FOCUS_NOTE, subject_focus
from curator.imaging.orientation import grid_means, shrunk_size
from curator.imaging.types import SharpnessMeasure
from curator.records import SHAKE_NOTE

__all__ = [
    "HIGHLIGHT_LEVEL",
    "SHADOW_LEVEL",
    "SRGB_LINEAR",
    "WorkingView",
    "check_luma",
    "directional_energy",
    "flat_mask",
    "flat_sample",
    "level_of_score",
    "luma_histogram",
    "measure_exposure",
    "measure_sharpness",
    "noise_energy",
    "noise_sigma",
    "pooled_level",
    "sharpness_level",
    "sharpness_score",
    "smear_ratio",
    "tile_detail",
    "tile_variances",
    "working_scale",
]

WORKING_LONG_EDGE = 1024  # per-pixel measures at full resolution mostly measure the pixel pitch
MIN_JUDGED_LONG_EDGE = 640  # a 400 px frame has no detail left to tell focus from downscaling
MIN_JUDGED_SHORT_EDGE = 32  # a strip has no second dimension to be sharp in
TOO_SMALL_NOTE = "too small to judge"
TILE_GRID = 8  # the stored tile_p90 (kept for the catalog's history)
MIN_TILE = 16
TILE_PERCENTILE = 90.0
SCORE_GRID = 16
MIN_DIRECTION_WEIGHT = 0.75  # the weakest direction's weight: shake smears one direction
TOP_TILE_SHARE = 0.02  # a sharp subject on 4 % of the frame, before a blurred background ...
TOP_WEIGHT = 0.9  # ... reads as sharp (the top tiles 0.9 : all tiles 0.1, in the log)
MID_SHARPNESS = 4.1  # level that scores 50 (8.2 scores 80, 2.05 scores 20)
PRE_SMOOTH = 0.5  # sigma (px) before differencing: box-shaped shake's side lobes, pixel noise
NOISE_STEP = 4  # the noise is read on every 4th pixel of every 4th row
FLAT_SHARE = 0.25
MAD_TO_SD = 1.4826
NOISE_FLOOR = 0.03  # what is left of a tile that is all noise, in noise energies
SHARPNESS_SLOPE = 2.0
# Camera shake: at 0.06, 23 of 39 fixture shakes are named and none of 52 blurs: a
# named cause must be right, else the soft frame is "blur".
SHAKE_RATIO = 0.06  # weakest / strongest direction's detail, at or under: smeared one way
SHAKE_BELOW = 50.0  # only a frame softer than this is called shaken


def _white_noise_gain(sigma: float) -> float:
    """Sum of squares of the horizontal second difference after a Gaussian blur of
    `sigma` (OpenCV's kernel): the response energy per unit of white-noise variance."""
    size = max(3, round(sigma * 8 + 1) | 1)
    g = cv2.getGaussianKernel(size, sigma).ravel()
    along = np.convolve(g, [1.0, -2.0, 1.0])
    return float((along**2).sum() * (g**2).sum())


NOISE_GAIN = _white_noise_gain(PRE_SMOOTH)

_DIRECTIONS = (
    np.array([[0, 0, 0], [1, -2, 1], [0, 0, 0]], np.float32),
    np.array([[0, 1, 0], [0, -2, 0], [0, 1, 0]], np.float32),
    np.array([[1, 0, 0], [0, -2, 0], [0, 0, 1]], np.float32) / 2,
    np.array([[0, 0, 1], [0, -2, 0], [1, 0, 0]], np.float32) / 2,
)


def working_scale(luma: np.ndarray, long_edge: int = WORKING_LONG_EDGE) -> np.ndarray:
    """`luma` area-averaged so its long edge is at most `long_edge` pixels."""
    height, width = luma.shape
    size = shrunk_size((width, height), long_edge)
    if size is None:
        return luma
    return cv2.resize(luma, size, interpolation=cv2.INTER_AREA)


class WorkingView:
    """`working_scale(luma)` read a window at a time: each window is the area
    average of only the pixels under it, so a caller that needs a few small
    regions (the faces' eye bands) does not pay for the whole frame's.

    Invariant: `window(x0, y0, x1, y1)` equals `working_scale(luma)[y0:y1,
    x0:x1]` within one grey level (OpenCV sums in float32); a luma no larger
    than `long_edge` is read as it is."""

    def __init__(self, luma: np.ndarray, long_edge: int = WORKING_LONG_EDGE):
        self.luma = luma
        height, width = luma.shape
        self.size = shrunk_size((width, height), long_edge) or (width, height)
        self.shape = (self.size[1], self.size[0])  # as an array's: (rows, columns)

    def window(self, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
        """The working-scale pixels of columns x0:x1 and rows y0:y1 (uint8),
        clipped to the working scale's bounds."""
        width, height = self.size
        x0, x1 = max(0, x0), min(width, max(x0, x1))
        y0, y1 = max(0, y0), min(height, max(y0, y1))
        if self.size == (self.luma.shape[1], self.luma.shape[0]):
            return self.luma[y0:y1, x0:x1]
        across, left, right = _area_weights(self.luma.shape[1], width, x0, x1)
        down, top, bottom = _area_weights(self.luma.shape[0], height, y0, y1)
        window = down @ self.luma[top:bottom, left:right].astype(np.float64) @ across.T
        return np.clip(np.rint(window), 0, 255).astype(np.uint8)


def _area_weights(source: int, target: int, start: int, stop: int) -> tuple[np.ndarray, int, int]:
    """The area average's weights for output pixels start:stop of `source`
    pixels shrunk to `target` along one axis: a (stop - start, last - first)
    matrix over source pixels first:last, each row the share of each source
    pixel inside that output pixel's span (rows sum to 1)."""
    scale = source / target
    lows = np.arange(start, stop) * scale
    highs = np.minimum(lows + scale, source)
    first = math.floor(start * scale)
    last = min(source, math.ceil(stop * scale))
    pixels = np.arange(first, last)[None, :]
    inside = np.minimum(pixels + 1, highs[:, None]) - np.maximum(pixels, lows[:, None])
    return np.clip(inside, 0, None) / (highs - lows)[:, None], first, last


def tile_variances(laplacian: np.ndarray, grid: int = TILE_GRID) -> np.ndarray:
    """Per-tile variance of a Laplacian image on a grid x grid split (fewer tiles
    when a tile would be under 16 px); the remainder rows/columns are ignored.
    As E[x^2] - E[x]^2 from two whole-tile area means (OpenCV's exact-ratio path)."""
    height, width = laplacian.shape
    rows = max(1, min(grid, height // MIN_TILE))
    cols = max(1, min(grid, width // MIN_TILE))
    tiles = np.ascontiguousarray(laplacian[: rows * (height // rows), : cols * (width // cols)])
    means = cv2.resize(tiles, (cols, rows), interpolation=cv2.INTER_AREA).astype(np.float64)
    squares = cv2.resize(tiles * tiles, (cols, rows), interpolation=cv2.INTER_AREA)
    return np.maximum(squares.astype(np.float64) - means * means, 0.0).ravel()


def directional_energy(work: np.ndarray, grid: int = SCORE_GRID) -> tuple[np.ndarray, np.ndarray]:
    """(energy, noise): the mean squared second difference per tile in four
    directions (0, 90, 45, 135 degrees; diagonals per unit length) of the
    working luma lightly smoothed (sigma `PRE_SMOOTH`), shape (4, rows, cols)
    (fewer tiles when a tile would be under 16 px); and each direction's noise
    energy, shape (4,), estimated where the frame is flat (`noise_energy`)."""
    height, width = work.shape
    rows = max(1, min(grid, height // MIN_TILE))
    cols = max(1, min(grid, width // MIN_TILE))
    image = cv2.GaussianBlur(work.astype(np.float32), (0, 0), PRE_SMOOTH)
    flat = flat_mask(work)
    maps, samples = [], []
    for kernel in _DIRECTIONS:
        response = cv2.filter2D(image, cv2.CV_32F, kernel, borderType=cv2.BORDER_REFLECT)
        maps.append(grid_means(response * response, cols, rows))
        samples.append(flat_sample(response, flat))
    return np.stack(maps).astype(np.float64), noise_energy(np.stack(samples))


def flat_mask(work: np.ndarray) -> np.ndarray:
    """Where the frame is flattest: the `FLAT_SHARE` of a 1/`NOISE_STEP` sample of
    the working luma with the weakest smoothed gradient (noise is everywhere,
    detail mostly elsewhere)."""
    sample = cv2.GaussianBlur(work[::NOISE_STEP, ::NOISE_STEP].astype(np.float32), (0, 0), 1.0)
    gradient = np.abs(cv2.Sobel(sample, cv2.CV_32F, 1, 0)) + np.abs(
        cv2.Sobel(sample, cv2.CV_32F, 0, 1)
    )
    return np.asarray(gradient <= np.quantile(gradient, FLAT_SHARE))


def flat_sample(response: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """A directional response's values where `flat_mask` says the frame is flat
    (sampled as it was: every `NOISE_STEP`th pixel of every `NOISE_STEP`th row)."""
    sample = response[::NOISE_STEP, ::NOISE_STEP][: flat.shape[0], : flat.shape[1]]
    return np.asarray(sample[flat[: sample.shape[0], : sample.shape[1]]])


def noise_energy(samples: np.ndarray) -> np.ndarray:
    """Each direction's noise energy from its `flat_sample` (one row per
    direction): (1.4826 x the median |response|)^2, the MAD of Gaussian noise;
    0 where the sample is empty. One median for the four rows."""
    if samples.shape[-1] == 0:
        return np.zeros(samples.shape[:-1], dtype=np.float64)
    spread = MAD_TO_SD * np.median(np.abs(samples), axis=-1).astype(np.float64)
    return np.asarray(spread**2)


def noise_sigma(noise: np.ndarray) -> float:
    """The noise's standard deviation in grey levels at the working scale, from
    the horizontal second difference's noise energy (its gain on white noise,
    smoothed as measured, is `NOISE_GAIN`)."""
    return math.sqrt(max(float(noise[0]), 0.0) / NOISE_GAIN)


def tile_detail(energy: np.ndarray, noise: np.ndarray | None = None) -> np.ndarray:
    """Per tile (rows, cols), the detail energy from `directional_energy`: the noise
    energy taken off each direction (what is left of a blurred, noisy tile is ~0,
    not the noise), then the weighted geometric mean of the weakest direction and
    the mean of all four."""
    if noise is not None:
        floor = NOISE_FLOOR * noise[:, None, None] + 1e-4
        energy = np.maximum(energy - noise[:, None, None], floor)
    weakest = np.log(energy.min(axis=0) + 1e-6)
    overall = np.log(energy.mean(axis=0) + 1e-6)
    return np.asarray(np.exp(MIN_DIRECTION_WEIGHT * weakest + (1 - MIN_DIRECTION_WEIGHT) * overall))


def pooled_level(tiles: np.ndarray) -> float:
    """The frame's detail level (grey levels per pixel^2) from `tile_detail`: the
    top 2 % of tiles against the mean of all tiles, 0.9 : 0.1 in the log."""
    values = np.asarray(tiles, dtype=np.float64).ravel()
    top_count = max(1, round(TOP_TILE_SHARE * values.size))
    top = float(np.sort(values)[-top_count:].mean())
    everywhere = float(values.mean())
    return math.sqrt(
        math.exp(TOP_WEIGHT * math.log(top + 1e-9) + (1 - TOP_WEIGHT) * math.log(everywhere + 1e-9))
    )


def sharpness_level(energy: np.ndarray, noise: np.ndarray | None = None) -> float:
    """The frame's detail level (grey levels per pixel^2) from `directional_energy`
    (`tile_detail` pooled by `pooled_level`), before the subject's focus is judged."""
    return pooled_level(tile_detail(energy, noise))


def sharpness_score(level: float) -> float:
    """0..100 on a log-logistic curve: `MID_SHARPNESS` scores 50, twice it 80, half 20."""
    if level <= 0:
        return 0.0
    return round(100.0 / (1.0 + (MID_SHARPNESS / level) ** SHARPNESS_SLOPE), 2)


def level_of_score(score: float) -> float:
    """The detail level a sharpness score stands for (`sharpness_score` inverted):
    frames compare by level ratios (a frame with 60 % of a sibling's level is
    clearly less sharp, whatever the scores' place on the curve)."""
    s = min(max(score, 1e-3), 100.0 - 1e-3)
    return MID_SHARPNESS * math.sqrt(s / (100.0 - s))


def smear_ratio(energy: np.ndarray, noise: np.ndarray) -> float:
    """How one-sided the detail of the frame's sharpest tenth of tiles is: the
    weakest direction's energy over the strongest's (noise taken off), from
    `directional_energy`. A shake smears one direction: near 0; a blur or a
    sharp frame keeps every direction: 0.1 and up."""
    floor = NOISE_FLOOR * noise[:, None, None] + 1e-4
    detail = np.maximum(energy - noise[:, None, None], floor).reshape(energy.shape[0], -1)
    mean = detail.mean(axis=0)
    top = np.argsort(mean)[-max(4, mean.size // 10) :]
    per_direction = detail[:, top].mean(axis=1)
    return float(per_direction.min() / max(float(per_direction.max()), 1e-9))


def measure_sharpness(luma: np.ndarray) -> SharpnessMeasure:
    """Laplacian statistics at the working scale, the score and its note (see the
    module docstring)."""
    check_luma(luma)
    work = working_scale(luma)
    laplacian = cv2.Laplacian(work, cv2.CV_32F)
    laplacian_var = float(cv2.meanStdDev(laplacian)[1][0, 0]) ** 2
    tile_p90 = float(np.percentile(tile_variances(laplacian), TILE_PERCENTILE))
    score: float | None = None
    note: str | None = TOO_SMALL_NOTE
    energy, noise = directional_energy(work)
    if max(luma.shape) >= MIN_JUDGED_LONG_EDGE and min(luma.shape) >= MIN_JUDGED_SHORT_EDGE:
        tiles = tile_detail(energy, noise)
        focus = subject_focus(work, tiles, noise)
        score = sharpness_score(pooled_level(tiles) * focus.factor)
        note = MISSED_FOCUS_NOTE if focus.missed else None
        if score < SHAKE_BELOW and smear_ratio(energy, noise) <= SHAKE_RATIO:
            note = SHAKE_NOTE  # the whole frame smeared one way says more than its subject
    return SharpnessMeasure(
        laplacian_var=round(laplacian_var, 3),
        tile_p90=round(tile_p90, 3),
        score=score,
        note=note,
        noise=round(noise_sigma(noise), 3),
    )
