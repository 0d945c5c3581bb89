"""How alike two candidates are: the correlation of their fingerprints' grids.

Each fingerprint holds the inner frame's grey grid at three scales of its
centre (imaging.fingerprint). Two candidates are compared at the turn the
index found, one at full scale against the other at each scale, both ways
(a copy cropped or framed by a few percent lines up with one of them): the
highest Pearson correlation of the grids. Tone edits change neither (the
correlation is of the grids less their means, over their spread); a
different frame of the same scene moves the cells and lowers it. Same
picture: ≥ `SAME_PICTURE_LINE` (docs/decisions/duplicates.md). Pure.
"""

from __future__ import annotations

import numpy as np

SAME_PICTURE_LINE = 0.95
_CHUNK = 5_000  # pairs compared at once (memory: about 15 MB of float32 a side)


def _normalised(grids: np.ndarray) -> np.ndarray:
    """(m, scales, g, g) uint8 → (m, scales, g·g) float32, zero mean, unit length."""
    flat = grids.reshape(grids.shape[0], grids.shape[1], -1).astype(np.float32)
    flat -= flat.mean(axis=2, keepdims=True)
    norm = np.linalg.norm(flat, axis=2, keepdims=True)
    return flat / np.maximum(norm, 1e-6)


def _turned(grids: np.ndarray, turns: np.ndarray) -> np.ndarray:
    out = grids.copy()
    for k in (1, 2, 3):
        at = turns == k
        if at.any():
            out[at] = np.rot90(grids[at], k, axes=(2, 3))
    return out


def likeness(
    grids: np.ndarray, left: np.ndarray, right: np.ndarray, turn: np.ndarray
) -> np.ndarray:
    """The likeness of each candidate pair (`grids`: n × scales × g × g uint8,
    the photos' grids; `turn` as `index.Candidates` gives it): 1 the same
    grid, 0 unrelated."""
    out = np.empty(len(left), np.float32)
    for start in range(0, len(left), _CHUNK):
        end = start + _CHUNK
        t = turn[start:end]
        swap = t < 0  # the right photo is the one turned: compare it turned
        a_pos = np.where(swap, right[start:end], left[start:end])
        b_pos = np.where(swap, left[start:end], right[start:end])
        k = np.where(swap, -1 - t, t)
        a = _normalised(_turned(grids[a_pos], k))
        b = _normalised(grids[b_pos])
        # a at full scale against b at each scale, and a at each scale against b at full.
        best = np.einsum("md,msd->ms", a[:, 0], b).max(axis=1)
        best = np.maximum(best, np.einsum("msd,md->ms", a, b[:, 0]).max(axis=1))
        out[start:end] = best
    return out
