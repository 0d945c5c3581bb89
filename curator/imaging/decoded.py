"""What a decode produces, and the checks every decoder shares: the
`DecodedImage` value, the exceptions that mean damaged pixel data
(`PIXEL_ERRORS`) and the pixel-count safety check. `imaging.decode` and
`imaging.raw.decode` both import it, so neither imports the other at load.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from curator.imaging.errors import DecompressionBombError
from curator.imaging.types import FileFormat, MetricsSource

# What Pillow (and OpenCV) raise while parsing or decoding damaged data.
PIXEL_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    zlib.error,
    cv2.error,
)


@dataclass(frozen=True, eq=False)
class DecodedImage:
    """The pixels one file decoded to. Not pickled across processes (holds arrays)."""

    luma: np.ndarray  # 2-D uint8, full resolution, stored orientation
    preview: Image.Image  # RGB, upright, long edge <= the requested preview size
    width: int  # displayed size (after orientation)
    height: int
    format: FileFormat
    metrics_source: MetricsSource
    orientation: int  # the EXIF orientation applied to get from stored to displayed
    notes: tuple[str, ...] = ()


def check_pixel_count(width: int, height: int, max_pixels: int) -> None:
    """Raise `DecompressionBombError` when width x height exceeds `max_pixels`."""
    if width * height > max_pixels:
        raise DecompressionBombError(
            f"The image claims to be {width:,} × {height:,} pixels "
            f"({width * height / 1e6:,.0f} MP), over the {max_pixels / 1e6:,.0f} MP safety "
            "limit; Curator did not open it to protect your computer's memory.",
            f"declared {width}x{height} = {width * height} pixels > max_pixels={max_pixels}",
        )
