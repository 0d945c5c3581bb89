"""The personal taste model: ridge regression on CLIP embeddings.

Pure numpy/scikit-learn; no Qt, no catalog. The score stage feeds it the
training set (built from the Decision log's current state) and stores what
`fit_taste` returns.

Label mapping (the user's decisions → a target rating 1..5, and a weight):
- an explicit star rating r → target r, weight 1.0 (the strongest signal; an
  explicit low rating beats everything else);
- rejected, unrated → target 1.0, weight 1.0 (a reject is a clear "no");
- picked, unrated → target 4.5, weight 1.0 (a pick is a clear "yes");
- kept in the cull pass, unrated → target 3.0, weight 0.3 ("not a reject":
  weak, but it stops the model from calling every keeper a reject).
Unreviewed photos are not used.

Training: features standardised, ridge with alpha chosen by cross-validated
search over ALPHAS (around 1.0, in ridge's units scaled by n_features/768 so
the grid means the same for any CLIP size). The held-out Spearman correlation
comes from cross-validated predictions (each sample predicted by a model that
did not see it, alpha chosen inside each fold). The fitted pipeline collapses
to one weight vector: rating_hat = x·w + bias.

Scoring: predicted rating 1..5 → preference 0..100 linearly, clipped. MATCH
is score ≥ the match threshold (a setting, 70 by default). Uncertainty is the
ridge posterior's predictive spread, sqrt(z·P·z) with P = (ZᵀWZ + αI)⁻¹ in
standardised space, used for "most uncertain first" (active learning).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

ALPHAS: tuple[float, ...] = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
MIN_SAMPLES = 20
REJECT_TARGET, PICK_TARGET, KEPT_TARGET = 1.0, 4.5, 3.0
KEPT_WEIGHT = 0.3

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]


class NotEnoughDecisions(ValueError):
    """Fewer than MIN_SAMPLES labelled decisions, or all of one value."""


@dataclass(frozen=True)
class DecisionState:
    """A photo's current decision state, as the Decision log left it."""

    rating: int | None
    cull: str  # unreviewed | kept | rejected
    picked: bool


def label_for(state: DecisionState) -> tuple[float, float] | None:
    """(target rating, sample weight) for one photo, or None when it teaches nothing."""
    if state.rating is not None:
        return float(state.rating), 1.0
    if state.cull == "rejected":
        return REJECT_TARGET, 1.0
    if state.picked:
        return PICK_TARGET, 1.0
    if state.cull == "kept":
        return KEPT_TARGET, KEPT_WEIGHT
    return None


@dataclass(frozen=True)
class FittedTaste:
    alpha: float
    weights: F32  # (dim,) in raw embedding space
    bias: float
    precision: F32  # (dim, dim) in standardised space
    mean: F32
    scale: F32
    n_samples: int
    spearman: float | None

    def predict_rating(self, x: F32) -> F64:
        # float32 matmul (no 2x copy of a 100k x 768 matrix), float64 result.
        x32 = np.asarray(x, dtype=np.float32)
        return (x32 @ self.weights).astype(np.float64) + self.bias

    def predict_score(self, x: F32) -> F64:
        return rating_to_score(self.predict_rating(x))

    def uncertainty(self, x: F32) -> F64:
        z = (np.atleast_2d(np.asarray(x, dtype=np.float32)) - self.mean) / self.scale
        return np.sqrt(np.maximum(((z @ self.precision) * z).sum(axis=1), 0.0)).astype(np.float64)


def rating_to_score(rating: F64) -> F64:
    return np.clip((np.asarray(rating, dtype=np.float64) - 1.0) / 4.0 * 100.0, 0.0, 100.0)


def _scaled_alphas(dim: int) -> list[float]:
    return [a * dim / 768.0 for a in ALPHAS]


def _fit_ridge(z: F64, y: F64, w: F64, alpha: float) -> tuple[F64, float]:
    """Weighted ridge in standardised space; returns (coef, intercept)."""
    sw = np.sqrt(w)
    y_mean = float(np.average(y, weights=w))
    z_mean = np.average(z, axis=0, weights=w)
    zc = (z - z_mean) * sw[:, None]
    yc = (y - y_mean) * sw
    n, d = zc.shape
    if n < d:  # dual form: cheaper when there are fewer samples than dimensions
        k = zc @ zc.T
        coef = zc.T @ np.linalg.solve(k + alpha * np.eye(n), yc)
    else:
        coef = np.linalg.solve(zc.T @ zc + alpha * np.eye(d), zc.T @ yc)
    return coef, y_mean - float(z_mean @ coef)


def _choose_alpha(z: F64, y: F64, w: F64, folds: int, rng: np.random.Generator) -> float:
    idx = rng.permutation(len(y))
    parts = np.array_split(idx, folds)
    best, best_err = 1.0, np.inf
    for alpha in _scaled_alphas(z.shape[1]):
        err = 0.0
        for k in range(folds):
            test = parts[k]
            train = np.concatenate([parts[j] for j in range(folds) if j != k])
            coef, b = _fit_ridge(z[train], y[train], w[train], alpha)
            err += float(np.sum(w[test] * (z[test] @ coef + b - y[test]) ** 2))
        if err < best_err:
            best, best_err = alpha, err
    return best


def _spearman(a: F64, b: F64) -> float | None:
    from scipy.stats import spearmanr

    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    rho = spearmanr(a, b).statistic
    return None if np.isnan(rho) else float(rho)


def fit_taste(
    x: F32,
    y: F64,
    sample_weight: F64 | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
    alpha: float | None = None,
) -> FittedTaste:
    """Fit the taste model (see the module docstring). `alpha` fixes it (no search)."""
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if len(y) < MIN_SAMPLES:
        raise NotEnoughDecisions(
            f"The taste model needs at least {MIN_SAMPLES} decisions (ratings, rejects or picks); "
            f"there are {len(y)}."
        )
    if np.ptp(y) == 0:
        raise NotEnoughDecisions(
            "All decisions so far say the same thing; rate or reject a few more."
        )
    rng = np.random.default_rng(seed)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = ((x - mean) / scale).astype(np.float64)
    folds = max(2, min(folds, len(y) // 4))
    chosen = alpha if alpha is not None else _choose_alpha(z, y, w, folds, rng)

    # Held-out predictions: alpha re-chosen inside each outer fold.
    held_out = np.empty_like(y)
    parts = np.array_split(rng.permutation(len(y)), folds)
    for k in range(folds):
        test = parts[k]
        train = np.concatenate([parts[j] for j in range(folds) if j != k])
        a = alpha if alpha is not None else _choose_alpha(z[train], y[train], w[train], folds, rng)
        coef_k, b_k = _fit_ridge(z[train], y[train], w[train], a)
        held_out[test] = z[test] @ coef_k + b_k
    spearman = _spearman(y, held_out)

    coef, intercept = _fit_ridge(z, y, w, chosen)
    weights = (coef / scale).astype(np.float32)
    bias = float(intercept - (mean / scale) @ coef)
    zw = z * np.sqrt(w)[:, None]
    precision = np.linalg.inv(zw.T @ zw + chosen * np.eye(z.shape[1])).astype(np.float32)
    return FittedTaste(
        alpha=float(chosen),
        weights=weights,
        bias=bias,
        precision=precision,
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        n_samples=len(y),
        spearman=spearman,
    )
