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

import cv2
import numpy as np

from curator.imaging.orientation import shrunk_size
from curator.imaging.types import ExposureMeasure, SharpnessMeasure

WORKING_LONG_EDGE = 1024
TILE_GRID = 8
MIN_TILE = 16
TILE_PERCENTILE = 90.0
GLOBAL_TO_TILE = 2.5
TILE_WEIGHT = 0.8
BLURRED_LEVEL = 50.0
SHARP_LEVEL = 2000.0

HIGHLIGHT_LEVEL = 250
SHADOW_LEVEL = 5
FREE_HIGHLIGHT_CLIP = 0.01
FAILED_HIGHLIGHT_CLIP = 0.30
UNDEREXPOSED_P99_OK = 96
UNDEREXPOSED_P99_FAILED = 24


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


def sharpness_score(laplacian_var: float, tile_p90: float) -> float:
    """The 0..100 score for the two measures (calibration in the module docstring)."""
    level = math.exp(
        TILE_WEIGHT * math.log(max(tile_p90, 1e-6))
        + (1.0 - TILE_WEIGHT) * math.log(max(GLOBAL_TO_TILE * laplacian_var, 1e-6))
    )
    ramp = math.log(level / BLURRED_LEVEL) / math.log(SHARP_LEVEL / BLURRED_LEVEL)
    return round(100.0 * min(1.0, max(0.0, ramp)), 2)


def measure_sharpness(luma: np.ndarray) -> SharpnessMeasure:
    """Global and tiled Laplacian variance at the 1024 px working scale, and a score."""
    _check_luma(luma)
    work = working_scale(luma)
    laplacian = cv2.Laplacian(work, cv2.CV_32F)
    laplacian_var = float(laplacian.var(dtype=np.float64))
    tile_p90 = float(np.percentile(tile_variances(laplacian), TILE_PERCENTILE))
    return SharpnessMeasure(
        laplacian_var=round(laplacian_var, 3),
        tile_p90=round(tile_p90, 3),
        score=sharpness_score(laplacian_var, tile_p90),
    )


def luma_histogram(luma: np.ndarray) -> np.ndarray:
    """256-bin histogram of a uint8 luma array as float64 counts."""
    _check_luma(luma)
    hist = cv2.calcHist([np.ascontiguousarray(luma)], [0], None, [256], [0, 256])
    return hist.ravel().astype(np.float64)


def exposure_score(highlight_clip: float, p99: int) -> float:
    """The 0..100 exposure score (rule in the module docstring)."""
    highlight_penalty = (highlight_clip - FREE_HIGHLIGHT_CLIP) / (
        FAILED_HIGHLIGHT_CLIP - FREE_HIGHLIGHT_CLIP
    )
    under_penalty = (UNDEREXPOSED_P99_OK - p99) / (UNDEREXPOSED_P99_OK - UNDEREXPOSED_P99_FAILED)
    total = 100.0 * (min(1.0, max(0.0, highlight_penalty)) + min(1.0, max(0.0, under_penalty)))
    return round(max(0.0, 100.0 - total), 2)


def measure_exposure(luma: np.ndarray) -> ExposureMeasure:
    """Clip fractions, mean luminance and a score from one histogram pass."""
    hist = luma_histogram(luma)
    total = float(hist.sum())
    levels = np.arange(256, dtype=np.float64)
    highlight_clip = float(hist[HIGHLIGHT_LEVEL:].sum()) / total
    shadow_clip = float(hist[: SHADOW_LEVEL + 1].sum()) / total
    mean = float((hist * levels).sum()) / total
    cumulative = np.cumsum(hist) / total
    p99 = int(np.searchsorted(cumulative, 0.99))
    return ExposureMeasure(
        highlight_clip=round(highlight_clip, 6),
        shadow_clip=round(shadow_clip, 6),
        mean_luminance=round(mean, 3),
        score=exposure_score(highlight_clip, p99),
    )
