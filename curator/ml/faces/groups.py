"""A group's small faces looked for again in the decode's sharper pixels.

On a 1,440 px preview a 24 MP group's faces are 30–50 px: too small to find or
judge (`eyes.CLOSED_FROM_PX`). When the preview shows a group (`GROUP_FACES`
faces, a third of them and two at least under `SMALL_PX`) the technical stage
gives the sharper pixels (`imaging.technical.detail_of`), the faces are found
again there (`detail_detections`) and every face is judged on them:
- square tiles over the whole frame, sized so the smallest face to find (the
  preview's smallest, or `SMALLEST_SHARE` of the long edge) reads
  `FACE_IN_INPUT` px, overlapping by `OVERLAP`, at most `MAX_TILES`;
- the preview's findings, scaled up, are merged with the tiles'.
Cost: ~8 ms a tile and ~8 ms a judged face (docs/decisions/faces-models.md).

Invariants: pure; `detail` never modified; boxes in the detail image's pixels.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from curator.ml.faces.networks import Detection, Networks, cut_by_region, merge_detections

GROUP_FACES = 3  # faces found on the preview that make a group ...
SMALL_PX = 64  # ... when at least a third of them (two at least) are under this (preview px)
DETAIL_FROM = 1.5  # the detail image must be this much larger than the preview to help
FACE_IN_INPUT = 20.0  # px a face should read in the detector's 192 px input
SMALLEST_SHARE = 0.016  # the smallest face to find: 100 px of a 6,000 px frame
DETECTOR_INPUT = 192
OVERLAP = 0.25
MAX_TILES = 40
MIN_SCORE = 0.25


def is_group(found: list[Detection]) -> bool:
    """Whether the preview's findings are a group of small faces (see above)."""
    if len(found) < GROUP_FACES:
        return False
    small = sum(1 for d in found if d.long_side < SMALL_PX)
    return small >= 2 and small * 3 >= len(found)


def helps(detail: NDArray[np.uint8], preview_shape: tuple[int, ...]) -> bool:
    """Whether `detail` is sharp enough beside the preview to look again in."""
    return max(detail.shape[:2]) >= DETAIL_FROM * max(preview_shape[:2])


def as_rgb(pixels: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Grey pixels as RGB (the networks read three channels); RGB as it is."""
    if pixels.ndim == 2:
        return np.ascontiguousarray(np.repeat(pixels[:, :, np.newaxis], 3, axis=2))
    return np.ascontiguousarray(pixels)


def scaled(d: Detection, factor: float) -> Detection:
    """`d` in pixels `factor` times larger."""
    box = (d.box[0] * factor, d.box[1] * factor, d.box[2] * factor, d.box[3] * factor)
    return Detection(d.score, box, d.keypoints * factor)


def tiles(shape: tuple[int, ...], side: float) -> list[tuple[int, int, int, int]]:
    """Square tiles (x, y, w, h) of about `side` px overlapping by at least
    `OVERLAP`, covering a frame of `shape`; at most `MAX_TILES` (larger tiles
    otherwise)."""
    height, width = shape[:2]
    while True:
        side = min(side, width, height)
        step = side * (1 - OVERLAP)
        cols = math.ceil((width - side) / step) + 1 if width > side else 1
        rows = math.ceil((height - side) / step) + 1 if height > side else 1
        if cols * rows <= MAX_TILES:
            break
        if side >= min(width, height):  # a strip: spread the tiles it may have along it
            cols, rows = min(cols, MAX_TILES), min(rows, MAX_TILES)
            break
        side *= 1.25
    size = round(side)
    xs = np.linspace(0, width - size, cols).round().astype(int)
    ys = np.linspace(0, height - size, rows).round().astype(int)
    return [(int(x), int(y), size, size) for y in ys for x in xs]


def detail_detections(
    nets: Networks,
    detail_rgb: NDArray[np.uint8],
    found: list[Detection],
    factor: float,
) -> list[Detection]:
    """The faces of a group in the detail image (its pixels): the preview's
    findings `found` scaled by `factor`, merged with what the tiles find."""
    upscaled = [scaled(d, factor) for d in found]
    smallest = min(min(d.long_side for d in upscaled), SMALLEST_SHARE * max(detail_rgb.shape[:2]))
    side = max(float(DETECTOR_INPUT), smallest * DETECTOR_INPUT / FACE_IN_INPUT)
    more: list[Detection] = []
    for region in tiles(detail_rgb.shape, side):
        there = nets.detector.detect(detail_rgb, region, threshold=MIN_SCORE)
        more += [d for d in there if not cut_by_region(d, region, detail_rgb.shape)]
    return merge_detections(upscaled + more)
