"""A burst's star on the peak expression, on real faces (issue 49 §2).

Run with ``make bench``. `burst_star.write_bursts` builds the bursts (how,
exactly, is its docstring: three frames of one scene — one background,
place, size and camera, capture times a second apart — holding a smiling
GENKI-4K face, a glum one and a shut-eyed faces-dev crop whose key faces
the faces stage measures as sharp as the smiling one's, in a shuffled
order); a real ``curator import --stages technical,faces,score`` of the
folder measures them and groups the bursts itself (the time gate and the
frames' structure: no embeddings), and ``curator list --json`` reads back
each frame's burst and suggested best. Reported: the share of bursts
whose star is the peak frame, with its Wilson 95 % interval, and why the
others missed: what the stage read on the peak frame ("eyes closed": the
smile's narrowed eyes read as shut; "eyes unknown"; "no face found";
"looking cannot tell"/"away"; "not read as smiling"), "not one burst" when
the import did not group the three frames, and for a peak read right
(eyes open, at the camera, smiling) how it lost (`lost_how`).
``$BURST_STAR_SEED`` builds other bursts (the figures below are seed 492's
unless said). ``$BURST_STAR_BURSTS`` sets how many bursts (default `DEFAULT_BURSTS`; the
reported figure is always the full 120). ``$BURST_STAR_KEEP`` names a folder
(outside the checkout) that keeps the built bursts, the catalog and the
per-burst evidence (`evidence`: each frame's key-face readings and the star
rule's step that chose it) for a look at every miss; a second run with the
same folder, seed, count and way of building (`burst_star.HOW`) reuses the
bursts (choosing the partners is most of the run) and imports them afresh.

Measured (120 bursts, seed 492, 2026-11-26, 2 busy cores, 11 min of
which 7 choosing the partners): the star on the peak in 87 (0.725, Wilson
0.64-0.80; 0.731 of the 119 bursts the import grouped) — short of the
issue's 0.95. (The old bench, best_frame on hand-scored frames of 60
bursts of unmatched sharpness, measured 0.567; this one with partners
matched by a Laplacian proxy instead of the stage's measure, 0.683.) The
misses: the peak's eyes read shut (11) or "can't tell" (3), where it
looks not told (5), its smile not read (3), one burst not grouped, and 10
with the peak read right: in 2 its key face was more than 20 points
softer than the star's; the other 8 (within 20 points) were run before
`lost_how` told them apart — the first of them, looked at since, is the
star's first rule: the peak's frame (sharpness 33, its face 32) under 60 %
of the glum frame's detail (59), the partner having measured as sharp in
process but not in the import. Matching the partners' sharpness by the
stage's own measure is as near as a bench of three people gets to one
camera's burst.

Since (issue 49 §2, every miss looked at with `$BURST_STAR_KEEP`'s
evidence): the star's sharpness gate lets a frame through on its key
faces (12 of those misses were the peak's frame gated on its texture with
its face as sharp) and the clearer of two smiles wins a tie of sharpness —
on the same bursts 95/120 (0.792, Wilson 0.71-0.85). The partners are now
matched on the saved JPEG within `burst_star.MATCH_WITHIN` points, of up
to 16 (the import had read partners up to 30 points off the peak's face):
different bursts, 93/120 (0.775, Wilson 0.69-0.84; 2026-11-26, load
average 6-7 on 2 cores, 4 to 10 min). Its misses are all what the stage
reads on the peak: eyes read shut 15, "can't tell" 2, smile not read 4,
where it looks not told 2, no face found 1, not grouped 2; one read right
lost to a glum frame read smiling too.

The key faces' eye openness, compared between a burst's frames for the
star only (never the eyes verdict), was measured and left out
(replayed as `star_replay` does, on both kept benches: 94 and 95 of 120
as the rule is; the openness was then taken out of `Frame` again): as
the last tie-break it stars one more peak on one bench and none on the
other (ties are that rare by then); before the technical scores 1-2
fewer; where no frame has every key eye open, 1-4 fewer. The peaks whose
smile's eyes read shut are more open than the blink in 17 of 18, but
less than the glum frame's in 15 of 18 (medians over all bursts: peak
0.25, glum 0.27, blink 0.05): openness cannot give the star back to a
smile the eyes verdict calls shut without overriding it.

What caps it is what the faces stage reads on a smiling face, not the
star's rule: on the development halves (in process, faces pasted as the
acceptance does), 60 of 557 frontal smiling GENKI faces have their eyes
read shut and 36 "can't tell", where they are open and narrowed by the
smile (looked at). The blendshapes do not tell those from a laughing
face's shut eyes: 255 of the 686 faces-dev shut faces the stage calls shut
also smile, with the same blink (0.31-0.45), squint and lid gap (cheek
squint reads 0 on all); a 5-fold cross-validated logistic regression on
blink, look down, lid aspect ratio, squint and brow, keeping 98 % of the
smiling shut faces, leaves 52 of the 72 smiling open ones "shut"; the eye
region's pixels (the iris disc's and the eye box's luma against the cheek)
separate them no better. Every rule tried that calls the smiling narrowed
eyes open also calls about as many real shut laughs open, which the eyes
bench's recall (≥ 0.97) cannot afford, so the eyes rule is unchanged
(ml.faces.eyes). With the stage's readings as they are and the frames'
sharpness equal, the star's rule puts the star on the peak in 0.81 of
such bursts (simulated from the same readings): the rest is the eyes and
the finding of faces.

Since (issue 49, this turn; the peaks and glums now faces whose eyes can
be seen, `burst_star.EYES_HIDDEN`), on the same bursts with the code
before and after, 2026-11-26:

| bursts | before | after |
|---|---|---|
| seed 492 | 92 of 120 (0.767) | 106 (0.883, Wilson 0.81-0.93) |
| seed 493 (not looked at while changing the rules) | 95 (0.792) | 105 (0.875, 0.80-0.92) |

What moved it: a small face needs more blink to read shut, more again
with its brows down (ml.faces.eyes: peaks read shut 7 -> 4 on seed 492);
the structure's second look without the cells where the subject moved
(imaging.structure: the 4 bursts the import split are one); a likely
smile under the 0.5 line beats a glum face (ml.bursts `SMILE_HINT`: the 6
peaks read 0.14-0.46 against glums of 0.01-0.05); a capped line (a mean
blink of 0.5 is shut at any size: seed 493 107 -> 105); a blurred
background's flat "face" no longer counted (ml.faces.find `NO_DETAIL`: it
was key in 3 bursts). What is left, seed 492 (14): eyes read shut 4, where
it looks "can't tell" 3 (gaze 16-18 degrees across, between the lines, or
an eye of 9 px), no face found 2 (GENKI photos whose face is a small part
of the picture), and 5 peaks read right that lost, among them to the sets'
labels: a "not smiling" GENKI face that laughs (file2379), a "shut" CEW face
whose eyes are open (closed_eye_0916). Seed 493 (15): eyes read shut 6,
"can't tell" 2, no face 1, and 6 read right that lost, 2 of them to a glum
GENKI photo holding two people (the frame with two faces ready wins, the
group rule). No set has one person both smiling and glum, so these
differences of people are the bench's, not a burst's.

What the stage reads on one face caps the bench: it misreads the peak
(eyes, gaze or no face) in 9 of 120 bursts, and the sets' labels cost
about 3 more, so 0.95 needs the stage to misread about 1 peak in 40, not
1 in 13 (in process, 509 of the 530 frontal smiling faces read open).

Since (issue 49, the next turn, 2026-11-26): a key face is ready unless it
is seen looking away, and the look at the camera decides last of the people
(ml.bursts: 4 smiling peaks whose gaze could not be told had lost to a
glum frame read "camera"); a frame where the whole frame shows nothing,
not even a hint, is looked over in quarters (ml.faces.find: a lone small
face). On the same bursts with the code before (c3d8efa) and after:

| bursts | before | after |
|---|---|---|
| seed 492 | 106 of 120 (0.883) | 112 (0.933, Wilson 0.87-0.97) |
| seed 493 | 105 (0.875) | 110 (0.917, 0.85-0.95) |
| seed 494 (built after the changes) | 102 (0.850) | 104 (0.867, 0.79-0.92) |

What is left, over the three seeds (34 of 360): a smiling peak's eyes read
shut 17 — looked at, about half of the GENKI smiles read shut are shut or
slits in a laugh (the peak pool asks only that the eyes be seen, not
open), the rest narrowed open eyes the blink reads as shut; no face found
7 (faces small in their picture, washed out, tilted, black and white); a
peak of two people whose second face is shut or not ready 2; and peaks
read right that lost to the sets' labels (a "not smiling" face that
laughs, a "shut" face with open eyes), to a glum photo of two people (the
group rule) or to a frame sharper: 8.

Since (issue 49, the turn after): eyes read shut are read again on the
crop the face's own landmarks frame, and shut is said only when both read
it (ml.faces.find.read_eyes: seed 493's burst 9, a smiling peak of 268 px
whose eyes are wide open, read a blink of 0.79 from the detector's box and
0.07 from its own framing). On the same bursts, before (95528bd) and after:

| bursts | before | after |
|---|---|---|
| seed 492 | 112 of 120 (0.933) | 113 (0.942, Wilson 0.88-0.97) |
| seed 493 | 110 (0.917) | 111 (0.925, 0.86-0.96) |
| seed 494 | 104 (0.867) | 104 (0.867, 0.79-0.92) |
| seed 495 (built after the change) | 111 (0.925) | 112 (0.933, 0.87-0.97) |
| all four | 437 of 480 (0.910) | 440 (0.917, 0.89-0.94) |

Only peaks and glums moved, all towards open: on the first three seeds 2
peaks and 4 glum frames read shut before now read open, one blink frame (a
CEW face) reads open; on seed 495 one peak and two glums. What is left on
the first three (32 of 360): a smiling peak's eyes read shut 15 (the same
faces as before, GENKI laughs whose eyes are slits or shut; file1005 alone
is 4 of them, in three seeds), no face found 7 (the detectors read nothing
near them from the whole frame; the full range's quarters find 3 of the 4
looked at, at 0.4-0.8, but asking for the quarters on every frame without
a face would cost ~18 ms such a frame, past the stage's 40 ms), a peak
with a second, false face read turned away 2 (sunglasses pushed up on the
head, a blurred flower beside the face: both key), and peaks read right
that lost to the sets' labels, a blink frame read open and smiling, or
the group rule 8.

Second faces, looked at (2026-11-27): 11 of the four seeds' 1,440 frames
had two faces. 2 were real (a GENKI photo of two people), 3 the same
face's forehead (hair, sunglasses pushed up) or chin and neck found again,
stacked on it, and 6 a background or a pasted photo's corner read as a
face (a street lamp with "open" eyes). An unsure detection stacked on a
sure face is now part of it (`ml.faces.find.without_parts`), and an
unsure face under 0.55 of the largest sure face is no key face
(`ml.faces.verdicts.mark_key_faces`); neither moves a face of the labelled
set, the fixtures or the people dev photos. On the same bursts, each step
alone changing only the bursts it was aimed at:

| bursts | before (9c98bd6) | parts of a face | and unsure small faces not key |
|---|---|---|---|
| seed 492 | 113 | 113 | 113 (0.942) |
| seed 493 | 111 | 111 | 111 (0.925) |
| seed 494 | 104 | 105 (burst 40) | 106 (burst 55; 0.883) |
| seed 495 | 112 | 113 (burst 100) | 113 (0.942) |
| all four | 440 of 480 (0.917) | 442 | 443 (0.923, Wilson 0.896-0.944) |

The second face of seed 493's burst 15 is a real person, open-eyed at the
camera beside a glum face: that frame has more faces ready and keeps the
star, as the group rule says it should.

Since (2026-11-27, the next turn): a frame in which no face was found,
shot within the burst pause of frames whose key faces were, is looked at
again where those faces are (the faces phase's look again:
`ml.faces.relook`, `ml.faces.find.again_regions`), taking only a face at
that place and of that size. On the same bursts, before (b5c6ca5) and
after:

| bursts | before | after |
|---|---|---|
| seed 492 | 113 | 114 (0.950, Wilson 0.90-0.98; burst 31) |
| seed 493 | 111 | 112 (0.933; burst 3) |
| seed 494 | 106 | 109 (0.908; bursts 0, 70, 77) |
| seed 495 | 113 | 113 (0.942) |
| all four | 443 of 480 (0.923) | 448 (0.933, Wilson 0.91-0.95) |

Of the 9 peaks without a face, 6 are found, 5 of them now starred (494/13
reads right but its face is softer than the glum's: the bench matched its
partners' sharpness to a peak it did not find in process). 495/105's peak
is found too but the mesh hardly sees it ("turned away or hidden"), and a
look again takes only a face the mesh sees (the look again bench: random
places on the fixtures without people read a plant or a blur as such a
face); the other 2 are GENKI photos of a whole person, a face of ~12-25 px,
none of the siblings' size. What is left (32 of 480): a smiling peak's eyes
read shut 14 and "can't tell" 1 (the laughs above), peaks read right that
lost 11 — 3 to
GENKI's file2379 (labelled not smiling, it laughs), 3 to a glum face read
smiling (0.78-0.91), 3 to a CEW "shut" face read open and smiling, 1 to a
real second person (the group rule), 1 to a softer face — a smile not
read 2, no face 3, looking away 1.

Since (2026-11-27, the next turn): the pools are hand-labelled
(`burst_star.BURST_LABELS`, every frontal GENKI face looked at, none of the
stage's readings shown): peaks whose eyes are shut or slits in a laugh are
left out (the right frame is open-eyed), glums that plainly smile and photos
holding a second person out of both; and the star has a last people step,
"eyes most open" (ml.bursts; the group bench's). The bursts are new draws
(the pools changed), so the seeds' figures do not compare with the tables
above; the step's own effect is the replay's, on the same readings:

| bursts | without the last step | the bench | peaks whose eyes are seen |
|---|---|---|---|
| seed 492 | 117 of 120 | 117 (0.975) | 97 of 98 |
| seed 493 | 114 | 113 (0.942) | 95 of 98 |
| seed 494 | 114 | 115 (0.958) | 92 of 94 |
| seed 495 | 106 | 107 (0.892) | 79 of 83 |
| seed 496 (built after the changes) | 108 | 108 (0.900) | 89 of 94 |
| all five | 559 of 600 | 560 (0.933, Wilson 0.911-0.950) | 452 of 467 (0.968, 0.947-0.980) |

Still short of 0.95 over all bursts. Of the 40 misses, 25 are peaks whose
eyes cannot be seen open (`eyes_unseen`: blurred, pixelated, washed out or
dark GENKI photos, kept in the pool): 15 of those the stage reads shut or
can't tell, 5 lost to a partner whose face the import read much sharper
than the bench's in-process measure had matched it. Of the 15 whose eyes
are seen: a smile read under the line or a glum face read smiling (9;
file3967, labelled not smiling, reads 0.87-0.92 in 3 of them), the peak
read looking away at the dog in its photo (2), a second face found in the
peak's photo (1), the blink's CEW face read open and smiling (1), a softer
face (1), no face found in a whole-figure photo (1). What caps it is, as
before, what the stage reads on one face, not the rule: the last step's
net is one more peak of 600 (the replay).

Since (2026-11-27, a later session): the partners are matched to the peak
as the import reads it (`burst_star`: a peak the whole frame shows no face
in is measured where a sibling's face is, as the import's look again finds
it, and up to `burst_star.MORE_FROM` candidates when none of the first 16 is
within `MATCH_WITHIN`). On the five seeds above, 34 of the 600 glum partners
(and 103 blinks) had been read more than 8 points off the peak's face, a
peak whose face the whole frame did not show had its partners drawn
unmatched, and 9 of the 40 misses were a peak read right whose face was
10-25 points softer than the star's (3 of them such peaks) — bursts no
camera takes, decided by the partners' sharpness. The
bursts matched in the first 16 are drawn as before (the extra candidates
come from a generator of the burst's own); no stage code changed:

| bursts | partners as before | matched as read | peaks whose eyes are seen |
|---|---|---|---|
| seed 492 | 117 of 120 | 119 (0.992) | 98 of 98 |
| seed 493 | 113 | 112 (0.933) | 95 of 98 |
| seed 494 | 115 | 116 (0.967) | 92 of 94 |
| seed 495 | 107 | 112 (0.933) | 80 of 83 |
| seed 496 | 108 | 110 (0.917) | 91 of 94 |
| all five | 560 (0.933) | **569 (0.948; 0.928-0.963)** | **456 of 467 (0.976; 0.958-0.987)** |

(Wilson 95 % intervals.) One burst short of 0.95 over all bursts (the
interval holds it); where the peak's eyes can be seen open, the interval
sits above it. No miss is a peak read right that lost to a sharper
partner now (496/13's peak, found only by the import's look again at both
siblings' faces, is still 30 points softer than its glum: the bench's
look again, at one candidate's face, did not find it). The 31 left: the
peak's eyes read shut (6) or "can't tell" (5) — laughs whose eyes are slits
in small, soft or dark GENKI photos, every one labelled `eyes_unseen`; a
faint closed-mouth smile read under the line (6: file1135, file1943 twice,
file1005, file0703, file1141, read 0.04-0.28); no face found (5: photos of
a whole person, file0499, file1815, file0853, whose faces are 15-35 px in
the frame); a partner read smiling too, and the technical scores or the
surer smile then decide (5: GENKI's file3967, labelled not smiling, a
closed-mouth smile read 0.85-0.92, in three; a glum read 0.94 against the
peak's 0.68; a blink's CEW face read open and smiling); the peak read
looking away at the dog in its photo (2, file1635) or its gaze not told on
a face 30 points softer than the glum's (1); a second face found in the
peak's frame (1). Two bursts that had starred the peak now miss (493/103
and 493/105: a newly matched glum as sharp, with the peak's smile read 0.13
or both read smiling): the matching takes none of the stage's misreadings
away, it stops hiding them behind the partners' sharpness.

Since (2026-11-28): the smile is the face model's mouth smile through one
line, no longer a regression fitted on GENKI-4K's development half (its
licence: ml.faces.expression) — the figures above were read on the faces
that regression was fitted on. Every seed imported again at faces-14, the
star's smile margin then set on the new score's scale
(`ml.faces.moment.SMILE_MARGIN`, chosen on seeds 492-493 and checked on
494-496; these figures from the replay of the kept catalogs,
`star_replay`):

| bursts | the fitted smile | the mouth smile through a line |
|---|---|---|
| seed 492 | 119 | 117 |
| seed 493 | 112 | 114 |
| seed 494 | 116 | 115 |
| seed 495 | 112 | 110 |
| seed 496 | 110 | 110 |
| all five | 569 (0.948) | **566 (0.943; 0.922-0.959)**, 453 of 467 eyes seen (0.970) |

What the change adds to the misses: glum faces whose closed-mouth half
smile reads over the line (a mouth smile of 0.55-0.65), which the
regression had learnt to call glum from these very labels.

Since (2026-11-28): the smile is the mean of the mouth smile and an
expression classifier's "happy" (fer's mini-Xception, trained on FER2013 by
others: ml.faces.expression), through a line set on the smile set's
development half. Every seed imported afresh at faces-15 (its kept bursts,
a fresh catalog; 30-40 s a seed), the star's rule unchanged:

| bursts | the mouth smile through a line | the mean with the classifier |
|---|---|---|
| seed 492 | 117 | 119 |
| seed 493 | 114 | 115 |
| seed 494 | 115 | 117 |
| seed 495 | 110 | 110 |
| seed 496 | 110 | 112 |
| all five | 566 (0.943) | **573 (0.955; Wilson 0.935-0.969)** |

The 27 misses, as the bench names them: the peak's eyes read shut (6) or
"eyes unknown" (4), no face found on the peak (6), a peak not read as
smiling (5), looking away (2) or "can't tell" (1), and a peak read right
that lost to a partner read smiling too (2) or chosen by another rule (1).
(The replay of the same catalogs with each frame's smile read again in
process gave 574, and with the mouth alone 565: the in-process preview
differs from the import's by a little.)

Invariants: deterministic for a seed and a number of bursts; nothing is
written inside the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.bench import burst_star as bs
from tests.bench import faces_dev as fd
from tests.bench import smile_dev as sd
from tests.bench.faces_eval import wilson
from tests.bench.results import write_results

pytestmark = pytest.mark.bench

BURSTS_ENV = "BURST_STAR_BURSTS"
KEEP_ENV = "BURST_STAR_KEEP"
DEFAULT_BURSTS = 120
SEED = 492
SEED_ENV = "BURST_STAR_SEED"  # another seed: bursts the rules were not looked at on
# A floor under what it measured (0.917-0.992 over seeds 492-496; Wilson lows
# 0.85-0.95: module docstring), asserted so it cannot fall.
MIN_RIGHT = 0.85
READ_RIGHT = "peak read right"  # eyes open, looking at the camera, smiling


def import_and_list(folder: Path, home: Path) -> list[dict[str, Any]]:
    """`curator import` (technical, faces, then the score step that groups the
    bursts) into a catalog of its own, then `curator list --json`'s rows."""
    env = dict(os.environ, CURATOR_HOME=str(home), CURATOR_CLIP_AUTO_DOWNLOAD="0")
    base = [sys.executable, "-m", "curator"]
    stages = "technical,faces,score"
    done = subprocess.run(
        [*base, "import", str(folder), "--stages", stages, "--json", "--no-progress"],
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
    rows: list[dict[str, Any]] = json.loads(listed.stdout)
    return rows


Reading = Callable[[list[bs.Planned], list[dict[str, Any]]], Any]


def import_and_report(
    where: Path,
    planned: list[bs.Planned],
    keep: bool,
    reading: tuple[Reading, Reading],
    results: str,
    title: str,
) -> dict[str, Any]:
    """The bursts in `where`/photos imported into a fresh catalog there, and
    `reading`'s report (its tally) printed and written to `results`.json;
    in a kept folder also its evidence, to evidence.json."""
    tally_of, evidence_of = reading
    home = where / "home"
    if home.exists():
        shutil.rmtree(home)  # a fresh catalog: the import measures and groups anew
    rows = import_and_list(where / "photos", home)
    report: dict[str, Any] = tally_of(planned, rows)
    print(f"\n{title} on real faces:", json.dumps(report, indent=1))
    write_results(f"{results}.json", report)
    if keep:
        (where / "evidence.json").write_text(json.dumps(evidence_of(planned, rows), indent=1))
    return report


def stage_measure(model: Any) -> bs.Measure:
    """The faces stage's sharpness of a photo's key faces (the softest), on its
    1,440 px preview, in process, and its first key face's box (looked for
    again at `again`'s boxes, as the import's look again does, when the whole
    frame shows none): what chooses a burst's partners."""
    import numpy as np
    from PIL import Image

    from curator.ml.faces.find import find_faces

    def measure(photo: Any, again: Sequence[bs.Box]) -> tuple[float | None, bs.Box | None]:
        rgb = np.asarray(photo.resize((1440, 1080), Image.Resampling.BOX))
        found = find_faces(rgb, model, "bench", describe=False)
        if again and not any(f.key for f in found.faces):
            found = find_faces(rgb, model, "bench", describe=False, look_again=again)
        key = [f.box for f in found.faces if f.key]
        return found.summary.key_sharpness, (key[0] if key else None)

    return measure


def why_missed(peak: dict[str, Any]) -> str:
    """What the stage read on a peak frame that lost (for the report)."""
    key = [f for f in peak.get("faces") or [] if f.get("key")]
    if not key:
        return "no face found"
    face = key[0]
    if face.get("eyes") != "open":
        return f"eyes {face.get('eyes')}"
    if face.get("looking") != "camera":
        return f"looking {face.get('looking') or 'cannot tell'}"
    if (face.get("smile") or 0.0) < 0.5:
        return "not read as smiling"
    return READ_RIGHT


def lost_how(peak: dict[str, Any], star: dict[str, Any]) -> str:
    """Why a peak read right (eyes open, at the camera, smiling) lost to `star`:
    its frame under the star's first rule (a frame under 60 % of the
    sharpest sibling's detail never gets the star), its key face more than
    the star rule's tolerance softer, the star's face read smiling too (then
    the sharper face or the technical scores decide), or another rule."""
    from curator.imaging.metrics import level_of_score
    from curator.ml.bursts import SCORE_CAP, SHARP_GATE
    from curator.ml.faces.moment import EXPRESSION_SHARP_TOLERANCE

    frame = [r.get("sharpness_score") for r in (peak, star)]
    if None not in frame:
        mine_level, star_level = (level_of_score(min(v, SCORE_CAP)) for v in frame)
        if mine_level < SHARP_GATE * star_level:
            return "peak's frame under the star's sharpness gate"
    mine, theirs = key_sharpness(peak), key_sharpness(star)
    if mine is not None and theirs is not None and mine < theirs - EXPRESSION_SHARP_TOLERANCE:
        return "peak's key face much softer"
    if any(f.get("key") and (f.get("smile") or 0.0) >= 0.5 for f in star.get("faces") or []):
        return "star read smiling too"
    return "star chosen by another rule"


def tally(planned: list[bs.Planned], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The star's share on the peak, and the misses by reason."""
    bursts = bs.frames_by_burst(planned, rows)
    unseen = bs.burst_labels()["eyes_unseen"]
    peaks_unseen = {p.burst for p in planned if p.kind == "peak" and p.source.name in unseen}
    right, right_seen, misses = 0, 0, Counter[str]()
    softer: list[tuple[float | None, float | None]] = []  # peak read right: (its, the star's)
    for n, frames in bursts.items():
        star = bs.starred(frames)
        if star is None:
            misses["not one burst"] += 1
            continue
        if star == ["peak"]:
            right += 1
            right_seen += n not in peaks_unseen
        else:
            why = why_missed(frames["peak"])
            if why == READ_RIGHT and len(star) == 1:
                why = f"{why}: {lost_how(frames['peak'], frames[star[0]])}"
                softer.append((key_sharpness(frames["peak"]), key_sharpness(frames[star[0]])))
            misses[f"{why} (star: {'/'.join(star) or 'none'})"] += 1
    return {
        "bursts": len(bursts),
        "star_on_peak": wilson(right, len(bursts)),
        "star_on_peak_of_those_grouped": wilson(right, len(bursts) - misses["not one burst"]),
        "star_on_peak_whose_eyes_are_seen": wilson(right_seen, len(bursts) - len(peaks_unseen)),
        "misses": dict(misses.most_common()),
        "read_right_peak_vs_star_sharpness": sorted(softer, key=lambda p: (p[0] or 0, p[1] or 0)),
    }


def key_sharpness(row: dict[str, Any]) -> float | None:
    """The softest key face's sharpness as listed (None without one)."""
    values = [f["sharpness"] for f in row.get("faces") or [] if f.get("key") and f.get("sharpness")]
    return min(values) if values else None


@pytest.mark.timeout(3600)
def test_the_star_goes_to_the_peak_frame(fixtures_dir: Path, tmp_path: Path) -> None:
    for reason in (sd.missing_reason(), fd.missing_reason()):
        if reason:
            pytest.skip(reason)
    from tests.faces_helpers import installed_model

    model = installed_model()
    bursts = int(os.environ.get(BURSTS_ENV, DEFAULT_BURSTS))
    keep = os.environ.get(KEEP_ENV)
    where = Path(keep) if keep else tmp_path
    planned = built_bursts(where, fixtures_dir, bursts, lambda: stage_measure(model))
    report = import_and_report(
        where, planned, keep is not None, (tally, evidence), "burst_star", "burst star"
    )
    rate = report["star_on_peak"][0]
    assert rate is not None and rate >= MIN_RIGHT, report


def seed() -> int:
    """The bursts' seed: `SEED`, or ``$BURST_STAR_SEED``."""
    return int(os.environ.get(SEED_ENV, SEED))


def built_bursts(
    where: Path, fixtures: Path, bursts: int, measure: Callable[[], bs.Measure]
) -> list[bs.Planned]:
    """The bursts in `where`/photos: reused when `where` holds the same seed and
    count's plan (`$BURST_STAR_KEEP`), else built (and their plan written)."""
    return bs.kept_or_built(
        where,
        {"seed": seed(), "bursts": bursts, "how": bs.HOW},
        lambda: bs.write_bursts(where / "photos", fixtures, bursts, seed(), measure()),
    )


def evidence(planned: list[bs.Planned], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per burst: each frame's readings (frame sharpness and exposure; the key
    face's eyes, openness, smile, looking, sharpness), which frame is the star
    and the star rule's step that left only it (`star_steps.deciding_step`)."""
    from tests.bench.star_steps import deciding_step

    bursts = bs.frames_by_burst(planned, rows)
    sources = {(p.burst, p.kind): p.source.name for p in planned}
    out = []
    for n, frames in sorted(bursts.items()):
        read = {kind: {"source": sources[n, kind], **readings(row)} for kind, row in frames.items()}
        star = [kind for kind, f in frames.items() if f["burst_best"]]
        out.append(
            {
                "burst": n,
                "star": "/".join(star) or "none",
                "grouped": len({f["burst_group"] for f in frames.values()} - {None}) == 1,
                "step": deciding_step(frames),
                "frames": read,
            }
        )
    return out


def readings(row: dict[str, Any]) -> dict[str, Any]:
    """What the stages read of one frame (its first key face's readings)."""
    key = [f for f in row.get("faces") or [] if f.get("key")]
    face = key[0] if key else {}
    return {
        "sharpness": row.get("sharpness_score"),
        "exposure": row.get("exposure_score"),
        "faces": len(row.get("faces") or []),
        "key": len(key),
        **{k: face.get(k) for k in ("eyes", "eyes_note", "openness", "smile", "looking")},
        "face_sharpness": face.get("sharpness"),
    }
