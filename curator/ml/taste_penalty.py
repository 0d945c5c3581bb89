"""How the taste model's ridge penalty is chosen: leave-one-group-out errors
read off one SVD, moving from plain ridge's penalty only as far as those
errors show beyond their own noise. Pure numpy.

`leave_group_out_losses`: with A = U S Vᵀ (`ml.taste_cv.ridge_svd`) the hat
matrix is H(α) = P₁ + U diag(S²/(S²+α)) Uᵀ, P₁ = √w√wᵀ/Σw; leaving group g
out gives e_g = (I − H_gg)⁻¹ r_g exactly, no refit; a group's loss is Σ e².

`choose_penalty`: per α the groups' loss differences Δ_g against α₀ = 1.0; the
chosen α minimises ΣΔ_g + `MARGIN` · SE(ΣΔ_g) (paired over groups), so α₀
stays unless the errors beat it by `MARGIN` standard errors.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from curator.ml.taste_cv import RidgeSvd

MARGIN = 3.0  # never more than 0.0003 below plain ridge at 20 decisions (docs/decisions/taste.md)

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def leave_group_out_losses(fit: RidgeSvd, y: F64, groups: I64, alphas: F64) -> F64:
    """(len(alphas), n_groups): each group's weighted squared error when it is
    left out of the fit (module docstring), for every penalty; groups in the
    order of `np.unique(groups)`."""
    _, inverse = np.unique(groups, return_inverse=True)
    n_groups = int(inverse.max()) + 1
    shrink = fit.s**2 / (fit.s[None, :] ** 2 + alphas[:, None])  # (a, k)
    fitted = fit.y_mean * fit.root + (shrink * fit.ub) @ fit.u.T  # (a, n), √w-scaled
    residual = y * fit.root - fitted
    intercept = fit.root**2 / fit.total
    leverage = shrink @ (fit.u**2).T + intercept  # (a, n): diag of H
    errors = residual / np.maximum(1.0 - leverage, 1e-12)
    sizes = np.bincount(inverse)
    members = np.argsort(inverse, kind="stable")  # rows grouped, groups in label order
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    for m in np.unique(sizes[sizes > 1]).tolist():  # all groups of m rows at once
        first = starts[sizes == m]
        rows = members[first[:, None] + np.arange(m)[None, :]]  # (groups, m)
        ug = fit.u[rows]  # (groups, m, k)
        block = np.einsum("gik,ak,gjk->agij", ug, shrink, ug, optimize=True)
        root = fit.root[rows]
        block += (root[:, :, None] * root[:, None, :] / fit.total)[None]
        left = _solve(np.eye(m) - block, residual[:, rows])
        errors[:, rows] = left
    losses = np.zeros((len(alphas), n_groups))
    for a in range(len(alphas)):
        losses[a] = np.bincount(inverse, weights=errors[a] ** 2, minlength=n_groups)
    return losses


def _solve(matrices: F64, right: F64) -> F64:
    """(I − H_gg)⁻¹ r_g for a stack of groups; a group the others cannot
    predict at all (a singular block) through the pseudo-inverse."""
    try:
        return np.asarray(np.linalg.solve(matrices, right[..., None])[..., 0], dtype=np.float64)
    except np.linalg.LinAlgError:
        return np.asarray((np.linalg.pinv(matrices) @ right[..., None])[..., 0], dtype=np.float64)


def choose_penalty(losses: F64, prior: int, margin: float = MARGIN) -> int:
    """The index of the penalty to use: the one whose summed loss, against
    the prior's, plus `margin` standard errors of that difference, is least
    (the prior scores 0). Fewer than 3 groups: the prior."""
    n_groups = losses.shape[1]
    if n_groups < 3:
        return prior
    delta = losses - losses[prior]
    total = delta.sum(axis=1)
    spread = np.sqrt(n_groups) * delta.std(axis=1, ddof=1)
    return int(np.argmin(total + margin * spread))
