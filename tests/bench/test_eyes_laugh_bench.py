"""A laugh is not a blink, through the real import (issue 74 §1 and §3).

Run with ``make bench``: every face of GENKI-4K's development half (`smile_dev`:
../shared/data/people-dev/smile, 2,000 photos, smiling and not) pasted into
photos as the acceptance pastes them (`smile_dev.paste_set`, seed
`smile_dev.SEED`; ``$EYES_LAUGH_SEED`` added to it pastes them again at other
sizes, places and backgrounds), imported by the real ``curator import``
(technical and faces) and read back by ``curator list --json``; the largest
judged face of each photo is held against the hand labels of its eyes
(tests/bench/data/genki_dev_eyes.csv: every smiling face open, narrowed in a
smile or laugh, down, hidden or shut; the not-smiling faces the stage read
closed before issue 74). Without the set it skips with that sentence.
Results go to the bench results folder (eyes_laugh_bench.json).

Reported: per hand label, what the stage says of the smiling faces; "closed"
said of a smiling face whose eyes are open or narrowed, with its Wilson 95 %
interval; the same table for the labelled not-smiling faces; what it says of
the faces behind sunglasses. Asserted: "closed" of open or narrowed smiling
faces at most `MAX_CLOSED_OF_OPEN` (the issue's 1 %); of the faces behind
sunglasses, "closed" at most `MAX_SUNGLASSES_CLOSED` times and "can't tell"
at least `MIN_SUNGLASSES_UNKNOWN` times.

Measured (2026-11-28, faces stage 16, the stage in process on the same
photos: docs/decisions/eyes-laugh.md): 6 of 967 (0.62 %, Wilson 0.28-1.34 %;
21 before the laugh test); the second paste (``EYES_LAUGH_SEED=1``) 8 of 962
(0.83 %, 0.42-1.6 %). Sunglasses (30 faces whose eyes they hide): closed 1,
can't tell 17, open 11, narrowed 1 (before: 4 / 11 / 15 / 0); the second
paste 2 / 17 / 11.

Invariants: deterministic for a seed; nothing is written inside the
checkout; the held-out (even-numbered) GENKI files are never read.
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.bench import smile_dev as sd
from tests.bench.faces_dev import import_and_list
from tests.bench.faces_eval import wilson
from tests.bench.results import write_results

pytestmark = pytest.mark.bench

LABELS = Path(__file__).resolve().parent / "data" / "genki_dev_eyes.csv"
SEED_ENV = "EYES_LAUGH_SEED"
MAX_CLOSED_OF_OPEN = 0.01  # the line: "closed" said of ≤ 1 % of open or narrowed eyes
MAX_SUNGLASSES_CLOSED = 2  # of the 30 faces whose eyes sunglasses hide; measured 1 and 2
MIN_SUNGLASSES_UNKNOWN = 15  # ... "can't tell": measured 17 in both pastes (11 before issue 74)


def hand_labels() -> dict[str, dict[str, str]]:
    """GENKI file -> its eyes' hand label and note."""
    with LABELS.open(newline="") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def tally(
    rows: list[sd.Label], names: list[str], faces: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """The figures of the module docstring from the labels and what was listed."""
    labels = hand_labels()
    said: list[tuple[sd.Label, dict[str, str], str]] = []
    for row, name in zip(rows, names, strict=True):
        label = labels.get(row.file)
        face = sd.largest_judged(faces.get(name) or [])
        if label is not None and face is not None:
            said.append((row, label, str(face.get("eyes"))))
    report: dict[str, Any] = {}
    for smiling, part in ((True, "smiling"), (False, "not_smiling")):
        mine = [(label, eyes) for row, label, eyes in said if row.smile is smiling]
        report[part] = {
            kind: dict(Counter(eyes for label, eyes in mine if label["eyes"] == kind))
            for kind in sorted({label["eyes"] for label, _ in mine})
        }
    seen = [(row, eyes) for row, label, eyes in said if row.smile and label["eyes"] in OPENED]
    closed = sorted(row.file for row, eyes in seen if eyes == "closed")
    report["closed_of_open_or_narrowed"] = wilson(len(closed), len(seen))
    report["closed_faces"] = closed
    worn = [
        eyes
        for _, label, eyes in said
        if label["eyes"] == "hidden" and "sunglasses" in label["note"]
    ]
    report["sunglasses"] = dict(Counter(worn))
    report["smiling_labelled_without_a_face"] = sum(
        1 for row in rows if row.smile and row.file in labels
    ) - sum(1 for row, _, _ in said if row.smile)
    return report


OPENED = ("open", "narrowed")  # the hand labels whose eyes are not shut


@pytest.mark.timeout(3600)
def test_closed_is_said_of_no_laugh(fixtures_dir: Path, tmp_path: Path) -> None:
    reason = sd.missing_reason()
    if reason:
        pytest.skip(reason)
    from tests.faces_helpers import installed_model

    installed_model()  # skips with the install sentence when the model is missing
    rows = sd.labels()
    photos = tmp_path / "photos"
    seed = sd.SEED + int(os.environ.get(SEED_ENV, "0"))
    names = sd.paste_set(photos, fixtures_dir, rows, seed)
    faces = import_and_list(photos, tmp_path / "home")
    report = tally(rows, names, faces)
    print("\nthe eyes of GENKI's development half:", json.dumps(report, indent=1))
    write_results("eyes_laugh_bench.json", report)
    rate = report["closed_of_open_or_narrowed"][0]
    assert rate is not None and rate <= MAX_CLOSED_OF_OPEN, report["closed_of_open_or_narrowed"]
    assert report["sunglasses"].get("closed", 0) <= MAX_SUNGLASSES_CLOSED, report["sunglasses"]
    assert report["sunglasses"].get("unknown", 0) >= MIN_SUNGLASSES_UNKNOWN, report["sunglasses"]
