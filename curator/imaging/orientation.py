"""EXIF orientation and preview-sizing helpers shared by the decoders.

Responsibility: map between EXIF orientation (1..8), LibRaw's ``flip`` code
and displayed sizes; apply an orientation to a Pillow image; shrink an image to
a long edge with an area filter.

Invariants:
- orientations outside 1..8 are treated as 1 (identity);
- `apply_orientation` returns a new image (the input is never mutated) whose
  size equals `displayed_size(input.size, orientation)`;
- `fit_long_edge` only ever shrinks: a source smaller than the target is
  returned unchanged (no upscaling, the preview is "the largest available").
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

# EXIF orientation -> the Pillow transposition(s) that display it upright.
_TRANSPOSE: dict[int, tuple[Image.Transpose, ...]] = {
    1: (),
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),  # Pillow rotates counter-clockwise: 270 CCW = 90 CW
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}

# LibRaw/dcraw `flip` -> EXIF orientation. dcraw maps EXIF o to flip with
# "50132467"[o & 7]; this is its inverse for the valid orientations 1..8.
_FLIP_TO_ORIENTATION: dict[int, int] = {0: 1, 1: 2, 3: 3, 2: 4, 4: 5, 6: 6, 7: 7, 5: 8}


def swaps_axes(orientation: int) -> bool:
    """True for the orientations (5..8) that turn a landscape frame portrait."""
    return orientation in (5, 6, 7, 8)


def displayed_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """(width, height) of a stored (width, height) once `orientation` is applied."""
    width, height = size
    return (height, width) if swaps_axes(orientation) else (width, height)


def orientation_from_flip(flip: int) -> int:
    """EXIF orientation equivalent to LibRaw's `sizes.flip` (1 when unknown)."""
    return _FLIP_TO_ORIENTATION.get(flip, 1)


def apply_orientation(image: Image.Image, orientation: int) -> Image.Image:
    """A copy of `image` turned upright according to EXIF `orientation`."""
    result = image
    for method in _TRANSPOSE.get(orientation, ()):
        result = result.transpose(method)
    return result if result is not image else image.copy()


def fit_long_edge(image: Image.Image, long_edge: int) -> Image.Image:
    """`image` shrunk (INTER_AREA) so its long edge is `long_edge`; never enlarged."""
    width, height = image.size
    longest = max(width, height)
    if longest <= long_edge:
        return image
    scale = long_edge / longest
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # INTER_AREA is the right filter for shrinking (it averages, no aliasing) and
    # is several times faster than Pillow's LANCZOS on a 24 MP frame.
    array = np.asarray(image)
    small = cv2.resize(array, size, interpolation=cv2.INTER_AREA)
    return Image.fromarray(small)
