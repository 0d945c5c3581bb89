"""The personal taste model: ridge regression on CLIP embeddings.

Pure numpy/scikit-learn; no Qt, no catalog. The score stage feeds it the
training set (the catalog's plain `DecisionState` records and vectors; the
labels below come from `labels`) and stores what `fit_taste` returns as plain
coefficients (`FittedTaste.to_record`, read back with `from_record`). The
records themselves (`DecisionState`, `DecisionCounts`, `TasteCoefficients`)
live in curator.records and are re-exported here.

Label mapping (the user's decisions → a target rating 1..5, and a weight):
- an explicit star rating r → target r, weight 1.0 (the strongest signal; an
  explicit low rating beats everything else);
- rejected, unrated → target 1.0, weight 1.0 (a reject is a clear "no");
- picked, unrated → target 4.5, weight 1.0 (a pick is a clear "yes");
- kept in the cull pass, unrated → target 3.0, weight 0.3 ("not a reject":
  weak, but it stops the model from calling every keeper a reject).
Unreviewed photos are not used.

Training (scikit-learn): features standardised (StandardScaler), then
Ridge with the sample weights above; alpha chosen by RidgeCV's efficient
leave-one-out search over ALPHAS (around 1.0, in ridge's units scaled by
n_features/768 so the grid means the same for any CLIP size). The held-out
Spearman correlation comes from `cross_val_predict`: each sample predicted by
a scaler + RidgeCV fitted on the other folds (alpha chosen inside each fold),
so it never saw the sample. The fitted pipeline collapses to one weight
vector: rating_hat = x·w + bias (what the catalog stores; no pickles).

Not enough to learn from: fewer than MIN_SAMPLES decisions on embedded
photos, or all of one value. `NotEnoughDecisions` then carries the counts
(`DecisionCounts`) and a sentence that says what is missing, e.g. "needs 20
decisions on embedded photos; you have 4 decisions, 0 embedded (CLIP weights
missing — run `curator models pull`)".

Scoring: predicted rating 1..5 → preference 0..100 linearly, clipped. MATCH
is score ≥ the match threshold (a setting, 70 by default). Uncertainty is the
ridge posterior's predictive spread, sqrt(z·P·z) with P = (ZᵀWZ + αI)⁻¹ in
standardised space, used for "most uncertain first" (active learning).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from curator.records import CullState, DecisionCounts, DecisionState, TasteCoefficients

ALPHAS: tuple[float, ...] = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
MIN_SAMPLES = 20
REJECT_TARGET, PICK_TARGET, KEPT_TARGET = 1.0, 4.5, 3.0
KEPT_WEIGHT = 0.3

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]


def not_enough_message(counts: DecisionCounts, *, weights_missing: bool = False) -> str:
    """The sentence for too few decisions on embedded photos (the hint only when true)."""
    text = (
        f"The taste model needs at least {MIN_SAMPLES} decisions on embedded photos; you have "
        f"{counts.decisions} decision{'s' if counts.decisions != 1 else ''}, "
        f"{counts.embedded_decisions} embedded"
    )
    if weights_missing:
        text += " (CLIP weights missing — run `curator models pull`)"
    elif counts.embedded_decisions < counts.decisions:
        text += " (the others get an embedding when the embed stage runs)"
    return text + "."


class NotEnoughDecisions(ValueError):
    """Fewer than MIN_SAMPLES decisions on embedded photos, or all of one value.

    `counts` is set when the caller said what the training set is made of.
    """

    def __init__(self, message: str, counts: DecisionCounts | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.counts = counts


def label_for(state: DecisionState) -> tuple[float, float] | None:
    """(target rating, sample weight) for one photo, or None when it teaches nothing."""
    if state.rating is not None:
        return float(state.rating), 1.0
    if state.cull == CullState.REJECTED:
        return REJECT_TARGET, 1.0
    if state.picked:
        return PICK_TARGET, 1.0
    if state.cull == CullState.KEPT:
        return KEPT_TARGET, KEPT_WEIGHT
    return None


def labels(states: Sequence[DecisionState]) -> tuple[F64, F64]:
    """(targets, sample weights) for the training set's decision states, in order.

    The catalog hands over only states that teach (`label_for` is not None);
    one that teaches nothing is a caller's bug and raises ValueError.
    """
    ys, ws = np.empty(len(states), dtype=np.float64), np.empty(len(states), dtype=np.float64)
    for i, state in enumerate(states):
        label = label_for(state)
        if label is None:
            raise ValueError(f"{state} teaches the taste model nothing")
        ys[i], ws[i] = label
    return ys, ws


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

    @classmethod
    def from_record(cls, record: TasteCoefficients) -> FittedTaste:
        """The model the catalog stored (`catalog.judgments.latest_taste`)."""
        return cls(
            alpha=record.alpha,
            weights=record.weights,
            bias=record.bias,
            precision=record.precision,
            mean=record.mean,
            scale=record.scale,
            n_samples=record.n_samples,
            spearman=record.spearman,
        )

    def to_record(self) -> TasteCoefficients:
        """What the catalog stores (`catalog.judgments.store_taste_model`)."""
        return TasteCoefficients(
            alpha=self.alpha,
            weights=self.weights,
            bias=self.bias,
            precision=self.precision,
            mean=self.mean,
            scale=self.scale,
            n_samples=self.n_samples,
            spearman=self.spearman,
        )

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


def _spearman(a: F64, b: F64) -> float | None:
    from scipy.stats import spearmanr

    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    rho = spearmanr(a, b).statistic
    return None if np.isnan(rho) else float(rho)


def _pipeline(alphas: list[float]) -> Any:
    """StandardScaler + ridge (RidgeCV's leave-one-out search when given several alphas)."""
    from sklearn.linear_model import Ridge, RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    ridge = Ridge(alpha=alphas[0]) if len(alphas) == 1 else RidgeCV(alphas=alphas)
    return make_pipeline(StandardScaler(), ridge)


def _check_enough(
    y: F64, counts: DecisionCounts | None, weights_missing: bool | Callable[[], bool]
) -> None:
    if len(y) < MIN_SAMPLES:
        counts = counts or DecisionCounts(len(y), len(y), len(y))
        missing = weights_missing() if callable(weights_missing) else weights_missing
        raise NotEnoughDecisions(not_enough_message(counts, weights_missing=missing), counts)
    if np.ptp(y) == 0:
        raise NotEnoughDecisions(
            f"All {len(y)} decisions on embedded photos say the same thing; "
            "rate or reject a few more.",
            counts,
        )


def fit_taste(
    x: F32,
    y: F64,
    sample_weight: F64 | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
    alpha: float | None = None,
    counts: DecisionCounts | None = None,
    weights_missing: bool | Callable[[], bool] = False,
) -> FittedTaste:
    """Fit the taste model (see the module docstring). `alpha` fixes it (no search).

    `counts` and `weights_missing` only shape the NotEnoughDecisions sentence;
    `weights_missing` may be a callable, asked only when that sentence is needed.
    """
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    _check_enough(y, counts, weights_missing)
    # Imported only once there is something to fit: scikit-learn (with SciPy)
    # takes ~1 s to import, which an import without decisions must not pay.
    from sklearn.model_selection import KFold, cross_val_predict

    alphas = [alpha] if alpha is not None else _scaled_alphas(x.shape[1])
    folds = max(2, min(folds, len(y) // 4))
    splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    step = "ridge" if alpha is not None else "ridgecv"
    held_out = cross_val_predict(
        _pipeline(alphas), x, y, cv=splitter, params={f"{step}__sample_weight": w}
    )
    spearman = _spearman(y, np.asarray(held_out, dtype=np.float64))

    model = _pipeline(alphas)
    model.fit(x, y, **{f"{step}__sample_weight": w})
    scaler, ridge = model[0], model[-1]
    chosen = float(ridge.alpha if alpha is not None else ridge.alpha_)
    mean = np.asarray(scaler.mean_, dtype=np.float64)
    scale = np.asarray(scaler.scale_, dtype=np.float64)  # constant features: 1.0
    coef = np.asarray(ridge.coef_, dtype=np.float64)
    weights = (coef / scale).astype(np.float32)
    bias = float(ridge.intercept_ - (mean / scale) @ coef)
    # The ridge posterior's precision inverse, in standardised space, for `uncertainty`.
    zw = ((x - mean) / scale) * np.sqrt(w)[:, None]
    precision = np.linalg.inv(zw.T @ zw + chosen * np.eye(x.shape[1])).astype(np.float32)
    return FittedTaste(
        alpha=chosen,
        weights=weights,
        bias=bias,
        precision=precision,
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        n_samples=len(y),
        spearman=spearman,
    )
