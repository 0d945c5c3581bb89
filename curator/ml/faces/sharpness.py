"""A face's own sharpness, on the photo's 0–100 scale.

Measured on the *eye band* (both eyes' lids, widened a third of an eye each
side and raised to the brows: a face's finest detail), with the photo's own
measure at its working scale (imaging.metrics): directional second
differences less the photo's noise, weighed as `metrics.tile_detail` does,
then `metrics.sharpness_score`. So "face soft, background sharp" compares two
numbers on one scale.

Invariants: pure; the band is clipped to the image; a band under
`MIN_BAND_PX` working pixels on a side has no score (None).
"""

from __future__ import annotations

import math
from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray

from curator.imaging.metrics import PRE_SMOOTH, WorkingView, sharpness_score, tile_detail

MIN_BAND_PX = 6
SIDE_MARGIN = 0.33  # of an eye's width, beside the outer corners
ABOVE = 0.8  # of an eye's width, above the lids (the brows)
BELOW = 0.35  # of an eye's width, below the lids
BORDER = 3  # working pixels of context read around the band for the filters

_KERNELS = (
    np.array([[0, 0, 0], [1, -2, 1], [0, 0, 0]], np.float32),
    np.array([[0, 1, 0], [0, -2, 0], [0, 1, 0]], np.float32),
    np.array([[1, 0, 0], [0, -2, 0], [0, 0, 1]], np.float32) / 2,
    np.array([[0, 0, 1], [0, -2, 0], [1, 0, 0]], np.float32) / 2,
)


@lru_cache(maxsize=1)
def noise_gains() -> NDArray[np.float64]:
    """Each direction's response energy per unit of white-noise variance, after
    the `PRE_SMOOTH` blur (what `metrics.noise_sigma` inverts for direction 0)."""
    size = max(3, round(PRE_SMOOTH * 8 + 1) | 1)
    g = cv2.getGaussianKernel(size, PRE_SMOOTH)
    blur = (g @ g.T).astype(np.float64)
    gains = []
    for kernel in _KERNELS:
        total = cv2.filter2D(
            np.pad(blur, 2), cv2.CV_64F, kernel.astype(np.float64), borderType=cv2.BORDER_CONSTANT
        )
        gains.append(float((total**2).sum()))
    return np.array(gains)


def eye_band(
    right_lids: NDArray[np.float64], left_lids: NDArray[np.float64]
) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of the eye band in the lids' pixels."""
    lids = np.vstack([right_lids, left_lids])
    eye_width = max(
        float(np.hypot(*(right_lids[0] - right_lids[8]))),
        float(np.hypot(*(left_lids[0] - left_lids[8]))),
        1.0,
    )
    x0, y0 = lids.min(axis=0)
    x1, y1 = lids.max(axis=0)
    return (
        float(x0 - SIDE_MARGIN * eye_width),
        float(y0 - ABOVE * eye_width),
        float(x1 + SIDE_MARGIN * eye_width),
        float(y1 + BELOW * eye_width),
    )


def band_sharpness(
    work: WorkingView, band: tuple[float, float, float, float], noise_sd: float | None
) -> float | None:
    """The 0..100 sharpness of `band` (x0, y0, x1, y1 in the working-scale
    luma's pixels; only the band and its `BORDER` are area-averaged) with the
    photo's noise sd taken off; None when too small."""
    height, width = work.shape
    x0, y0 = max(0, math.floor(band[0])), max(0, math.floor(band[1]))
    x1, y1 = min(width, math.ceil(band[2])), min(height, math.ceil(band[3]))
    if x1 - x0 < MIN_BAND_PX or y1 - y0 < MIN_BAND_PX:
        return None
    cx0, cy0 = max(0, x0 - BORDER), max(0, y0 - BORDER)
    crop = work.window(cx0, cy0, min(width, x1 + BORDER), min(height, y1 + BORDER))
    image = cv2.GaussianBlur(crop.astype(np.float32), (0, 0), PRE_SMOOTH)
    inner = (slice(y0 - cy0, y1 - cy0), slice(x0 - cx0, x1 - cx0))
    energy = np.array(
        [float(np.mean(np.square(cv2.filter2D(image, cv2.CV_32F, k)[inner]))) for k in _KERNELS]
    ).reshape(4, 1, 1)
    noise = None if not noise_sd else noise_gains() * noise_sd**2
    detail = float(tile_detail(energy, noise)[0, 0])
    return float(sharpness_score(math.sqrt(max(detail, 0.0))))
