"""New evidence for the blinks read open (issue 74): is an open eye seen in the eye's crop?

Re-runnable after ``python -m tests.bench.eyes_laugh evidence`` (its cache:
the pasted development photos, the stage's readings and landmarks):

    python -m tests.bench.eye_evidence crops    # each judged face's eye crops (~1 min)
    EYE_HAAR_OPENCV=DIR python -m tests.bench.eye_evidence haar   # ~5 min
    python -m tests.bench.eye_evidence mirror   # ~1 min
    python -m tests.bench.eye_evidence table    # the separation tables

`crops`: for every judged face of the evidence (the stage's standing
landmarks, `eyes_laugh.evidence`'s ``meshes.npz``), each eye cut from the
1,440 px preview the stage judged, turned so its corners are level and
scaled so they are `SCALES` px apart (48 and 32), centred in a `CROP` window.

`haar`: OpenCV's Haar cascades trained (by OpenCV, on other faces) to find
*open* eyes (`CASCADES`), over each crop (`detectMultiScale3`, every window
that passes every stage kept, none merged): per crop and cascade, the
detections centred within `NEAR` px of the eye's centre and the best final
stage's sum among them (`NONE`: none). OpenCV 5 (the product's) has no
cascade classifier: the step runs itself under an OpenCV 4 unpacked from its
PyPI wheel (``pip download "opencv-python-headless<5" --no-deps``, unzipped
into ``$EYE_HAAR_OPENCV``). Nothing of it ships.

`mirror`: Face Landmarker's blink read again on the mirror image of the
crop the standing landmarks frame (`Landmarks.mesh_again`'s framing).

`table`: what a third reading would add to today's verdicts
(`eyes_laugh_rule.Rule`), counted as the acceptance counts (`figures`): the
Haar one (`third_reading`: read open, or "can't tell" on an unsure mesh,
blink from ``B``, smile under ``M``, no eye scoring ``T``: CLOSED) over a
grid of those lines, with a split-half check (lines chosen on one half of
the files, scored on the other); the mirrored one (`mirrored`).
docs/decisions/eyes-laugh.md has the figures.

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
        subprocess.run(
            [sys.executable, "-m", "tests.bench.eye_evidence", "haar"], env=env, check=True
        )
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


def mirror() -> Path:
    """Each judged face's blink (both eyes' scores, the subject's right
    first) read on the crop its standing landmarks frame and on that crop's
    mirror image, to ``mirror.json`` in the cache."""
    import math

    from curator.imaging.decode import decode_raster
    from curator.ml.faces.files import find_face_model
    from curator.ml.faces.graphs import nhwc
    from curator.ml.faces.networks import (
        EYE_BLINK,
        FACE_POINTS,
        LEFT_EYE_LIDS,
        MESH_BOX_SCALE,
        MESH_SIZE,
        RIGHT_EYE_LIDS,
        Mesh,
        networks_for,
        upright_crop,
    )

    files = find_face_model().files
    if files is None:
        raise SystemExit("The face model is not installed (python -m curator.install.face_model).")
    landmarks = networks_for(files).landmarks
    root = el.cache()
    meshes = np.load(root / "meshes.npz")
    by_photo: dict[str, list[str]] = {}
    for key in meshes.files:
        by_photo.setdefault(key.rsplit("#", 1)[0], []).append(key)
    read: dict[str, dict[str, list[float]]] = {}
    for photo, keys in sorted(by_photo.items()):
        folder = "genki" if photo.startswith("genki__") else "faces_dev"
        data = (root / folder / photo).read_bytes()
        decoded = decode_raster(data, preview_long_edge=el.PREVIEW, max_pixels=250_000_000)
        rgb = np.ascontiguousarray(decoded.preview)
        for key in keys:
            points = meshes[key].astype(np.float64)[:FACE_POINTS]
            low, high = points.min(axis=0), points.max(axis=0)
            side = float(max(high - low)) * MESH_BOX_SCALE
            right, left = points[RIGHT_EYE_LIDS[0]], points[LEFT_EYE_LIDS[0]]
            roll = math.atan2(left[1] - right[1], left[0] - right[0])
            centre = (float(low[0] + high[0]) / 2, float(low[1] + high[1]) / 2)
            crop, _ = upright_crop(rgb, centre, side, roll, MESH_SIZE)
            read[key] = {}
            for name, view in (("again", crop), ("mirror", np.ascontiguousarray(crop[:, ::-1]))):
                (out,) = landmarks.mesh_net.run(nhwc(view, 1 / 255.0))
                xy = out.reshape(478, 3)[:, :2].astype(np.float64) * (side / MESH_SIZE)
                shapes = landmarks.blendshapes(Mesh(xy, 1.0, side))
                read[key][name] = [float(shapes[EYE_BLINK[1]]), float(shapes[EYE_BLINK[0]])]
    path = root / "mirror.json"
    path.write_text(json.dumps(read))
    return path


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


def mirrored(
    read: dict[str, dict[str, list[float]]],
    rows: dict[tuple[str, int], dict[str, str]],
    how: str,
    margin: float,
) -> Callable[[rule.Face], str]:
    """Today's verdict with the mirrored blink: a face read open whose blink,
    with the mirror's (`how`: "mean" of the two, or the "max"), reaches the
    line its own blink was held to (`eyes.closed_line`) plus `margin`, CLOSED."""
    from curator.ml.faces.eyes import closed_line

    today = rule.Rule()

    def verdict(face: rule.Face) -> str:
        said = today(face)
        seen = read.get(f"{face.photo}#{face.index}")
        if said != "open" or seen is None:
            return said
        row = rows[(face.photo, face.index)]
        own, other = float(row["blink"] or 0), sum(seen["mirror"]) / 2
        blink = (own + other) / 2 if how == "mean" else max(own, other)
        brows = (float(row["browDownLeft"]) + float(row["browDownRight"])) / 2
        return "closed" if blink >= closed_line(brows, float(row["pixels"])) + margin else said

    return verdict


def crop_measures(crop: np.ndarray) -> dict[str, float]:
    """Plain pixel measures of one 48 px eye crop, against the skin above and
    below the eye (the median of two bands): the brightest and darkest 5 % of
    its middle (an open eye's white and iris), their spread, the middle's
    deviation, and the thickness of the darkest band down its middle columns
    (an iris is tall, a shut lid's lashes thin), in eye widths."""
    c = crop.astype(np.float64)
    middle = c[28:45, 34:62]
    skin = max(1.0, float(np.median(np.r_[c[54:66, 30:66].ravel(), c[12:20, 30:66].ravel()])))
    low, high = np.percentile(middle, (5, 95))
    down = c[20:56, 40:56].mean(axis=1)
    dark = float((down < down.min() + 0.5 * (np.median(down) - down.min())).sum()) / 48
    return {
        "bright": high / skin,
        "dark": low / skin,
        "spread": (high - low) / skin,
        "deviation": float(middle.std()) / skin,
        "dark_band": dark,
    }


def separation(
    faces: list[rule.Face],
    rows: dict[tuple[str, int], dict[str, str]],
    found: dict[int, dict[str, Any]],
) -> dict[str, float]:
    """How well each reading ranks the blinks read open above the open eyes
    read open, among faces read open with a blink of at least 0.15 (ROC AUC;
    a pixel measure's mean over both eyes, either direction)."""
    from sklearn.metrics import roc_auc_score

    today = rule.Rule()
    band = [
        f
        for f in faces
        if today(f) == "open" and float(rows[(f.photo, f.index)]["blink"] or 0) >= 0.15
        if f.index == 0 or f.set == "faces_dev"
    ]
    missed = [f for f in band if f.set == "faces_dev" and f.truth == "shut"]
    opened = [
        f for f in band if f.truth in ("open", "narrowed") and not f.photo.startswith("closed")
    ]
    crops = np.load(el.cache() / "eyecrops-48.npz")
    truth = [1] * len(missed) + [0] * len(opened)

    def auc(values: list[float]) -> float:
        score = float(roc_auc_score(truth, values))
        return round(max(score, 1 - score), 3)

    out = {
        "missed_blinks": len(missed),
        "open_eyes": len(opened),
        "blink": auc([float(rows[(f.photo, f.index)]["blink"]) for f in missed + opened]),
        "haar": auc([-eyes_found(f, found, (("eye",), (48,))) for f in missed + opened]),
    }
    measured = [
        [crop_measures(crops[f"{f.photo}#{f.index}|{side}"]) for side in "rl"]
        for f in missed + opened
    ]
    for name in measured[0][0]:
        out[name] = auc([(m[0][name] + m[1][name]) / 2 for m in measured])
    return out


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
        "genki_smiling_closed_faces": len(smiling["closed_faces"]),
        "genki_not_smiling_closed": sum(verdict(f) == "closed" for f in glum),
        "sunglasses_closed": rule.sunglasses(faces, verdict).get("closed", 0),
    }


def table() -> dict[str, Any]:
    faces = rule.faces()
    rows = {(r["photo"], int(r["face"])): r for r in el.read_csv(el.cache() / "evidence.csv")}
    found = {px: json.loads((el.cache() / f"haar-{px}.json").read_text()) for px in SCALES}
    grid = list(itertools.product(*GRID.values()))
    out: dict[str, Any] = {"today": figures(faces, rule.Rule()), "grid": []}
    out["separation"] = separation(faces, rows, found)
    for cascades, scales, blink, line, smile in grid:
        verdict = third_reading(found, rows, (cascades, scales), blink, line, smile)
        lines = {"cascades": cascades, "scales": scales, "blink": blink, "found": line}
        out["grid"].append({**lines, "smile": smile, **figures(faces, verdict)})
    read = json.loads((el.cache() / "mirror.json").read_text())
    out["mirrored"] = [
        {"how": how, "margin": margin, **figures(faces, mirrored(read, rows, how, margin))}
        for how, margin in itertools.product(("mean", "max"), (0.0, 0.05, 0.1))
    ]
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
    elif step == "mirror":
        print(mirror())
    elif step == "table":
        result = table()
        print(json.dumps({k: v for k, v in result.items() if k != "grid"}))
        print(write_results("eye_evidence.json", result))
    else:
        raise SystemExit(f"unknown step {step!r}: crops, haar, mirror, table")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
