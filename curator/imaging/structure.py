"""An exposure-invariant structural signature of a frame, and its distance.

Responsibility: pure numpy/OpenCV functions that say whether two frames show
the same scene with the same framing *whatever their exposure*, so exposure
brackets (EV 0/−0.7/+0.7/−1.3/+1.3) and bursts group without CLIP
(ml.bursts). No I/O, no model, deterministic.

Encoding (`structure_signature`, version 1): 258 bytes,

    byte 0      format version (1)
    byte 1      grid side n (16)
    bytes 2..   the luma area-averaged to an n × n grid, row-major, uint8

The grid covers the whole frame in its *stored* orientation (frames of one
burst share it; the grid ignores the aspect ratio). Large lumas are first
sampled every k-th pixel (k = long edge // 256) before the area average:
each cell still averages hundreds of pixels, and it costs ~1 ms instead of
~25 ms on a 24 MP frame.

Distance (`signature_distance`): 1 − Spearman's rank correlation between the
two grids, over the cells that are neither crushed (≤ 3) nor clipped (≥ 252)
in *either* frame. A change of exposure is a monotonic tone curve, which
keeps the order of the cells, so ranks do not move; clipped and crushed
cells lose their order (ties), which is why they are left out — the
exclusion mask of Ward's median-threshold bitmaps, on ranks instead of one
threshold. 0 = same structure, ~1 = unrelated, up to 2 = inverted. None when
the two cannot be compared: other version or grid, fewer than
`MIN_USABLE_CELLS` cells usable (a frame blown to white or black), or a
flat grid.

Measured on the 18 fixture JPEGs (tests/bench/test_bursts_bench.py keeps
the budget; exposure changed in linear light with clipping): same scene at
±0.7/±1.3 EV ≤ 0.022 on every source but the near-black
`exiv2_D7000_underexposed` (sensor noise, left out), at ±2 EV ≤ 0.067 (the
high-key sheet of paper at +2 EV is white: not comparable); shifted 2 %,
turned 0.7° and shaken 21 px ≤ 0.14; the real iPhone normal/HDR pair 0.012,
the Canon SX60 pair (26 s apart, HDR-processed) 0.21; all 151 pairs of
different scenes ≥ 0.39, the Furnace Creek walk (one place and light, three
framings) included. `SAME_SCENE_MAX_DISTANCE` sits between the two. On the
generated bright scenes of tests/bracket_scenes.py: ±0.7/±1.3 EV ≤ 0.06, but
+2 EV reaches 0.04–0.25 (cells half clipped lose their order): brackets
wider than ±1.3 EV may split at their brightest frame unless CLIP agrees.
Cost: ~0.1 ms on a 24 MP luma.
"""

from __future__ import annotations

import cv2
import numpy as np

VERSION = 1
GRID = 16
SAMPLED_LONG_EDGE = 256  # strided sampling keeps at least this many pixels
CRUSHED_MAX = 3  # cells at or below: no order left (ties at black)
CLIPPED_MIN = 252  # cells at or above: no order left (ties at white)
MIN_USABLE_CELLS = 20  # fewer left and chance agreement gets likely (p ≈ 1e-4 at 20)
SAME_SCENE_MAX_DISTANCE = 0.25

_HEADER = 2


def structure_signature(luma: np.ndarray, grid: int = GRID) -> bytes:
    """The signature of a 2-D uint8 luma array (see the module docstring)."""
    if luma.ndim != 2 or luma.dtype != np.uint8 or luma.size == 0:
        raise ValueError(f"expected a non-empty 2-D uint8 luma array, got {luma.dtype}{luma.shape}")
    step = max(1, max(luma.shape) // SAMPLED_LONG_EDGE)
    sampled = np.ascontiguousarray(luma[::step, ::step])
    cells = cv2.resize(sampled, (grid, grid), interpolation=cv2.INTER_AREA)
    return bytes((VERSION, grid)) + cells.astype(np.uint8).tobytes()


def signature_grid(signature: bytes) -> np.ndarray | None:
    """The n × n grid a signature holds; None when it is not a valid one."""
    if len(signature) < _HEADER or signature[0] != VERSION:
        return None
    grid = signature[1]
    if grid == 0 or len(signature) != _HEADER + grid * grid:
        return None
    return np.frombuffer(signature, dtype=np.uint8, offset=_HEADER).reshape(grid, grid)


def signature_distance(a: bytes | None, b: bytes | None) -> float | None:
    """1 − Spearman over the cells usable in both (0 = same structure); None
    when the two cannot be compared (see the module docstring)."""
    if a is None or b is None:
        return None
    ga, gb = signature_grid(a), signature_grid(b)
    if ga is None or gb is None or ga.shape != gb.shape:
        return None
    va, vb = ga.ravel(), gb.ravel()
    usable = (va > CRUSHED_MAX) & (va < CLIPPED_MIN) & (vb > CRUSHED_MAX) & (vb < CLIPPED_MIN)
    if int(usable.sum()) < MIN_USABLE_CELLS:
        return None
    ra, rb = _average_ranks(va[usable]), _average_ranks(vb[usable])
    ra -= ra.mean()
    rb -= rb.mean()
    denominator = float(np.sqrt((ra * ra).sum() * (rb * rb).sum()))
    if denominator == 0.0:
        return None
    return 1.0 - float((ra * rb).sum()) / denominator


def same_structure(
    a: bytes | None, b: bytes | None, max_distance: float = SAME_SCENE_MAX_DISTANCE
) -> bool:
    """True when both signatures compare and their distance is within `max_distance`."""
    distance = signature_distance(a, b)
    return distance is not None and distance <= max_distance


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 0..n-1, tied values sharing the mean of their ranks (as Spearman needs)."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return ((ends - counts + ends - 1) / 2.0)[inverse].astype(np.float64)
