"""How faces look (smile, head pose) on the development half of GENKI-4K (issue 49 §1).

The faces are in ``../shared/data/people-dev/smile`` beside the checkout
(``$SMILE_DEV_FOLDER`` points elsewhere: not a ``CURATOR_`` name, which
the tests' isolation clears): 2,000 web photos of faces with
``labels.csv`` (file, smile 0/1, yaw, pitch, roll in radians), the odd-numbered
half of GENKI-4K, for evaluation and tuning only (research licence: nothing of
it ships). The even-numbered half is held out for acceptance and never read
here.

The photos are made as the acceptance makes them (`paste_set`), so the
figures compare: each face resized so that its long side is a random
220–420 px and pasted at a random place into a 1,600 x 1,200 JPEG
(quality 90) whose background is one of the camera fixtures
(../shared/fixtures/jpeg), blurred; then a real `curator import` and
`curator list --json` (`faces_dev.import_and_list`); the largest judged
face of each photo is read. Reported (`tally`): faces found (photos with a
judged face), the smile AUC over those faces (bootstrap 95 % interval) and
the accuracy when ``smile >= 0.5`` is called smiling (Wilson 95 %), the
head pose's median absolute error against the labels (yaw, pitch, roll in
degrees, bootstrap 95 %), and how many faces are called looking at the
camera, away, or can't tell (GENKI's faces mostly look at the camera).

GENKI's angles have Curator's signs (`LABEL_SIGNS`, checked on this half:
each estimate correlates with its label at +0.67 to +0.91, with the other
sign negatively): yaw is positive when the head turns to the photo's
right, pitch when the face looks up, roll when the head leans to the
photo's right (ml.faces.expression).

Invariants: deterministic for a seed and a sample size (the same faces,
sizes, places and backgrounds); nothing is written inside the checkout.
"""

from __future__ import annotations

import csv
import math
import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tests.bench.faces_dev import blurred_backgrounds
from tests.bench.faces_eval import wilson

REPO = Path(__file__).resolve().parents[2]
ENV = "SMILE_DEV_FOLDER"
PHOTO_SIZE = (1600, 1200)
FACE_SIDES = (220, 420)  # the face photo's long side in the 1,600 px photo
BACKGROUND_BLUR = 12  # Gaussian radius, px of the 1,600 px photo
SEED = 49
LABEL_SIGNS = (1.0, 1.0, 1.0)  # GENKI's yaw, pitch, roll -> Curator's (module docstring)


def dev_folder() -> Path:
    chosen = os.environ.get(ENV)
    return Path(chosen) if chosen else REPO.parent / "shared" / "data" / "people-dev" / "smile"


def missing_reason() -> str | None:
    if not (dev_folder() / "labels.csv").is_file():
        return (
            f"The development half of GENKI-4K is not at {dev_folder()} (labels.csv and the "
            f"photos): set {ENV} to its folder."
        )
    return None


@dataclass(frozen=True)
class Label:
    """One GENKI face: its file, smiling or not, and its head pose in Curator's
    degrees and signs (`LABEL_SIGNS`)."""

    file: str
    smile: bool
    pose: tuple[float, float, float]  # yaw, pitch, roll


def labels(sample: int | None = None, seed: int = SEED) -> list[Label]:
    """The set's labels, in file order; `sample` of them (a seeded choice) when given."""
    rows = []
    with (dev_folder() / "labels.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            angles = (float(row["yaw"]), float(row["pitch"]), float(row["roll"]))
            pose = tuple(s * math.degrees(a) for s, a in zip(LABEL_SIGNS, angles, strict=True))
            rows.append(Label(row["file"], row["smile"] == "1", pose))  # type: ignore[arg-type]
    if sample is not None and sample < len(rows):
        rows = sorted(random.Random(seed).sample(rows, sample), key=lambda r: r.file)
    return rows


def backgrounds(fixtures: Path) -> list[Any]:
    """The fixture photos covering a 1,600 x 1,200 frame, blurred (PIL images)."""
    return blurred_backgrounds(fixtures)


def paste_set(out: Path, fixtures: Path, rows: Sequence[Label], seed: int = SEED) -> list[str]:
    """Each labelled face pasted into a photo in `out` (module docstring); the
    photos' file names, in `rows`' order."""
    from PIL import Image

    rng = random.Random(seed)
    covers = backgrounds(fixtures)
    out.mkdir(parents=True, exist_ok=True)
    names = []
    for row in rows:
        face = Image.open(dev_folder() / row.file).convert("RGB")
        long_side = rng.randint(*FACE_SIDES)
        scale = long_side / max(face.size)
        face = face.resize(
            (max(1, round(face.width * scale)), max(1, round(face.height * scale))),
            Image.Resampling.LANCZOS,
        )
        x = rng.randint(0, PHOTO_SIZE[0] - face.width)
        y = rng.randint(0, PHOTO_SIZE[1] - face.height)
        photo = rng.choice(covers).copy()
        photo.paste(face, (x, y))
        name = f"genki__{row.file}"
        photo.save(out / name, quality=90)
        names.append(name)
    return names


def largest_judged(faces: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The largest judged face of a photo as listed, or None."""
    judged = [f for f in faces if f.get("judged")]
    return max(judged, key=lambda f: f.get("size_px") or 0) if judged else None


def auc(scores: Sequence[float], truth: Sequence[bool]) -> float:
    """The area under the ROC curve (ties count a half)."""
    s = np.asarray(scores, dtype=np.float64)
    t = np.asarray(truth, dtype=bool)
    pos, neg = s[t], s[~t]
    if not len(pos) or not len(neg):
        return float("nan")
    ranks = _ranks(np.concatenate([pos, neg]))
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def _ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.arange(1, len(values) + 1)
    for v in np.unique(values):  # mid-ranks for ties
        tied = values == v
        if tied.sum() > 1:
            ranks[tied] = ranks[tied].mean()
    return ranks


def bootstrap(
    fn: Any, columns: Sequence[Sequence[Any]], rounds: int = 500, seed: int = SEED
) -> tuple[float, float, float]:
    """`fn(*columns)` and its bootstrap 95 % interval (resampling the rows)."""
    rng = np.random.default_rng(seed)
    arrays = [np.asarray(c) for c in columns]
    n = len(arrays[0])
    point = float(fn(*arrays))
    draws = []
    for _ in range(rounds):
        at = rng.integers(0, n, n)
        value = float(fn(*(a[at] for a in arrays)))
        if not math.isnan(value):
            draws.append(value)
    low, high = np.percentile(draws, [2.5, 97.5]) if draws else (math.nan, math.nan)
    return (round(point, 4), round(float(low), 4), round(float(high), 4))


def _median_abs(errors: np.ndarray) -> float:
    return float(np.median(np.abs(errors)))


def tally(
    rows: Sequence[Label], names: Sequence[str], faces: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """The figures of the module docstring from the labels and what was listed."""
    listed = [faces.get(name) or [] for name in names]
    read = [(row, largest_judged(these)) for row, these in zip(rows, listed, strict=True)]
    found = [(row, face) for row, face in read if face is not None]
    smiled = [(row, face) for row, face in found if face.get("smile") is not None]
    scores = [float(face["smile"]) for _, face in smiled]
    truth = [row.smile for row, _ in smiled]
    right = sum((s >= 0.5) == t for s, t in zip(scores, truth, strict=True))
    report: dict[str, Any] = {
        "photos": len(rows),
        "faces_found": wilson(len(found), len(rows)),
        "with_smile": len(smiled),
        "smile_auc": bootstrap(auc, [scores, truth]),
        "smile_accuracy": wilson(right, len(smiled)),
    }
    posed = [(row, face) for row, face in found if face.get("yaw") is not None]
    for i, angle in enumerate(("yaw", "pitch", "roll")):
        errors = [float(face[angle]) - row.pose[i] for row, face in posed]
        report[f"{angle}_median_abs_error_deg"] = bootstrap(_median_abs, [errors])
    looks = [face.get("looking") for _, face in found]
    report["looking"] = {
        "camera": looks.count("camera"),
        "away": looks.count("away"),
        "cant_tell": looks.count(None),
    }
    report["no_face_found"] = sorted(row.file for row, face in read if face is None)
    return report
