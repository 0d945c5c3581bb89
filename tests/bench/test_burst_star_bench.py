"""A burst's star on the peak expression, on real faces (issue 49 §2).

Run with ``make bench``. Each burst is three frames of one scene: one
background (a camera fixture, blurred), one place and size, and in it a
real face from a development half — the *peak* (a GENKI-4K face labelled
smiling, its head within 10 degrees of frontal: `smile_dev`), a *glum* one
(labelled not smiling, as frontal) and a *blink* (a shut-eyed crop from
faces-dev: `faces_dev`), in a shuffled order. Each frame goes through the
faces stage's own body (`find.find_faces`) on its 1,440 px preview, as an
import does, and the burst's star through `ml.bursts.best_frame` with the
frames' technical scores equal (one scene, one exposure): what decides is
the faces. Reported: the share of bursts whose star is the peak frame, with
its Wilson 95 % interval, and why the others missed (what the stage read on
the peak frame).

The faces of one burst are three people, not one person's three moments
(no development set has one person smiling and not); their sources differ
in sharpness, which a real burst's frames do not, so a softer peak source
can lose on the key faces' sharpness (`bursts.FACE_SHARP_TOLERANCE`) —
counted among the misses, under its own reason. ``$BURST_STAR_BURSTS`` sets
how many bursts (default `DEFAULT_BURSTS`).

Measured (60 bursts, turn of 2026-11-26): the star on the peak in 34
(0.567, Wilson 0.44–0.68) — short of the issue's 0.95. The peak lost for
what the stage read on it more than for the star's rule: its smiling eyes
called shut (7) or not judged (3), its face not found (4), where it looks
not told (2), not read as smiling (1); and for the three sources' own
sharpness, the glum face more than 20 points sharper (9).

Invariants: deterministic for a seed; nothing is written inside the checkout.
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.bench import faces_dev as fd
from tests.bench import smile_dev as sd
from tests.bench.faces_eval import wilson
from tests.bench.results import write_results

pytestmark = pytest.mark.bench

BURSTS_ENV = "BURST_STAR_BURSTS"
DEFAULT_BURSTS = 60
FRONTAL = 10.0  # degrees of yaw and pitch (the labels') for a peak or glum face
SEED = 492
# A floor under what it measured (0.567, 34 of 60 bursts, Wilson 0.44-0.68):
# short of the 0.95 (module docstring), asserted so it cannot fall.
MIN_RIGHT = 0.45


def _frames(rng: random.Random, covers: list[Any], faces: list[Path]) -> list[np.ndarray]:
    """The burst's frames as 1,440 x 1,080 previews: `faces` pasted at one
    place and size on one background."""
    from PIL import Image

    cover = rng.choice(covers)
    side = rng.randint(*sd.FACE_SIDES)
    x = rng.randint(0, sd.PHOTO_SIZE[0] - side)
    y = rng.randint(0, sd.PHOTO_SIZE[1] - side)
    out = []
    for path in faces:
        face = Image.open(path).convert("RGB")
        scale = side / max(face.size)
        face = face.resize((round(face.width * scale), round(face.height * scale)))
        photo = cover.copy()
        photo.paste(face, (x, y))
        out.append(np.asarray(photo.resize((1440, 1080), Image.Resampling.BOX)))
    return out


def _why(found: Any) -> str:
    """What the stage read on a peak frame that lost (for the report)."""
    key = [f for f in found.faces if f.key]
    if not key:
        return "no face found"
    face = key[0]
    if face.eyes.value != "open":
        return f"eyes {face.eyes.value}"
    if face.looking is None or face.looking.value != "camera":
        return f"looking {face.looking.value if face.looking else 'cannot tell'}"
    if not face.smiling:
        return "not read as smiling"
    return "softer key face"


@pytest.mark.timeout(3600)
def test_the_star_goes_to_the_peak_frame(fixtures_dir: Path) -> None:
    for reason in (sd.missing_reason(), fd.missing_reason()):
        if reason:
            pytest.skip(reason)
    from tests.faces_helpers import installed_model

    model = installed_model()
    from curator.ml.bursts import best_frame
    from curator.ml.faces.find import find_faces
    from curator.records import Frame

    rng = random.Random(SEED)
    frontal = [r for r in sd.labels() if max(abs(r.pose[0]), abs(r.pose[1])) <= FRONTAL]
    peaks = [sd.dev_folder() / r.file for r in frontal if r.smile]
    glums = [sd.dev_folder() / r.file for r in frontal if not r.smile]
    blinks = sorted((fd.dev_folder() / "closed").iterdir())
    covers = sd.backgrounds(fixtures_dir)
    bursts = int(os.environ.get(BURSTS_ENV, DEFAULT_BURSTS))
    right, misses = 0, Counter[str]()
    start = datetime(2024, 6, 1, 12)
    for n in range(bursts):
        kinds = ["peak", "glum", "blink"]
        rng.shuffle(kinds)
        sources = {
            "peak": rng.choice(peaks),
            "glum": rng.choice(glums),
            "blink": rng.choice(blinks),
        }
        previews = _frames(rng, covers, [sources[k] for k in kinds])
        frames, peak_found = [], None
        for i, (kind, rgb) in enumerate(zip(kinds, previews, strict=True)):
            found = find_faces(rgb, model, "bench", photo_sharpness=80.0)  # type: ignore[arg-type]
            s = found.summary
            judged = s.key > 0
            when = start + timedelta(minutes=n, seconds=0.25 * i)
            frames.append(
                Frame(
                    i,
                    "cam",
                    when,
                    None,
                    80.0,
                    90.0,
                    None,
                    eyes_open=s.eyes_open if judged else None,
                    closed_eyes=s.closed_eyes if judged else None,
                    key_face_sharpness=s.key_sharpness,
                    faces_ready=s.ready if judged else None,
                    looking=s.looking if judged else None,
                    smiling=s.smiling if judged else None,
                )
            )
            if kind == "peak":
                peak_found = found
        if kinds[best_frame(frames)] == "peak":
            right += 1
        else:
            misses[_why(peak_found)] += 1
    report = {"bursts": bursts, "star_on_peak": wilson(right, bursts), "misses": dict(misses)}
    print("\nburst star on real faces:", json.dumps(report, indent=1))
    write_results("burst_star.json", report)
    rate = report["star_on_peak"][0]
    assert rate is not None and rate >= MIN_RIGHT, report
