"""Which photos to rate next so the taste model learns fastest ("most uncertain
first", active learning). Pure numpy, no catalog, no Qt.

`uncertain_order(model, x)`:
1. the spread is the posterior's predictive spread along the candidates' top
   `PRINCIPAL_DIRECTIONS` (of at most `SAMPLE`), not the full spread
   (`FittedTaste.uncertainty`), which favours odd photos;
2. the first `head` picks are greedy, each followed by a rank-one
   Sherman–Morrison update, so look-alikes are not picked in a row;
3. the rest follow by their spread after those picks.
Measurements: docs/decisions/taste.md.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from curator.ml.taste import FittedTaste

HEAD = 100  # greedy picks; a rating pass is re-ordered when it starts again
PRINCIPAL_DIRECTIONS = 24
SAMPLE = 4000  # candidates the principal directions are computed from, at most


def principal_directions(
    z: NDArray[np.float64], k: int = PRINCIPAL_DIRECTIONS
) -> NDArray[np.float64]:
    """The top `k` principal directions of the rows of `z` (columns, d × k),
    from a fixed-seed sample of at most `SAMPLE` rows."""
    sample = z
    if len(z) > SAMPLE:
        sample = z[np.random.default_rng(0).choice(len(z), SAMPLE, replace=False)]
    _, _, vt = np.linalg.svd(sample - sample.mean(axis=0), full_matrices=False)
    return np.asarray(vt[: min(k, vt.shape[0])].T, dtype=np.float64)


def uncertain_order(
    model: FittedTaste, x: NDArray[np.float32], *, head: int = HEAD
) -> NDArray[np.intp]:
    """Indices into `x`, the photo to rate first first (see the module docstring)."""
    n = len(x)
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    z = ((np.atleast_2d(np.asarray(x, dtype=np.float32)) - model.mean) / model.scale).astype(
        np.float64
    )
    basis = principal_directions(z) if n > 1 else np.eye(z.shape[1])
    zk = z @ basis
    p = basis.T @ model.precision.astype(np.float64) @ basis
    spread = np.maximum(np.einsum("ij,ij->i", zk @ p, zk), 0.0)
    chosen: list[int] = []
    open_ = np.ones(n, dtype=bool)
    for _ in range(min(head, n)):
        j = int(np.argmax(np.where(open_, spread, -np.inf)))
        chosen.append(j)
        open_[j] = False
        u = p @ zk[j]
        s = 1.0 + float(zk[j] @ u)
        zu = zk @ u
        spread = np.maximum(spread - zu * zu / s, 0.0)
        p -= np.outer(u, u) / s
    rest = np.flatnonzero(open_)
    rest = rest[np.argsort(-spread[rest], kind="stable")]
    return np.concatenate([np.asarray(chosen, dtype=np.intp), rest.astype(np.intp)])
