"""Honest validation for the taste model: folds that keep look-alikes
together, the ridge path over a grid of penalties in one SVD per fold, rank
correlation and its bootstrap interval. Pure numpy (an import stays fast).

- `look_alike_groups`: burst groups joined with embeddings closer than
  `NEAR_DUPLICATE_COSINE` (union–find); `group_folds` deals whole groups.
- `ridge_svd`, `path_predictions`: A = U S Vᵀ once per fold; every α's
  coefficients are V diag(S/(S²+α)) Uᵀb (ml.taste_penalty reads it too).
- `intra_class_correlation`: Kish's design effect 1 + (m − 1)·ρ.
- `bootstrap_interval`: whole groups resampled, 2.5th and 97.5th percentiles of
  `BOOTSTRAP` draws, fixed seed.
Measurements: docs/decisions/taste.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

NEAR_DUPLICATE_COSINE = 0.95
MAX_PAIRWISE = 6000  # above it, look-alikes are searched among neighbours in order only
NEIGHBOURS = 32
BOOTSTRAP = 400
LEVEL = 0.95

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def look_alike_groups(
    x: NDArray[np.float32],
    bursts: NDArray[np.int64] | None = None,
    *,
    threshold: float = NEAR_DUPLICATE_COSINE,
) -> I64:
    """A group label per row: rows of one burst (`bursts`, equal labels; −1 or a
    unique label = none) and rows whose embeddings' cosine is ≥ `threshold`
    share a group (transitively). All pairs up to `MAX_PAIRWISE` rows (blocks
    of 1,024), beyond that each row against its `NEIGHBOURS` next rows (the
    training set comes in capture order, where look-alikes sit together)."""
    n = len(x)
    parent = list(range(n))

    def join(i: int, j: int) -> None:
        a, b = _find(parent, i), _find(parent, j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    if bursts is not None:
        first: dict[int, int] = {}
        for i, label in enumerate(np.asarray(bursts).tolist()):
            if label is None or label < 0:
                continue
            if label in first:
                join(first[label], i)
            else:
                first[label] = i
    raw = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(raw, axis=1, keepdims=True)
    unit = (raw / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    if n <= MAX_PAIRWISE:
        for start in range(0, n, 1024):
            sims = unit[start : start + 1024] @ unit.T
            rows, cols = np.nonzero(sims >= threshold)
            for r, c in zip((rows + start).tolist(), cols.tolist(), strict=True):
                if r < c:
                    join(r, c)
    else:
        for k in range(1, NEIGHBOURS + 1):
            sims = np.einsum("ij,ij->i", unit[:-k], unit[k:])
            for i in np.nonzero(sims >= threshold)[0].tolist():
                join(i, i + k)
    return np.asarray([_find(parent, i) for i in range(n)], dtype=np.int64)


def intra_class_correlation(y: F64, groups: I64) -> float:
    """How alike the targets within a group are against the targets overall, 0..1:
    one-way ANOVA's estimator of the intra-class correlation (unequal group
    sizes: n0), clipped to [0, 1]. 0 when no group has two rows."""
    labels, inverse, sizes = np.unique(groups, return_inverse=True, return_counts=True)
    k, n = len(labels), len(y)
    if k < 2 or k == n:
        return 0.0
    means = np.bincount(inverse, weights=y) / sizes
    within = float(((y - means[inverse]) ** 2).sum()) / (n - k)
    between = float((sizes * (means - y.mean()) ** 2).sum()) / (k - 1)
    n0 = (n - float((sizes**2).sum()) / n) / (k - 1)
    denominator = between + (n0 - 1) * within
    if denominator <= 0:
        return 0.0
    return float(np.clip((between - within) / denominator, 0.0, 1.0))


def group_folds(groups: I64, folds: int, seed: int) -> I64:
    """A fold number per row: whole groups dealt to `folds` folds (shuffled with
    `seed`, the largest groups first to keep the folds' sizes even)."""
    labels, sizes = np.unique(groups, return_counts=True)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(labels))
    order = order[np.argsort(-sizes[order], kind="stable")]
    load = np.zeros(folds)
    fold_of: dict[int, int] = {}
    for g in order.tolist():
        k = int(np.argmin(load))
        fold_of[int(labels[g])] = k
        load[k] += sizes[g]
    return np.asarray([fold_of[int(g)] for g in groups.tolist()], dtype=np.int64)


@dataclass(frozen=True)
class RidgeSvd:
    """Weighted ridge's training side, once for every penalty: the weighted
    means, √weight per row, and A = U S Vᵀ of the centred, √weight-scaled rows
    (so that √wᵀA = 0: the intercept is unpenalised and apart)."""

    mean: F64  # (d,) weighted mean row
    y_mean: float
    root: F64  # (n,) √weight
    total: float  # Σ weight
    u: F64  # (n, k)
    s: F64  # (k,)
    vt: F64  # (k, d)
    ub: F64  # (k,) Uᵀ √w (y − ȳ)

    def coefficients(self, alpha: float) -> F64:
        """The ridge coefficients (d,) for one penalty."""
        return np.asarray(self.vt.T @ (self.s / (self.s**2 + alpha) * self.ub), dtype=np.float64)


def ridge_svd(x: NDArray[np.float32], y: F64, w: F64) -> RidgeSvd:
    """The SVD every penalty of weighted ridge on (x, y, w) shares."""
    total = float(w.sum())
    share = w / total
    mean = share @ x.astype(np.float64)
    y_mean = float(share @ y)
    root = np.sqrt(w)
    u, s, vt = np.linalg.svd((x - mean) * root[:, None], full_matrices=False)
    return RidgeSvd(mean, y_mean, root, total, u, s, vt, u.T @ ((y - y_mean) * root))


def path_predictions(
    fit: RidgeSvd, x_test: NDArray[np.float32], alphas: F64, centre: F64 | None = None
) -> F64:
    """Predictions for `x_test` (shape (len(alphas), n_test)) of weighted ridge
    with an unpenalised intercept, one per penalty (module docstring).

    With `centre` (the mean row of the *whole* set, which knows no label) the
    predictions are (x − centre)·coef, without the intercept: cross-validation
    pools ranks over folds, and a fold's intercept moves against its held-out
    targets (leave-one-out predicts the mean of the others: perfectly
    anti-correlated), while centring on the whole set's *target* mean leaks
    the held-out targets into the coefficients."""
    if centre is None:
        z, offset = (x_test - fit.mean) @ fit.vt.T, fit.y_mean
    else:
        z, offset = (x_test - centre) @ fit.vt.T, 0.0
    factors = (fit.s * fit.ub)[None, :] / (fit.s[None, :] ** 2 + alphas[:, None])
    return np.asarray(offset + factors @ z.T, dtype=np.float64)


def average_ranks(values: F64) -> F64:
    """Ranks 0..n-1, ties sharing the mean of their positions."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return np.asarray((ends - (counts + 1) / 2.0)[inverse], dtype=np.float64)


def spearman(a: F64, b: F64) -> float | None:
    """Spearman's rho; None when either side is constant."""
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    ra, rb = average_ranks(a), average_ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denominator = float(np.sqrt((ra @ ra) * (rb @ rb)))
    return None if denominator == 0 else float(ra @ rb) / denominator


def bootstrap_interval(
    y: F64, predicted: F64, groups: I64, *, draws: int = BOOTSTRAP, seed: int = 0
) -> tuple[float, float] | None:
    """A `LEVEL` interval of Spearman(y, predicted) resampling whole groups."""
    labels, inverse = np.unique(groups, return_inverse=True)
    if len(labels) < 5:
        return None
    members = [np.flatnonzero(inverse == g) for g in range(len(labels))]
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(draws):
        picked = rng.integers(0, len(labels), len(labels))
        rows = np.concatenate([members[g] for g in picked.tolist()])
        rho = spearman(y[rows], predicted[rows])
        if rho is not None:
            values.append(rho)
    if len(values) < draws // 2:
        return None
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)
