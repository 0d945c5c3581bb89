"""The eyes verdict on the development half of a corpus of real faces (issue 41 §1).

The faces are in ``../shared/data/faces-dev`` beside the checkout
(``$CURATOR_FACES_DEV`` points elsewhere): 715 crops of real people with both
eyes shut (*Closed Eyes In The Wild*) and 715 with eyes open (*UTKFace*), for
evaluation and tuning only (their licences: non-commercial research; nothing
of them is shipped or trained into shipped weights). Their other half is held
out for acceptance and never read here.

The photos are made as the acceptance makes them (`paste_set`), so the
figures compare: each crop resized to a random 160–420 px square and pasted
at a random place into a 1,600 x 1,200 JPEG (quality 90) whose background is
one of the camera fixtures (../shared/fixtures/jpeg), blurred; then a real
`curator import` and `curator list --json` (`import_and_list`): a photo is
"closed" when any face in it has ``"eyes": "closed"``. Reported (`tally`):
faces found (photos with a face), closed-eye precision and recall over the
photos with a face, counted two ways — the corpus's labels (every closed/
crop shut), and blinks only (`blink_recall`, `blink_precision`: the crops
hand-labelled a laugh's squeezed eyes or a look down, `SHUT_SMILES`, set
apart, a closed call on one counting against precision: the issue calls a
laugh's eyes narrowed) — the shut faces left "unknown" (every face "can't
tell"), each with a Wilson 95 % interval, and the recall by kind (glasses,
make-up, smile, looking down, child, black-and-white, soft, tight crop) on
the hand-labelled subset in tests/data/faces-dev-kinds.json (file names and
kinds only).

Invariants: deterministic for a seed (the same crops, sizes, places and
backgrounds); nothing is written inside the checkout.
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.bench.faces_eval import wilson

REPO = Path(__file__).resolve().parents[2]
ENV = "CURATOR_FACES_DEV"
KINDS_FILE = REPO / "tests" / "data" / "faces-dev-kinds.json"
# Hand labels of the closed/ crops that smile (tests/bench/data/README-genki-eyes.md):
# "shut" a blink, "narrowed" a laugh's squeezed eyes, "down" a look down.
SHUT_SMILES = REPO / "tests" / "bench" / "data" / "faces_dev_shut_smiles.csv"
PHOTO_SIZE = (1600, 1200)
FACE_SIDES = (160, 420)
BACKGROUND_BLUR = 12  # Gaussian radius, px of the 1,600 px photo
SEED = 41


def dev_folder() -> Path:
    chosen = os.environ.get(ENV)
    return Path(chosen) if chosen else REPO.parent / "shared" / "data" / "faces-dev"


def missing_reason() -> str | None:
    folder = dev_folder()
    if not (folder / "closed").is_dir() or not (folder / "open").is_dir():
        return (
            f"The development set of real faces is not at {folder} (closed/ and open/): "
            f"set {ENV} to its folder."
        )
    return None


@dataclass(frozen=True)
class Pasted:
    """One photo made by `paste_set`: its file name, what its face is, the crop
    it came from, and where the face is (x, y, side in the photo's pixels)."""

    name: str
    closed: bool
    source: str
    box: tuple[int, int, int]


def blurred_backgrounds(fixtures: Path) -> list[Any]:
    """The fixture photos covering a 1,600 x 1,200 frame, blurred (PIL images):
    the acceptance's backgrounds (the eyes and the smile sets are pasted on them)."""
    from PIL import Image, ImageFilter

    out = []
    for path in sorted((fixtures / "jpeg").glob("*.jpg")):
        image = Image.open(path).convert("RGB")
        scale = max(PHOTO_SIZE[0] / image.width, PHOTO_SIZE[1] / image.height)
        size = (
            max(PHOTO_SIZE[0], round(image.width * scale)),
            max(PHOTO_SIZE[1], round(image.height * scale)),
        )
        cover = image.resize(size).crop((0, 0, *PHOTO_SIZE))
        out.append(cover.filter(ImageFilter.GaussianBlur(BACKGROUND_BLUR)))
    return out


def paste_set(out: Path, fixtures: Path, seed: int = SEED) -> list[Pasted]:
    """Every crop of the development set pasted into a photo in `out` (see the
    module docstring); the photos' labels."""
    from PIL import Image

    rng = random.Random(seed)
    backgrounds = blurred_backgrounds(fixtures)
    out.mkdir(parents=True, exist_ok=True)
    pasted = []
    for kind in ("closed", "open"):
        for crop in sorted((dev_folder() / kind).iterdir()):
            face = Image.open(crop).convert("RGB")
            side = rng.randint(*FACE_SIDES)
            face = face.resize((side, side), Image.Resampling.LANCZOS)
            x = rng.randint(0, PHOTO_SIZE[0] - side)
            y = rng.randint(0, PHOTO_SIZE[1] - side)
            photo = rng.choice(backgrounds).copy()
            photo.paste(face, (x, y))
            name = f"{kind}__{crop.name}.jpg"
            photo.save(out / name, quality=90)
            pasted.append(Pasted(name, kind == "closed", crop.name, (x, y, side)))
    return pasted


def import_and_list(folder: Path, home: Path) -> dict[str, list[dict[str, Any]]]:
    """`curator import FOLDER` (technical and faces) into a catalog of its own,
    then `curator list --json`: each photo's file name -> its faces."""
    env = dict(os.environ, CURATOR_HOME=str(home), CURATOR_CLIP_AUTO_DOWNLOAD="0")
    base = [sys.executable, "-m", "curator"]
    done = subprocess.run(
        [*base, "import", str(folder), "--stages", "technical,faces", "--json", "--no-progress"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"curator import failed: {done.stderr[-2000:]}")
    listed = subprocess.run(
        [*base, "list", "--json"], env=env, capture_output=True, text=True, check=True
    )
    return {Path(row["path"]).name: row.get("faces") or [] for row in json.loads(listed.stdout)}


def kinds() -> dict[str, list[str]]:
    """The hand labels of the closed crops (file name -> kinds); {} without the file."""
    if not KINDS_FILE.is_file():
        return {}
    labels: dict[str, list[str]] = json.loads(KINDS_FILE.read_text())["labels"]
    return labels


def laughs_and_looks_down() -> set[str]:
    """The closed/ crops hand-labelled a laugh's squeezed eyes or a look down
    (`SHUT_SMILES`): the corpus calls them closed, the eyes' rule narrowed or,
    a look down, closed (issue 74)."""
    with SHUT_SMILES.open(newline="") as handle:
        return {r["file"] for r in csv.DictReader(handle) if r["eyes"] != "shut"}


def tally(pasted: Iterable[Pasted], faces: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The figures of the module docstring from the labels and what was listed."""
    rows = list(pasted)
    found = [p for p in rows if faces.get(p.name)]
    closed_called = {p.name for p in found if any(f.get("eyes") == "closed" for f in faces[p.name])}
    shut = [p for p in found if p.closed]
    opened = [p for p in found if not p.closed]
    hits = [p for p in shut if p.name in closed_called]
    false_alarms = [p for p in opened if p.name in closed_called]
    unknown = [
        p
        for p in shut
        if p.name not in closed_called and all(f.get("eyes") == "unknown" for f in faces[p.name])
    ]
    apart = laughs_and_looks_down()
    blinks = [p for p in shut if p.source not in apart]
    blink_hits = [p for p in blinks if p.name in closed_called]
    set_apart = [p for p in shut if p.source in apart]
    wrong = len(false_alarms) + sum(1 for p in set_apart if p.name in closed_called)
    by_kind: dict[str, Any] = {}
    labels = kinds()
    for kind in sorted({k for ks in labels.values() for k in ks}):
        members = [p for p in shut if kind in labels.get(p.source, ())]
        got = sum(1 for p in members if p.name in closed_called)
        by_kind[kind] = {"faces": len(members), "recall": wilson(got, len(members))}
    labelled = [p for p in shut if p.source in labels]
    return {
        "photos": len(rows),
        "faces_found": wilson(len(found), len(rows)),
        "faces_found_shut": wilson(len(shut), sum(1 for p in rows if p.closed)),
        "faces_found_open": wilson(len(opened), sum(1 for p in rows if not p.closed)),
        "closed_eye_recall": wilson(len(hits), len(shut)),
        "closed_eye_precision": wilson(len(hits), len(hits) + len(false_alarms)),
        "blink_recall": wilson(len(blink_hits), len(blinks)),
        "blink_precision": wilson(len(blink_hits), len(blink_hits) + wrong),
        "laughs_and_looks_down_called_closed": wilson(
            sum(1 for p in set_apart if p.name in closed_called), len(set_apart)
        ),
        "shut_unknown": wilson(len(unknown), len(shut)),
        "recall_labelled_subset": wilson(
            sum(1 for p in labelled if p.name in closed_called), len(labelled)
        ),
        "recall_by_kind": by_kind,
        "missed_shut": sorted(p.source for p in shut if p.name not in closed_called),
        "false_alarms": sorted(p.source for p in false_alarms),
        "no_face_found": sorted(p.source for p in rows if p not in found),
    }
