"""Technical quality measures on a luma image: sharpness and exposure.

Responsibility: pure numpy/OpenCV functions from a 2-D uint8 luma array to
`SharpnessMeasure` / `ExposureMeasure`. No I/O, no model, deterministic.

Sharpness
---------
Variance of the 4-neighbour Laplacian (``cv2.Laplacian``, ksize 1), taken on
the luma *area-averaged to a 1024 px long edge* (frames already smaller are
used as they are). The luma comes at full resolution, or for large JPEGs
from libjpeg's DCT-scaled decode at >= 1440 px (see imaging.decode), which
lands on the same working scale. Why not raw full-resolution pixels:
per-pixel Laplacian variance mostly measures the pixel pitch, not focus.
Measured on the fixtures at full resolution, the (sharp) iPhone 6 frames give
20-24 and the (soft, shaken) Canon SD300 41, the sharp Olympus E-P3 101 vs the
soft Jolla 8; after area-averaging to 1024 px they give 323-400, 76, 948 and
35 — the ordering photographers agree with, and comparable across a 12 MP
phone and a 24 MP camera. Area averaging also suppresses sensor noise, which
otherwise inflates the Laplacian at ISO 1600.

Two measures are kept:
- `laplacian_var`: the variance over the whole (working-scale) frame;
- `tile_p90`: the frame is split into an 8 x 8 grid (about 128 x 96 px tiles
  at 1024 x 768; fewer tiles for frames under 128 px), the Laplacian variance
  is taken per tile, and the 90th percentile is kept, so a sharp subject that
  fills a tenth of the frame in front of a blurred background reads as sharp.

Score (0..100): a log-scale ramp on ``level = tile_p90^0.8 * (2.5 *
laplacian_var)^0.2`` (2.5 is about the median tile_p90 / global ratio on the
fixtures, which puts both terms on one scale; the global term keeps a single
sharp tile from carrying a blurred frame). ``level <= 50`` scores 0 ("clearly
blurred"), ``level >= 2000`` scores 100 ("clearly sharp"), log-linear between.
Measured on the fixtures (working-scale laplacian_var / tile_p90 -> score):

    jpeg/jolla_leaf_soft (soft)              35.0 /   54.9 ->   5.1
    jpeg/canon_sd300_1-6s_soft (soft)        76.3 /  168.9 ->  33.7
    jpeg/canon_ixus40_portrait_content      163.4 /  224.4 ->  44.0
    jpeg/sony_a200_unset_clock (macro)       94.4 /  272.3 ->  45.2
    jpeg/exiv2_canon6D_highkey (paper)      104.0 /  353.5 ->  51.4
    jpeg/nikon_d70s_dark                    199.5 /  404.8 ->  57.8
    jpeg/iphone6_hdr_NO                     323.5 /  471.2 ->  63.7
    jpeg/iphone6_hdr_YES                    400.0 /  683.7 ->  73.0
    jpeg/canon_sx60_hdr_NO                  365.9 /  821.1 ->  76.5
    jpeg/exiv2_SM-G930V_orient6             598.0 / 1493.6 ->  92.1
    jpeg/nokia83_5G (sharp)                 943.3 / 2211.5 -> 100
    jpeg/olympus_ep3_iso1600 (sharp)        947.7 / 2543.7 -> 100
    jpeg/exiv2_FurnaceCreekInn2 (sharp)    1029.1 / 2416.8 -> 100
    jpeg/exiv2_D7000_underexposed             0.7 /    1.0 ->   0 (black: nothing to see)

Cost on a 24 MP luma (2 cores): ~33 ms, of which ~25 ms is the area reduction.

Exposure
--------
One 256-bin histogram (``cv2.calcHist``) of the full-resolution luma gives
`highlight_clip` (fraction >= 250), `shadow_clip` (fraction <= 5), the mean,
and the 99th percentile (p99, "the brightest real content"). The score starts
at 100 and loses:
- highlight penalty: ``100 * (highlight_clip - 1 %) / (30 % - 1 %)``, clamped
  to 0..100 — specular highlights up to 1 % are free, 30 % clipped is a failed
  frame;
- under-exposure penalty: ``100 * (96 - p99) / (96 - 24)``, clamped — only
  when even the brightest 1 % of the frame stays below ~mid-grey is the frame
  under-exposed. Deep shadows alone cost nothing: a low-key subject against
  black is a choice, not a mistake, and a high-key frame without clipping is
  fine too.
Fixtures: exiv2_D7000_underexposed (mean 5, p99 8) -> 0; sony_a200 low-key
(70 % <= 5 but p99 176) -> 100; exiv2_canon6D_highkey (mean 207, no clipping)
-> 100; canon_sx60_hdr_NO (8.2 % clipped chandelier) -> 75.3; canon_sd300
(5.9 %) -> 83.1; nikon_d70s_dark (mean 53, 4.8 % clipped lights) -> 87.0;
iphone6_hdr_NO (2.5 %) -> 94.8; the orientation set (6.5 %) -> 81. Cost on a
24 MP luma: ~6-10 ms.

Invariants: inputs are 2-D uint8 arrays and are never modified; scores are in
0..100; an empty array raises ValueError (a programming error, not a photo).
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
CLIP_EV_SCALE = 0.6
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
    640 px on the long edge get no score and the note "too small to judge"."""
    _check_luma(luma)
    work = working_scale(luma)
    laplacian = cv2.Laplacian(work, cv2.CV_32F)
    laplacian_var = float(laplacian.var(dtype=np.float64))
    tile_p90 = float(np.percentile(tile_variances(laplacian), TILE_PERCENTILE))
    score: float | None = None
    note: str | None = TOO_SMALL_NOTE
    if max(luma.shape) >= MIN_JUDGED_LONG_EDGE:
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
    as if log luminance were normal with a 0.6 EV spread: 1 % is free."""
    share = min(max(clipped_content, 1e-6), 0.999)
    return max(0.0, CLIP_EV_SCALE * (_NORMAL.inv_cdf(share) - _NORMAL.inv_cdf(FREE_CLIP)))


def exposure_judgment(
    headroom: float, dark_key: float, clipped_content: float, shadow_clip: float
) -> tuple[float, float]:
    """(score, ev) from the four exposure readings (rule in the module docstring)."""
    under = soft_excess(headroom - FREE_HEADROOM_EV)
    dark = soft_excess(dark_key - FREE_DARK_KEY_EV)
    over = clip_ev(clipped_content)
    badness = under + DARK_KEY_WEIGHT * min(under, dark) + over + shadow_clip * min(1.0, under)
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
    if rgb is not None and rgb.ndim == 3 and rgb.size:
        bright = luma_histogram(np.ascontiguousarray(rgb[..., :3].max(axis=2)))
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
