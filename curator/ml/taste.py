"""The personal taste model: ridge regression on CLIP embeddings.

Pure numpy; no Qt, no catalog, no scikit-learn. The score stage feeds it the
training set (the catalog's plain `DecisionState` records, vectors and burst
groups; the labels below come from `labels`) and stores what `fit_taste`
returns as plain coefficients (`FittedTaste.to_record`, read back with
`from_record`). The records themselves (`DecisionState`, `DecisionCounts`,
`TasteCoefficients`) live in curator.records and are re-exported here.

Label mapping (the user's decisions → a target rating 1..5, and a weight):
- an explicit star rating r → target r, weight 1.0 (the strongest signal; an
  explicit low rating beats everything else);
- rejected, unrated → target 1.0, weight 1.0 (a reject is a clear "no");
- picked, unrated → target 4.5, weight 1.0 (a pick is a clear "yes");
- kept in the cull pass, unrated → target 3.0, weight 0.3 ("not a reject":
  weak, but it stops the model from calling every keeper a reject).
Unreviewed photos are not used. An accepted proposal (Cull ▸ Accept the
Rest, the loupe's A: the photo's latest judging decision has the pass
`proposal` and nothing since was decided by hand, catalog.taste.accepted)
teaches its label at `ACCEPTED_WEIGHT` = 0.1 of the weight: the
photographer endorsed it, but did not make it, and where the proposal was
the taste model's own opinion, learning it at full weight teaches the model
what it already believes. Measured (tests/bench/test_taste_accepted_bench.py,
24 seeds, three simulators; a photographer who accepts every proposal and
corrects 10 % by hand; held-out Spearman against plain ridge on the
decisions by hand alone): where the proposals' misses are independent of
the picture (the checks') every weight helps (+0.04–0.13 at 0.1, up to
+0.28 at 1); where the taste model proposed every verdict, weights 0.25 /
0.5 / 1 fell to −0.020 / −0.037 / −0.055 below plain ridge (latent
factors, 360 proposals) and 0 (the accepted left out) to −0.032 (second
simulator: the corrections alone are a biased sample). Of 0.1, 0.15, 0.2
and 0.25, 0.1 is the one whose worst case stays level with plain ridge
(−0.003 ± 0.006; 0.15: −0.009 ± 0.007), and it gains +0.04 at 360
proposals on two of the three simulators.

Training: weighted ridge on the *raw* embeddings, centred, with an
unpenalised intercept — the geometry CLIP's cosine space already has, whose
variance sits in a few semantic directions: an isotropic penalty there
shrinks the weak directions most. (Standardising each coordinate first, as
before issue 20, spread the penalty evenly over 768 noisy coordinates; on an
independent CLIP-like world that fit fell *below* a plain ridge.) The
penalty comes from `ALPHAS` (10^-2 … 10^3, 26 steps, as they are: the units
of plain `Ridge(alpha=1)`), chosen by leave-one-group-out errors on the
ridge path (ml.taste_penalty: look-alikes — a burst's frames,
near-duplicates — are left out together), which leave `ALPHAS[PRIOR_INDEX]`
= 1.0 (plain ridge's penalty, which a few dozen noisy decisions rarely
justify leaving) only by more than their own noise. (Until issue 41 the
grid was rescaled by the data's spread and the penalty was the best
cross-validated Spearman pulled toward the prior: on unit vectors without
CLIP's shared direction the prior sat at 2, and the noisy pick lost 0.006–
0.009 to plain ridge at 40–200 decisions; now 0.000 ± 0.001 there, and at
or above plain ridge at 20–400 decisions on all six worlds of
tests/bench/test_taste_bench.py.) A
group of look-alikes weighs what its frames say (`design_weights`): once
when they were judged alike, more when the photographer told them apart.

The held-out Spearman (`FittedTaste.spearman`) is grouped cross-validation's
(ml.taste_cv: look-alikes stay in one fold): each decision predicted by a
model that never saw its group, with the penalty for each fold chosen the
same way on the other folds alone; `spearman_low`/`high` is
its 95 % bootstrap interval over groups — at 30 decisions the figure is
uncertain by ±0.2 or more, and the interval says so.

Not enough to learn from: fewer than MIN_SAMPLES (10, ml.taste_minimum) decisions on embedded
photos, or all of one value. `NotEnoughDecisions` then carries the counts
(`DecisionCounts`) and a sentence that says what is missing, e.g. "needs 10
decisions on embedded photos; you have 4 decisions, 0 embedded (CLIP weights
missing — run `curator models pull`)". Under EARLY_BELOW (20) decisions the
model is *early* (`FittedTaste.early`): it scores and orders photos (plain
ridge already reaches ~0.45 at 10), says so wherever it is shown, and never
approves a photo for export (catalog.approval).

Scoring: predicted rating 1..5 → preference 0..100 linearly, clipped. MATCH
is score ≥ the match threshold (a setting, 70 by default). Uncertainty is the
ridge posterior's predictive spread, sqrt(z·P·z) with P = (AᵀWA + αI)⁻¹ and z
the centred embedding (`scale` is all ones since issue 20), used for "most
uncertain first" (active learning).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
EARLY_BELOW = 20
MIN_GROUPS = 4  # fewer groups of look-alikes: no honest held-out figure
REJECT_TARGET, PICK_TARGET, KEPT_TARGET = 1.0, 4.5, 3.0
KEPT_WEIGHT = 0.3
ACCEPTED_WEIGHT = 0.1  # an accepted proposal's share of its label's weight (docstring)

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
class FittedTaste:
    alpha: float
    weights: F32  # (dim,) in raw embedding space
    bias: float
    precision: F32  # (dim, dim) in standardised space
    mean: F32
    scale: F32
    n_samples: int
    spearman: float | None
    spearman_low: float | None = None  # 95 % bootstrap interval of the held-out Spearman
    spearman_high: float | None = None

    @property
    def early(self) -> bool:
        """Trained on fewer than EARLY_BELOW decisions: shown as early, never approves."""
        return self.n_samples < EARLY_BELOW

    @classmethod
    def from_record(cls, record: TasteCoefficients) -> FittedTaste:
        """The model the catalog stored (`catalog.taste.store.latest_taste`)."""
        return cls(
            alpha=record.alpha,
            weights=record.weights,
            bias=record.bias,
            precision=record.precision,
            mean=record.mean,
            scale=record.scale,
            n_samples=record.n_samples,
            spearman=record.spearman,
            spearman_low=record.spearman_low,
            spearman_high=record.spearman_high,
        )

    def to_record(self) -> TasteCoefficients:
        """What the catalog stores (`catalog.taste.store.store_taste_model`)."""
        return TasteCoefficients(
            alpha=self.alpha,
            weights=self.weights,
            bias=self.bias,
            precision=self.precision,
            mean=self.mean,
            scale=self.scale,
            n_samples=self.n_samples,
            spearman=self.spearman,
            spearman_low=self.spearman_low,
            spearman_high=self.spearman_high,
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
    keep their sum, so the penalty means what it meant.

    Measured (tests/bench/test_taste_bench.py, two independent simulators):
    counting every burst once was 0.005–0.015 below plain ridge where a
    scene's frames differ in what the photographer likes (the second
    simulator); counting every frame was 0.02 below it where bursts are
    near-copies (the first). This rule is at or above plain ridge on both."""
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
