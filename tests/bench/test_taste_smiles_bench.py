"""Smile and looking in the taste model's inputs (issue 49 §4): measured on the
second simulator (tests/bench/taste_world2.py, people with smiles) with a
photographer who likes smiles and faces looking at the camera.

On the same decisions (the first n of the culler's, in capture order), the
held-out Spearman against the photographer's true liking of unseen scenes,
at 20/50/100/200 decisions, over `SEEDS`, for
- plain: scikit-learn's `Ridge(alpha=1.0)` on the embedding alone, same
  targets and weights (the baseline the issue names);
- eyes: `ml.taste.fit_taste` on the embedding and issue 32's four face
  features (the model before issue 49);
- smiles: `fit_taste` on the embedding and all six (ml.taste_inputs).
Printed: each one's mean, and smiles − plain and smiles − eyes paired over
the seeds, with a 95 % interval (mean ± 1.96 standard errors). A second
photographer, who does not care about smiles (their bonus taken out of the
liking), is printed beside: smiles − eyes should not move there.

Budget: smiles − plain ≥ −`NOISE` (2) standard errors at every n (within
noise: the test_taste_bench.py bar), for the photographer who likes smiles;
and smiles − eyes > 0 at 100 and 200 decisions (better where it matters:
there are enough decisions to learn a rule CLIP sees only faintly).

Measured (8 seeds, 2026-11-26; mean held-out Spearman at 20/50/100/200, and
the paired differences as mean [95 % interval]):
- likes smiles: plain 0.531/0.609/0.661/0.713, eyes 0.550/0.626/0.686/0.738,
  smiles 0.557/0.640/0.713/0.772; smiles − plain +0.027 [0.011, 0.043] /
  +0.030 [0.017, 0.044] / +0.052 [0.022, 0.081] / +0.060 [0.042, 0.077];
  smiles − eyes +0.008 [0.002, 0.013] / +0.013 [0.005, 0.021] /
  +0.026 [0.007, 0.045] / +0.034 [0.016, 0.052];
- does not care: smiles − eyes +0.001 / −0.000 / +0.002 / +0.003 (each
  interval within ±0.006 of 0); smiles − plain +0.018 / +0.010 / +0.025 /
  +0.032 (the faces' other features and fit_taste's penalty choice).
Each run writes its figures to the bench results as taste_smiles.json.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.linear_model import Ridge

from curator.ml.taste import fit_taste, label_for
from curator.ml.taste_inputs import EYES_FACE_DIM, with_faces
from tests.bench.results import results_path
from tests.bench.taste_world2 import (
    CUTS,
    LOOK_BONUS,
    LOOK_SHARE,
    SMILE_BONUS,
    SMILE_SHARE,
    decide,
    world2,
)

SIZES = (20, 50, 100, 200)
BETTER_AT = (100, 200)
NOISE = 2.0  # standard errors of the paired difference that count as noise
SEEDS = tuple(range(8))
RESULTS = results_path("")


def _case(seed: int, likes_smiles: bool) -> tuple[np.ndarray, ...]:
    """The second simulator with people who smile: a photographer who likes
    smiles (its own liking), or one who does not care (their bonus taken out)."""
    w = world2(seed, with_faces=True, smiles=True)
    people = np.nan_to_num(w.faces[:, 3]) > 0
    smiling, looking = w.faces[:, 4], w.faces[:, 5]
    bonus = people * (SMILE_BONUS * (smiling - SMILE_SHARE) + LOOK_BONUS * (looking - LOOK_SHARE))
    liking = w.utility if likes_smiles else w.utility - bonus
    stars = 1 + np.searchsorted(CUTS, liking)
    rng = np.random.default_rng(seed + 1)
    order = w.decided[: max(SIZES)]
    labels = np.array([label_for(decide(int(stars[i]), rng)) for i in order])
    return w.x, w.faces, w.scene, order, labels, w.test, liking[w.test]


def _rho(predicted: np.ndarray, truth: np.ndarray) -> float:
    return float(spearmanr(predicted, truth).statistic)


def _scores(seed: int, likes_smiles: bool) -> dict[int, dict[str, float]]:
    x, faces, scene, order, labels, test, truth = _case(seed, likes_smiles)
    smiles = with_faces(x, faces)
    eyes = smiles[:, : x.shape[1] + EYES_FACE_DIM]
    out: dict[int, dict[str, float]] = {}
    for n in SIZES:
        idx, y, weight = order[:n], labels[:n, 0], labels[:n, 1]
        plain = Ridge(alpha=1.0).fit(x[idx], y, sample_weight=weight)
        row = {"plain": _rho(plain.predict(x[test]), truth)}
        for name, inputs in (("eyes", eyes), ("smiles", smiles)):
            model = fit_taste(inputs[idx], y, weight, groups=scene[idx])
            row[name] = _rho(model.predict_rating(inputs[test]), truth)
        out[n] = row
    return out


def _summary(runs: list[dict[int, dict[str, float]]]) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for n in SIZES:
        rows = [r[n] for r in runs]
        entry: dict[str, Any] = {
            k: round(float(np.mean([r[k] for r in rows])), 4) for k in ("plain", "eyes", "smiles")
        }
        for other in ("plain", "eyes"):
            diff = np.array([r["smiles"] - r[other] for r in rows])
            se = float(np.std(diff, ddof=1) / np.sqrt(len(diff)))
            mean = float(np.mean(diff))
            entry[f"smiles - {other}"] = [round(mean, 4), round(se, 4)]
            low, high = mean - 1.96 * se, mean + 1.96 * se
            entry[f"smiles - {other} 95%"] = [round(low, 4), round(high, 4)]
        table[str(n)] = entry
    return table


@pytest.mark.bench
@pytest.mark.timeout(3600)
def test_smile_and_looking_help_a_photographer_who_likes_smiles() -> None:
    report = {
        who: _summary([_scores(seed, likes) for seed in SEEDS])
        for who, likes in (("likes smiles", True), ("does not care", False))
    }
    print(f"\nsmile and looking: held-out Spearman, mean of {len(SEEDS)} seeds;")
    print("differences paired: [mean, standard error] and the 95 % interval")
    print(json.dumps(report, indent=1))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "taste_smiles.json").write_text(json.dumps(report, indent=2))
    for n, entry in report["likes smiles"].items():
        gap, error = entry["smiles - plain"]
        assert gap >= -NOISE * error, (n, entry)
        if int(n) in BETTER_AT:
            gain, _ = entry["smiles - eyes"]
            assert gain > 0.0, (n, entry)
