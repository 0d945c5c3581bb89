"""Exposure as a photographer reads it: an EV estimate and a 0–100 score.

Pure numpy from a 2-D uint8 luma (and optionally RGB) to an
`ExposureMeasure`. Calibration: docs/decisions/imaging.md.

Readings (the brightest channel's histogram when RGB is given):
- headroom: EV from white to the `HIGHLIGHT_QUANTILE`, at most `MAX_HEADROOM_EV`;
- body headroom: the same at the `BODY_QUANTILE` of the non-shadow pixels;
- clipped content (non-shadow pixels clipped in a channel), lit clip (within
  `LIT_RANGE_EV` of white), shadow clip (luma ≤ 5).

`exposure_judgment`:
1. under = smooth max(headroom − `HEADROOM_REF_EV`, body headroom − `BODY_REF_EV`);
2. over = EV beyond clipping for a 1 EV-wide normal log luminance, less
   `FREE_CLIP_SHARE`;
3. ev = over − under, to 0.1 EV;
4. badness = soft(under − 0.3) + soft(over − 0.3) + shadow clip × min(1, under),
   ``score = 100 / (1 + (badness / 1.1)^2)``: 0.7 EV off ~88, 1.2 EV ~60 (the
   CLIPPED badge's line), 2 EV ~30.

Invariants: inputs never modified; score in 0..100; an empty luma raises ValueError.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import cv2
import numpy as np

from curator.imaging.histogram import HIGHLIGHT_LEVEL, SHADOW_LEVEL
from curator.records import ExposureMeasure

HIGHLIGHT_QUANTILE = 0.995
BODY_QUANTILE = 0.90
MAX_HEADROOM_EV = 8.0
HEADROOM_REF_EV = 0.1  # a well-exposed frame's headroom
BODY_REF_EV = 2.1  # a well-exposed (night, dusk, chart) frame's body headroom, at most
LIT_RANGE_EV = 4.0  # "lit": within this many EV of white
CLIP_SPREAD_EV = 1.0
FREE_CLIP_SHARE = 0.03
FREE_EV = 0.3  # EV off that costs (almost) nothing
LIT_CLIP_CAP = 2.0
MIN_CONTENT = 0.05
SOFT_EV = 0.15
EXPOSURE_HALF_EV = 1.1  # badness (EV) that scores 50
EXPOSURE_SLOPE = 2.0

_LEVELS = np.arange(256, dtype=np.float64) / 255.0
SRGB_LINEAR = np.where(_LEVELS <= 0.04045, _LEVELS / 12.92, ((_LEVELS + 0.055) / 1.055) ** 2.4)
_LIT_LEVEL = int(np.searchsorted(SRGB_LINEAR, 2.0**-LIT_RANGE_EV))
_NORMAL = NormalDist()


def check_luma(luma: np.ndarray) -> None:
    """Raise ValueError unless `luma` is a non-empty 2-D uint8 array (a programming
    error, not a photo): what every measure of imaging takes."""
    if luma.ndim != 2 or luma.dtype != np.uint8 or luma.size == 0:
        raise ValueError(f"expected a non-empty 2-D uint8 luma array, got {luma.dtype}{luma.shape}")


def luma_histogram(luma: np.ndarray) -> np.ndarray:
    """256-bin histogram of a uint8 luma array as float64 counts."""
    check_luma(luma)
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


def smooth_max(a: float, b: float) -> float:
    """max(a, b) with a smooth knee (width SOFT_EV), strictly increasing in both."""
    top = max(a, b)
    return top + SOFT_EV * math.log1p(math.exp(-abs(a - b) / SOFT_EV))


def headroom_ev(bright_hist: np.ndarray, quantile: float = HIGHLIGHT_QUANTILE) -> float:
    """EV between white and the `quantile` of the brightest channel, at most 8 EV."""
    top = to_linear(histogram_quantile(bright_hist, quantile))
    return min(MAX_HEADROOM_EV, math.log2(1.0 / max(top, 2.0**-MAX_HEADROOM_EV)))


def clip_ev(clipped_share: float) -> float:
    """Over-exposure (EV) read from a clipped share, as if log luminance were
    normal with a 1 EV spread: 3 % is free."""
    share = min(max(clipped_share, 1e-6), 0.999)
    return max(0.0, CLIP_SPREAD_EV * (_NORMAL.inv_cdf(share) - _NORMAL.inv_cdf(FREE_CLIP_SHARE)))


def exposure_judgment(
    headroom: float,
    body_headroom: float,
    clipped_content: float,
    shadow_clip: float,
    lit_clip: float = 0.0,
) -> tuple[float, float]:
    """(score, ev) from the readings (rule in the module docstring)."""
    under = soft_excess(smooth_max(headroom - HEADROOM_REF_EV, body_headroom - BODY_REF_EV))
    # The lit share counts up to twice the content share: a low-key subject blown
    # white, without a dusk street's clipped sky (a sliver of a dark frame) reading
    # as a blown frame.
    over = clip_ev(max(clipped_content, min(lit_clip, LIT_CLIP_CAP * clipped_content)))
    badness = soft_excess(under - FREE_EV) + soft_excess(over - FREE_EV)
    badness += shadow_clip * min(1.0, under)
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
        if rgb.dtype == np.uint8 and rgb.flags.c_contiguous:
            # OpenCV's split + max: the same values ~3x faster than numpy's.
            planes = cv2.split(rgb)
            brightest = cv2.max(cv2.max(planes[0], planes[1]), planes[2])
        else:
            brightest = np.maximum(np.maximum(rgb[..., 0], rgb[..., 1]), rgb[..., 2])
        bright = luma_histogram(np.ascontiguousarray(brightest, dtype=np.uint8))
    else:
        bright = hist
    bright_total = float(bright.sum())
    clipped = float(bright[HIGHLIGHT_LEVEL:].sum()) / bright_total
    clipped_content = min(1.0, clipped / max(MIN_CONTENT, 1.0 - shadow_clip))
    lit = float(bright[_LIT_LEVEL:].sum()) / bright_total
    lit_clip = min(1.0, clipped / max(MIN_CONTENT, lit))
    content = bright.copy()
    content[: SHADOW_LEVEL + 1] = 0.0  # the body of what is lit, not of the black
    if content.sum() <= 0:
        content = bright
    score, ev = exposure_judgment(
        headroom_ev(bright),
        headroom_ev(content, BODY_QUANTILE),
        clipped_content,
        shadow_clip,
        lit_clip,
    )
    return ExposureMeasure(
        highlight_clip=round(highlight_clip, 6),
        shadow_clip=round(shadow_clip, 6),
        mean_luminance=round(mean, 3),
        score=score,
        ev=ev,
    )
