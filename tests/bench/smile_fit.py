"""How the smile's weights and the pose's zero were set (issue 49 §1), re-runnable:
``python -m tests.bench.smile_fit`` (about 10 minutes on two busy cores).

Every face of the development half of GENKI-4K (`smile_dev`) is pasted into
a photo as the acceptance does, reduced to the 1,440 px preview, and looked
for with the faces stage's own detector (`find.detect_faces`); the largest
face the mesh accepts gives its landmarks and blendshapes. Then:
- the smile: a logistic regression (Newton's method, a whisker of L2) of
  `expression.SMILE_TERMS`' features and `corners_lift`, its 5-fold
  cross-validated AUC and accuracy at 0.5, and the weights fitted on all;
- the pose: the median of each angle's error against the labels (pitch's
  is `PITCH_ZERO`), and where the eyes point on faces that mostly look at
  the camera (the median pitch is `GAZE_PITCH_ZERO`; a gaze that follows
  the head's turn would say `CORNERS_DEPTH` is off).
- the cut: the shipped score (`expression.smile_score`'s weights as they
  are) on every face, its accuracy at 0.5 and at every cut, and the best
  cut (the middle of the cuts that reach the best accuracy); 0.5 is the
  line Curator calls smiling (`records.SMILING_FROM`), so a best cut
  elsewhere says the intercept should move by its logit (`best_cut`) —
  if it holds out: the cut chosen on 4 folds and scored on the 5th
  (`held_out_cut`) against 0.5 on the same faces.
It prints what it finds; copying the numbers into ml/faces/expression.py is
a person's step. ``$SMILE_FIT_CACHE`` names a .npz file (outside the
checkout) that keeps the faces' features, so a second run skips finding
the faces. Nothing is written inside the checkout.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from tests.bench import smile_dev as sd

FOLDS = 5
CACHE_ENV = "SMILE_FIT_CACHE"


def features(folder: Path, fixtures: Path, rows: list[sd.Label]) -> list[tuple | None]:
    """(points, depth, blendshapes) of each photo's largest accepted face, or None."""
    import cv2
    from PIL import Image

    from curator.ml.faces.files import find_face_model
    from curator.ml.faces.find import MIN_PRESENCE, SURE_SCORE, detect_faces
    from curator.ml.faces.networks import networks_for

    names = sd.paste_set(folder, fixtures, rows)
    files = find_face_model().files
    if files is None:
        raise SystemExit("The face model is not installed (python -m curator.install.face_model).")
    nets = networks_for(files)
    out: list[tuple | None] = []
    for name in names:
        photo = np.asarray(Image.open(folder / name).convert("RGB"))
        rgb = np.asarray(cv2.resize(photo, (1440, 1080), interpolation=cv2.INTER_AREA), np.uint8)
        found = None
        for d in sorted(detect_faces(nets, rgb), key=lambda d: -d.long_side):
            presence = nets.landmarks.presence(rgb, d)
            if presence < MIN_PRESENCE and d.score < SURE_SCORE:
                continue
            mesh = nets.landmarks.mesh(rgb, d, presence)
            found = (mesh.points, mesh.depth, nets.landmarks.blendshapes(mesh))
            break
        out.append(found)
    return out


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1e-3) -> np.ndarray:
    """Logistic regression weights (intercept first) by Newton's method."""
    x1 = np.column_stack([np.ones(len(x)), x])
    w = np.zeros(x1.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-x1 @ w))
        hessian = x1.T @ (x1 * (p * (1 - p))[:, None]) + l2 * np.eye(len(w))
        w += np.linalg.solve(hessian, x1.T @ (y - p) - l2 * w)
    return w


def best_cut(score: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(the cut of `score` with the best accuracy — the middle of the run of
    cuts that reach it — and that accuracy), cutting between sorted scores."""
    order = np.sort(np.unique(score))
    cuts = np.concatenate([[0.0], (order[:-1] + order[1:]) / 2, [1.0]])
    accuracy = np.array([np.mean((score >= c) == (y == 1)) for c in cuts])
    best = float(accuracy.max())
    at = cuts[accuracy >= best - 1e-12]
    return float((at.min() + at.max()) / 2), best


def held_out_cut(score: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """(accuracy with each fold cut at the best cut of the other folds, at 0.5)."""
    folds = np.random.default_rng(seed).integers(0, FOLDS, len(y))
    moved = half = 0
    for k in range(FOLDS):
        train, test = folds != k, folds == k
        cut, _ = best_cut(score[train], y[train])
        moved += int(np.sum((score[test] >= cut) == (y[test] == 1)))
        half += int(np.sum((score[test] >= 0.5) == (y[test] == 1)))
    return moved / len(y), half / len(y)


def shipped_scores(x: np.ndarray) -> np.ndarray:
    """`expression.smile_score` on `smile_columns`' features, as shipped."""
    from curator.ml.faces import expression as ex

    w = np.array([w for _, w in ex.SMILE_TERMS] + [ex.LIFT_WEIGHT])
    z = np.clip(ex.SMILE_INTERCEPT + x @ w, -60, 60)
    return 1 / (1 + np.exp(-z))


def smile_columns(shapes: np.ndarray, points: np.ndarray) -> np.ndarray:
    from curator.ml.faces import expression as ex

    columns = [np.sqrt(np.clip(shapes[:, list(at)], 0, 1).mean(axis=1)) for at, _ in ex.SMILE_TERMS]
    lift = [ex.corners_lift(p) or 0.0 for p in points]
    return np.column_stack([*columns, lift])


def main() -> int:
    from curator.ml.faces import expression as ex

    reason = sd.missing_reason()
    if reason:
        print(reason)
        return 1
    rows = sd.labels()
    fixtures = sd.REPO.parent / "shared" / "fixtures"
    kept, points, depths, shapes = cached_features(fixtures, rows)
    print(f"faces found: {len(kept)} of {len(rows)}")
    y = np.array([row.smile for row in kept], dtype=np.float64)
    x = smile_columns(shapes, points)
    shipped = shipped_scores(x)
    cut, best = best_cut(shipped, y)
    at_half = np.mean((shipped >= 0.5) == (y == 1))
    n = len(y)
    print(f"shipped score: AUC {sd.auc(shipped, y):.4f}, accuracy at 0.5 {at_half:.4f} ", end="")
    print(f"(Wilson {sd.wilson(round(at_half * n), n)}); best cut {cut:.4f} ", end="")
    print(f"(accuracy {best:.4f}): intercept {ex.SMILE_INTERCEPT} -> ", end="")
    print(f"{ex.SMILE_INTERCEPT - math.log(cut / (1 - cut)):.3f} puts it at 0.5")
    moved, half = held_out_cut(shipped, y)
    print(f"held out ({FOLDS}-fold): the best cut of the other folds {moved:.4f}, 0.5 {half:.4f}")
    folds = np.random.default_rng(0).integers(0, FOLDS, len(y))
    held = np.zeros(len(y))
    for k in range(FOLDS):
        w = fit(x[folds != k], y[folds != k])
        held[folds == k] = 1 / (1 + np.exp(-(w[0] + x[folds == k] @ w[1:])))
    print(f"smile, {FOLDS}-fold: AUC {sd.auc(held, y):.4f}, accuracy at 0.5 ", end="")
    print(f"{np.mean((held >= 0.5) == (y == 1)):.4f}")
    print("weights (intercept, terms..., lift):", np.round(fit(x, y), 3).tolist())
    posed = [
        (row, (p, d), ex.head_pose(p, d)) for row, p, d in zip(kept, points, depths, strict=True)
    ]
    posed = [(row, f, p) for row, f, p in posed if p is not None]
    for i, angle in enumerate(("yaw", "pitch", "roll")):
        errors = [getattr(p, angle) - row.pose[i] for row, _, p in posed]
        print(f"{angle}: median error {np.median(errors):+.2f}, median |error| ", end="")
        print(f"{np.median(np.abs(errors)):.2f} deg (after PITCH_ZERO {ex.PITCH_ZERO})")
    gazes = [(p, ex.eye_turn(f[0], p)) for _, f, p in posed]
    seen = np.array([g for _, g in gazes if g is not None])
    heads = np.array([(p.yaw, p.pitch) for p, g in gazes if g is not None])
    print(f"gaze median {np.round(np.median(seen, axis=0), 2).tolist()} (yaw, pitch, deg);", end="")
    slope = [np.polyfit(heads[:, i], seen[:, i], 1)[0] for i in (0, 1)]
    print(f" its slope on the head's turn {np.round(slope, 3).tolist()} (0: the eyes hold)")
    return 0 if all(math.isfinite(s) for s in slope) else 1


def cached_features(
    fixtures: Path, rows: list[sd.Label]
) -> tuple[list[sd.Label], np.ndarray, np.ndarray, np.ndarray]:
    """The labels of the faces found, their landmarks, depths and blendshapes
    (from `$SMILE_FIT_CACHE` when it holds them; module docstring)."""
    cache = os.environ.get(CACHE_ENV)
    if cache and Path(cache).exists():
        saved = np.load(cache)
        kept = [rows[i] for i in saved["index"]]
        return kept, saved["points"], saved["depths"], saved["shapes"]
    with tempfile.TemporaryDirectory() as tmp:
        found = features(Path(tmp), fixtures, rows)
    index = [i for i, f in enumerate(found) if f is not None]
    points = np.stack([found[i][0] for i in index])  # type: ignore[index]
    depths = np.stack([found[i][1] for i in index])  # type: ignore[index]
    shapes = np.stack([found[i][2] for i in index]).astype(np.float64)  # type: ignore[index]
    if cache:
        np.savez(cache, index=index, points=points, depths=depths, shapes=shapes)
    return [rows[i] for i in index], points, depths, shapes


if __name__ == "__main__":
    sys.exit(main())
