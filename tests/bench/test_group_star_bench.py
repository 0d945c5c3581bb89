"""A group burst's star on the frame where everyone is ready, on real faces
(issue 49 §2's group rule).

Run with ``make bench``. `group_star.write_group_bursts` builds the bursts
(its docstring: three frames of one scene holding a group of three people —
all open-eyed in one frame, one of them shut-eyed in each of the other two);
a real ``curator import --stages technical,faces,score`` measures and groups
them, as the single-face bench does (`test_burst_star_bench.import_and_list`).
Reported: the share of bursts whose star is the frame where everyone is
ready, with its Wilson 95 % interval, and for each other burst what the
stage read: on the ready frame (a face not found, a face read shut or
"can't tell", a face read looking away) or on the star (its shut face read
open). ``$GROUP_STAR_SEED`` builds other bursts, ``$GROUP_STAR_KEEP`` keeps
them (and the catalog and per-burst evidence) in a folder outside the
checkout, as the single-face bench's variables do.

Measured (2026-11-27, the Xeon of the faces bench's last figures, while
the suite ran beside it; ~3 min a seed): seed 592, the star on the ready
frame in 98 of 120 bursts (0.817, Wilson 0.74-0.88); seed 593, 100 (0.833,
0.76-0.89); both, 198 of 240 (0.825, 0.77-0.87) — under the 0.95 the
issue asks of bursts. The rule did what it says in all but one of the
misses; what the stage read on single faces decided the rest:
- the ready frame had a face read shut: 11 and 7. On seed 592, in 9 of
  those 11 the same person reads shut in every frame they are in: GENKI
  photos labelled only smiling or not, whose eyes are narrow (file2447,
  in three bursts), squinted or half-lidded; as the stage reads them, the
  "everyone open" frame is not, and the frame where that very person was
  covered by the blinker ties it (its star is then the sharper faces');
- a shut CEW face read open: 7 and 10 (that frame then has everyone open
  too, and the sharper key faces win: half the time);
- a person not found, or found and not key: 3 and 3;
- seed 592's burst 46: every face read right, the ready frame out at the
  exposure gate (the pasted faces move the frame's exposure score; a
  blink does not, in a real burst).
A group's star needs every face of its frames read right: at the eyes
figures' per-face rates (shut read open ~3-4 % of CEW faces; open faces
read shut ~3 % of these GENKI faces) three faces in three frames give
about 0.85, what this measures. Before the faces were pasted over the
person's photo (not in place of it), the same seed read 0.775: a frame
that lost a whole photo of a person to a small crop measured up to 1.7 EV
darker, and the star's sharpness gate (a frame's detail weighed for its
exposure) let it through as the sharper frame.

Since (2026-11-27, the next turn), two changes, each measured on its own:
- the ready people are faces whose eyes are seen open (`group_star.
  open_eyed`: hand labels of every glum face, `burst_star.BURST_LABELS`).
  The first misses above were GENKI faces labelled only "not smiling"
  whose eyes are narrow, lowered, shut or not to be seen — no frame of
  such a burst has everyone ready, so the bench had no right answer;
- the star's last people step (ml.bursts `_eyes_most_open`): of frames
  alike in their people, not one where a key face's eyes are under 70 %
  as open as the same person's in another frame — a shut face read open
  still reads narrower than the open face it stands for.

| bursts | ready faces seen open | and the eyes most open |
|---|---|---|
| seed 592 | 113 of 120 | 116 (0.967, Wilson 0.92-0.99) |
| seed 593 | 111 | 113 (0.942, 0.88-0.97) |
| seed 594 (built after both changes) | 116 | 117 (0.975, 0.93-0.99) |
| all three | 340 of 360 (0.944) | 346 (0.961, Wilson 0.935-0.977) |

Since issue 74 a laugh beats a frame where nobody smiles, and where no frame
has everyone smiling the most smiles win: the CEW crops that are a laugh's
narrowed eyes (hand-labelled in tests/bench/data/faces_dev_shut_smiles.csv),
standing in over a glum face, now take the star from the all-glum ready
frame. Seed 592: on the ready frame 108 of 120 (0.900, Wilson 0.833-0.942;
116 before); on it or on a frame whose stand-in is a laugh
(`star_on_ready_or_a_laugh`) 118 (0.983, 0.941-0.995; 119 before).
docs/decisions/eyes-laugh.md.

(The first column is the rule without its last step, replayed on the same
import's readings: `star_replay`.) What is left (14 of 360): a shut CEW face
read open, not 30 % narrower than the face it stands for, or decided
before the last step (9); a ready face not found, or found and not key
(2); a ready face read shut (1); the ready frame read right and lost (2).

Invariants: deterministic for a seed and a number of bursts; nothing is
written inside the checkout.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.bench import burst_star as bs
from tests.bench import faces_dev as fd
from tests.bench import group_laugh as gl
from tests.bench import group_star as gs
from tests.bench import smile_dev as sd
from tests.bench.faces_eval import wilson
from tests.bench.test_burst_star_bench import import_and_report

pytestmark = pytest.mark.bench

BURSTS = 120
SEED = 592
SEED_ENV = "GROUP_STAR_SEED"
KEEP_ENV = "GROUP_STAR_KEEP"
MIN_RIGHT = 0.88  # a floor under what it measured (0.942-0.975; Wilson lows 0.88-0.93)


def why_missed(ready: dict[str, Any], star: dict[str, Any] | None) -> str:
    """What the stage read that cost the ready frame the star."""
    faces = ready.get("faces") or []
    key = [f for f in faces if f.get("key")]
    if len(key) < gs.PEOPLE:
        return f"ready frame: {len(key)} of {gs.PEOPLE} faces key ({len(faces)} found)"
    eyes = Counter(f.get("eyes") for f in key)
    if eyes["closed"]:
        return "ready frame: a face read shut"
    if star is not None:
        star_eyes = Counter(f.get("eyes") for f in star.get("faces") or [] if f.get("key"))
        if not star_eyes["closed"]:
            return "the star's shut face not read shut"
    if eyes["open"] < gs.PEOPLE:
        return "ready frame: a face's eyes not told"
    if any(f.get("looking") == "away" for f in key):
        return "ready frame: a face read looking away"
    return "ready frame read right, lost"


def tally(planned: list[bs.Planned], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The star's share on the ready frame, and the misses by reason; and the
    share on the ready frame or on a frame whose stand-in is a laugh (a CEW
    crop hand-labelled narrowed in tests/bench/data/faces_dev_shut_smiles.csv:
    issue 74 makes it narrowed, not shut, and a laugh beats a frame where
    nobody smiles, as every ready frame here is)."""
    bursts = bs.frames_by_burst(planned, rows)
    laughs = {f for f, label in gl.hand_labels(gl.SHUT_SMILES).items() if label == "narrowed"}
    stand_in = {(p.burst, p.kind): p.source.name for p in planned}
    right, on_laugh, misses = 0, 0, Counter[str]()
    for n, frames in bursts.items():
        star = bs.starred(frames)
        if star is None:
            misses["not one burst"] += 1
            continue
        if star == ["ready"]:
            right += 1
            continue
        on_laugh += len(star) == 1 and stand_in.get((n, star[0])) in laughs
        starred = frames[star[0]] if len(star) == 1 else None
        misses[f"{why_missed(frames['ready'], starred)} (star: {'/'.join(star) or 'none'})"] += 1
    return {
        "bursts": len(bursts),
        "star_on_ready": wilson(right, len(bursts)),
        "star_on_ready_or_a_laugh": wilson(right + on_laugh, len(bursts)),
        "misses": dict(misses.most_common()),
    }


def evidence(planned: list[bs.Planned], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per burst: the star, the deciding step and each frame's key faces' readings."""
    from tests.bench.star_steps import deciding_step

    bursts = bs.frames_by_burst(planned, rows)
    fields = ("eyes", "eyes_note", "smile", "looking", "sharpness", "size_px")
    return [
        {
            "burst": n,
            "star": "/".join(k for k, f in frames.items() if f["burst_best"]) or "none",
            "step": deciding_step({"peak" if k == "ready" else k: f for k, f in frames.items()}),
            "frames": {
                kind: [
                    {k: face.get(k) for k in fields}
                    for face in row.get("faces") or []
                    if face.get("key")
                ]
                for kind, row in frames.items()
            },
        }
        for n, frames in sorted(bursts.items())
    ]


def built(where: Path, fixtures: Path, seed: int) -> list[bs.Planned]:
    """The bursts in `where`/photos: reused when their plan matches, else built."""
    return bs.kept_or_built(
        where,
        {"seed": seed, "bursts": BURSTS, "how": gs.HOW},
        lambda: gs.write_group_bursts(where / "photos", fixtures, BURSTS, seed),
    )


@pytest.mark.timeout(3600)
def test_a_group_star_goes_to_the_frame_where_everyone_is_ready(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    for reason in (sd.missing_reason(), fd.missing_reason()):
        if reason:
            pytest.skip(reason)
    from tests.faces_helpers import installed_model

    installed_model()
    keep = os.environ.get(KEEP_ENV)
    where = Path(keep) if keep else tmp_path
    where.mkdir(parents=True, exist_ok=True)
    planned = built(where, fixtures_dir, int(os.environ.get(SEED_ENV, SEED)))
    report = import_and_report(
        where, planned, keep is not None, (tally, evidence), "group_star", "group star"
    )
    rate = report["star_on_ready"][0]
    assert rate is not None and rate >= MIN_RIGHT, report
