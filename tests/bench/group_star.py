"""Group bursts of real faces for the group-star bench (issue 49 §2's group
rule: "a group frame's star to the frame where the most faces are ready
(eyes open, looking at the camera), never to one with a key face shut-eyed
... when another frame has it ready"): how they are built.

Each burst is three frames of one scene, built as `burst_star` builds a
single face's (one blurred camera fixture as the background, one camera,
capture times `burst_star.FRAME_GAP_S` apart, bursts `BURST_GAP_S` apart,
the frames in a shuffled order), holding a group of `PEOPLE` standing side
by side at one size, each in a place of their own that they keep from
frame to frame:
- *ready*: every person a GENKI-4K face labelled not smiling, within
  `burst_star.FRONTAL` degrees of frontal, eyes seen (`burst_star.sources`'
  "glum" pool: a laugh's narrowed eyes are the single-face bench's question,
  not this one's) and seen open (`open_eyed`: GENKI labels only the smile;
  faces whose eyes are shut, lowered or cannot be seen open, hand-labelled
  in `burst_star.BURST_LABELS`, are left out — the frame where "everyone
  is ready" has to be one), the very same pixels in all three frames;
- *shut_a* and *shut_b*: the same group with one person's face (a different
  person in each) covered by a shut-eyed crop of faces-dev (closed/, Closed
  Eyes In The Wild), scaled to a GENKI face's size (`SHUT_SCALE`: a CEW crop
  is nearly all face, a GENKI photo's face about half its side, centred).
  The face is pasted over the person's photo, not in place of it: a person
  blinking does not change the light of the frame, and a frame that lost a
  whole bright photo of a person to a small crop measured up to 1.7 EV
  darker, which the star's sharpness gate (its detail level weighed for
  the frame's exposure) read as a sharper frame.
The right star is *ready*: it is the one frame with every face ready; each
other frame has a key face shut.

No development set has one person both open- and shut-eyed, so the person
who "blinks" is a stranger standing where the open face stood; the other
people are untouched, as in a burst where they held still.

Invariants: deterministic for a seed and a number of bursts; only files
under the folder it is given are written.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.bench import burst_star as bs
from tests.bench import faces_dev as fd
from tests.bench import smile_dev as sd

PEOPLE = 3
SIDES = (240, 400)  # each person's GENKI photo's long side in the 1,600 px frame
SHUT_SCALE = 0.55  # a CEW crop's side against a GENKI photo's (faces 0.91 and 0.50 of it)
GAP = 20  # px at least between two people's photos
BURST_GAP_S = 60
KINDS = ("ready", "shut_a", "shut_b")
HOW = f"{PEOPLE} people, glum GENKI seen open, CEW shut at {SHUT_SCALE} over the face"


def open_eyed(glum: list[Path]) -> list[Path]:
    """The faces of `glum` whose eyes are seen open (`burst_star.BURST_LABELS`)."""
    labelled = bs.burst_labels()
    not_open = labelled["eyes_shut"] | labelled["eyes_unseen"]
    return [p for p in glum if p.name not in not_open]


def group_frame(
    cover: Any,
    places: list[tuple[int, int]],
    side: int,
    people: list[Path],
    replace: int | None = None,
    shut: Path | None = None,
) -> Any:
    """`cover` with each person's GENKI photo at `side` px in their place, the
    person `replace` (an index) standing in as the shut-eyed face `shut`."""
    photo = cover.copy()
    for i, (x, y) in enumerate(places):
        photo = bs.paste(photo, people[i], side, x, y)
        if i == replace and shut is not None:  # over the person's face: the frame's light stays
            small = round(side * SHUT_SCALE)
            photo = bs.paste(photo, shut, small, x + (side - small) // 2, y + (side - small) // 2)
    return photo


def write_group_bursts(out: Path, fixtures: Path, bursts: int, seed: int) -> list[bs.Planned]:
    """`bursts` group bursts of three frames as JPEGs in `out` (module
    docstring); the frames in capture order. `Planned.source` is the
    replaced person's shut face (the first person's face for *ready*)."""
    from PIL import Image

    rng = random.Random(seed)
    pools = bs.sources()
    ready = open_eyed(pools["glum"])
    covers = fd.blurred_backgrounds(fixtures)
    width, height = sd.PHOTO_SIZE
    out.mkdir(parents=True, exist_ok=True)
    planned: list[bs.Planned] = []
    for n in range(bursts):
        side = rng.randint(*SIDES)
        cover = rng.choice(covers)
        spare = width - PEOPLE * side - (PEOPLE - 1) * GAP
        left = rng.randint(0, max(0, spare))
        places = [(left + i * (side + GAP), rng.randint(0, height - side)) for i in range(PEOPLE)]
        people = rng.sample(ready, PEOPLE)
        shut = rng.sample(pools["blink"], 2)
        swapped = rng.sample(range(PEOPLE), 2)  # who blinks in shut_a, in shut_b

        frames = {
            "ready": (group_frame(cover, places, side, people), people[0]),
            "shut_a": (group_frame(cover, places, side, people, swapped[0], shut[0]), shut[0]),
            "shut_b": (group_frame(cover, places, side, people, swapped[1], shut[1]), shut[1]),
        }
        kinds = list(KINDS)
        rng.shuffle(kinds)
        for i, kind in enumerate(kinds):
            photo, source = frames[kind]
            assert isinstance(photo, Image.Image)
            when = bs.START + timedelta(seconds=n * BURST_GAP_S + i * bs.FRAME_GAP_S)
            name = f"g{n:04d}_{i}.jpg"
            photo.save(out / name, quality=bs.JPEG_QUALITY, exif=bs._exif(when))
            planned.append(bs.Planned(name, n, kind, source))
    return planned
