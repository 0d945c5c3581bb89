"""DCT-scaled JPEG decoding: the one place a JPEG's pixels are decoded for measuring.

Luma and RGB preview decoded once at the smallest DCT scale (``draft``) that
covers the preview and `metrics.WORKING_LONG_EDGE`; for JPEG files
(`imaging.decode`) and a RAW's embedded JPEG (`imaging.raw.decode`) alike.

Invariants: luma C-contiguous 2-D uint8, stored orientation; preview RGB, not
turned; errors are Pillow's (`PIXEL_ERRORS`).
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from curator.imaging.metrics import WORKING_LONG_EDGE
from curator.imaging.orientation import fit_long_edge


def decode_jpeg_scaled(img: Image.Image, long_edge: int) -> tuple[np.ndarray, Image.Image]:
    """(luma, preview) of a lazily opened JPEG (see the module docstring)."""
    # One full Pillow decode gives both: the luma by Pillow's grey conversion and the
    # preview by whole-factor box reduction. Decoding twice (a DCT-scaled preview and
    # an OpenCV grey decode) costs ~40 % more on a 24 MP file, because libjpeg's
    # entropy decoding, not the colour conversion, dominates.
    target = max(long_edge, WORKING_LONG_EDGE)
    width, height = img.size
    if max(width, height) > 2 * target:
        ratio = target / max(width, height)
        img.draft(
            img.mode if img.mode in ("L", "RGB") else "RGB",
            (math.ceil(width * ratio), math.ceil(height * ratio)),
        )
    img.load()  # raises OSError("image file is truncated ...") on a cut-short file
    luma = np.asarray(img if img.mode == "L" else img.convert("L"))
    rgb = img if img.mode == "RGB" else img.convert("RGB")
    factor = max(img.size) // long_edge
    preview = fit_long_edge(rgb.reduce(factor) if factor >= 2 else rgb, long_edge)
    return np.ascontiguousarray(luma), preview
