"""Taste benchmark (issue 20 §4): does `fit_taste` learn a photographer's taste
at least as well as a plain ridge, report its quality honestly, and learn
faster when it asks about the photos it is least sure of?

Three worlds, each independent of the model's tuning: tests/bench/taste_world.py
(768-d unit embeddings with a CLIP-like spectrum, shot in bursts of
near-copies, a hidden taste, a culler's decisions; a "subtle" variant where
taste is a weaker function of the picture) and tests/bench/taste_world2.py,
written apart from the first (issue 32 §3: scenes on a low-rank semantic
manifold, frames of a scene differing in the moment and in flaws the
photographer rejects, stars from fixed cut points, a two-pass culler who
skips frames; a "people" variant where blinks are rejected) and
tests/bench/taste_world3.py, the kind of world issue 41 §6 measured on (768-d
unit vectors from 64 latent factors, no bursts, a noisy 1–5 rater; a
variant with CLIP's shared direction). Every number is a mean over `SEEDS`.

1. `test_fit_taste_is_never_below_plain_ridge` (bar T1): on the same
   decisions (the first n of a rating pass walking the shoot in capture
   order), the held-out Spearman against the true stars of 1,000 unseen
   scenes, at 10/20/40/100/200/400 decisions, for
   - plain: scikit-learn's `Ridge(alpha=1.0)` on the raw embeddings with the
     same targets and weights (the baseline the issue names);
   - before: the model before issue 20 (standardised coordinates, RidgeCV
     over 0.1–30 × d/768, KFold — burst siblings on both sides), rebuilt
     here with scikit-learn;
   - after: `ml.taste.fit_taste` with the catalog's groups (scene ids);
   and how honest each one's *reported* held-out Spearman is (the figure
   `curator status` shows) against the real one, with how often the real
   one falls inside the reported 95 % interval.
   Budget: after − plain, paired over the seeds, ≥ −`NOISE` (2) standard
   errors at 20, 40, 100, 200 and 400 decisions in every world (before issue
   32's fix, counting every burst once: 0.005–0.015 below plain on the
   second simulator). Issue 41 §6, after − plain × 1000 at 20/40/100/200/400
   (24 seeds; standard errors 0–1 on the third simulator, 1–8 elsewhere),
   the penalty search before → after (ml.taste_penalty):
   - latent factors: −1/−6/−9/−9/−3 → 0/−1/0/+1/0 (it failed this bar);
   - latent factors, shared direction: 0/0/+1/+2/0 → 0/+2/+7/+9/+2;
   - CLIP-like: +15/+8/+4/+2/+1 → +16/+8/+7/+3/+2;
   - subtle taste: +8/+6/+8/+3/+4 → +7/+6/+8/+2/+2;
   - second simulator: +6/+4/+4/+4/+2 → +8/+7/+8/+8/+3;
   - second simulator, people: +3/+6/+3/+2/+3 → +4/+6/+2/+4/+3.
2. `test_uncertain_first_needs_fewer_decisions_than_time_order`: the rating
   pass in capture order against most-uncertain-first
   (`ml.active.uncertain_order`, retrained every 10 decisions, the first 20
   in capture order), with `fit_taste`; reported: the decisions uncertainty-
   first needs to reach what capture order reaches at 100 and at 200, and
   how many it needs to reach plain ridge's quality at 100 (capture order).
   Budget: ≥ 30 % fewer decisions; plain ridge's 100 reached within 60
   (measured on 8 seeds since issue 32: 40 % fewer at both; 0.670 at 40
   against plain ridge's 0.685 at 100, reached at 50 — the issue's "≤ 40"
   is not reached on this world. Over the 4 seeds used before, a fit that
   is as good on seeds 4–7 moved the first "reached at" by a 10-decision
   step: seed noise at this granularity).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from curator.ml.active import uncertain_order
from curator.ml.taste import fit_taste, label_for
from curator.ml.taste_inputs import with_faces
from tests.bench.results import results_path
from tests.bench.taste_world import World, decided_order, decision, world
from tests.bench.taste_world2 import BLINK_PENALTY, CUTS, decide, world2
from tests.bench.taste_world3 import rate, world3

CHECKPOINTS = (10, 20, 40, 100, 200, 400)
BARS = (20, 40, 100, 200, 400)  # sizes held to "not below plain ridge beyond noise"
NOISE = 2.0  # standard errors of the paired difference that count as noise
SEEDS = tuple(range(24))
RESULTS = results_path("")


def _real(predicted: np.ndarray, w: World) -> float:
    return float(spearmanr(predicted, w.stars[w.test]).statistic)


def _before(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, float]:
    """The fit before issue 20: standardised, RidgeCV over 0.1–30 (× d/768), KFold."""
    alphas = [a * x.shape[1] / 768 for a in (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)]
    model = make_pipeline(StandardScaler(), RidgeCV(alphas=alphas))
    splitter = KFold(n_splits=max(2, min(5, len(y) // 4)), shuffle=True, random_state=0)
    held = cross_val_predict(model, x, y, cv=splitter, params={"ridgecv__sample_weight": weight})
    model.fit(x, y, ridgecv__sample_weight=weight)
    return model, float(spearmanr(y, held).statistic)


def _decisions(w: World, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = decided_order(w, seed)[: max(CHECKPOINTS)]
    rng = np.random.default_rng(seed + 1)
    labels = np.array([label_for(decision(int(w.stars[i]), rng)) for i in order])
    return order, labels[:, 0], labels[:, 1]


@dataclass(frozen=True)
class Case:
    """One simulated photographer's shoot, as both simulators give it."""

    x: np.ndarray  # every photo's embedding
    scene: np.ndarray
    order: np.ndarray  # the decided photos, in the order decided
    y: np.ndarray  # their targets and weights (ml.taste.label_for)
    weight: np.ndarray
    test: np.ndarray  # held-out photos (scenes never decided)
    truth: np.ndarray  # the held-out photos' true liking


def _first_world(seed: int, noise: float) -> Case:
    w = world(seed, taste_noise=noise)
    order, y, weight = _decisions(w, seed)
    return Case(w.x, w.scene, order, y, weight, w.test, w.stars[w.test])


def _second_world(seed: int, with_faces: bool) -> Case:
    w = world2(seed, with_faces=with_faces)
    order = w.decided[: max(CHECKPOINTS)]
    rng = np.random.default_rng(seed + 1)
    labels = np.array([label_for(decide(int(w.stars[i]), rng)) for i in order])
    return Case(w.x, w.scene, order, labels[:, 0], labels[:, 1], w.test, w.utility[w.test])


def _third_world(seed: int, common: float) -> Case:
    w = world3(seed, common=common)
    order = w.decided[: max(CHECKPOINTS)]
    rng = np.random.default_rng(seed + 1)
    labels = np.array([label_for(rate(int(w.stars[i]), rng)) for i in order])
    scene = np.arange(len(w.x))  # every photo its own scene
    return Case(w.x, scene, order, labels[:, 0], labels[:, 1], w.test, w.liking[w.test])


# name -> a seed's shoot. The first simulator (tests/bench/taste_world.py), a
# second one written apart from it (tests/bench/taste_world2.py, issue 32 §3)
# and a third of the kind issue 41 §6 measured on (tests/bench/taste_world3.py:
# 64 latent factors, a noisy 1-5 rater; without and with CLIP's shared direction).
WORLDS: dict[str, Callable[[int], Case]] = {
    "CLIP-like": lambda seed: _first_world(seed, 0.5),
    "subtle taste": lambda seed: _first_world(seed, 1.0),
    "second simulator": lambda seed: _second_world(seed, False),
    "second simulator, people": lambda seed: _second_world(seed, True),
    "latent factors": lambda seed: _third_world(seed, 0.0),
    "latent factors, shared direction": lambda seed: _third_world(seed, 0.5),
}


@pytest.mark.bench
@pytest.mark.timeout(3600)
def test_fit_taste_is_never_below_plain_ridge() -> None:
    report: dict[str, dict[str, dict[str, float]]] = {}
    for name, make in WORLDS.items():
        runs: dict[str, dict[int, list[float]]] = {}
        for seed in SEEDS:
            case = make(seed)
            held_out = case.x[case.test]

            def real(predicted: np.ndarray, case: Case = case) -> float:
                return float(spearmanr(predicted, case.truth).statistic)

            for n in CHECKPOINTS:
                idx, y, weight = case.order[:n], case.y[:n], case.weight[:n]
                x = case.x[idx]
                plain = Ridge(alpha=1.0).fit(x, y, sample_weight=weight)
                after = fit_taste(x, y, weight, groups=case.scene[idx])
                rows = {
                    "plain": real(plain.predict(held_out)),
                    "after": real(after.predict_rating(held_out)),
                    "after alpha": after.alpha,
                    "after reported": after.spearman if after.spearman is not None else np.nan,
                }
                low, high = after.spearman_low, after.spearman_high
                rows["after covered"] = float(
                    low is not None and high is not None and low <= rows["after"] <= high
                )
                if n >= 20:
                    model, shown = _before(x, y, weight)
                    rows["before"] = real(model.predict(held_out))
                    rows["before reported"] = shown
                for key, value in rows.items():
                    runs.setdefault(key, {}).setdefault(n, []).append(value)
        report[name] = {
            key: {
                str(n): round(float(np.nanmedian(v) if key == "after alpha" else np.nanmean(v)), 4)
                for n, v in by_n.items()
            }
            for key, by_n in runs.items()
        }
        for n in CHECKPOINTS:  # paired over seeds: the same decisions, the same held-out photos
            gap = np.asarray(runs["after"][n]) - np.asarray(runs["plain"][n])
            report[name].setdefault("after - plain", {})[str(n)] = round(float(gap.mean()), 4)
            report[name].setdefault("its standard error", {})[str(n)] = round(
                float(gap.std(ddof=1) / np.sqrt(len(gap))), 4
            )
    print("\nheld-out Spearman against the true liking (mean of", len(SEEDS), "seeds;")
    print("'after alpha': the median penalty fit_taste chose)")
    for name, table in report.items():
        print(f"\n{name}")
        print(f"{'':>18} " + " ".join(f"{n:>7}" for n in CHECKPOINTS))
        for key, row in table.items():
            print(
                f"{key:>18} "
                + " ".join(f"{row.get(str(n), float('nan')):>7.3f}" for n in CHECKPOINTS)
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "taste.json").write_text(json.dumps(report, indent=2))
    for name, table in report.items():
        for n in map(str, BARS):
            gap, error = table["after - plain"][n], table["its standard error"][n]
            assert gap >= -NOISE * error, (name, n, gap, error)


FACE_SEEDS = tuple(range(24))


def _blink_case(seed: int, rejects_blinks: bool) -> tuple[np.ndarray, ...]:
    """The second simulator with people: a photographer who rejects blinks (its
    own liking), or one who does not care (the blink's penalty taken out)."""
    w = world2(seed, with_faces=True)
    closed = np.nan_to_num(w.faces[:, 0])
    liking = w.utility if rejects_blinks else w.utility + BLINK_PENALTY * closed
    stars = 1 + np.searchsorted(CUTS, liking)
    rng = np.random.default_rng(seed + 1)
    order = w.decided[: max(CHECKPOINTS)]
    labels = np.array([label_for(decide(int(stars[i]), rng)) for i in order])
    return w.x, w.faces, w.scene, order, labels, w.test, liking[w.test]


@pytest.mark.bench
@pytest.mark.timeout(3600)
def test_face_features_help_a_photographer_who_rejects_blinks() -> None:
    """Issue 32 §3: the taste model with the faces stage's verdicts beside CLIP
    (ml.taste_inputs) against the same model without them, paired on the same
    decisions, at 20/40/100; budget: with ≥ without at each size for the
    photographer who rejects blinks (else the features stay out). The
    photographer who does not care is printed (it should not move)."""
    report: dict[str, dict[str, list[float]]] = {}
    for who, rejects in (("rejects blinks", True), ("does not care", False)):
        gains: dict[int, list[float]] = {n: [] for n in (20, 40, 100)}
        for seed in FACE_SEEDS:
            x, faces, scene, order, labels, test, truth = _blink_case(seed, rejects)
            both = with_faces(x, faces)
            for n in gains:
                idx, y, weight = order[:n], labels[:n, 0], labels[:n, 1]
                rho = []
                for inputs in (x, both):
                    model = fit_taste(inputs[idx], y, weight, groups=scene[idx])
                    predicted = model.predict_rating(inputs[test])
                    rho.append(float(spearmanr(predicted, truth).statistic))
                gains[n].append(rho[1] - rho[0])
        report[who] = {
            str(n): [
                round(float(np.mean(v)), 4),
                round(float(np.std(v, ddof=1) / np.sqrt(len(v))), 4),
            ]
            for n, v in gains.items()
        }
    print("\nface features: held-out Spearman with minus without (mean, standard error)")
    print(json.dumps(report, indent=1))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "taste_faces.json").write_text(json.dumps(report, indent=2))
    for n, (gain, _) in report["rejects blinks"].items():
        assert gain >= 0.0, (n, report)


STEP = 10
HORIZON = 200
TARGETS = (100, 200)
UNCERTAIN_SEEDS = tuple(range(8))  # 4 moved the "reached at" a step between equivalent fits


def _curve(w: World, seed: int, uncertain: bool) -> dict[int, float]:
    rng = np.random.default_rng(seed + 300)
    pool = list(decided_order(w, seed))
    chosen: list[int] = []
    labels: list[tuple[float, float]] = []
    model = None
    out: dict[int, float] = {}
    while len(chosen) < HORIZON:
        if uncertain and model is not None:
            cand = np.array(pool)
            picks = [int(i) for i in cand[uncertain_order(model, w.x[cand], head=STEP)[:STEP]]]
        else:
            picks = [int(i) for i in pool[:STEP]]
        for i in picks:
            pool.remove(i)
            label = label_for(decision(int(w.stars[i]), rng))
            assert label is not None  # every simulated decision teaches
            chosen.append(i)
            labels.append(label)
        if len(chosen) >= 20:
            y = np.array([lab[0] for lab in labels])
            weight = np.array([lab[1] for lab in labels])
            model = fit_taste(w.x[chosen], y, weight, groups=w.scene[chosen])
            out[len(chosen)] = _real(model.predict_rating(w.x[w.test]), w)
    return out


def _needed(curve: dict[int, float], target: float) -> int | None:
    return next((k for k in sorted(curve) if curve[k] >= target), None)


@pytest.mark.bench
@pytest.mark.timeout(3600)
def test_uncertain_first_needs_fewer_decisions_than_time_order() -> None:
    runs: dict[str, list[dict[int, float]]] = {"time": [], "uncertain": []}
    plain_100 = []
    for seed in UNCERTAIN_SEEDS:
        w = world(seed)
        for key in runs:
            runs[key].append(_curve(w, seed, key == "uncertain"))
        order, y, weight = _decisions(w, seed)
        plain = Ridge(alpha=1.0).fit(w.x[order[:100]], y[:100], sample_weight=weight[:100])
        plain_100.append(_real(plain.predict(w.x[w.test]), w))
    mean = {k: {n: float(np.mean([r[n] for r in v])) for n in v[0]} for k, v in runs.items()}
    print(f"\nheld-out Spearman (mean of {len(UNCERTAIN_SEEDS)} seeds) after n decisions")
    print(f"{'n':>5} {'capture order':>14} {'uncertain first':>16}")
    for n in sorted(mean["time"]):
        print(f"{n:>5} {mean['time'][n]:>14.3f} {mean['uncertain'][n]:>16.3f}")
    result: dict[str, object] = {"plain ridge at 100 (capture order)": float(np.mean(plain_100))}
    for target_n in TARGETS:
        target = mean["time"][target_n]
        needed = _needed(mean["uncertain"], target)
        saving = None if needed is None else round(1 - needed / target_n, 2)
        result[f"reach capture order at {target_n}"] = {
            "spearman": round(target, 3),
            "uncertain-first decisions": needed,
            "fewer": saving,
        }
    result["uncertain first at 40"] = round(mean["uncertain"][40], 3)
    result["uncertain first reaches plain ridge's 100 at"] = _needed(
        mean["uncertain"], float(np.mean(plain_100))
    )
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "taste_uncertain.json").write_text(
        json.dumps({"curves": mean, "reach": result}, indent=2)
    )
    for target_n in TARGETS:
        fewer = result[f"reach capture order at {target_n}"]["fewer"]  # type: ignore[index]
        assert isinstance(fewer, float) and fewer >= 0.30, result
    reach = result["uncertain first reaches plain ridge's 100 at"]
    assert isinstance(reach, int) and reach <= 60, result
