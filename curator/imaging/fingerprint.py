"""A photo's picture fingerprint: what finds the same picture stored twice.

Measured by the technical stage on the upright preview it decoded anyway (a
stored figure: curator.figures, `fingerprint`), compared by
curator.duplicates.
Pure (numpy and OpenCV); about 2 ms on a 24 MP luma (measured at
`WORKING_EDGE`).

Encoding (version 1, `FINGERPRINT_BYTES` bytes): the version; four 64-bit
perceptual hashes (big-endian) of the frame's inner `INNER` share at its
four quarter turns (the hash of 32 × 32 grey's DCT: the 8 × 8 lowest
frequencies against their median, the kind Czkawka and dupeGuru use); then
three `GRID` × `GRID` uint8 grids of the same inner frame upright (its
grey stretched from its 1st to its 99th percentile), its centre at `SCALES`
(1, 0.96, 0.92 of it: a copy cropped or framed by a few percent lines up
with one of them). The hashes find candidates through an index; the grids
say whether two candidates are the same picture (both read by
curator.duplicates.groups `prints_of`). The choice and its figures:
docs/decisions/duplicates.md.
"""

from __future__ import annotations

import cv2
import numpy as np

VERSION = 1
TURNS = 4
GRID = 16
SCALES = (1.0, 0.96, 0.92)
INNER = 0.94  # the share of the frame hashed: a border or a crop's edge left out
MIN_SIDE = 16  # a frame smaller than this has no fingerprint (a 64 px web thumbnail has)
WORKING_EDGE = 256  # the long edge it is measured at: 32 × 32 and 16 × 16 need no more
HASH_BYTES = 1 + 8 * TURNS  # the version and the hashes: what the index reads
FINGERPRINT_BYTES = HASH_BYTES + len(SCALES) * GRID * GRID


def _centre(grey: np.ndarray, share: float) -> np.ndarray:
    h, w = grey.shape
    dy, dx = round(h * (1 - share) / 2), round(w * (1 - share) / 2)
    return np.ascontiguousarray(grey[dy : h - dy, dx : w - dx])


def _dct_hash(grey: np.ndarray) -> int:
    small = cv2.resize(grey, (32, 32), interpolation=cv2.INTER_AREA)
    low = cv2.dct(small)[:8, :8].flatten()
    bits = low > np.median(low[1:])
    return int.from_bytes(np.packbits(bits).tobytes(), "big")


def _small(luma: np.ndarray) -> np.ndarray:
    """The luma at most `WORKING_EDGE` on its long edge, float32 (a 24 MP frame
    is strided to about twice that first: its area average stays as fine)."""
    step = max(1, max(luma.shape) // (2 * WORKING_EDGE))
    sampled = np.ascontiguousarray(luma[::step, ::step], dtype=np.float32)
    scale = WORKING_EDGE / max(sampled.shape)
    if scale >= 1:
        return sampled
    size = (max(1, round(sampled.shape[1] * scale)), max(1, round(sampled.shape[0] * scale)))
    return cv2.resize(sampled, size, interpolation=cv2.INTER_AREA)


def fingerprint(luma: np.ndarray, preview: np.ndarray | None = None) -> bytes | None:
    """The fingerprint of a frame (the stored figure's `measure`): of its upright
    `preview` (RGB uint8) when given — the picture as it is seen, so a file
    stored turned or mirrored with an EXIF orientation that undoes it is the
    same picture — else of `luma` (2-D, 0–255, taken as upright); None for a
    frame too small or flat to tell."""
    if preview is not None and preview.ndim == 3:
        luma = cv2.cvtColor(np.ascontiguousarray(preview[:, :, :3]), cv2.COLOR_RGB2GRAY)
    if luma.ndim != 2 or min(luma.shape) < MIN_SIDE:
        return None
    grey = _centre(_small(luma), INNER)
    low, high = np.percentile(grey, (1, 99))
    if high - low < 2.0:  # a flat frame: every flat frame would look alike
        return None
    hashes = [_dct_hash(np.ascontiguousarray(np.rot90(grey, k))) for k in range(TURNS)]
    stretched = (grey - low) * (255.0 / (high - low))  # a dark frame's grid as detailed
    grids = [
        cv2.resize(_centre(stretched, s), (GRID, GRID), interpolation=cv2.INTER_AREA)
        for s in SCALES
    ]
    out = bytearray((VERSION,))
    for h in hashes:
        out += h.to_bytes(8, "big")
    out += np.clip(np.rint(np.stack(grids)), 0, 255).astype(np.uint8).tobytes()
    return bytes(out)
