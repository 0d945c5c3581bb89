"""Cull for me, measured (issue 42 §4): the proposal's quality on a labelled
shoot of real photos, its use of taste on the taste simulators, and its cost.

Run with ``make bench``. Results go to the bench results folder (proposals.json).

1. `test_a_labelled_shoot_of_real_photos` (tests/bench/cull_shoot.py: the
   camera fixtures framed four ways, their blurred, shaken and ±EV copies
   with random strengths, bursts of a good frame, its hand-held twin and a
   shaken frame, and 150 real open- and 150 shut-eyed faces from faces-dev
   pasted into photos: not the seed-0 shoot the rules were built on),
   imported by the real technical and faces stages (`curator import
   --stages technical,faces`), bursts grouped as the score step groups
   them, then `curator cull --propose` without a target. Budgets: ≥ 95 % of
   the defective frames proposed reject; ≥ 95 % of the good camera frames
   (originals and each burst's good frame) kept; every burst's best frame
   kept; ≥ 95 % of the open-eyed faces not called closed. Each figure is
   written with its Wilson 95 % interval. The open-eyed faces' keeps are
   reported, not held to a line: their crops are web images (UTKFace), a
   fifth of them soft themselves (looked at: SOFT FACE is right on them).
   Measured (2 busy cores, 620 frames, 2 min): defective 339/350 = 0.969
   [0.945, 0.982] (blur 40/40, shake 80/80, under 40/40, over 37/40 — the
   three misses are the dark fixture brightened, +0.8 EV to the meter and
   a normal exposure to the eye —, closed eyes 142/150: the faces stage
   found or read open eight); good camera frames 80/80 [0.954, 1]; bursts'
   best 40/40; open faces not called closed 145/150 = 0.967 [0.924, 0.986],
   called soft 29/150, kept 119/150. Since shut eyes need both framings
   of the face to read shut (issue 49, ml.faces.find.read_eyes;
   2026-11-26): defective 337/350 = 0.963 [0.938, 0.978] (closed eyes
   140/150), open faces not called closed 150/150 [0.975, 1], kept
   120/150; the rest as before.
2. `test_keeps_at_a_target_follow_the_photographers_taste` (the second
   taste simulator with people, tests/bench/taste_world2.py): a taste model
   fitted on 200 decisions (`ml.taste.fit_taste`) scores the held-out shoot;
   the keeps at a target of 20 % are compared with the simulated
   photographer's own top 20 % (their true liking). Budget: the proposal
   agrees more than ranking by the technical scores alone (the same rules
   without taste scores, and a plain sort by technical value). Measured
   (mean of 4 seeds): 0.33 against 0.24 and 0.21; a plain sort by the
   taste score alone agrees 0.72 — the rules keep one frame per moment
   first (the best moments when the target is smaller than the moments),
   where this photographer's own top 20 % takes several of a liked scene.
3. `test_cost_at_2000_and_100000_photos` on SQLite and PostgreSQL
   (tests/bench/gallery_catalog.py's catalogs, key faces for a tenth of the
   photos): plan + run + apply (`cull.propose.propose_for`), best of 3.
   Budgets: ≤ 1 s at 2,000 measured photos, ≤ 5 s at 100,000. Measured:
   SQLite 0.06 s / 1.4 s, PostgreSQL 0.04 s / 3.5 s.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.bench.results import merge_results

pytestmark = pytest.mark.bench

RESULTS = "proposals.json"


# -- 1. a labelled shoot -----------------------------------------------------------------


# The shoot measured: not the one the rules were built on (seed 0, one frame per
# source, fixed defects), but four framings per source with random defects and
# 150 faces of each kind (cull_shoot.build's docstring).
SEED, VARIANTS, FACES_PER_KIND = 42, 4, 150


@pytest.mark.timeout(1800)
def test_a_labelled_shoot_of_real_photos(tmp_path: Path) -> None:
    from tests.bench.cull_shoot import FACES_DEV, build
    from tests.bench.faces_eval import wilson
    from tests.faces_helpers import installed_model
    from tests.integration.cli_helpers import import_json, list_json, run_cli

    installed_model()
    if not FACES_DEV.is_dir():
        pytest.skip(f"faces-dev is not at {FACES_DEV} (../shared/data/faces-dev)")
    shoot = build(tmp_path / "shoot", faces_per_kind=FACES_PER_KIND, seed=SEED, variants=VARIANTS)
    import_json(shoot.folder, "--stages", "technical,faces")
    _group_bursts()
    code, out, err = run_cli("cull", "--propose", "--json")
    assert code == 0, err
    rows = {Path(p["path"]).name: p for p in list_json()}

    def verdict(name: str) -> str:
        return str(rows[name]["proposal"]["verdict"])

    def reasons(name: str) -> list[str]:
        return list(rows[name]["proposal"]["reasons"])

    faces = {n for n in shoot.labels if n.startswith("face_")}
    defective = [n for n, lab in shoot.labels.items() if lab == "defective"]
    good_camera = [n for n, lab in shoot.labels.items() if lab == "good" and n not in faces]
    good_faces = [n for n, lab in shoot.labels.items() if lab == "good" and n in faces]
    missed = sorted(n for n in defective if verdict(n) != "reject")
    lost = sorted(n for n in good_camera + good_faces if verdict(n) != "keep")
    bests = []
    for burst in shoot.bursts:
        best = [n for n in burst if rows[n]["burst_best"]]
        bests.append(bool(best) and all(verdict(n) == "keep" for n in best))
    by_defect: dict[str, list[int]] = {}
    for n in defective:
        by_defect.setdefault(shoot.defect[n], [0, 0])
        by_defect[shoot.defect[n]][0] += verdict(n) == "reject"
        by_defect[shoot.defect[n]][1] += 1

    def rate(hits: int, total: int) -> dict[str, object]:
        value, low, high = wilson(hits, total)
        return {"value": value, "of": f"{hits}/{total}", "wilson95": [low, high]}

    figures = {
        "defective_rejected": rate(len(defective) - len(missed), len(defective)),
        "good_camera_kept": rate(sum(verdict(n) == "keep" for n in good_camera), len(good_camera)),
        "good_faces_kept": rate(sum(verdict(n) == "keep" for n in good_faces), len(good_faces)),
        "good_faces_not_called_closed": rate(
            sum("closed eyes" not in reasons(n) for n in good_faces), len(good_faces)
        ),
        "good_faces_called_soft": rate(
            sum("soft face" in reasons(n) for n in good_faces), len(good_faces)
        ),
        "bursts_best_kept": rate(sum(bests), len(bests)),
        "by_defect": {k: f"{r}/{t}" for k, (r, t) in sorted(by_defect.items())},
        "missed": {n: rows[n]["proposal"] for n in missed},
        "lost": {n: rows[n]["proposal"] for n in lost},
        "summary": json.loads(out),
    }
    print("\nproposal on the labelled shoot:", json.dumps(figures, indent=1))
    merge_results(RESULTS, {"labelled_shoot": figures})
    assert len(defective) - len(missed) >= 0.95 * len(defective), figures
    assert sum(verdict(n) == "keep" for n in good_camera) >= 0.95 * len(good_camera), figures
    assert sum("closed eyes" not in reasons(n) for n in good_faces) >= 0.95 * len(good_faces)
    assert all(bests), figures


def _group_bursts() -> None:
    """Group the imported frames into bursts as the score step does."""
    from curator.catalog.db import Catalog
    from curator.paths import resolve_paths
    from curator.pipeline.stages.judgments import embedding_model_id
    from curator.pipeline.stages.score import regroup_bursts
    from curator.settings import load_settings

    settings = load_settings()
    with Catalog.open(resolve_paths().catalog):
        assert regroup_bursts(embedding_model_id(settings), settings) > 0


# -- 2. taste ----------------------------------------------------------------------------

SEEDS = tuple(range(4))
DECISIONS = 200
TARGET_SHARE = 0.2


def _taste_case(seed: int) -> dict[str, float]:
    from curator.cull.checks import checks_for, technical_value
    from curator.cull.rules import propose
    from curator.ml.taste import fit_taste, label_for, rating_to_score
    from curator.records import FacesSummary, ProposalFrame, ProposalVerdict
    from tests.bench.taste_world2 import decide, world2

    w = world2(seed, with_faces=True)
    rng = np.random.default_rng(seed + 1)
    order = w.decided[:DECISIONS]
    labels = np.array([label_for(decide(int(w.stars[i]), rng)) for i in order])
    fitted = fit_taste(w.x[order], labels[:, 0], labels[:, 1], groups=w.scene[order])
    taste = rating_to_score(fitted.predict_rating(w.x[w.test]))
    camera = np.random.default_rng(seed + 2)
    frames: list[ProposalFrame] = []
    for k, i in enumerate(w.test):
        closed, eyes_open, face_sharp, n_faces = (float(v) for v in w.faces[i][:4])
        people = n_faces > 0
        sharp = face_sharp if people else float(camera.uniform(50, 95))
        summary = None
        if people:
            summary = FacesSummary(
                count=int(n_faces), judged=1, key=1, closed_eyes=bool(closed),
                eyes_open=bool(eyes_open), key_sharpness=sharp,
            )  # fmt: skip
        frames.append(
            ProposalFrame(
                photo_id=k,
                sharpness_score=sharp,
                exposure_score=float(camera.uniform(70, 100)),
                exposure_ev=0.0,
                highlight_clip=0.01,
                burst=int(w.scene[i]),
                faces=summary,
                taste=float(taste[k]),
            )
        )
    tech = np.array([technical_value(f) for f in frames])
    scene = w.scene[w.test]
    best = {}
    for k in np.argsort(-tech, kind="stable"):
        best.setdefault(int(scene[k]), int(k))  # the burst's best: its sharpest, eyes open
    frames = [replace(f, burst_best=best[int(scene[k])] == k) for k, f in enumerate(frames)]
    n = round(TARGET_SHARE * len(frames))
    truth = set(np.argsort(-w.utility[w.test], kind="stable")[:n].tolist())

    def agreement(fs: list[ProposalFrame]) -> float:
        run = propose(fs, checks_for(None), n)
        keeps = {p.photo_id for p in run.proposals if p.verdict is ProposalVerdict.KEEP}
        return len(keeps & truth) / n

    blind = [replace(f, taste=None) for f in frames]
    return {
        "proposal": agreement(frames),
        "rules without taste": agreement(blind),
        "technical sort": len(set(np.argsort(-tech, kind="stable")[:n].tolist()) & truth) / n,
        "taste sort": len(set(np.argsort(-taste, kind="stable")[:n].tolist()) & truth) / n,
    }


@pytest.mark.timeout(1800)
def test_keeps_at_a_target_follow_the_photographers_taste() -> None:
    runs = [_taste_case(seed) for seed in SEEDS]
    mean = {k: round(float(np.mean([r[k] for r in runs])), 3) for k in runs[0]}
    print("\nagreement with the photographer's own top 20 %:", mean)
    merge_results(RESULTS, {"taste": {"mean": mean, "seeds": runs}})
    assert mean["proposal"] > mean["rules without taste"], mean
    assert mean["proposal"] > mean["technical sort"], mean


# -- 3. cost -----------------------------------------------------------------------------


def _with_faces(cat: Any, n: int) -> None:
    """Key faces (one each) for a tenth of the photos, in bursts or not."""
    from tests.bench.bulk import insert_many, loading

    rng = np.random.default_rng(1)
    ids = np.flatnonzero(rng.random(n) < 0.1) + 1
    with loading(cat.db):
        insert_many(
            cat.db,
            "INSERT INTO photo_faces (photo_id, faces, judged, key_faces, closed_eyes,"
            " soft_face, eyes_open, key_sharpness, version) VALUES (?, 1, 1, 1, ?, 0, ?, 60, 'v')",
            [(int(i), int(i % 9 == 0), int(i % 9 != 0)) for i in ids],
        )
        insert_many(
            cat.db,
            "INSERT INTO face (photo_id, idx, x, y, w, h, size_px, judged, eyes, is_key,"
            " confidence) VALUES (?, 0, ?, 0.3, 0.1, 0.15, 200, 1, 'open', 1, 0.9)",
            [(int(i), float(rng.uniform(0, 0.8))) for i in ids],
        )


def _time_proposal(location: str | Path, n: int) -> dict[str, Any]:
    from curator.catalog.db import Catalog
    from curator.cull.checks import checks_for
    from curator.cull.propose import propose_for
    from tests.bench.gallery_catalog import populate

    with Catalog.open(location) as cat:
        populate(cat, n)
        _with_faces(cat, n)
    times = []
    with Catalog.open(location):
        for _ in range(3):
            started = time.perf_counter()
            run = propose_for("bench", checks_for(None), keep_percent=20.0)
            times.append(time.perf_counter() - started)
    return {"photos": n, "proposed": run.summary.photos, "seconds": round(min(times), 3)}


@pytest.mark.timeout(3600)
def test_cost_at_2000_and_100000_photos(tmp_path: Path, pg_server: Any) -> None:
    figures: dict[str, dict[str, Any]] = {}
    for n, budget in ((2_000, 1.0), (100_000, 5.0)):
        for backend in ("SQLite", "PostgreSQL"):
            if backend == "SQLite":
                where: str | Path = tmp_path / f"cost{n}.sqlite"
            else:
                where = pg_server.url(pg_server.new_database())
            got = _time_proposal(where, n)
            got["budget_s"] = budget
            figures[f"{backend} {n}"] = got
            print(f"\n{backend}, {n:,} photos: {got}")
    merge_results(RESULTS, {"cost": figures})
    for name, got in figures.items():
        assert got["seconds"] <= got["budget_s"], (name, figures)
