"""New evidence for the blinks read open (issue 74): is an open eye found in the eye's crop?

Re-runnable after ``python -m tests.bench.eyes_laugh evidence`` (its cache:
the pasted development photos, the stage's readings and landmarks):

    python -m tests.bench.eye_haar crops    # each judged face's eye crops (~1 min)
    EYE_HAAR_OPENCV=DIR python -m tests.bench.eye_haar haar   # ~2.5 min per scale
    python -m tests.bench.eye_haar table    # the separation table

`crops`: for every judged face of the evidence (the stage's standing
landmarks, `eyes_laugh.evidence`'s ``meshes.npz``), each eye cut from the
1,440 px preview the stage judged, turned so its corners are level and
scaled so they are `EYE_PX` apart, in a `CROP` window centred between them
(grey, cubic), for each of `SCALES` (eye widths of 48 and 32 px).

`haar`: OpenCV's Haar cascades trained (by OpenCV, on other faces) to find
*open* eyes (`CASCADES`), run over each crop (`detectMultiScale3`, every
window that passes every stage kept, none merged): per crop and cascade the
detections centred within `NEAR` px of the eye's centre and the best final
stage's sum among them (`NONE` when none). OpenCV 5 (the product's) has no
cascade classifier: the step runs itself again under an OpenCV 4 unpacked
from its PyPI wheel (``pip download "opencv-python-headless<5" --no-deps``,
unzipped; ``$EYE_HAAR_OPENCV`` names the folder). Nothing of it ships.

`table`: with the stage's verdicts (`eyes_laugh_rule.Rule`, today's), what a
third reading would add — a face read open (or "can't tell" for an unsure
mesh) whose mean blink is at least ``B``, whose smile is under ``M`` and in
whose crops no eye scores ``T`` or more, read CLOSED — counted as the
acceptance counts (`eyes_laugh_rule.faces_dev_figures`, GENKI smiling open or
narrowed faces read closed, not-smiling ones, labelled sunglasses), for a
grid of those lines; and a split-half check (`split`: lines chosen on one
half of the files, scored on the other). docs/decisions/eyes-laugh.md has
the figures.

Invariants: development halves only; writes only into the evidence cache
and the bench results folder.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from tests.bench import eyes_laugh as el
from tests.bench import eyes_laugh_rule as rule
from tests.bench.faces_eval import wilson
from tests.bench.results import write_results

SCALES = (48, 32)  # the eye's corner-to-corner width in a crop, px
CROP = (96, 72)  # a crop's width and height, px
NEAR = 14  # a detection counts when its centre is this near the crop's centre (px)
NONE = -99.0  # the best stage sum where no eye is found
CASCADES = ("haarcascade_eye.xml", "haarcascade_eye_tree_eyeglasses.xml")
CORNERS = {"r": (33, 133), "l": (263, 362)}  # Face Mesh indices of each eye's corners
OPENCV_ENV = "EYE_HAAR_OPENCV"
GRID = {
    "cascades": (("eye",), ("eye", "eye_tree_eyeglasses")),
    "scales": ((48,), (48, 32)),
    "blink": (0.1, 0.15, 0.2, 0.25),
    "found": (NONE + 1, 0.0, 0.5, 1.0),
    "smile": (9.0, 0.7, 0.5),
}


def eye_crop(luma: np.ndarray, points: np.ndarray, side: str, eye_px: int) -> np.ndarray:
    """One eye (`side` "r" or "l", the subject's) cut from `luma`, its corners
    level and `eye_px` apart, centred in a `CROP` window."""
    import cv2

    a, b = (points[i].astype(np.float64) for i in CORNERS[side])
    if a[0] > b[0]:
        a, b = b, a
    width = max(float(np.hypot(*(b - a))), 1e-3)
    angle = float(np.degrees(np.arctan2(b[1] - a[1], b[0] - a[0])))
    centre = (a + b) / 2
    turn = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, eye_px / width)
    turn[:, 2] += np.array(CROP, dtype=np.float64) / 2 - centre
    return np.asarray(
        cv2.warpAffine(luma, turn, CROP, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE),
        dtype=np.uint8,
    )


def crops() -> list[Path]:
    """Every judged face's eye crops, per scale, to ``eyecrops-<px>.npz`` in the cache."""
    import cv2

    from curator.imaging.decode import decode_raster

    root = el.cache()
    meshes = np.load(root / "meshes.npz")
    by_photo: dict[str, list[str]] = {}
    for key in meshes.files:
        by_photo.setdefault(key.rsplit("#", 1)[0], []).append(key)
    cut: dict[int, dict[str, np.ndarray]] = {px: {} for px in SCALES}
    for photo, keys in sorted(by_photo.items()):
        folder = "genki" if photo.startswith("genki__") else "faces_dev"
        data = (root / folder / photo).read_bytes()
        decoded = decode_raster(data, preview_long_edge=el.PREVIEW, max_pixels=250_000_000)
        luma = cv2.cvtColor(np.ascontiguousarray(decoded.preview), cv2.COLOR_RGB2GRAY)
        for key, side, px in itertools.product(keys, "rl", SCALES):
            cut[px][f"{key}|{side}"] = eye_crop(luma, meshes[key].astype(np.float64), side, px)
    out = []
    for px, saved in cut.items():
        out.append(root / f"eyecrops-{px}.npz")
        np.savez_compressed(out[-1], allow_pickle=False, **saved)
    return out


def haar() -> list[Path]:
    """Each crop's eyes found (module docstring) to ``haar-<px>.json``; run
    again under ``$EYE_HAAR_OPENCV``'s OpenCV 4 when this one has no cascades."""
    import cv2

    if not hasattr(cv2, "CascadeClassifier"):
        folder = os.environ.get(OPENCV_ENV)
        if not folder:
            raise SystemExit(f"OpenCV {cv2.__version__} has no cascades: set {OPENCV_ENV}.")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([folder, str(el.REPO)]))
        subprocess.run([sys.executable, "-m", "tests.bench.eye_haar", "haar"], env=env, check=True)
        return [el.cache() / f"haar-{px}.json" for px in SCALES]
    cascades = {
        name.removeprefix("haarcascade_").removesuffix(".xml"): cv2.CascadeClassifier(
            cv2.data.haarcascades + name
        )
        for name in CASCADES
    }
    centre = np.array(CROP, dtype=np.float64) / 2
    out = []
    for px in SCALES:
        saved = np.load(el.cache() / f"eyecrops-{px}.npz")
        found: dict[str, dict[str, tuple[int, float]]] = {}
        for key in saved.files:
            found[key] = {}
            for name, cascade in cascades.items():
                boxes, _, weights = cascade.detectMultiScale3(
                    saved[key],
                    scaleFactor=1.05,
                    minNeighbors=0,
                    minSize=(24, 24),
                    maxSize=CROP,
                    outputRejectLevels=True,
                )
                near = [
                    float(w)
                    for (x, y, w_, h), w in zip(boxes, np.ravel(weights), strict=False)
                    if np.abs(np.array([x + w_ / 2, y + h / 2]) - centre).max() <= NEAR
                ]
                found[key][name] = (len(near), max(near, default=NONE))
        out.append(el.cache() / f"haar-{px}.json")
        out[-1].write_text(json.dumps(found))
    return out


def eyes_found(face: rule.Face, found: dict[int, dict[str, Any]], use: tuple[Any, ...]) -> float:
    """The best stage sum of any eye found in either of a face's crops, by the
    cascades and scales `use` names ((cascades, scales))."""
    cascades, scales = use
    key = f"{face.photo}#{face.index}"
    return max(
        (
            float(found[px][f"{key}|{side}"][name][1])
            for px in scales
            for side in "rl"
            for name in cascades
            if f"{key}|{side}" in found[px]
        ),
        default=NONE,
    )


def third_reading(
    found: dict[int, dict[str, Any]],
    rows: dict[tuple[str, int], dict[str, str]],
    use: tuple[Any, ...],
    blink: float,
    eye_line: float,
    smile: float,
) -> Callable[[rule.Face], str]:
    """Today's verdict with the third reading (module docstring's `table`)."""
    today = rule.Rule()

    def verdict(face: rule.Face) -> str:
        said = today(face)
        row = rows[(face.photo, face.index)]
        unsure = said == "unknown" and row["eyes_note"] == "can't tell"
        if said != "open" and not unsure:
            return said
        if float(row["blink"] or 0) < blink or face.smile >= smile:
            return said
        return "closed" if eyes_found(face, found, use) < eye_line else said

    return verdict


def figures(faces: list[rule.Face], verdict: Callable[[rule.Face], str]) -> dict[str, Any]:
    """The acceptance's counts for `verdict` on `faces`."""
    dev = rule.faces_dev_figures(faces, verdict)
    photos: dict[str, list[rule.Face]] = {}
    for f in faces:
        if f.set == "faces_dev" and f.photo.startswith("closed__"):
            photos.setdefault(f.photo, []).append(f)
    blinks = [fs for fs in photos.values() if min(fs, key=lambda f: f.index).truth == "shut"]
    caught = sum(any(verdict(f) == "closed" for f in fs) for fs in blinks)
    glum = [f for f in faces if f.set == "genki" and f.index == 0 and not f.smiling]
    smiling = rule.genki_table(faces, verdict, True)
    return {
        "blinks_read_closed": f"{caught} of {len(blinks)}",
        "blink_recall": wilson(caught, len(blinks)),
        "corpus_precision": dev["corpus_precision"],
        "open_called_closed": dev["open_called_closed"],
        "genki_smiling_closed": smiling["closed_of_open_or_narrowed"],
        "genki_not_smiling_closed": sum(verdict(f) == "closed" for f in glum),
        "sunglasses_closed": rule.sunglasses(faces, verdict).get("closed", 0),
    }


def table() -> dict[str, Any]:
    faces = rule.faces()
    rows = {(r["photo"], int(r["face"])): r for r in el.read_csv(el.cache() / "evidence.csv")}
    found = {px: json.loads((el.cache() / f"haar-{px}.json").read_text()) for px in SCALES}
    grid = list(itertools.product(*GRID.values()))
    out: dict[str, Any] = {"today": figures(faces, rule.Rule()), "grid": []}
    for cascades, scales, blink, line, smile in grid:
        verdict = third_reading(found, rows, (cascades, scales), blink, line, smile)
        lines = {"cascades": cascades, "scales": scales, "blink": blink, "found": line}
        out["grid"].append({**lines, "smile": smile, **figures(faces, verdict)})
    out["split"] = []
    for fit in (0, 1):
        half = [f for f in faces if f.half() == fit]
        best: tuple[tuple[float, ...], dict[str, Any]] | None = None
        for cascades, scales, blink, line, smile in grid:
            verdict = third_reading(found, rows, (cascades, scales), blink, line, smile)
            got = figures(half, verdict)
            if got["corpus_precision"][0] < 0.975 or got["genki_smiling_closed"][0] > 0.01:
                continue
            key = (got["blink_recall"][0], -got["genki_not_smiling_closed"])
            if best is None or key > best[0]:
                lines = {"blink": blink, "line": line, "smile": smile}
                best = (key, {"use": (cascades, scales), **lines})
        assert best is not None
        chosen = best[1]
        other = [f for f in faces if f.half() != fit]
        verdict = third_reading(
            found, rows, chosen["use"], chosen["blink"], chosen["line"], chosen["smile"]
        )
        out["split"].append(
            {
                "fit_half": fit,
                "chosen": chosen,
                "check_today": figures(other, rule.Rule()),
                "check": figures(other, verdict),
            }
        )
    return out


def main(argv: Iterable[str]) -> int:
    args = list(argv)
    step = args[0] if args else "table"
    if step == "crops":
        print(*crops(), sep="\n")
    elif step == "haar":
        print(*haar(), sep="\n")
    elif step == "table":
        result = table()
        print(json.dumps({k: v for k, v in result.items() if k != "grid"}, indent=1))
        print(write_results("eye_haar.json", result))
    else:
        raise SystemExit(f"unknown step {step!r}: crops, haar, table")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
