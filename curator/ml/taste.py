"""The personal taste model: ridge regression on CLIP embeddings.

Pure numpy; no Qt, no catalog. The score stage stores what `fit_taste` returns
as plain coefficients (`FittedTaste.to_record`).

Labels (`label_for`): a rating r → r, weight 1; rejected → 1.0; picked → 4.5;
kept → 3.0 at `KEPT_WEIGHT`; an accepted proposal at `ACCEPTED_WEIGHT` of that.
Unreviewed photos are not used.

Training: weighted ridge on the raw, centred embeddings with an unpenalised
intercept; look-alikes weighed by `design_weights`; the penalty one of
`ALPHAS` (ml.taste_penalty); held-out Spearman by grouped cross-validation
(`validate`, ml.taste_cv). Under `MIN_SAMPLES` or all one value:
`NotEnoughDecisions`. Under `EARLY_BELOW` the model is *early*: it scores,
says so, and never approves for export (catalog.approval).

Scoring: predicted rating 1..5 → preference 0..100, clipped; uncertainty
sqrt(z·P·z), P = (AᵀWA + αI)⁻¹. Choices: docs/decisions/taste.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from curator.ml.taste_cv import (
    RidgeSvd,
    bootstrap_interval,
    group_folds,
    intra_class_correlation,
    look_alike_groups,
    path_predictions,
    ridge_svd,
    spearman,
)
from curator.ml.taste_minimum import MIN_SAMPLES, not_enough_message
from curator.ml.taste_penalty import choose_penalty, leave_group_out_losses
from curator.records import CullState, DecisionCounts, DecisionState, TasteCoefficients

ALPHAS: tuple[float, ...] = tuple(float(10**e) for e in np.linspace(-2.0, 3.0, 26))
PRIOR_INDEX = 10  # ALPHAS[10] == 1.0: plain ridge's penalty
EARLY_BELOW = 20  # plain ridge already reaches ~0.45 held-out Spearman at 10 decisions
MIN_GROUPS = 4  # fewer groups of look-alikes: no honest held-out figure
REJECT_TARGET, PICK_TARGET, KEPT_TARGET = 1.0, 4.5, 3.0
KEPT_WEIGHT = 0.3  # "not a reject" is weak, but without it every keeper reads as a reject
ACCEPTED_WEIGHT = 0.1  # an accepted proposal's share of its weight: the worst case level with ridge

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]


class NotEnoughDecisions(ValueError):
    """Fewer than MIN_SAMPLES decisions on embedded photos, or all of one value.

    `counts` is set when the caller said what the training set is made of.
    """

    def __init__(self, message: str, counts: DecisionCounts | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.counts = counts


def label_for(state: DecisionState) -> tuple[float, float] | None:
    """(target rating, sample weight) for one photo, or None when it teaches nothing;
    an accepted proposal (`state.proposal`) at ACCEPTED_WEIGHT of the weight."""
    label = _decided_label(state)
    if label is None or not state.proposal:
        return label
    return label[0], label[1] * ACCEPTED_WEIGHT


def _decided_label(state: DecisionState) -> tuple[float, float] | None:
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
class FittedTaste(TasteCoefficients):
    """A fitted model: the coefficients the catalog stores, and what they predict."""

    @property
    def early(self) -> bool:
        """Trained on fewer than EARLY_BELOW decisions: shown as early, never approves."""
        return self.n_samples < EARLY_BELOW

    @classmethod
    def from_record(cls, record: TasteCoefficients) -> FittedTaste:
        """The model the catalog stored (`catalog.taste.store.latest_taste`)."""
        return cls(**{f.name: getattr(record, f.name) for f in fields(TasteCoefficients)})

    def to_record(self) -> TasteCoefficients:
        """What the catalog stores (`catalog.taste.store.store_taste_model`)."""
        stored = {f.name: getattr(self, f.name) for f in fields(TasteCoefficients)}
        return TasteCoefficients(**stored)

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


def design_weights(w: F64, y: F64, look_alikes: NDArray[np.int64]) -> F64:
    """The sample weights with each group of look-alikes weighed by what it
    says: a row's weight over Kish's design effect 1 + (m − 1)·ρ, m its
    group's size, ρ how alike the targets within groups are (ml.taste_cv.
    intra_class_correlation). A burst of frames rated alike is one judgment
    of one scene (ρ near 1: it counts once); frames of a moment judged apart
    — the one kept, the blinks rejected — each teach (ρ near 0). The weights
    keep their sum, so the penalty means what it meant."""
    _, where, sizes = np.unique(look_alikes, return_inverse=True, return_counts=True)
    if sizes.max() == 1:
        return w
    rho = intra_class_correlation(y, look_alikes)
    scaled = w / (1.0 + (sizes[where] - 1) * rho)
    return np.asarray(scaled * (w.sum() / scaled.sum()), dtype=np.float64)


@dataclass(frozen=True)
class Validation:
    """What grouped cross-validation says: the penalty and the honest quality."""

    alpha: float
    spearman: float | None
    interval: tuple[float, float] | None


def validate(
    x: F32,
    y: F64,
    w: F64,
    groups: NDArray[np.int64],
    alphas: F64,
    *,
    prior: int,
    folds: int,
    seed: int,
    whole: RidgeSvd | None = None,
) -> Validation:
    """The penalty for the whole set (ml.taste_penalty: leave-one-group-out
    errors, `prior` indexing the default) and the held-out quality by grouped
    cross-validation, each fold's penalty chosen the same way on the other
    folds. `whole` is the whole set's decomposition when the caller has it."""
    fit = whole if whole is not None else ridge_svd(x, y, w)
    chosen = float(alphas[_choose(fit, y, groups, alphas, prior)])
    n_groups = len(np.unique(groups))
    if n_groups < MIN_GROUPS:
        return Validation(chosen, None, None)
    fold_of = group_folds(groups, min(folds, n_groups), seed)
    centre = fit.mean  # label-free: see ml.taste_cv.path_predictions
    held_out = np.zeros(len(y))
    for fold in range(int(fold_of.max()) + 1):
        test = fold_of == fold
        train = ridge_svd(x[~test], y[~test], w[~test])
        pick = _choose(train, y[~test], groups[~test], alphas, prior)
        held_out[test] = path_predictions(train, x[test], alphas[pick : pick + 1], centre)[0]
    rho = spearman(y, held_out)
    interval = None if rho is None else bootstrap_interval(y, held_out, groups, seed=seed)
    return Validation(chosen, rho, interval)


def _choose(fit: RidgeSvd, y: F64, groups: NDArray[np.int64], alphas: F64, prior: int) -> int:
    if len(alphas) == 1:
        return 0
    return choose_penalty(leave_group_out_losses(fit, y, groups, alphas), prior)


def fit_taste(
    x: F32,
    y: F64,
    sample_weight: F64 | None = None,
    *,
    groups: NDArray[np.int64] | None = None,
    folds: int = 5,
    seed: int = 0,
    alpha: float | None = None,
    counts: DecisionCounts | None = None,
    weights_missing: bool | Callable[[], bool] = False,
) -> FittedTaste:
    """Fit the taste model (see the module docstring). `groups` labels rows that
    must share a fold (the catalog's burst groups; near-duplicates are added
    here). `alpha` fixes the penalty (no search; the held-out figure is still
    cross-validated).

    `counts` and `weights_missing` only shape the NotEnoughDecisions sentence;
    `weights_missing` may be a callable, asked only when that sentence is needed.
    """
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    _check_enough(y, counts, weights_missing)
    if alpha is None:
        alphas, prior = np.asarray(ALPHAS, dtype=np.float64), PRIOR_INDEX
    else:
        alphas, prior = np.asarray([alpha], dtype=np.float64), 0
    look_alikes = look_alike_groups(x, groups)
    w = design_weights(w, y, look_alikes)
    whole = ridge_svd(x, y, w)
    check = validate(x, y, w, look_alikes, alphas, prior=prior, folds=folds, seed=seed, whole=whole)
    chosen = check.alpha
    coef = whole.coefficients(chosen)
    mean, y_mean, s, vt = whole.mean, whole.y_mean, whole.s, whole.vt
    # The ridge posterior's precision inverse, (AᵀA + αI)⁻¹, from the SVD: 1/α off
    # the data's span, 1/(s² + α) along it (no d × d inverse).
    precision = (vt.T * (1.0 / (s**2 + chosen) - 1.0 / chosen)) @ vt
    precision += np.eye(x.shape[1]) / chosen
    low, high = check.interval if check.interval is not None else (None, None)
    return FittedTaste(
        alpha=chosen,
        weights=coef.astype(np.float32),
        bias=float(y_mean - mean @ coef),
        precision=precision.astype(np.float32),
        mean=mean.astype(np.float32),
        scale=np.ones(x.shape[1], dtype=np.float32),
        n_samples=len(y),
        spearman=check.spearman,
        spearman_low=low,
        spearman_high=high,
    )
