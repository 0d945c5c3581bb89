"""Taste benchmark: how fast does the model learn a (simulated) photographer's taste?

Simulated archive: 3,000 photos with CLIP-like embeddings (768-d, unit norm,
low-rank structure plus noise, as real CLIP embeddings are anisotropic). A
hidden preference is a direction in the latent space plus noise; the
simulated photographer's true rating is its quintile (1..5), and they decide
like a culler: a 1 is a reject, a 5 is a pick half the time, everything else
gets its stars (with a little rating noise).

(a) plain: photos in random order; ridge, alpha 1.0, trained on the star
    ratings only (rejects and picks carry no stars, so they teach it nothing).
(b) ours: rejects and picks as signal (ml.taste's label mapping), alpha by
    cross-validation, and after the first 20 decisions the next photos to
    judge are the ones the model is least sure of (uncertainty-first),
    retrained every 10 decisions.
Both are scored by Spearman correlation with the hidden preference on 1,000
held-out photos, at 20, 50, 100 and 200 decisions, averaged over seeds.
Budget: ours reaches (a)'s 100-decision accuracy with at most 40 decisions.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from curator.ml.taste import DecisionState, fit_taste, label_for

CHECKPOINTS = (20, 40, 50, 100, 200)
SEEDS = (0, 1, 2, 3, 4)


def _archive(
    seed: int, n: int = 3000, d: int = 768, rank: int = 48
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    basis = rng.normal(size=(rank, d))
    latent = rng.normal(size=(n, rank)) * np.linspace(2.0, 0.3, rank)
    x = latent @ basis + 0.8 * rng.normal(size=(n, d)) * np.sqrt(rank / d) * 3
    x = (x + 4.0 * rng.normal(size=d)).astype(np.float32)  # a common offset, as in CLIP
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    pref = latent @ rng.normal(size=rank) + 0.5 * rng.normal(size=n)
    return x, pref


def _decision(true_stars: int, rng: np.random.Generator) -> DecisionState:
    if true_stars == 1:
        return DecisionState(None, "rejected", False)
    if true_stars == 5 and rng.random() < 0.5:
        return DecisionState(None, "kept", True)
    noisy = int(np.clip(true_stars + rng.choice([-1, 0, 0, 0, 1]), 1, 5))
    return DecisionState(noisy, "kept", False)


def _plain(x, stars, test, seed):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed + 100)
    order = rng.permutation(np.setdiff1d(np.arange(len(x)), test))
    out = {}
    for k in CHECKPOINTS:
        states = [(i, _decision(stars[i], rng)) for i in order[:k]]
        rated = [(i, s.rating) for i, s in states if s.rating is not None]
        if len(rated) < 3:
            out[k] = 0.0
            continue
        idx = np.array([i for i, _ in rated])
        y = np.array([r for _, r in rated], dtype=float)
        pipe = make_pipeline(StandardScaler(), Ridge(alpha=1.0)).fit(x[idx], y)
        pred = pipe.predict(x[test])
        out[k] = float(spearmanr(pred, stars[test]).statistic)
    return out


def _ours(x, stars, test, seed):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed + 200)
    pool = list(rng.permutation(np.setdiff1d(np.arange(len(x)), test)))
    chosen: list[int] = []
    labels: list[tuple[float, float]] = []
    model = None
    out = {}
    while len(chosen) < max(CHECKPOINTS):
        if model is not None and len(chosen) >= 20:
            cand = np.array(pool[:1500])
            spread = model.uncertainty(x[cand])
            picks = list(cand[np.argsort(-spread)[:10]])
        else:
            picks = pool[:10]
        for i in picks:
            pool.remove(i)
            label = label_for(_decision(stars[i], rng))
            if label is not None:
                chosen.append(int(i))
                labels.append(label)
        if len(chosen) >= 20:
            y = np.array([lab[0] for lab in labels])
            w = np.array([lab[1] for lab in labels])
            model = fit_taste(x[chosen], y, w, folds=5)
        for k in CHECKPOINTS:
            if k not in out and len(chosen) >= k and model is not None:
                out[k] = float(spearmanr(model.predict_rating(x[test]), stars[test]).statistic)
    return out


@pytest.mark.bench
def test_taste_learning_curve() -> None:
    plain_runs, ours_runs = [], []
    for seed in SEEDS:
        x, pref = _archive(seed)
        stars = 1 + np.searchsorted(np.quantile(pref, [0.2, 0.4, 0.6, 0.8]), pref)
        test = np.random.default_rng(seed).choice(len(x), 1000, replace=False)
        plain_runs.append(_plain(x, stars, test, seed))
        ours_runs.append(_ours(x, stars, test, seed))
    plain = {k: float(np.mean([r[k] for r in plain_runs])) for k in CHECKPOINTS}
    ours = {k: float(np.mean([r[k] for r in ours_runs])) for k in CHECKPOINTS}
    print("\nheld-out Spearman vs the hidden taste (mean of", len(SEEDS), "seeds)")
    print(f"{'decisions':>10} {'(a) plain':>10} {'(b) ours':>10}")
    for k in CHECKPOINTS:
        print(f"{k:>10} {plain[k]:>10.3f} {ours[k]:>10.3f}")
    Path("bench-results").mkdir(exist_ok=True)
    Path("bench-results/taste.json").write_text(
        json.dumps({"plain": plain, "ours": ours}, indent=2)
    )
    assert ours[40] >= plain[100], "ours at 40 decisions should match plain at 100"
