"""A group burst's star on the frame where everyone smiles, laughs kept in (issue 74 §3).

Run with ``make bench``. `group_laugh.write_group_laughs` builds the bursts
(its docstring: four frames of one scene holding three people, each a GENKI-4K
smile — open-eyed or narrowed in a laugh, by hand labels — and a glum face
matched in sharpness by the faces stage's own measure; one frame where all
three smile, one where one is glum, one where all are, one where one is
covered by a shut-eyed CEW face); a real ``curator import --stages
technical,faces,score`` measures and groups them, as the group-star bench
does (`test_burst_star_bench.import_and_report`). Reported: the share of
bursts whose star is the frame where everyone smiles, with its Wilson 95 %
interval; the same among the bursts whose smiling frame holds a laugh (a
face hand-labelled narrowed); and for each miss what the stage read on the
smiling frame (a face not found or not key, a face read closed or "can't
tell", a face not read smiling) or, where it read it right, which frame
won. ``$GROUP_LAUGH_SEED`` builds other bursts, ``$GROUP_LAUGH_BURSTS``
sets how many (default `BURSTS`), ``$GROUP_LAUGH_KEEP`` keeps them (and
the catalog and per-burst evidence) in a folder outside the checkout.

The issue asks this bench to put the star on the smiling frame in
`TARGET` of whole bursts; it asserts a floor just under what it measures
(`MIN_RIGHT`), so that it cannot fall: since the eyes verdict tells a laugh
from a blink, the star compares people across frames and, where no frame has
everyone smiling, counts who smiles, 229 of 240 (0.954, Wilson 0.920-0.974;
213 before issue 74), the misses each a reading of the stage (a smile, a
gaze, a face not found). Measured: docs/decisions/eyes-laugh.md.

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
from tests.bench.test_burst_star_bench import import_and_report, stage_measure

pytestmark = pytest.mark.bench

BURSTS = 240
SEED = 742
SEED_ENV = "GROUP_LAUGH_SEED"
BURSTS_ENV = "GROUP_LAUGH_BURSTS"
KEEP_ENV = "GROUP_LAUGH_KEEP"
TARGET = 0.95  # the figure: 229 of 240 (module docstring)
MIN_RIGHT = 0.94  # a floor under today's 0.954 (Wilson 0.920-0.974; docs/decisions/eyes-laugh.md)


def key_faces(row: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in row.get("faces") or [] if f.get("key")]


def why_missed(smiles: dict[str, Any], star: list[str]) -> str:
    """What the stage read on the smiling frame that lost (for the report)."""
    key = key_faces(smiles)
    if len(key) < gs.PEOPLE:
        return f"smiling frame: {len(key)} of {gs.PEOPLE} faces key"
    eyes = Counter(f.get("eyes") for f in key)
    if eyes["closed"]:
        return "smiling frame: a face read closed"
    if eyes["open"] + eyes["narrowed"] < gs.PEOPLE:
        return "smiling frame: a face's eyes not told"
    if any((f.get("smile") or 0.0) < 0.5 for f in key):
        return "smiling frame: a face not read smiling"
    if any(f.get("looking") == "away" for f in key):
        return "smiling frame: a face read looking away"
    return f"smiling frame read right, lost to {'/'.join(star) or 'none'}"


def laughing(people: dict[int, list[str]]) -> set[int]:
    """The bursts whose smiling frame holds a face hand-labelled narrowed."""
    eyes = gl.hand_labels(gl.EYES)
    return {n for n, faces in people.items() if any(eyes.get(f) == "narrowed" for f in faces)}


def tally(
    planned: list[bs.Planned], rows: list[dict[str, Any]], people: dict[int, list[str]]
) -> dict[str, Any]:
    """The star's share on the smiling frame, and the misses by reason."""
    bursts = bs.frames_by_burst(planned, rows)
    laughs = laughing(people)
    right, right_laughing, misses = 0, 0, Counter[str]()
    for n, frames in bursts.items():
        star = bs.starred(frames)
        if star is None:
            misses["not one burst"] += 1
            continue
        if star == ["smiles"]:
            right += 1
            right_laughing += n in laughs
            continue
        misses[why_missed(frames["smiles"], star)] += 1
    return {
        "bursts": len(bursts),
        "star_on_smiles": wilson(right, len(bursts)),
        "star_on_smiles_with_a_laugh": wilson(right_laughing, len(laughs & set(bursts))),
        "misses": dict(misses.most_common()),
    }


def evidence(
    planned: list[bs.Planned], rows: list[dict[str, Any]], people: dict[int, list[str]]
) -> list[dict[str, Any]]:
    """Per burst: its people's smiles, the star, the star rule's step that left
    the smiling frame out (`star_steps.deciding_step`) and each frame's key
    faces' readings."""
    from tests.bench.star_steps import deciding_step

    bursts = bs.frames_by_burst(planned, rows)
    fields = ("eyes", "eyes_note", "openness", "smile", "looking", "sharpness", "size_px")
    return [
        {
            "burst": n,
            "people": people.get(n, []),
            "star": "/".join(k for k, f in frames.items() if f["burst_best"]) or "none",
            "step": deciding_step({"peak" if k == "smiles" else k: f for k, f in frames.items()}),
            "frames": {
                kind: [{k: face.get(k) for k in fields} for face in key_faces(row)]
                for kind, row in frames.items()
            },
        }
        for n, frames in sorted(bursts.items())
    ]


def built(where: Path, fixtures: Path, bursts: int, seed: int, model: Any) -> list[bs.Planned]:
    """The bursts in `where`/photos: reused when their plan matches, else built."""
    return bs.kept_or_built(
        where,
        {"seed": seed, "bursts": bursts, "how": gl.HOW},
        lambda: gl.write_group_laughs(
            where / "photos", fixtures, bursts, seed, stage_measure(model)
        ),
    )


@pytest.mark.timeout(5400)
def test_a_group_star_goes_to_the_frame_where_everyone_smiles(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    for reason in (sd.missing_reason(), fd.missing_reason()):
        if reason:
            pytest.skip(reason)
    from tests.faces_helpers import installed_model

    model = installed_model()
    keep = os.environ.get(KEEP_ENV)
    where = Path(keep) if keep else tmp_path
    where.mkdir(parents=True, exist_ok=True)
    seed = int(os.environ.get(SEED_ENV, SEED))
    bursts = int(os.environ.get(BURSTS_ENV, BURSTS))
    planned = built(where, fixtures_dir, bursts, seed, model)
    people = gl.people_of(where / "photos")
    reading = (
        lambda p, r: tally(p, r, people),
        lambda p, r: evidence(p, r, people),
    )
    report = import_and_report(
        where, planned, keep is not None, reading, "group_laugh", "group laugh"
    )
    rate = report["star_on_smiles"][0]
    assert rate is not None and rate >= MIN_RIGHT, report
