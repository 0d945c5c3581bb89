"""EXIF orientation and preview-sizing helpers shared by the decoders.

Invariants: orientations outside 1..8 are 1; `apply_orientation` returns a
new image of `displayed_size(input.size, orientation)`; `fit_long_edge` only
shrinks; `turned_orientation` composes the file's orientation with the user's
quarter-turns into one EXIF value.
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


# (EXIF orientation, the user's quarter-turns clockwise) -> the one EXIF
# orientation that shows the stored pixels that way: row o, column r is the
# orientation whose transform equals "apply o, then turn r x 90 deg clockwise".
# Derived from `_TRANSPOSE` (a test checks every cell against Pillow).
_TURNED: dict[int, tuple[int, int, int, int]] = {
    1: (1, 6, 3, 8),
    2: (2, 7, 4, 5),
    3: (3, 8, 1, 6),
    4: (4, 5, 2, 7),
    5: (5, 2, 7, 4),
    6: (6, 3, 8, 1),
    7: (7, 4, 5, 2),
    8: (8, 1, 6, 3),
}


def turned_orientation(orientation: int, quarter_turns: int) -> int:
    """The EXIF orientation of a file shown with `orientation` and then turned
    `quarter_turns` x 90 deg clockwise by the user (negative: counter-clockwise).

    This is what goes out as XMP `tiff:Orientation`: a reader applying it to
    the untouched original shows what the photographer saw. Orientations
    outside 1..8 count as 1.
    """
    row = _TURNED.get(orientation, _TURNED[1])
    return row[quarter_turns % 4]


def turned_box(
    box: tuple[float, float, float, float], quarter_turns: int
) -> tuple[float, float, float, float]:
    """A box (x, y, w, h) in fractions of an upright image, in fractions of
    that image turned `quarter_turns` x 90 deg clockwise (the photographer's
    turn: face boxes drawn on, or written for, the turned picture)."""
    x, y, w, h = box
    for _ in range(quarter_turns % 4):  # clockwise: (x, y) -> (1 - y, x)
        x, y, w, h = 1.0 - (y + h), x, h, w
    return x, y, w, h


def turn_clockwise(image: Image.Image, quarter_turns: int) -> Image.Image:
    """`image` (already upright) turned `quarter_turns` x 90 deg clockwise; the
    same object when the turns cancel out (0 mod 4)."""
    turns = quarter_turns % 4
    if turns == 0:
        return image
    method = {
        1: Image.Transpose.ROTATE_270,  # Pillow turns counter-clockwise
        2: Image.Transpose.ROTATE_180,
        3: Image.Transpose.ROTATE_90,
    }[turns]
    return image.transpose(method)


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


def apply_orientation_pixels(array: np.ndarray, orientation: int) -> np.ndarray:
    """A view of `array` (rows, columns[, channels]) turned upright according to
    EXIF `orientation`, as `apply_orientation` turns an image (a test checks
    every orientation against it); no pixel is copied."""
    turns = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: a.swapaxes(0, 1),
        6: lambda a: np.rot90(a, -1),
        7: lambda a: np.rot90(a, 2).swapaxes(0, 1),
        8: lambda a: np.rot90(a, 1),
    }
    turn = turns.get(orientation)
    return array if turn is None else turn(array)


def shrunk_size(size: tuple[int, int], long_edge: int) -> tuple[int, int] | None:
    """(width, height) scaled so the long edge is `long_edge`; None when already that small."""
    width, height = size
    longest = max(width, height)
    if longest <= long_edge:
        return None
    scale = long_edge / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def fit_long_edge(image: Image.Image, long_edge: int) -> Image.Image:
    """`image` shrunk (INTER_AREA) so its long edge is `long_edge`; never enlarged."""
    if shrunk_size(image.size, long_edge) is None:
        return image
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    return Image.fromarray(fit_long_edge_pixels(np.asarray(image), long_edge))


def fit_long_edge_pixels(array: np.ndarray, long_edge: int) -> np.ndarray:
    """`fit_long_edge` on an (h, w) or (h, w, 3) uint8 array: the same pixels,
    without a Pillow image on either side."""
    height, width = array.shape[:2]
    size = shrunk_size((width, height), long_edge)
    if size is None:
        return array
    # Halvings by a box average (`box_shrink`, OpenCV's fastest path), then
    # INTER_LINEAR for the remaining factor below 2, where bilinear does not alias
    # visibly; a direct INTER_AREA at a fractional ratio costs ~5x more.
    ratio = max(width, height) / long_edge
    array = box_shrink(array, 1 << (int(ratio).bit_length() - 1))  # a power of 2 <= ratio
    if (array.shape[1], array.shape[0]) != size:
        array = cv2.resize(array, size, interpolation=cv2.INTER_LINEAR)
    return array


def box_shrink(array: np.ndarray, factor: int) -> np.ndarray:
    """`array` (h, w[, c]) shrunk by the whole `factor`: each output pixel the
    mean of a factor x factor block (rounded at each halving when `factor` is
    even), the last (factor - 1) rows and columns at most left out; `array`
    itself when factor < 2. The crop to whole blocks keeps OpenCV on its
    exact-ratio INTER_AREA path, and halvings are its vectorised case."""
    while factor >= 2:
        step = 2 if factor % 2 == 0 else factor
        height, width = array.shape[:2]
        rows, cols = max(1, height // step), max(1, width // step)
        block = array[: rows * step, : cols * step]
        array = cv2.resize(block, (cols, rows), interpolation=cv2.INTER_AREA)
        factor //= step
    return array


def grid_means(values: np.ndarray, cols: int, rows: int) -> np.ndarray:
    """`values` (2-D float32) area-averaged to `rows` x `cols` tiles: OpenCV's
    INTER_AREA, one axis at a time: the direct 2-D resize up to float rounding
    (the area filter is separable), without OpenCV's slow general path over the
    whole map for a fractional ratio. When neither axis divides evenly, the rows
    go first (OpenCV's general path is ~3x cheaper reducing rows)."""
    height, width = values.shape[:2]
    if width % cols == 0:
        narrow = cv2.resize(values, (cols, height), interpolation=cv2.INTER_AREA)
    else:
        narrow = cv2.resize(values, (width, rows), interpolation=cv2.INTER_AREA)
    return cv2.resize(narrow, (cols, rows), interpolation=cv2.INTER_AREA)
