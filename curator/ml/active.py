"""Which photos to rate next so the taste model learns fastest ("most
uncertain first", active learning).

`uncertain_order(model, x)` orders candidate photos (their embeddings `x`)
for the rating pass. Plain "largest predictive spread first" (sqrt(z·P·z),
`FittedTaste.uncertainty`) picks runs of near-duplicates: ten frames of one
burst are all uncertain for the same reason, and rating one of them teaches
what the other nine would. So the order is built greedily: after each pick
the ridge posterior is updated as if that photo had been rated (a rank-one
Sherman–Morrison update of P; the rating itself does not matter for the
spread), which lowers the spread of every photo like it, and the next pick
is the largest spread under the updated posterior. The first `head` picks
are made that way (each costs O(n·d + d²)); the rest follow by their spread
under the posterior after those picks. Pure numpy, no catalog, no Qt.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from curator.ml.taste import FittedTaste

HEAD = 100  # greedy picks; a rating pass is re-ordered when it starts again


def uncertain_order(
    model: FittedTaste, x: NDArray[np.float32], *, head: int = HEAD
) -> NDArray[np.intp]:
    """Indices into `x`, the photo to rate first first (see the module docstring)."""
    n = len(x)
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    z = (np.atleast_2d(np.asarray(x, dtype=np.float32)) - model.mean) / model.scale
    z64 = z.astype(np.float64)
    p = model.precision.astype(np.float64)
    spread = np.maximum(np.einsum("ij,ij->i", z64 @ p, z64), 0.0)
    chosen: list[int] = []
    open_ = np.ones(n, dtype=bool)
    for _ in range(min(head, n)):
        j = int(np.argmax(np.where(open_, spread, -np.inf)))
        chosen.append(j)
        open_[j] = False
        u = p @ z64[j]
        s = 1.0 + float(z64[j] @ u)
        zu = z64 @ u
        spread = np.maximum(spread - zu * zu / s, 0.0)
        p -= np.outer(u, u) / s
    rest = np.flatnonzero(open_)
    rest = rest[np.argsort(-spread[rest], kind="stable")]
    return np.concatenate([np.asarray(chosen, dtype=np.intp), rest.astype(np.intp)])
