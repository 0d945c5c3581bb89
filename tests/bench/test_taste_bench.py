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

import itertools
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


# --- "most uncertain first" against time order (issue 12) ----------------------------
#
# The rating pass in time order vs most-uncertain-first (`ml.active.uncertain_order`,
# the order the app's Shift+U and `curator list --order uncertain` use), the same
# learner for both (ml.taste's labels, alpha by CV, retrained every STEP decisions;
# the first 20 in time order, as there is no model before). Two archives:
# - "shoot": the archive above shot the way people shoot, in bursts: in capture
#   order, each frame is with probability BURST_P another frame of the previous
#   scene (the same embedding and taste plus a little noise). Held-out photos stay
#   distinct scenes. Time order walks the bursts frame by frame.
# - "shuffled": the archive as it is, in random order (i.i.d.: no look-alikes, the
#   hardest case for active learning).
# Reported: the held-out Spearman curves and how many decisions uncertain-first
# needs to reach what time order reaches at 100 and at 200 decisions.

STEP = 10
HORIZON = 200
TARGETS = (100, 200)
BURST_P = 0.6
UNCERTAIN_SEEDS = SEEDS[:3]


def _shoot(x: np.ndarray, pref: np.ndarray, order: np.ndarray, seed: int) -> None:
    """Turn `order` (capture order) into bursts, in place (see above)."""
    rng = np.random.default_rng(seed + 500)
    d = x.shape[1]
    for prev, i in itertools.pairwise(order):
        if rng.random() < BURST_P:
            frame = x[prev] + 0.02 * rng.normal(size=d).astype(np.float32)
            x[i] = frame / np.linalg.norm(frame)
            pref[i] = pref[prev] + 0.05 * rng.normal()


def _curve(x, stars, test, seed, order, uncertain):  # type: ignore[no-untyped-def]
    from curator.ml.active import uncertain_order

    rng = np.random.default_rng(seed + 300)
    pool = list(order)
    chosen: list[int] = []
    labels: list[tuple[float, float]] = []
    model = None
    out: dict[int, float] = {}
    while len(chosen) < HORIZON:
        if uncertain and model is not None:
            cand = np.array(pool)
            picks = [int(i) for i in cand[uncertain_order(model, x[cand], head=STEP)[:STEP]]]
        else:
            picks = [int(i) for i in pool[:STEP]]
        for i in picks:
            pool.remove(i)
            label = label_for(_decision(stars[i], rng))
            assert label is not None  # every simulated decision teaches
            chosen.append(i)
            labels.append(label)
        if len(chosen) >= 20:
            y = np.array([lab[0] for lab in labels])
            w = np.array([lab[1] for lab in labels])
            model = fit_taste(x[chosen], y, w, folds=5)
            out[len(chosen)] = float(
                spearmanr(model.predict_rating(x[test]), stars[test]).statistic
            )
    return out


def _needed(curve: dict[int, float], target: float) -> int | None:
    return next((k for k in sorted(curve) if curve[k] >= target), None)


@pytest.mark.bench
@pytest.mark.timeout(3600)  # 12 learning curves of 18 fits each: minutes on a busy machine
def test_uncertain_first_needs_fewer_decisions_than_time_order() -> None:
    runs: dict[str, list[dict[int, float]]] = {}
    for seed in UNCERTAIN_SEEDS:
        for archive in ("shoot", "shuffled"):
            x, pref = _archive(seed)
            test = np.random.default_rng(seed).choice(len(x), 1000, replace=False)
            rest = np.setdiff1d(np.arange(len(x)), test)
            order = np.random.default_rng(seed + 200).permutation(rest)
            if archive == "shoot":
                _shoot(x, pref, order, seed)
            stars = 1 + np.searchsorted(np.quantile(pref, [0.2, 0.4, 0.6, 0.8]), pref)
            for uncertain in (False, True):
                key = f"{archive}, {'uncertain' if uncertain else 'time'}"
                runs.setdefault(key, []).append(_curve(x, stars, test, seed, order, uncertain))
    mean = {k: {n: float(np.mean([r[n] for r in v])) for n in v[0]} for k, v in runs.items()}
    print(f"\nheld-out Spearman (mean of {len(UNCERTAIN_SEEDS)} seeds) after n decisions")
    print(f"{'n':>5} " + " ".join(f"{k:>20}" for k in mean))
    for n in sorted(mean["shoot, time"]):
        print(f"{n:>5} " + " ".join(f"{mean[k][n]:>20.3f}" for k in mean))
    result: dict[str, dict[str, object]] = {}
    for archive in ("shoot", "shuffled"):
        for target_n in TARGETS:
            target = mean[f"{archive}, time"][target_n]
            needed = _needed(mean[f"{archive}, uncertain"], target)
            saving = None if needed is None else 1 - needed / target_n
            result[f"{archive}, {target_n}"] = {
                "time order's Spearman": round(target, 3),
                "uncertain-first decisions": needed,
                "fewer": None if saving is None else round(saving, 2),
            }
            print(
                f"{archive}: time order reaches {target:.3f} at {target_n} decisions;"
                f" uncertain-first at {needed} ({'—' if saving is None else f'{saving:.0%}'}"
                " fewer)"
            )
    Path("bench-results").mkdir(exist_ok=True)
    Path("bench-results/taste_uncertain.json").write_text(
        json.dumps({"curves": mean, "reach": result}, indent=2)
    )
    fewer = [r["fewer"] for k, r in result.items() if k.startswith("shoot")]
    assert all(isinstance(f, float) and f >= 0.30 for f in fewer), result
