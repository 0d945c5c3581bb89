"""An exposure-invariant structural signature of a frame, and its distance.

Says whether two frames show the same scene and framing whatever their
exposure, so brackets and bursts group without CLIP (ml.bursts). Pure.

Encoding (`structure_signature`, version 1): 258 bytes: the version, the grid
side n (16), and the luma area-averaged to an n × n uint8 grid, row-major, in
the stored orientation (sampled every k-th pixel past `SAMPLED_LONG_EDGE`).

Distance (`signature_distance`): 1 − Spearman's rank correlation over the
cells neither crushed (≤ `CRUSHED_MAX`) nor clipped (≥ `CLIPPED_MIN`) in
either frame (exposure is a monotonic tone curve, which keeps rank order).
0 same, ~1 unrelated, 2 inverted; None when not comparable (fewer than
`MIN_USABLE_CELLS`, a flat grid). Same scene: ≤ `SAME_SCENE_MAX_DISTANCE`.
`moved_distance` drops the `MOVED_SHARE` of cells that moved most, for a pair
within `MOVED_LOOK_FACTOR` of the line. `prepare_signatures` and
`prepared_distance` do the same for many frames. Measurements:
docs/decisions/imaging.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from curator.imaging.exposure import check_luma

VERSION = 1
GRID = 16
SAMPLED_LONG_EDGE = 256  # strided sampling keeps at least this many pixels
CRUSHED_MAX = 3  # cells at or below: no order left (ties at black)
CLIPPED_MIN = 252  # cells at or above: no order left (ties at white)
MIN_USABLE_CELLS = 20  # fewer left and chance agreement gets likely (p ≈ 1e-4 at 20)
SAME_SCENE_MAX_DISTANCE = 0.25  # the same scene ±1.3 EV, shifted, shaken: ≤ 0.14; others ≥ 0.39
MOVED_SHARE = 0.05  # the second look leaves out this share of the cells that moved most
MOVED_LOOK_FACTOR = 0.8  # ... and asks for this share of the threshold (a face turning: ≤ 0.065)

_HEADER = 2
_CHUNK_ROWS = 4096
_USABLE = np.zeros(256, dtype=bool)
_USABLE[CRUSHED_MAX + 1 : CLIPPED_MIN] = True  # cell values whose order means something


def structure_signature(luma: np.ndarray, grid: int = GRID) -> bytes:
    """The signature of a 2-D uint8 luma array (see the module docstring)."""
    check_luma(luma)
    step = max(1, max(luma.shape) // SAMPLED_LONG_EDGE)
    sampled = np.ascontiguousarray(luma[::step, ::step])
    cells = cv2.resize(sampled, (grid, grid), interpolation=cv2.INTER_AREA)
    return bytes((VERSION, grid)) + cells.astype(np.uint8).tobytes()


def signature_grid(signature: bytes) -> np.ndarray | None:
    """The n × n grid a signature holds; None when it is not a valid one."""
    if not _valid(signature):
        return None
    grid = signature[1]
    return np.frombuffer(signature, dtype=np.uint8, offset=_HEADER).reshape(grid, grid)


def _valid(signature: bytes) -> bool:
    return (
        len(signature) > _HEADER
        and signature[0] == VERSION
        and len(signature) == _HEADER + signature[1] * signature[1]
    )


def signature_distance(a: bytes | None, b: bytes | None) -> float | None:
    """1 − Spearman over the cells usable in both (0 = same structure); None
    when the two cannot be compared (see the module docstring)."""
    pa, pb = prepare_signatures([a, b])
    return prepared_distance(pa, pb)


@dataclass(frozen=True, eq=False)
class PreparedSignature:
    """The half of a comparison that depends on one signature only, computed
    once per frame (a burst sweep compares a run's first frame many times)."""

    cells: np.ndarray  # flat uint8 grid
    usable: np.ndarray  # bool per cell: neither crushed nor clipped
    all_usable: bool
    ranks: np.ndarray  # average ranks over all cells, centred
    norm: float  # their L2 norm


def prepare_signatures(signatures: Sequence[bytes | None]) -> list[PreparedSignature | None]:
    """Each signature prepared for `prepared_distance` (None where invalid or
    absent), vectorised per grid size (about a third of the cost one by one)."""
    out: list[PreparedSignature | None] = [None] * len(signatures)
    by_grid: dict[int, list[tuple[int, bytes]]] = {}
    for i, sig in enumerate(signatures):
        if sig is not None and _valid(sig):
            by_grid.setdefault(sig[1], []).append((i, sig))
    for grid, all_items in by_grid.items():
        size = grid * grid
        for start in range(0, len(all_items), _CHUNK_ROWS):  # bounded temporaries
            items = all_items[start : start + _CHUNK_ROWS]
            joined = b"".join(sig[_HEADER:] for _, sig in items)
            cells = np.frombuffer(joined, dtype=np.uint8).reshape(len(items), size)
            ranks = _average_ranks_rows(cells) - (size - 1) / 2.0
            norms = np.sqrt(np.einsum("ij,ij->i", ranks, ranks))
            usable = np.take(_USABLE, cells)
            whole = np.all(usable, axis=1)
            for row, (i, _) in enumerate(items):
                out[i] = PreparedSignature(
                    cells[row], usable[row], bool(whole[row]), ranks[row], float(norms[row])
                )
    return out


def prepared_distance(pa: PreparedSignature | None, pb: PreparedSignature | None) -> float | None:
    """`signature_distance` on prepared signatures."""
    if pa is None or pb is None or pa.cells.shape != pb.cells.shape:
        return None
    if pa.all_usable and pb.all_usable:  # the common case: one dot product
        if pa.norm == 0.0 or pb.norm == 0.0:
            return None
        return 1.0 - float(np.dot(pa.ranks, pb.ranks)) / (pa.norm * pb.norm)
    usable = pa.usable & pb.usable
    n = int(np.count_nonzero(usable))
    if n < MIN_USABLE_CELLS:
        return None
    return _rank_distance(np.stack([pa.cells[usable], pb.cells[usable]]))


def moved_distance(pa: PreparedSignature | None, pb: PreparedSignature | None) -> float | None:
    """`prepared_distance` over the usable cells less the `MOVED_SHARE` whose
    ranks differ most between the two (a subject that moved; the module
    docstring's second look); None when they cannot be compared."""
    if pa is None or pb is None or pa.cells.shape != pb.cells.shape:
        return None
    usable = pa.usable & pb.usable
    n = int(np.count_nonzero(usable))
    keep = n - round(MOVED_SHARE * n)
    if keep < MIN_USABLE_CELLS:
        return None
    pair = np.stack([pa.cells[usable], pb.cells[usable]])
    ranks = _average_ranks_rows(pair)
    stayed = np.argsort(np.abs(ranks[0] - ranks[1]), kind="stable")[:keep]
    return _rank_distance(pair[:, stayed])


def _rank_distance(pair: np.ndarray) -> float | None:
    """1 − Spearman between the two rows of uint8 cells (None: a row is flat)."""
    centre = (pair.shape[1] - 1) / 2.0  # the mean of ranks 0..n-1, ties averaged or not
    ra, rb = _average_ranks_rows(pair) - centre
    denominator = float(np.sqrt(np.dot(ra, ra) * np.dot(rb, rb)))
    if denominator == 0.0:
        return None
    return 1.0 - float(np.dot(ra, rb)) / denominator


def prepared_same_scene(
    pa: PreparedSignature | None,
    pb: PreparedSignature | None,
    max_distance: float = SAME_SCENE_MAX_DISTANCE,
) -> bool:
    """Whether two prepared signatures show one scene: their distance within
    `max_distance`, or, failing that, their distance less the cells that moved
    most (`moved_distance`) within `MOVED_LOOK_FACTOR` of it (module docstring)."""
    distance = prepared_distance(pa, pb)
    if distance is None:
        return False
    if distance <= max_distance:
        return True
    moved = moved_distance(pa, pb)
    return moved is not None and moved <= MOVED_LOOK_FACTOR * max_distance


def same_structure(
    a: bytes | None, b: bytes | None, max_distance: float = SAME_SCENE_MAX_DISTANCE
) -> bool:
    """True when both signatures compare and show one scene (`prepared_same_scene`)."""
    pa, pb = prepare_signatures([a, b])
    return prepared_same_scene(pa, pb, max_distance)


def _average_ranks_rows(values: np.ndarray) -> np.ndarray:
    """Per row of uint8 `values`, ranks 0..n-1 with tied values sharing the mean
    of their ranks (as Spearman needs); by counting, not sorting."""
    rows = values.shape[0]
    offsets = values.astype(np.intp) + 256 * np.arange(rows, dtype=np.intp)[:, None]
    counts = np.bincount(offsets.ravel(), minlength=256 * rows).reshape(rows, 256)
    ends = np.cumsum(counts, axis=1)
    table = ends - (counts + 1) / 2.0
    return np.take_along_axis(table, values.astype(np.intp), axis=1)
