"""Bursts of real faces for the burst-star bench (issue 49 §2): how they are built.

Each burst is three frames of one scene, as a camera's burst is: one
background (a camera fixture, blurred, as the acceptance pastes faces: the
eyes and smile sets' `blurred_backgrounds`), one place and one size for the
face, one camera (EXIF Make and Model) and capture times `FRAME_GAP_S`
apart (EXIF DateTimeOriginal; bursts `BURST_GAP_S` apart), so the import's
own burst grouping (ml.bursts: the time gate and the frames' structure)
forms it. In it a real face from a development half:
- the *peak*: a GENKI-4K face labelled smiling (people-dev/smile), its
  head within `FRONTAL` degrees of frontal (the labels' yaw and pitch);
- the *glum*: a GENKI-4K face labelled not smiling, as frontal;
- the *blink*: a shut-eyed crop of faces-dev (closed/, Closed Eyes In The
  Wild),
in a shuffled order. No development set has one person both smiling and
not, or both shut-eyed and not, so the three are three people; what a real
burst does share besides the scene is the camera's sharpness, so the glum
and the blink are each chosen, of `CHOOSE_FROM` random candidates, as the
one whose face is nearest the peak's in detail at the burst's face size
(`detail`: the log of the Laplacian's variance of the face's middle, the
face scaled as it is pasted, so a small source blown up reads soft). Nothing is
painted into a face (an eye region swapped in would be a face no camera
took).

Invariants: deterministic for a seed and a number of bursts; only files
under the folder it is given are written.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from tests.bench import faces_dev as fd
from tests.bench import smile_dev as sd

FRONTAL = 10.0  # degrees of yaw and pitch (the labels') for a peak or glum face
FRAME_GAP_S = 1  # a burst's frames (the import groups frames under 3 s apart)
BURST_GAP_S = 60  # between bursts
CHOOSE_FROM = 24  # candidates for the glum and the blink, the nearest in detail taken
PREVIEW_SCALE = 1440 / 1600  # the stage measures the 1,440 px preview of the 1,600 px photo
KINDS = ("peak", "glum", "blink")
START = datetime(2024, 6, 1, 12)
MAKE, MODEL = "Curator", "Bench Burst"


@dataclass(frozen=True)
class Planned:
    """One frame: its file name, its burst (0-based), what its face is, its source."""

    name: str
    burst: int
    kind: str
    source: Path


def sources() -> dict[str, list[Path]]:
    """The development faces each kind is drawn from (module docstring)."""
    frontal = [r for r in sd.labels() if max(abs(r.pose[0]), abs(r.pose[1])) <= FRONTAL]
    return {
        "peak": [sd.dev_folder() / r.file for r in frontal if r.smile],
        "glum": [sd.dev_folder() / r.file for r in frontal if not r.smile],
        "blink": sorted((fd.dev_folder() / "closed").iterdir()),
    }


@cache
def detail(path: Path, side: int) -> float:
    """log10 of the variance of the Laplacian of the face's middle (the central
    60 %), the face scaled as it is pasted (`side` px on its long side) and
    as the preview sees it."""
    import cv2
    from PIL import Image

    face = Image.open(path).convert("L")
    scale = side * PREVIEW_SCALE / max(face.size)
    size = (max(1, round(face.width * scale)), max(1, round(face.height * scale)))
    face = face.resize(size, Image.Resampling.LANCZOS)
    grey = np.asarray(face, dtype=np.float32)
    h, w = grey.shape
    middle = grey[round(0.2 * h) : round(0.8 * h), round(0.2 * w) : round(0.8 * w)]
    return math.log10(float(cv2.Laplacian(middle, cv2.CV_32F).var()) + 1e-3)


def _nearest(rng: random.Random, pool: list[Path], target: float, side: int) -> Path:
    candidates = rng.sample(pool, min(CHOOSE_FROM, len(pool)))
    return min(candidates, key=lambda p: (abs(detail(p, side) - target), p.name))


def _exif(when: datetime) -> Any:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = MAKE
    exif[0x0110] = MODEL
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    return exif


def write_bursts(out: Path, fixtures: Path, bursts: int, seed: int) -> list[Planned]:
    """`bursts` bursts of three frames as JPEGs (quality 90) in `out` (module
    docstring); the frames, in capture order."""
    from PIL import Image

    rng = random.Random(seed)
    pools = sources()
    covers = fd.blurred_backgrounds(fixtures)
    out.mkdir(parents=True, exist_ok=True)
    planned: list[Planned] = []
    for n in range(bursts):
        peak = rng.choice(pools["peak"])
        side = rng.randint(*sd.FACE_SIDES)
        chosen = {
            "peak": peak,
            "glum": _nearest(rng, pools["glum"], detail(peak, side), side),
            "blink": _nearest(rng, pools["blink"], detail(peak, side), side),
        }
        kinds = list(KINDS)
        rng.shuffle(kinds)
        cover = rng.choice(covers)
        x = rng.randint(0, sd.PHOTO_SIZE[0] - side)
        y = rng.randint(0, sd.PHOTO_SIZE[1] - side)
        for i, kind in enumerate(kinds):
            face = Image.open(chosen[kind]).convert("RGB")
            scale = side / max(face.size)
            face = face.resize(
                (max(1, round(face.width * scale)), max(1, round(face.height * scale))),
                Image.Resampling.LANCZOS,
            )
            photo = cover.copy()
            photo.paste(face, (x + (side - face.width) // 2, y + (side - face.height) // 2))
            when = START + timedelta(seconds=n * BURST_GAP_S + i * FRAME_GAP_S)
            name = f"b{n:04d}_{i}.jpg"
            photo.save(out / name, quality=90, exif=_exif(when))
            planned.append(Planned(name, n, kind, chosen[kind]))
    return planned
