"""Technical quality measures on a luma image: sharpness and exposure.

Responsibility: pure numpy/OpenCV functions from a 2-D uint8 luma array (and,
for exposure, optionally an RGB rendering of the same frame) to
`SharpnessMeasure` / `ExposureMeasure`. No I/O, no model, deterministic.
The rules are held to ground truth by the score bench
(tests/bench/score_series.py: blur, shake, rescaling, exposure and sharp-subject
series made from the fixtures and generated photos); the calibration table
below is its ``--calibration`` output.

Sharpness
---------
Measured on the luma *area-averaged to a 1024 px long edge* (frames already
smaller are used as they are; large JPEGs arrive DCT-scaled to >= 1440 px, see
imaging.decode). Per-pixel measures at full resolution mostly measure the pixel
pitch, not focus; the working scale makes a 12 MP phone and a 24 MP camera
comparable and suppresses sensor noise.

Frames under 640 px on the long edge are not judged: ``score`` is None and
``note`` is "too small to judge" (a 400 px frame has no detail left to tell
focus from downscaling; scoring it 100 was a lie). Nor are strips under 32 px
on the short edge (a 1 × 2,000 px image scored BLUR).

The score rests on the squared second difference in four directions (0, 90, 45
and 135 degrees) averaged over a 16 x 16 grid of tiles (`directional_energy`):
- per tile, the weighted geometric mean of the *weakest* direction (weight 0.75)
  and the mean of the four: camera shake smears one direction only, which a
  4-neighbour Laplacian (the sum of two directions) barely noticed;
- per frame, the mean of the top 2 % of tiles against the mean of all tiles,
  0.9 : 0.1 in the log: a sharp subject covering 4 % of the frame in front of a
  blurred background reads as sharp, while a frame blurred everywhere loses;
- ``level`` = the square root (grey levels per pixel^2), and
  ``score = 100 / (1 + (4.5 / level)^2)`` — a log-logistic curve: 4.5 scores 50,
  9 scores 80, 2.25 scores 20. It never saturates, so scores do not tie at 0 or
  100 and best-frame picks can tell frames apart.
Bench (tests/bench/score_bench.md, before → after): Gaussian blur
sigma 1 / 2 / 4 px at 1440 px gives a median 71 / 32 / 7 for sharp originals
at 88; a 21 px shake at most 0.35 of the original's score; a 4 % sharp subject
at least 0.67. `laplacian_var` (global 4-neighbour Laplacian variance) and
`tile_p90` (90th percentile over an 8 x 8 grid) are still stored, for history.

Exposure
--------
Read from two 256-bin histograms: the full-resolution luma, and the brightest
channel (max of R, G, B) of the RGB rendering when one is given (a saturated
red or green subject clips a channel long before its luma reaches 250):
- headroom: EV between white and the brightest content (99.5th percentile of
  the brightest channel, interpolated inside its bin), at most 8 EV;
- dark key: EV from the frame's key (geometric mean of linear-light luma) up to
  middle grey (18 %); negative for a bright frame;
- clipped content: the share of pixels clipped (>= 250) in some channel, out of
  the pixels that are not shadow (> 5): a low-key frame's black background does
  not dilute its blown subject;
- shadow clip: the share of luma <= 5.
Then, with ``soft(x)`` a smooth max(0, x) (knee 0.15 EV, strictly increasing):
- under = soft(headroom - 0.7): brightest content more than 0.7 EV under white;
- dark = soft(dark key - 1.0): a key more than 1 EV under middle grey;
- over = 0.4 * (probit(clipped content) - probit(1 %)), at least 0: the EV
  beyond clipping if log luminance were normal, 1 % of clipping free;
- badness = under + 0.3 * min(under, dark) + over + (clipped content - 1 %)
  + shadow clip * min(1, under): the mean and the crushed shadows only count
  once the highlights say the frame is under-exposed (a low-key subject on
  black is a choice); the linear clipping term makes a frame blown all over a
  failure (+2.5 EV scores 20-40), not just "1.5 EV off";
- ``score = 100 / (1 + (badness / 1.5)^2)``; ``ev = over - under`` (rounded to
  0.1), the estimate the side panel shows as "≈ -1.3 EV".
Bench: -2 EV and +2 EV in linear light score below the original on every
source (-1.3 EV on 22 of 23), Spearman against |EV| 0.89 (mean per source,
0.80 pooled); the low-key sony_a200 and the high-key canon 6D score 100, the
D7000 frame 2.8 (-6.6 EV).

Calibration (``python -m tests.bench.score_series --calibration``: the product's
technical stage on the fixtures; sharpness, exposure score and EV):

    fixture                                  sharpness exposure      EV
    jpeg/canon_ixus40_portrait_content            93.9    100.0    +0.0
    jpeg/canon_sd300_1-6s_soft                    81.5     80.3    +0.6
    jpeg/canon_sx60_hdr_NO                        93.3     88.3    +0.4
    jpeg/canon_sx60_hdr_YES                       95.5     92.2    +0.4
    jpeg/exiv2_D7000_underexposed                 null      2.8    -6.6
    jpeg/exiv2_FurnaceCreekInn                    null     99.8    -0.1
    jpeg/exiv2_FurnaceCreekInn2                   null    100.0    +0.0
    jpeg/exiv2_FurnaceCreekInn3                   null    100.0    +0.0
    jpeg/exiv2_SM-G930V_orient6                   96.1     98.8    +0.1
    jpeg/exiv2_canon6D_highkey                    90.8    100.0    +0.0
    jpeg/iphone6_hdr_NO                           87.6     96.5    +0.3
    jpeg/iphone6_hdr_YES                          89.4    100.0    +0.0
    jpeg/jolla_leaf_soft                          39.7    100.0    +0.0
    jpeg/nikon_d70s_dark                          89.2     95.4    +0.3
    jpeg/nokia83_5G                               97.4    100.0    +0.0
    jpeg/olympus_ep3_iso1600                      95.8    100.0    +0.0
    jpeg/polaroid_ion230_future_date              null     99.9    +0.0
    jpeg/sony_a200_unset_clock                    79.6    100.0    +0.0
    raw/BMPCC4K_Blackmagic                        86.2     95.9    -0.2
    raw/Canon550D_MagicLantern_colorchart         42.5     94.6    -0.3
    raw/Kodak_C330_FORMAT_NONE_YRGB               74.6    100.0    +0.0

("null": under 640 px, too small to judge.)

Cost on a 24 MP luma (2 busy cores): sharpness ~25 ms beyond the area
reduction to 1024 px (25-100 ms, as before); exposure ~10 ms, plus ~3 ms for the
brightest channel of a 1440 px rendering.

Invariants: inputs are 2-D uint8 arrays and are never modified; scores are in
0..100 or None (sharpness too small to judge); an empty array raises
ValueError (a programming error, not a photo).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import cv2
import numpy as np

from curator.imaging.orientation import shrunk_size
from curator.imaging.types import ExposureMeasure, SharpnessMeasure

# -- sharpness ----------------------------------------------------------------------
WORKING_LONG_EDGE = 1024
MIN_JUDGED_LONG_EDGE = 640
# A strip one (or a few) pixels wide has no second dimension to be sharp in:
# its long edge alone would score it BLUR (issue 22). Panoramas stay far above.
MIN_JUDGED_SHORT_EDGE = 32
TOO_SMALL_NOTE = "too small to judge"
TILE_GRID = 8  # the stored tile_p90 (kept for the catalog's history)
MIN_TILE = 16
TILE_PERCENTILE = 90.0
SCORE_GRID = 16
MIN_DIRECTION_WEIGHT = 0.75
TOP_TILE_SHARE = 0.02
TOP_WEIGHT = 0.9
MID_SHARPNESS = 4.5  # level that scores 50
SHARPNESS_SLOPE = 2.0

_DIRECTIONS = (
    np.array([[0, 0, 0], [1, -2, 1], [0, 0, 0]], np.float32),
    np.array([[0, 1, 0], [0, -2, 0], [0, 1, 0]], np.float32),
    np.array([[1, 0, 0], [0, -2, 0], [0, 0, 1]], np.float32) / 2,
    np.array([[0, 0, 1], [0, -2, 0], [1, 0, 0]], np.float32) / 2,
)

# -- exposure -----------------------------------------------------------------------
HIGHLIGHT_LEVEL = 250
SHADOW_LEVEL = 5
HIGHLIGHT_QUANTILE = 0.995
FREE_HEADROOM_EV = 0.7
MAX_HEADROOM_EV = 8.0
MIDDLE_GREY = 0.18  # linear: the key of a metered frame
KEY_EPS = 1.0 / 1024
FREE_DARK_KEY_EV = 1.0
DARK_KEY_WEIGHT = 0.3
FREE_CLIP = 0.01
CLIP_EV_SCALE = 0.4
CLIP_WEIGHT = 1.0  # EV of badness for a frame clipped all over, on top of clip_ev
MIN_CONTENT = 0.05
SOFT_EV = 0.15
EXPOSURE_HALF_EV = 1.5  # badness (EV) that scores 50
EXPOSURE_SLOPE = 2.0

_LEVELS = np.arange(256, dtype=np.float64) / 255.0
SRGB_LINEAR = np.where(_LEVELS <= 0.04045, _LEVELS / 12.92, ((_LEVELS + 0.055) / 1.055) ** 2.4)
_NORMAL = NormalDist()


def _check_luma(luma: np.ndarray) -> None:
    if luma.ndim != 2 or luma.dtype != np.uint8 or luma.size == 0:
        raise ValueError(f"expected a non-empty 2-D uint8 luma array, got {luma.dtype}{luma.shape}")


def working_scale(luma: np.ndarray, long_edge: int = WORKING_LONG_EDGE) -> np.ndarray:
    """`luma` area-averaged so its long edge is at most `long_edge` pixels."""
    height, width = luma.shape
    size = shrunk_size((width, height), long_edge)
    if size is None:
        return luma
    return cv2.resize(luma, size, interpolation=cv2.INTER_AREA)


def tile_variances(laplacian: np.ndarray, grid: int = TILE_GRID) -> np.ndarray:
    """Per-tile variance of a Laplacian image on a grid x grid split (fewer tiles
    when a tile would be under 16 px); the remainder rows/columns are ignored."""
    height, width = laplacian.shape
    rows = max(1, min(grid, height // MIN_TILE))
    cols = max(1, min(grid, width // MIN_TILE))
    tile_h, tile_w = height // rows, width // cols
    tiles = laplacian[: rows * tile_h, : cols * tile_w].reshape(rows, tile_h, cols, tile_w)
    return np.asarray(tiles.var(axis=(1, 3), dtype=np.float64)).ravel()


def directional_energy(work: np.ndarray, grid: int = SCORE_GRID) -> np.ndarray:
    """Mean squared second difference per tile in four directions (0, 90, 45, 135
    degrees; diagonals per unit length): shape (4, rows, cols), fewer tiles when a
    tile would be under 16 px."""
    height, width = work.shape
    rows = max(1, min(grid, height // MIN_TILE))
    cols = max(1, min(grid, width // MIN_TILE))
    image = work.astype(np.float32)
    maps = []
    for kernel in _DIRECTIONS:
        response = cv2.filter2D(image, cv2.CV_32F, kernel, borderType=cv2.BORDER_REFLECT)
        maps.append(cv2.resize(response * response, (cols, rows), interpolation=cv2.INTER_AREA))
    return np.stack(maps).astype(np.float64)


def sharpness_level(energy: np.ndarray) -> float:
    """The frame's detail level (grey levels per pixel^2) from `directional_energy`:
    per tile the weighted geometric mean of the weakest direction and the mean of
    all four; then the top 2 % of tiles against the mean of all tiles, 0.9 : 0.1."""
    weakest = np.log(energy.min(axis=0) + 1e-6)
    overall = np.log(energy.mean(axis=0) + 1e-6)
    tiles = np.exp(MIN_DIRECTION_WEIGHT * weakest + (1 - MIN_DIRECTION_WEIGHT) * overall).ravel()
    top_count = max(1, round(TOP_TILE_SHARE * tiles.size))
    top = float(np.sort(tiles)[-top_count:].mean())
    everywhere = float(tiles.mean())
    return math.sqrt(
        math.exp(TOP_WEIGHT * math.log(top + 1e-9) + (1 - TOP_WEIGHT) * math.log(everywhere + 1e-9))
    )


def sharpness_score(level: float) -> float:
    """0..100 on a log-logistic curve: `MID_SHARPNESS` scores 50, twice it 80, half 20."""
    if level <= 0:
        return 0.0
    return round(100.0 / (1.0 + (MID_SHARPNESS / level) ** SHARPNESS_SLOPE), 2)


def measure_sharpness(luma: np.ndarray) -> SharpnessMeasure:
    """Laplacian statistics at the 1024 px working scale and a score; frames under
    640 px on the long edge (or under 32 px on the short one) get no score and
    the note "too small to judge"."""
    _check_luma(luma)
    work = working_scale(luma)
    laplacian = cv2.Laplacian(work, cv2.CV_32F)
    laplacian_var = float(laplacian.var(dtype=np.float64))
    tile_p90 = float(np.percentile(tile_variances(laplacian), TILE_PERCENTILE))
    score: float | None = None
    note: str | None = TOO_SMALL_NOTE
    if max(luma.shape) >= MIN_JUDGED_LONG_EDGE and min(luma.shape) >= MIN_JUDGED_SHORT_EDGE:
        score, note = sharpness_score(sharpness_level(directional_energy(work))), None
    return SharpnessMeasure(
        laplacian_var=round(laplacian_var, 3),
        tile_p90=round(tile_p90, 3),
        score=score,
        note=note,
    )


def luma_histogram(luma: np.ndarray) -> np.ndarray:
    """256-bin histogram of a uint8 luma array as float64 counts."""
    _check_luma(luma)
    hist = cv2.calcHist([np.ascontiguousarray(luma)], [0], None, [256], [0, 256])
    return hist.ravel().astype(np.float64)


def histogram_quantile(hist: np.ndarray, q: float) -> float:
    """The `q` quantile of a 256-bin histogram, interpolated inside its bin (a bin
    covers level - 0.5 .. level + 0.5), so it moves continuously with the pixels."""
    cumulative = np.cumsum(hist) / float(hist.sum())
    level = min(int(np.searchsorted(cumulative, q)), 255)
    before = float(cumulative[level - 1]) if level > 0 else 0.0
    inside = float(cumulative[level]) - before
    fraction = (q - before) / inside if inside > 0 else 0.5
    return level - 0.5 + min(1.0, max(0.0, fraction))


def to_linear(level: float) -> float:
    """sRGB-encoded 0..255 (fractional) to linear light 0..1."""
    v = min(max(level, 0.0), 255.0) / 255.0
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def soft_excess(x: float) -> float:
    """max(0, x) with a smooth knee (width SOFT_EV): strictly increasing, so every
    step of under-exposure costs something and nothing ties."""
    z = x / SOFT_EV
    return x if z > 30 else SOFT_EV * math.log1p(math.exp(z))


def headroom_ev(bright_hist: np.ndarray) -> float:
    """EV between white and the brightest content (the 99.5th percentile of the
    brightest channel), at most 8 EV."""
    top = to_linear(histogram_quantile(bright_hist, HIGHLIGHT_QUANTILE))
    return min(MAX_HEADROOM_EV, math.log2(1.0 / max(top, 2.0**-MAX_HEADROOM_EV)))


def dark_key_ev(luma_hist: np.ndarray) -> float:
    """EV from the frame's key (geometric mean of linear luma) up to middle grey;
    negative for a frame brighter than middle grey."""
    total = float(luma_hist.sum())
    key = math.exp(float((luma_hist * np.log(SRGB_LINEAR + KEY_EPS)).sum()) / total)
    return math.log2(MIDDLE_GREY / key)


def clip_ev(clipped_content: float) -> float:
    """Over-exposure (EV) read from the share of content clipped in some channel,
    as if log luminance were normal with a 0.4 EV spread: 1 % is free."""
    share = min(max(clipped_content, 1e-6), 0.999)
    return max(0.0, CLIP_EV_SCALE * (_NORMAL.inv_cdf(share) - _NORMAL.inv_cdf(FREE_CLIP)))


def exposure_judgment(
    headroom: float, dark_key: float, clipped_content: float, shadow_clip: float
) -> tuple[float, float]:
    """(score, ev) from the four exposure readings (rule in the module docstring)."""
    under = soft_excess(headroom - FREE_HEADROOM_EV)
    dark = soft_excess(dark_key - FREE_DARK_KEY_EV)
    over = clip_ev(clipped_content)
    clipped = CLIP_WEIGHT * max(0.0, clipped_content - FREE_CLIP)
    badness = (
        under + DARK_KEY_WEIGHT * min(under, dark) + over + clipped + shadow_clip * min(1.0, under)
    )
    score = 100.0 / (1.0 + (badness / EXPOSURE_HALF_EV) ** EXPOSURE_SLOPE)
    return round(score, 2), round(over - under, 1) + 0.0  # + 0.0: no "-0.0 EV"


def measure_exposure(luma: np.ndarray, rgb: np.ndarray | None = None) -> ExposureMeasure:
    """Clip fractions, mean luminance, an EV estimate and a score. `rgb` (an RGB8
    rendering of the same frame, any size) gives the brightest-channel readings;
    without it they are read on the luma."""
    hist = luma_histogram(luma)
    total = float(hist.sum())
    levels = np.arange(256, dtype=np.float64)
    highlight_clip = float(hist[HIGHLIGHT_LEVEL:].sum()) / total
    shadow_clip = float(hist[: SHADOW_LEVEL + 1].sum()) / total
    mean = float((hist * levels).sum()) / total
    if rgb is not None and rgb.ndim == 3 and rgb.shape[2] >= 3 and rgb.size:
        # np.maximum over the planes: ~70x faster than rgb.max(axis=2) on uint8.
        brightest = np.maximum(np.maximum(rgb[..., 0], rgb[..., 1]), rgb[..., 2])
        bright = luma_histogram(np.ascontiguousarray(brightest, dtype=np.uint8))
    else:
        bright = hist
    channel_clip = float(bright[HIGHLIGHT_LEVEL:].sum()) / float(bright.sum())
    clipped_content = min(1.0, channel_clip / max(MIN_CONTENT, 1.0 - shadow_clip))
    headroom, dark_key = headroom_ev(bright), dark_key_ev(hist)
    score, ev = exposure_judgment(headroom, dark_key, clipped_content, shadow_clip)
    return ExposureMeasure(
        highlight_clip=round(highlight_clip, 6),
        shadow_clip=round(shadow_clip, 6),
        mean_luminance=round(mean, 3),
        score=score,
        ev=ev,
    )
