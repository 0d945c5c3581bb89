"""How the taste model's penalty is chosen (ml.taste_penalty, issue 41 §6)."""

from __future__ import annotations

import numpy as np
import pytest

from curator.ml.taste import ALPHAS, PRIOR_INDEX, fit_taste
from curator.ml.taste_cv import ridge_svd
from curator.ml.taste_penalty import choose_penalty, leave_group_out_losses


def _refit_losses(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, groups: np.ndarray, alpha: float
) -> list[float]:
    """Each group's weighted squared error from a ridge refitted without it."""
    out = []
    for g in np.unique(groups):
        out_of = groups == g
        fit = ridge_svd(x[~out_of], y[~out_of], w[~out_of])
        predicted = (x[out_of] - fit.mean) @ fit.coefficients(alpha) + fit.y_mean
        out.append(float((w[out_of] * (y[out_of] - predicted) ** 2).sum()))
    return out


@pytest.mark.parametrize("d", [6, 40])  # more rows than dimensions, and fewer
def test_leave_group_out_errors_equal_refitting_without_the_group(d: int) -> None:
    rng = np.random.default_rng(d)
    n = 18
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = rng.normal(size=n)
    w = rng.uniform(0.3, 1.0, n)
    groups = np.array([0, 0, 1, 2, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12, 13])
    alphas = np.array([0.01, 1.0, 30.0])
    losses = leave_group_out_losses(ridge_svd(x, y, w), y, groups, alphas)
    assert losses.shape == (3, 14)
    for row, alpha in zip(losses, alphas, strict=True):
        assert row == pytest.approx(_refit_losses(x, y, w, groups, float(alpha)), rel=1e-6)


def test_the_prior_stays_unless_the_errors_say_otherwise_beyond_their_noise() -> None:
    rng = np.random.default_rng(0)
    base = rng.uniform(1.0, 2.0, 30)
    # Penalty 0 is better on average, but by less than the groups disagree.
    noisy = base + rng.normal(scale=1.0, size=30) - 0.05
    assert choose_penalty(np.vstack([noisy, base, base + 0.2]), prior=1) == 1
    # Better in every group: chosen.
    assert choose_penalty(np.vstack([base - 0.3, base, base + 0.2]), prior=1) == 0
    # Better beyond one standard error but not beyond the margin: a wider margin keeps the prior.
    edge = base - 0.1 + rng.normal(scale=0.3, size=30)
    stack = np.vstack([edge, base])
    assert choose_penalty(stack, prior=1, margin=0.0) == 0
    assert choose_penalty(stack, prior=1, margin=10.0) == 1
    # Too few groups to tell: the prior.
    assert choose_penalty(np.array([[0.0, 0.0], [5.0, 5.0]]), prior=1) == 1


def test_a_clear_signal_leaves_plain_ridges_penalty_and_noise_does_not() -> None:
    rng = np.random.default_rng(3)
    d, n = 16, 200
    x = rng.normal(size=(n, d)).astype(np.float32) * 0.1
    y = 3.0 + x @ rng.normal(size=d) * 10
    sharp = fit_taste(x, y)
    assert sharp.alpha < ALPHAS[PRIOR_INDEX]  # noise-free: less penalty fits better
    flat = fit_taste(x, 3.0 + rng.normal(size=n))  # taste unrelated to the picture
    assert flat.alpha >= ALPHAS[PRIOR_INDEX]  # nothing to learn: never less penalty


def test_the_penalty_is_in_plain_ridges_units_whatever_the_spread() -> None:
    """Before issue 41 the grid was scaled by the rows' spread: unit vectors
    without CLIP's shared direction (spread ~1, not ~0.5) put the prior at 2.
    Now a fixed alpha and the searched one live on the same, unscaled grid."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(30, 64)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)  # mean cosine ~0: spread ~1
    y = np.clip(np.round(3 + 4 * x[:, 0] + rng.normal(scale=1.0, size=30)), 1, 5)
    assert fit_taste(x, y).alpha in ALPHAS
    assert fit_taste(x, y, alpha=1.0).alpha == 1.0
