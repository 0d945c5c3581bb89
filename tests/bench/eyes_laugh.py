"""A laugh's eyes against a blink's (issue 74 §1 and §3): the evidence, per face.

Re-runnable: ``python -m tests.bench.eyes_laugh evidence`` (10-25 minutes
on two busy cores), then ``python -m tests.bench.eyes_laugh_rule``.

The faces are pasted into photos as the acceptance pastes them, so the
readings compare with its figures:
- every face of GENKI-4K's development half (`smile_dev`: smiling and not),
  each resized to a random 220-420 px long side, at a random place in a
  1,600 x 1,200 JPEG (quality 90) of a blurred camera fixture
  (`smile_dev.paste_set`'s draws exactly, seed `smile_dev.SEED`; the place
  and scale of each face kept in ``places.json`` so that the eyes the stage
  found can be cut from the original for the contact sheets);
- every crop of faces-dev (`faces_dev.paste_set`, seed `faces_dev.SEED`:
  closed/ and open/).
Each photo is decoded as the import decodes it (`imaging.decode.decode_raster`,
the 1,440 px preview) and judged by the faces stage's own body
(`ml.faces.find.find_faces`), in process, with its eye reading watched
(`Watch`: `find.read_eyes` wrapped, nothing of it changed) so that the
evidence a verdict could use is kept beside the verdict the stage gives
today: for the largest judged face (GENKI) or every judged face
(faces-dev), the eyes' state and note, the blendshapes (all 52, of the
reading that stands, and the blink of the first reading), the lids' aspect
ratio, the mesh's presence, the face's size, the smile, the head pose and
lid-shape measures (`lid_shape`). The photos are built once into a cache
folder (``$EYES_LAUGH_CACHE``, default ``curator-eyes-laugh`` in the
system's temporary folder), the evidence written to ``evidence.csv`` there
and the landmarks to ``meshes.npz``; ``$EYES_LAUGH_SEED`` pastes the faces
again with other sizes, places and backgrounds (its own cache folder).
`eyes_laugh_rule` joins the evidence with the hand labels
(tests/bench/data/genki_dev_eyes.csv) for the tables of
docs/decisions/eyes-laugh.md; ``sheets`` draws the contact sheets the
labels were made on (`sheets`).

Invariants: deterministic for the seeds; nothing is written inside the
checkout; the even-numbered (held-out) GENKI files are never read.
"""

from __future__ import annotations

import csv
import json
import math
import os
import random
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tests.bench import faces_dev as fd
from tests.bench import smile_dev as sd

REPO = Path(__file__).resolve().parents[2]
CACHE_ENV = "EYES_LAUGH_CACHE"
SEED_ENV = "EYES_LAUGH_SEED"  # another paste (sizes, places, backgrounds): its own cache
LABELS = REPO / "tests" / "bench" / "data" / "genki_dev_eyes.csv"
FIXTURES = REPO.parent / "shared" / "fixtures"
PREVIEW = 1440

# The 52 blendshapes of Face Landmarker, in the model's order.
SHAPE_NAMES = (
    "_neutral browDownLeft browDownRight browInnerUp browOuterUpLeft browOuterUpRight "
    "cheekPuff cheekSquintLeft cheekSquintRight eyeBlinkLeft eyeBlinkRight eyeLookDownLeft "
    "eyeLookDownRight eyeLookInLeft eyeLookInRight eyeLookOutLeft eyeLookOutRight "
    "eyeLookUpLeft eyeLookUpRight eyeSquintLeft eyeSquintRight eyeWideLeft eyeWideRight "
    "jawForward jawLeft jawOpen jawRight mouthClose mouthDimpleLeft mouthDimpleRight "
    "mouthFrownLeft mouthFrownRight mouthFunnel mouthLeft mouthLowerDownLeft "
    "mouthLowerDownRight mouthPressLeft mouthPressRight mouthPucker mouthRight "
    "mouthRollLower mouthRollUpper mouthShrugLower mouthShrugUpper mouthSmileLeft "
    "mouthSmileRight mouthStretchLeft mouthStretchRight mouthUpperUpLeft mouthUpperUpRight "
    "noseSneerLeft noseSneerRight"
)
SHAPES = tuple(SHAPE_NAMES.split())


def seeds() -> tuple[int, int]:
    """The GENKI and faces-dev pastes' seeds: the benches' (`smile_dev.SEED`,
    `faces_dev.SEED`), or ``$EYES_LAUGH_SEED`` added to both."""
    extra = int(os.environ.get(SEED_ENV, "0"))
    return sd.SEED + extra, fd.SEED + extra


def cache() -> Path:
    chosen = os.environ.get(CACHE_ENV)
    extra = os.environ.get(SEED_ENV, "0")
    name = "curator-eyes-laugh" + ("" if extra == "0" else f"-{extra}")
    return Path(chosen) if chosen else Path(tempfile.gettempdir()) / name


# --- the photos ----------------------------------------------------------------


def paste_genki(out: Path, fixtures: Path, rows: Sequence[sd.Label]) -> dict[str, Any]:
    """`smile_dev.paste_set`'s photos (the same draws, the same files) and each
    face's place: photo name -> (file, x, y, scale of the original)."""
    from PIL import Image

    rng = random.Random(seeds()[0])
    covers = sd.backgrounds(fixtures)
    out.mkdir(parents=True, exist_ok=True)
    places = {}
    for row in rows:
        face = Image.open(sd.dev_folder() / row.file).convert("RGB")
        long_side = rng.randint(*sd.FACE_SIDES)
        scale = long_side / max(face.size)
        face = face.resize(
            (max(1, round(face.width * scale)), max(1, round(face.height * scale))),
            Image.Resampling.LANCZOS,
        )
        x = rng.randint(0, sd.PHOTO_SIZE[0] - face.width)
        y = rng.randint(0, sd.PHOTO_SIZE[1] - face.height)
        photo = rng.choice(covers).copy()
        photo.paste(face, (x, y))
        name = f"genki__{row.file}"
        photo.save(out / name, quality=90)
        places[name] = {"file": row.file, "x": x, "y": y, "scale": scale}
    return places


def built(fixtures: Path = FIXTURES) -> tuple[dict[str, Any], list[fd.Pasted]]:
    """The pasted photos in the cache (built once): GENKI's places, faces-dev's labels."""
    root = cache()
    done = root / "places.json"
    if done.exists():
        saved = json.loads(done.read_text())
        pasted = [fd.Pasted(n, c, s, (b[0], b[1], b[2])) for n, c, s, b in saved["faces_dev"]]
        return saved["genki"], pasted
    genki = paste_genki(root / "genki", fixtures, sd.labels())
    pasted = fd.paste_set(root / "faces_dev", fixtures, seeds()[1])
    rows = [[p.name, p.closed, p.source, list(p.box)] for p in pasted]
    done.write_text(json.dumps({"genki": genki, "faces_dev": rows}))
    return genki, pasted


# --- the evidence --------------------------------------------------------------


@dataclass
class Watch:
    """`find.read_eyes` wrapped: each judged face's first and standing readings."""

    seen: list[dict[str, Any]] = field(default_factory=list)

    def install(self) -> None:
        from curator.ml.faces import eyes as eye_rules
        from curator.ml.faces import find
        from curator.ml.faces.expression import smile_score
        from curator.ml.faces.networks import BROW_DOWN, EYE_BLINK

        original = find.read_eyes

        def read_eyes(
            nets: Any, rgb: Any, luma: Any, mesh: Any, pixels: float, happy: Any = None
        ) -> Any:
            first = nets.landmarks.blendshapes(mesh)
            blink = (float(first[EYE_BLINK[1]]), float(first[EYE_BLINK[0]]))
            brows = (float(first[BROW_DOWN[0]]) + float(first[BROW_DOWN[1]])) / 2
            smile = smile_score(first, happy)
            first_reading = eye_rules.judge_eyes(luma, mesh, blink, pixels, brows, smile)
            again, shapes, reading = original(nets, rgb, luma, mesh, pixels, happy)
            self.seen.append(
                {
                    "pixels": pixels,
                    "presence": mesh.presence,
                    "first_state": first_reading.state.value,
                    "first_blink": first_reading.blink,
                    "read_again": again is not mesh,
                    "mesh": again,
                    "shapes": np.asarray(shapes, dtype=np.float64),
                    "reading": reading,
                    "lens": lens_ratio(luma, again),
                    "lens50": lens_ratio(luma, again, 50),
                }
            )
            return again, shapes, reading

        find.read_eyes = read_eyes


def lens_ratio(luma: Any, mesh: Any, percentile: float = 90) -> float:
    """The brighter eye's `percentile` of luma over its cheek's median (at 90
    the sunglasses rule's measure, `eyes.dark_lenses`: under `eyes.DARK_LENS`
    on both eyes is a dark lens)."""
    from curator.ml.faces import eyes as eye_rules

    ratios = []
    for lids, cheek in (
        (mesh.right_lids, eye_rules.RIGHT_CHEEK),
        (mesh.left_lids, eye_rules.LEFT_CHEEK),
    ):
        width = float(np.hypot(*(lids[0] - lids[8])))
        eye = eye_rules.square(luma, lids.mean(axis=0), 0.9 * width)
        skin = eye_rules.square(luma, mesh.points[cheek], 0.5 * width)
        if eye.size == 0 or skin.size == 0:
            return math.nan
        ratios.append(float(np.percentile(eye, percentile)) / max(1.0, float(np.median(skin))))
    return max(ratios)


def lid_shape(lids: np.ndarray, iris: np.ndarray) -> dict[str, float]:
    """One eye's shape from its 16 lid points (`networks.RIGHT_EYE_LIDS`'
    layout) and its 5 iris points, in eye widths, measured square to the
    corners' line: the upper and the lower lid's middle (points 12 and 4)
    above the corners' line (`upper_rise`, `lower_rise`: a laugh's cheeks
    push the lower lid up, a blink brings the upper one down), the gap
    between them (`gap`), and the iris's diameter (`iris`)."""
    a, b = lids[0], lids[8]
    width = float(np.hypot(*(b - a)))
    if width < 1e-6:
        return {"upper_rise": math.nan, "lower_rise": math.nan, "gap": math.nan, "iris": math.nan}
    across = (b - a) / width
    up = np.array([across[1], -across[0]])  # square to the corners' line, upwards in the image
    if up[1] > 0:
        up = -up
    mid = (a + b) / 2
    upper = float((lids[12] - mid) @ up) / width
    lower = float((lids[4] - mid) @ up) / width
    diameter = float(np.hypot(*(iris[0] - iris[2]))) / width
    return {"upper_rise": upper, "lower_rise": lower, "gap": upper - lower, "iris": diameter}


def face_row(face: Any, seen: dict[str, Any] | None) -> dict[str, Any]:
    """One judged face's verdict and evidence as a flat row."""
    from curator.ml.faces.networks import LEFT_EYE_LIDS, RIGHT_EYE_LIDS

    row: dict[str, Any] = {
        "eyes": face.eyes.value if face.eyes is not None else "",
        "eyes_note": face.eyes_note or "",
        "size_px": face.size_px,
        "confidence": face.confidence,
        "openness": face.openness,
        "smile": face.smile,
        "looking": face.looking.value if face.looking is not None else "",
        "yaw": face.yaw,
        "pitch": face.pitch,
        "roll": face.roll,
        "sharpness": face.sharpness,
        "key": face.key,
    }
    if seen is None:
        return row
    mesh, shapes, reading = seen["mesh"], seen["shapes"], seen["reading"]
    row.update(
        presence=round(seen["presence"], 4),
        pixels=round(seen["pixels"], 1),
        first_state=seen["first_state"],
        first_blink=round(seen["first_blink"], 4),
        read_again=seen["read_again"],
        blink=round(reading.blink, 4) if reading.blink is not None else "",
        lens=round(seen["lens"], 4),
        lens50=round(seen["lens50"], 4),
    )
    for side, ids, iris in (("r", RIGHT_EYE_LIDS, 468), ("l", LEFT_EYE_LIDS, 473)):
        shape = lid_shape(mesh.points[list(ids)], mesh.points[iris + 1 : iris + 5])
        row.update({f"{k}_{side}": round(v, 4) for k, v in shape.items()})
    row.update({name: round(float(v), 4) for name, v in zip(SHAPES, shapes, strict=True)})
    return row


def judge(path: Path, watch: Watch, files: Any) -> tuple[Any, list[dict[str, Any]]]:
    """The photo decoded as the import decodes it, its faces found and judged:
    (the outcome, the watched readings of its judged faces in order)."""
    from curator.imaging.decode import decode_raster
    from curator.ml.faces.find import find_faces

    decoded = decode_raster(path.read_bytes(), preview_long_edge=PREVIEW, max_pixels=250_000_000)
    watch.seen.clear()
    found = find_faces(np.ascontiguousarray(decoded.preview), files, "eyes-laugh", describe=False)
    return found, list(watch.seen)


def matched(face: Any, seen: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The watched reading that is `face`'s: its state, note and lid ratio."""
    for s in seen:
        r = s["reading"]
        same = (
            r.openness is None
            if face.openness is None
            else (r.openness is not None and round(r.openness, 4) == face.openness)
        )
        if same and r.state is face.eyes and r.note == face.eyes_note:
            return s
    return None


def evidence() -> Path:
    """Every pasted photo judged; the rows to ``evidence.csv``, landmarks to ``meshes.npz``."""
    from curator.ml.faces.files import find_face_model

    files = find_face_model().files
    if files is None:
        raise SystemExit("The face model is not installed (python -m curator.install.face_model).")
    genki, pasted = built()
    watch = Watch()
    watch.install()
    root = cache()
    jobs: list[tuple[str, Path, dict[str, Any]]] = []
    labels = {r.file: r.smile for r in sd.labels()}
    for name, place in genki.items():
        meta = {"set": "genki", "source": place["file"], "truth": int(labels[place["file"]])}
        jobs.append((name, root / "genki" / name, meta))
    for p in pasted:
        meta = {"set": "faces_dev", "source": p.source, "truth": int(p.closed)}
        jobs.append((p.name, root / "faces_dev" / p.name, meta))
    rows: list[dict[str, Any]] = []
    meshes: dict[str, np.ndarray] = {}
    for i, (name, path, meta) in enumerate(jobs):
        found, seen = judge(path, watch, files)
        judged = sorted((f for f in found.faces if f.judged), key=lambda f: -f.size_px)
        if not judged:
            rows.append({"photo": name, **meta, "face": -1, "faces": len(found.faces)})
        for k, face in enumerate(judged if meta["set"] == "faces_dev" else judged[:1]):
            s = matched(face, seen)
            rows.append(
                {"photo": name, **meta, "face": k, "faces": len(judged), **face_row(face, s)}
            )
            if s is not None:
                meshes[f"{name}#{k}"] = s["mesh"].points.astype(np.float32)
        if i % 100 == 0:
            print(f"{i}/{len(jobs)}", file=sys.stderr, flush=True)
    out = root / "evidence.csv"
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    np.savez_compressed(root / "meshes.npz", allow_pickle=False, **meshes)
    return out


# --- the contact sheets -----------------------------------------------------------


def eye_box(points: np.ndarray, place: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """The eye band in the original GENKI file's pixels (x0, y0, x1, y1), from
    the stage's landmarks in the 1,440 px preview and the face's place."""
    from curator.ml.faces.networks import LEFT_EYE_LIDS, RIGHT_EYE_LIDS

    lids = points[list(RIGHT_EYE_LIDS) + list(LEFT_EYE_LIDS)].astype(np.float64)
    lids = lids * (sd.PHOTO_SIZE[0] / PREVIEW)
    lids = (lids - np.array([place["x"], place["y"]])) / place["scale"]
    (x0, y0), (x1, y1) = lids.min(axis=0), lids.max(axis=0)
    width = x1 - x0
    if width < 4:
        return None
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = width * 0.5 + 0.3 * width
    half_h = max(half_w * 0.42, (y1 - y0) / 2 + 0.15 * width)
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def sheets(
    files: Sequence[str], out: Path, per_sheet: int = 18, columns: int = 3, closer: bool = False
) -> list[Path]:
    """Contact sheets of `files` (GENKI file names): each face's eye band cut
    from the original by the stage's landmarks (`eye_box`), enlarged, beside
    the whole face, its file name under them; no reading of the stage shown.
    `closer`: 10 a sheet, two columns, the face and the band larger (the
    doubtful ones looked at again). Written to `out` as PNGs."""
    from PIL import Image, ImageDraw

    genki, _ = built()
    by_file = {p["file"]: (name, p) for name, p in genki.items()}
    saved = np.load(cache() / "meshes.npz")
    eye_w, eye_h, face_side, text = 420, 176, 176, 22
    if closer:
        eye_w, eye_h, face_side, per_sheet, columns = 620, 300, 300, 10, 2
    tile_w, tile_h = eye_w + face_side + 12, eye_h + text + 8
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for start in range(0, len(files), per_sheet):
        chunk = files[start : start + per_sheet]
        rows = math.ceil(len(chunk) / columns)
        sheet = Image.new("RGB", (columns * tile_w, rows * tile_h), "white")
        draw = ImageDraw.Draw(sheet)
        for i, file in enumerate(chunk):
            x, y = (i % columns) * tile_w, (i // columns) * tile_h
            original = Image.open(sd.dev_folder() / file).convert("RGB")
            fit = face_side / max(original.size)
            face = original.resize(
                (round(original.width * fit), round(original.height * fit)),
                Image.Resampling.BICUBIC,
            )
            sheet.paste(face, (x, y))
            name, place = by_file[file]
            key = f"{name}#0"
            box = eye_box(saved[key], place) if key in saved.files else None
            if box is not None:
                x0, y0, x1, y1 = (round(v) for v in box)
                crop = original.crop((x0, y0, x1, y1))
                scale = min(eye_w / crop.width, eye_h / crop.height)
                crop = crop.resize(
                    (round(crop.width * scale), round(crop.height * scale)),
                    Image.Resampling.BICUBIC,
                )
                sheet.paste(crop, (x + face_side + 6, y))
            else:
                draw.text((x + face_side + 12, y + 60), "no face found: see whole", fill="red")
            draw.text((x + 4, y + eye_h + 4), file, fill="black", font_size=18)
        path = out / f"sheet_{start // per_sheet:03d}.png"
        sheet.save(path)
        made.append(path)
    return made


# --- the report --------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def labelled() -> dict[str, dict[str, str]]:
    return {r["file"]: r for r in read_csv(LABELS)} if LABELS.exists() else {}


def main(argv: Iterable[str]) -> int:
    args = list(argv)
    what = args[0] if args else "evidence"
    if what == "evidence":
        print(evidence())
    elif what == "sheets":
        which = args[1] if len(args) > 1 else "smiling"
        closer = "--closer" in args
        rows = read_csv(cache() / "evidence.csv")
        genki = [r for r in rows if r["set"] == "genki"]
        if which == "smiling":
            chosen = [r["source"] for r in genki if r["truth"] == "1"]
        elif which == "closed-glum":
            chosen = [r["source"] for r in genki if r["truth"] == "0" and r["eyes"] == "closed"]
        else:
            chosen = which.split(",")
        name = ("closer_" if closer else "") + which.replace(",", "_")[:40]
        folder = cache() / "sheets" / name
        for path in sheets(sorted(chosen), folder, closer=closer):
            print(path)
    else:
        raise SystemExit(f"unknown step {what!r}: evidence, sheets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
