"""Group bursts whose frames differ in who smiles, laughs kept in (issue 74 §3): how they are built.

Each burst is four frames of one scene, built as `group_star` builds its
bursts (one blurred camera fixture as the background, one camera, capture
times `burst_star.FRAME_GAP_S` apart, bursts `BURST_GAP_S` apart, the frames
in a shuffled order), holding `group_star.PEOPLE` people standing side by
side at one size, each in a place of their own kept from frame to frame.
Each person is two GENKI-4K development faces (no set has one person both
smiling and not), standing in one photo:
- their *smile*: a photo labelled smiling, within `burst_star.FRONTAL`
  degrees of frontal, alone in the photo, whose eyes are hand-labelled open
  or narrowed in a smile or laugh (tests/bench/data/genki_dev_eyes.csv:
  laughs whose eyes are slits are kept in — the issue's point);
- their *glum*: the face of a photo labelled not smiling and seen open
  (`group_star.open_eyed`), cut square around the face and put over the
  smile's face at its size (`face_over`): the person's photo, and with it
  the frame's light, stay (a first version swapped whole photos, and the
  exposure gate then decided bursts by the photos' light); matched in
  sharpness as one camera's burst is: tried in a random order among the
  `CHOOSE_FROM` glum faces whose sharpness on a probe (each photo pasted
  alone once, `FaceBoxes`) is nearest the smile's, then on to `MORE_FROM`,
  the first whose face the faces stage itself measures (`burst_star.
  Measure`, the person alone in the burst's scene, as saved) within
  `burst_star.MATCH_WITHIN` points of the smile's. A smile no glum face
  matches (very soft or very sharp) is drawn again (a first version took the
  nearest, up to 50 points off, and the star's sharpness steps decided
  those bursts).
The frames:
- *smiles*: every person's smile — the right star;
- *one_glum*: one person (drawn) glum, the others smiling;
- *all_glum*: everyone glum, eyes open — the frame that took the star from
  a laugh read "closed" in the issue's held-out bursts;
- *blink*: everyone smiling but one (drawn), whose face is a shut-eyed crop
  of faces-dev (closed/, Closed Eyes In The Wild; not one hand-labelled a
  laugh or a look down in tests/bench/data/faces_dev_shut_smiles.csv; `BLINKS`
  of them drawn once), put over the face and matched in sharpness as a glum
  face is.
Every frame but *smiles* has a person not smiling or a shut eye. A pool
photo's face is found once by the stage (`FaceBoxes`).

Invariants: deterministic for a seed and a number of bursts; only files
under the folder it is given are written.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from tests.bench import burst_star as bs
from tests.bench import faces_dev as fd
from tests.bench import group_star as gs
from tests.bench import smile_dev as sd

DATA = Path(__file__).resolve().parent / "data"
EYES = DATA / "genki_dev_eyes.csv"
PEOPLE_FILE = "people.json"  # beside the photos: each burst's smiles (GENKI file names)
SHUT_SMILES = DATA / "faces_dev_shut_smiles.csv"
BURST_GAP_S = 60
KINDS = ("smiles", "one_glum", "all_glum", "blink")
CHOOSE_FROM = 8  # glum or shut candidates tried in a random order (`matched`) ...
MORE_FROM = 24  # ... and at most, when none of the first is within MATCH_WITHIN
BLINKS = 240  # shut crops a bench draws from (each probed once)
PROBE_SIDE = 400  # a pool photo's long side where its face is found once (`FaceBoxes`)
FACE_MARGIN = 1.3  # a face put over another is cut and placed at this many times its side
MAX_GAIN = 2.0  # ... and brought to the light it covers by at most this gain
HOW = (
    f"{gs.PEOPLE} people, smiles open or narrowed by hand, faces over faces in their light,"
    f" matched {bs.MATCH_WITHIN} by probe, {CHOOSE_FROM} to {MORE_FROM}, or redrawn,"
    f" kinds {'/'.join(KINDS)}"
)


def hand_labels(path: Path) -> dict[str, str]:
    """A hand-label file's file -> eyes label."""
    with path.open(newline="") as handle:
        return {row["file"]: row["eyes"] for row in csv.DictReader(handle)}


def pools() -> dict[str, list[Path]]:
    """The faces each part is drawn from (module docstring)."""
    eyes = hand_labels(EYES)
    laughs = {f for f, label in hand_labels(SHUT_SMILES).items() if label != "shut"}
    base = bs.sources()  # frontal, eyes not hidden, alone
    frontal = {p.name for p in base["peak"]}
    smiles = [
        sd.dev_folder() / r.file
        for r in sd.labels()
        if r.smile and r.file in frontal and eyes.get(r.file) in ("open", "narrowed")
    ]
    blink = [p for p in base["blink"] if p.name not in laughs]
    return {"smile": smiles, "glum": gs.open_eyed(base["glum"]), "blink": blink}


def matched(
    rng: random.Random,
    pool: list[Path],
    near: float | None,
    target: float | None,
    alone: Any,
    measure: bs.Measure,
    probed: FaceBoxes,
) -> Path | None:
    """A face of `pool` that, put in place (`alone(path)`), the stage measures
    within `burst_star.MATCH_WITHIN` of `target`: tried in a random order
    among the `CHOOSE_FROM` whose probe sharpness (`FaceBoxes`) is nearest
    `near` (the smile's own probe), then on up to `MORE_FROM` by nearness;
    None when none is (or there is no target): no burst of one camera pairs
    them."""
    if target is None or near is None:
        return None
    ranked = sorted(
        (p for p in pool if probed.sharpness(p) is not None),
        key=lambda p: (abs((probed.sharpness(p) or 0.0) - near), p.name),
    )[:MORE_FROM]
    first = ranked[:CHOOSE_FROM]
    for p in rng.sample(first, len(first)) + ranked[CHOOSE_FROM:]:
        value, _ = measure(bs.as_saved(alone(p)), ())
        if value is not None and abs(value - target) <= bs.MATCH_WITHIN:
            return p
    return None


Box = tuple[float, float, float, float]  # x, y, w, h


@dataclass
class FaceBoxes:
    """Where each development photo's face is (fractions of the photo) and how
    sharp the stage measures it, found once (`measure`) on the photo pasted
    alone at `PROBE_SIDE` (the probe: what orders a burst's candidates)."""

    measure: bs.Measure
    cover: Any
    found: dict[Path, tuple[Box | None, float | None]] = field(default_factory=dict)

    def of(self, path: Path) -> Box | None:
        return self._probe(path)[0]

    def sharpness(self, path: Path) -> float | None:
        return self._probe(path)[1]

    def _probe(self, path: Path) -> tuple[Box | None, float | None]:
        if path not in self.found:
            self.found[path] = self._find(path)
        return self.found[path]

    def _find(self, path: Path) -> tuple[Box | None, float | None]:
        from PIL import Image

        width, height = sd.PHOTO_SIZE
        x, y = (width - PROBE_SIDE) // 2, (height - PROBE_SIDE) // 2
        value, box = self.measure(bs.as_saved(bs.paste(self.cover, path, PROBE_SIDE, x, y)), ())
        if box is None:
            return None, None
        w, h = Image.open(path).size
        scale = PROBE_SIDE / max(w, h)
        px, py = x + (PROBE_SIDE - round(w * scale)) // 2, y + (PROBE_SIDE - round(h * scale)) // 2
        fx, fy, fw, fh = box[0] * width, box[1] * height, box[2] * width, box[3] * height
        found = ((fx - px) / scale / w, (fy - py) / scale / h, fw / scale / w, fh / scale / h)
        return found, value


def face_over(photo: Any, at: Box, path: Path, box: Box) -> Any:
    """`photo` with the face of `path` (its `box`, fractions of that photo) cut
    square at `FACE_MARGIN` times its side and scaled and centred onto the
    face at `at` (pixels of `photo`), brought to the mean luma of what it
    covers (a gain of at most `MAX_GAIN` either way): the person's photo
    stays, the light with it; only the face changes, as from frame to frame
    of a burst (a face of other light moved the frame's exposure score by
    up to 40 points, and the star's exposure gate then decided the burst)."""
    from PIL import Image

    face = Image.open(path).convert("RGB")
    w, h = face.size
    cx, cy = (box[0] + box[2] / 2) * w, (box[1] + box[3] / 2) * h
    half = FACE_MARGIN * max(box[2] * w, box[3] * h) / 2
    cut = face.crop((round(cx - half), round(cy - half), round(cx + half), round(cy + half)))
    side = max(1, round(FACE_MARGIN * max(at[2], at[3])))
    cut = cut.resize((side, side), Image.Resampling.LANCZOS)
    x, y = round(at[0] + at[2] / 2 - side / 2), round(at[1] + at[3] / 2 - side / 2)
    under = np.asarray(photo.crop((x, y, x + side, y + side)).convert("L"), dtype=np.float64)
    pixels = np.asarray(cut, dtype=np.float64)
    gain = float(under.mean()) / max(1.0, float(np.asarray(cut.convert("L")).mean()))
    gain = min(max(gain, 1 / MAX_GAIN), MAX_GAIN)
    cut = Image.fromarray(np.clip(pixels * gain, 0, 255).astype(np.uint8))
    out = photo.copy()
    out.paste(cut, (x, y))
    return out


@dataclass(frozen=True)
class Scene:
    """One burst's background, the people's photo size and their places."""

    cover: Any
    side: int
    places: list[tuple[int, int]]

    def face_at(self, person: int, smile: Path, boxes: FaceBoxes) -> Box | None:
        """Where person `person`'s smile's face is in the frame (pixels)."""
        from PIL import Image

        box = boxes.of(smile)
        if box is None:
            return None
        w, h = Image.open(smile).size
        scale = self.side / max(w, h)
        x, y = self.places[person]
        px = x + (self.side - round(w * scale)) // 2
        py = y + (self.side - round(h * scale)) // 2
        return (
            px + box[0] * w * scale,
            py + box[1] * h * scale,
            box[2] * w * scale,
            box[3] * h * scale,
        )

    def person(
        self, photo: Any, person: int, smile: Path, other: Path | None, boxes: FaceBoxes
    ) -> Any:
        """`photo` with person `person`'s smile's photo pasted, its face
        replaced by `other`'s (`face_over`) when given."""
        x, y = self.places[person]
        photo = bs.paste(photo, smile, self.side, x, y)
        at, box = self.face_at(person, smile, boxes), None if other is None else boxes.of(other)
        if other is None or at is None or box is None:
            return photo
        return face_over(photo, at, other, box)

    def frame(self, smiles: list[Path], others: list[Path | None], boxes: FaceBoxes) -> Any:
        """The scene with every person: their smile, or `others[i]`'s face over it."""
        photo = self.cover
        for i, (smile, other) in enumerate(zip(smiles, others, strict=True)):
            photo = self.person(photo, i, smile, other, boxes)
        return photo

    def frames(
        self,
        drawn: dict[str, list[Path]],
        rng: random.Random,
        measure: bs.Measure,
        probed: FaceBoxes,
    ) -> tuple[list[Path], dict[str, tuple[Any, Path]]] | None:
        """The burst's people and its four frames (module docstring), each with
        its changed face: each person a smile drawn until a glum face matches
        it in sharpness; the shut face matched to one of them; None when no
        shut face matches any."""
        smiles: list[Path] = []
        glums: list[Path] = []
        targets: list[float] = []
        for i in range(gs.PEOPLE):
            glum = None
            while glum is None:
                smile = rng.choice([p for p in drawn["smile"] if p not in smiles])
                if probed.of(smile) is None:
                    continue
                target, _ = measure(
                    bs.as_saved(self.person(self.cover, i, smile, None, probed)), ()
                )
                glum = matched(
                    rng,
                    drawn["glum"],
                    probed.sharpness(smile),
                    target,
                    lambda p, i=i, smile=smile: self.person(self.cover, i, smile, p, probed),
                    measure,
                    probed,
                )
            smiles.append(smile)
            glums.append(glum)
            targets.append(target or 0.0)
        one, first = rng.randrange(gs.PEOPLE), rng.randrange(gs.PEOPLE)
        shut, at = None, first
        for at in [(first + k) % gs.PEOPLE for k in range(gs.PEOPLE)]:
            shut = matched(
                rng,
                drawn["blink"],
                probed.sharpness(smiles[at]),
                targets[at],
                lambda p, at=at: self.person(self.cover, at, smiles[at], p, probed),
                measure,
                probed,
            )
            if shut is not None:
                break
        if shut is None:
            return None
        none: list[Path | None] = [None] * gs.PEOPLE
        mixed = [glums[i] if i == one else None for i in range(gs.PEOPLE)]
        blink = [shut if i == at else None for i in range(gs.PEOPLE)]
        return smiles, {
            "smiles": (self.frame(smiles, none, probed), smiles[0]),
            "one_glum": (self.frame(smiles, mixed, probed), glums[one]),
            "all_glum": (self.frame(smiles, list(glums), probed), glums[0]),
            "blink": (self.frame(smiles, blink, probed), shut),
        }


def write_group_laughs(
    out: Path, fixtures: Path, bursts: int, seed: int, measure: bs.Measure
) -> list[bs.Planned]:
    """`bursts` bursts of four frames as JPEGs in `out` (module docstring);
    the frames in capture order. `Planned.source` is the changed person's
    face (the first person's smile for *smiles*, the first glum for *all_glum*)."""
    from PIL import Image

    rng = random.Random(seed)
    covers = fd.blurred_backgrounds(fixtures)
    probed = FaceBoxes(measure, covers[0])
    drawn = pools()
    drawn["blink"] = sorted(random.Random(seed).sample(drawn["blink"], BLINKS))
    width, height = sd.PHOTO_SIZE
    out.mkdir(parents=True, exist_ok=True)
    planned: list[bs.Planned] = []
    people: dict[int, list[str]] = {}
    for n in range(bursts):
        side = rng.randint(*gs.SIDES)
        cover = rng.choice(covers)
        spare = width - gs.PEOPLE * side - (gs.PEOPLE - 1) * gs.GAP
        left = rng.randint(0, max(0, spare))
        places = [
            (left + i * (side + gs.GAP), rng.randint(0, height - side)) for i in range(gs.PEOPLE)
        ]
        scene = Scene(cover, side, places)
        made = None
        while made is None:  # no shut face matches any of them: other people
            made = scene.frames(drawn, rng, measure, probed)
        smiles, frames = made
        people[n] = [p.name for p in smiles]
        kinds = list(KINDS)
        rng.shuffle(kinds)
        for i, kind in enumerate(kinds):
            photo, source = frames[kind]
            assert isinstance(photo, Image.Image)
            when = bs.START + timedelta(seconds=n * BURST_GAP_S + i * bs.FRAME_GAP_S)
            name = f"l{n:04d}_{i}.jpg"
            photo.save(out / name, quality=bs.JPEG_QUALITY, exif=bs._exif(when))
            planned.append(bs.Planned(name, n, kind, source))
    (out / PEOPLE_FILE).write_text(json.dumps(people))
    return planned


def people_of(photos: Path) -> dict[int, list[str]]:
    """Each burst's smiles as `write_group_laughs` wrote them beside the photos."""
    saved = json.loads((photos / PEOPLE_FILE).read_text())
    return {int(n): faces for n, faces in saved.items()}
