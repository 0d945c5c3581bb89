"""What the loupe's viewing tools compute from displayed pixels: the luma and
RGB histogram, the clipping masks and the focus-peaking mask.

Pure numpy over an (h, w, 3) uint8 RGB array; no Qt, no catalog, no OpenCV (the
loupe imports it). Its levels are the catalog's too (imaging.exposure reads them
here): a pixel is a blown highlight when ANY channel is at or above
`HIGHLIGHT_LEVEL` (one clipped channel already loses colour) and a crushed shadow
when ALL channels are at or below `SHADOW_LEVEL`; the two never overlap. Luma is
Rec. 601 (the weights JPEG and the catalog's measure use).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HIGHLIGHT_LEVEL = 250
SHADOW_LEVEL = 5
PEAKING_THRESHOLD = 48.0  # luma gradient magnitude (levels per pixel) that counts as an edge
HIGHLIGHT_RGBA = (255, 40, 40, 255)
SHADOW_RGBA = (40, 90, 255, 255)
PEAKING_RGBA = (80, 255, 80, 255)


@dataclass(frozen=True)
class Histogram:
    """256-bin counts of luma and of each channel, over `pixels` pixels."""

    luma: np.ndarray
    red: np.ndarray
    green: np.ndarray
    blue: np.ndarray
    pixels: int

    def channels(self) -> tuple[tuple[str, np.ndarray], ...]:
        return (("red", self.red), ("green", self.green), ("blue", self.blue), ("luma", self.luma))


def _check(rgb: np.ndarray) -> None:
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected (h, w, 3) uint8 RGB, got {rgb.dtype} {rgb.shape}")


def luma(rgb: np.ndarray) -> np.ndarray:
    """Rec. 601 luma as uint8 (rounded)."""
    _check(rgb)
    weighted = rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114
    return np.clip(weighted + 0.5, 0, 255).astype(np.uint8)


def histogram(rgb: np.ndarray) -> Histogram:
    """Luma and R, G, B histograms of an RGB image."""
    _check(rgb)

    def counts(channel: np.ndarray) -> np.ndarray:
        return np.bincount(channel.ravel(), minlength=256).astype(np.int64)

    return Histogram(
        luma=counts(luma(rgb)),
        red=counts(rgb[..., 0]),
        green=counts(rgb[..., 1]),
        blue=counts(rgb[..., 2]),
        pixels=int(rgb.shape[0] * rgb.shape[1]),
    )


def clipping_masks(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(blown, crushed) boolean masks: any channel ≥ 250; every channel ≤ 5."""
    _check(rgb)
    blown = np.asarray((rgb >= HIGHLIGHT_LEVEL).any(axis=2))
    crushed = np.asarray((rgb <= SHADOW_LEVEL).all(axis=2))
    return blown, crushed


def clipping_rgba(rgb: np.ndarray) -> np.ndarray:
    """An (h, w, 4) uint8 overlay: blown pixels red, crushed blue, the rest transparent."""
    blown, crushed = clipping_masks(rgb)
    out = np.zeros((*rgb.shape[:2], 4), np.uint8)
    out[blown] = HIGHLIGHT_RGBA
    out[crushed] = SHADOW_RGBA
    return out


def peaking_mask(rgb: np.ndarray, threshold: float = PEAKING_THRESHOLD) -> np.ndarray:
    """Pixels whose luma gradient (central differences) is above `threshold`."""
    y = luma(rgb).astype(np.float32)
    gx = np.zeros_like(y)
    gy = np.zeros_like(y)
    gx[:, 1:-1] = (y[:, 2:] - y[:, :-2]) * 0.5
    gy[1:-1, :] = (y[2:, :] - y[:-2, :]) * 0.5
    return np.asarray(np.hypot(gx, gy) > threshold)


def peaking_rgba(rgb: np.ndarray, threshold: float = PEAKING_THRESHOLD) -> np.ndarray:
    """An (h, w, 4) uint8 overlay tinting the edges above `threshold`."""
    mask = peaking_mask(rgb, threshold)
    out = np.zeros((*rgb.shape[:2], 4), np.uint8)
    out[mask] = PEAKING_RGBA
    return out
