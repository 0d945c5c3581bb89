"""A burst's people: how the frames of one moment compare by their faces (step 4 of
`ml.bursts.best_frame`). Pure; no catalog, no Qt.

The steps (`people_steps`, each narrowing its frames to a non-empty subset, in
capture order; frames not judged leave the choice to the other rules):
1. no key face's eyes shut (`records.EyeState.CLOSED`; narrowed or untold eyes
   never count against a frame);
2. the fewest key faces seen looking away (one not found, or whose gaze is not
   told, is not held against it);
3. where `smiles`, among frames whose softest key face is within
   `EXPRESSION_SHARP_TOLERANCE` of the sharpest: every key face smiling, or
   where no frame has that, the most of the people smiling (`_most_smiling`);
4. everyone found: the most of the moment's people (`_most_found`: in at least
   half the frames, two or more);
5. key faces within `FACE_SHARP_TOLERANCE`; then (where `smiles`) the broadest
   smile (`SMILE_MARGIN`, once one reaches `SMILE_HINT`) and, where everyone
   smiles, the broadest smiles person by person;
6. no key face's eyes narrowed (after the smiles: a laugh beats a glum face);
7. everyone seen looking at the camera;
8. no key face's eyes under `OPEN_SHARE` as open as the same person's in
   another frame (late because a smile narrows the eyes);
9. of frames where someone laughs, the widest laughing eyes.
People are matched across frames by place and size (`people_of`,
`same_person`); the sharpness and smile steps (and `ml.bursts`' sharpness
gate, `softest_common`) compare only people found in every frame they weigh.
Invariants: pure functions of `records.Frame`s; the same frames in the same
order give the same answer. Measurements: docs/decisions/bursts.md,
docs/decisions/eyes-laugh.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from curator.records import SMILING_FROM, EyeState, Frame, KeyEyes, Looking

FACE_SHARP_TOLERANCE = 8.0  # key-face sharpness points under the sharpest: as sharp
EXPRESSION_SHARP_TOLERANCE = 20.0  # ... a smile is worth this much, never a soft face
SMILE_MARGIN = 0.05  # smile scores (0..1) this close are as broad: 0.03-0.05 star most (574/600)
# Where no frame is read smiling, a likeliest smile under this decides nothing: a smile
# the 0.5 line missed reads ~0.4, a glum face ~0.02, and 3 glum faces in 4 read under 0.1.
SMILE_HINT = 0.1
OPEN_SHARE = 0.7  # eyes under 70 % as open as the same person's in another frame: a half blink
SAME_PLACE = 0.5  # one person in two frames: centres within half a face's width ...
SAME_SIZE = 1.5  # ... and widths within 1.5 times of each other
COMPARED_FACES = 12  # a frame's widest key faces whose eyes are compared
COMPARED_ROWS = 256  # faces compared with all the others at once (a 256 x n table)

Step = Callable[[list[Frame]], list[Frame]]
Known = Mapping[int, tuple[KeyEyes, ...]] | None  # `best_frame`'s key eyes by photo id


def people_first(frames: list[Frame], smiles: bool = True) -> list[Frame]:
    """`people_steps` run on `frames`, the whole moment (module docstring)."""
    for _, step in people_steps(smiles, burst=frames):
        frames = step(frames)
    return frames


def people_steps(
    smiles: bool = True, key_eyes: Known = None, burst: Sequence[Frame] | None = None
) -> list[tuple[str, Step]]:
    """`people_first` as named steps (module docstring, step 4); `key_eyes`
    as `best_frame` takes them; `burst` the moment's frames, whose people
    "everyone found" counts (None: the frames that step is given)."""
    steps: list[tuple[str, Step]] = [
        ("no eyes shut", lambda fs: _preferring(fs, lambda f: f.closed_eyes is False)),
        ("fewest looking away", lambda fs: _fewest_away(fs, key_eyes)),
    ]
    if smiles:
        steps += [
            (
                "key faces nearly as sharp (smile)",
                lambda fs: _sharp_faces(fs, EXPRESSION_SHARP_TOLERANCE, key_eyes),
            ),
            ("smiling", lambda fs: _most_smiling(fs, key_eyes)),
        ]
    steps += [
        ("everyone found", lambda fs: _most_found(fs, key_eyes, burst)),
        ("key faces as sharp", lambda fs: _sharp_faces(fs, FACE_SHARP_TOLERANCE, key_eyes)),
    ]
    if smiles:
        steps.append(("broadest smile", lambda fs: _broadest_smile(fs, key_eyes)))
        steps.append(("broadest smiles, person by person", lambda fs: _smiles_each(fs, key_eyes)))
    steps += [
        ("eyes open, not narrowed", lambda fs: _preferring(fs, lambda f: f.laughing is not True)),
        ("looking at the camera", lambda fs: _preferring(fs, lambda f: f.all_at_camera is True)),
        ("eyes most open", lambda fs: _eyes_most_open(fs, key_eyes)),
        ("widest laughing eyes", lambda fs: _widest_laugh(fs, key_eyes)),
    ]
    return steps


def _key_eyes(frame: Frame, known: Known) -> tuple[KeyEyes, ...]:
    """The frame's key faces: `known`'s where it has them, else its own."""
    return frame.key_eyes if known is None else known.get(frame.photo_id, frame.key_eyes)


def people_of(frames: Sequence[Frame], known: Known = None) -> list[dict[int, KeyEyes]]:
    """The people of a moment's frames: each a map of frame index (in
    `frames`) to that person's key face there, matched by place
    (`same_person`, with the first face each person was seen with; a frame's
    `COMPARED_FACES` widest key faces, widest first, each person at most
    once a frame). A person missing from a frame was not found there."""
    people: list[dict[int, KeyEyes]] = []
    anchors: list[KeyEyes] = []
    for i, frame in enumerate(frames):
        widest = sorted(_key_eyes(frame, known), key=lambda e: -e.width)[:COMPARED_FACES]
        for face in widest:
            here = np.array([face.x, face.y, face.width, face.height])
            for person, anchor in zip(people, anchors, strict=True):
                there = np.array([anchor.x, anchor.y, anchor.width, anchor.height])
                if i not in person and bool(same_person(here, there)):
                    person[i] = face
                    break
            else:
                people.append({i: face})
                anchors.append(face)
    return people


def _fewest_away(frames: list[Frame], known: Known) -> list[Frame]:
    """The frames with the fewest key faces seen looking away, where the key
    faces' looks are known (a face not found, or whose gaze is not told, is
    not held against its frame; frames not judged stay); else the frames
    with the most faces ready (`_most_ready`: the summary's count)."""
    seen = [_key_eyes(f, known) for f in frames]
    if not any(e.eyes is not None for faces in seen for e in faces):
        return _most_ready(frames)
    away = [
        None if f.eyes_open is None else sum(e.looking is Looking.AWAY for e in faces)
        for f, faces in zip(frames, seen, strict=True)
    ]
    fewest = min((a for a in away if a is not None), default=None)
    return [f for f, a in zip(frames, away, strict=True) if a is None or a == fewest]


def _most_found(frames: list[Frame], known: Known, burst: Sequence[Frame] | None) -> list[Frame]:
    """The frames where the most of the moment's people are found: a person
    is the moment's when `people_of` finds them in at least half of the
    `burst`'s frames and in two or more (a face found once is a passer-by
    or a false detection); a frame that misses one lost them to a turn, a hand or
    blur. Frames not judged stay; without such people, all."""
    moment = list(burst) if burst is not None else frames
    index = {f.photo_id: i for i, f in enumerate(moment)}
    if len(moment) < 3 or any(f.photo_id not in index for f in frames):
        return frames
    often = [p for p in people_of(moment, known) if len(p) >= max(2, len(moment) / 2)]
    found = [
        None if f.eyes_open is None else sum(index[f.photo_id] in p for p in often) for f in frames
    ]
    most = max((n for n in found if n is not None), default=None)
    return [f for f, n in zip(frames, found, strict=True) if n is None or n == most]


def _most_smiling(frames: list[Frame], known: Known) -> list[Frame]:
    """The frames where every key face smiles; where none is, those where the
    most of the people (`people_of`: found, smile read, in every frame)
    smile (`SMILING_FROM`); all of them where no such person is."""
    every = [f for f in frames if f.smiling is True]
    if every or len(frames) < 2:
        return every or frames
    common = [
        p
        for p in people_of(frames, known)
        if len(p) == len(frames) and all(e.smile is not None for e in p.values())
    ]
    if not common:
        return frames
    counts = [sum((p[i].smile or 0.0) >= SMILING_FROM for p in common) for i in range(len(frames))]
    most = max(counts)
    return [f for f, n in zip(frames, counts, strict=True) if n == most]


def _smiles_each(frames: list[Frame], known: Known) -> list[Frame]:
    """Of frames where everyone smiles, those whose people (`people_of`: the
    ones found, smile read, in every frame) smile the broadest: their
    smiles' sum within `SMILE_MARGIN` of the best frame's (a person a frame
    missed decides nothing; fewer than two frames, or not all smiling: all)."""
    if len(frames) < 2 or not all(f.smiling is True for f in frames):
        return frames
    common = [
        p
        for p in people_of(frames, known)
        if len(p) == len(frames) and all(e.smile is not None for e in p.values())
    ]
    if not common:
        return frames
    sums = [sum(p[i].smile or 0.0 for p in common) for i in range(len(frames))]
    best = max(sums)
    return [f for f, total in zip(frames, sums, strict=True) if total >= best - SMILE_MARGIN]


def _widest_laugh(frames: list[Frame], known: Known) -> list[Frame]:
    """Of frames where a key face's eyes are narrowed in a laugh, those where
    the people narrowed in any of them (found, eyes measured, in every
    frame) have their eyes widest: the sum of their openness is the best
    (module docstring, step 4's last); all of them otherwise."""
    people = [
        p
        for p in people_of(frames, known)
        if len(p) == len(frames) and all(e.openness is not None for e in p.values())
    ]
    laughing = [p for p in people if any(e.eyes is EyeState.NARROWED for e in p.values())]
    if len(frames) < 2 or not laughing:
        return frames
    sums = [sum(p[i].openness or 0.0 for p in laughing) for i in range(len(frames))]
    best = max(sums)
    return [f for f, total in zip(frames, sums, strict=True) if total >= best]


def _eyes_most_open(frames: list[Frame], known: Known = None) -> list[Frame]:
    """The frames where no key face's eyes are under `OPEN_SHARE` as open as the
    same person's in another frame (`same_person`), or all of them when each has
    such a face (step 8); eyes Curator can't tell are not compared. Each frame's
    `COMPARED_FACES` widest key faces are compared with every other frame's,
    `COMPARED_ROWS` at a time (bounded memory): ~0.6 s of a 100,000-photo
    regroup's ~3.5 s; a 200-frame burst of a crowd of 30: ~0.1 s.
    """
    owner, eyes = [], []
    for i, frame in enumerate(frames):
        measured = [
            e
            for e in _key_eyes(frame, known)
            if e.openness is not None and e.eyes is not EyeState.UNKNOWN
        ]
        widest = sorted(measured, key=lambda e: -e.width)[:COMPARED_FACES]
        owner += [i] * len(widest)
        eyes += [(e.x, e.y, e.width, e.height, e.openness) for e in widest]
    if len(set(owner)) < 2:
        return frames
    who, table = np.array(owner), np.array(eyes, dtype=np.float64)
    drooping: set[int] = set()
    for start in range(0, len(who), COMPARED_ROWS):
        mine, mine_who = (
            table[start : start + COMPARED_ROWS, None],
            who[start : start + COMPARED_ROWS],
        )
        droop = (
            same_person(mine[..., :4], table[None, :, :4])
            & (mine_who[:, None] != who[None, :])
            & (mine[..., 4] < OPEN_SHARE * table[None, :, 4])
        )
        drooping.update(mine_who[droop.any(axis=1)].tolist())
    return [f for i, f in enumerate(frames) if i not in drooping] or frames


def same_person(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Whether key faces (centre x, centre y, width, height, each a fraction
    of the frame's own width or height; broadcast against each other) are
    one person who held still between two frames: centres within
    `SAME_PLACE` of a face's width across and of its height up or down (each
    axis in its own fractions: in a 3:2 frame a face's width is two thirds
    of its height as fractions), widths within `SAME_SIZE` times."""
    width = np.maximum(a[..., 2], b[..., 2])
    height = np.maximum(a[..., 3], b[..., 3])
    return (
        (np.abs(a[..., 0] - b[..., 0]) < SAME_PLACE * width)
        & (np.abs(a[..., 1] - b[..., 1]) < SAME_PLACE * height)
        & (np.minimum(a[..., 2], b[..., 2]) * SAME_SIZE > width)
    )


def _broadest_smile(frames: list[Frame], known: Known = None) -> list[Frame]:
    """The frames whose least smile is within `SMILE_MARGIN` of the broadest
    — of frames that all smile, or, where none is read smiling, as long as
    the likeliest smile reaches `SMILE_HINT` (a smile the 0.5 line missed,
    0.4 against a glum 0.02); fainter ones decide nothing (frames without a
    smile read stay). A frame's least smile is that of the people found in
    every frame (`_least_common_smile`) where the frames' key faces are
    known: a face one frame alone found (a passer-by, a person the others
    missed) neither sinks nor lifts it; else the least key face's."""
    least = _least_common_smile(frames, known)
    scored = [s for s in least if s is not None]
    if len(scored) < 2:
        return frames
    best = max(scored)
    if best < SMILE_HINT:
        return frames
    return [f for f, s in zip(frames, least, strict=True) if s is None or s >= best - SMILE_MARGIN]


def _least_common_smile(frames: Sequence[Frame], known: Known) -> list[float | None]:
    """Each frame's least smile among the people found, smile read, in every
    one of `frames` (`people_of`); the frame's own `Frame.smile` (its least
    key face's) where no such person is."""
    common = [
        p
        for p in people_of(frames, known)
        if len(p) == len(frames) and all(e.smile is not None for e in p.values())
    ]
    if not common:
        return [f.smile for f in frames]
    return [
        None if f.smile is None else min(p[i].smile or 0.0 for p in common)
        for i, f in enumerate(frames)
    ]


def _most_ready(frames: list[Frame]) -> list[Frame]:
    """The frames with the most faces ready (ml.faces.verdicts `is_ready`)."""
    most = max((f.faces_ready or 0 for f in frames), default=0)
    return [f for f in frames if f.faces_ready == most] if most > 0 else frames


def _sharp_faces(frames: list[Frame], tolerance: float, known: Known = None) -> list[Frame]:
    """The frames whose softest key face is within `tolerance` points of the
    sharpest such face (frames without one stay). Where the frames' key faces
    are known, a frame's softest is that of the people found, sharpness
    measured, in every frame (`people_of`): a person one frame missed makes
    it neither sharper nor softer; else the summary's softest key face."""
    softest = softest_common(frames, known)
    sharp = [s for s in softest if s is not None]
    if not sharp:
        return frames
    top = max(sharp)
    return [f for f, s in zip(frames, softest, strict=True) if s is None or s >= top - tolerance]


def softest_common(frames: Sequence[Frame], known: Known = None) -> list[float | None]:
    """Each frame's softest key face: that of the people found, sharpness
    measured, in every one of `frames` (`people_of`), so a person one frame
    missed (or did not count key) makes it neither sharper nor softer; the
    summary's softest key face (`Frame.key_face_sharpness`) where no such
    person is or the frame has none."""
    common = [
        p
        for p in people_of(frames, known)
        if len(p) == len(frames) and all(e.sharpness is not None for e in p.values())
    ]
    return [
        f.key_face_sharpness
        if not common or f.key_face_sharpness is None
        else min(p[i].sharpness or 0.0 for p in common)
        for i, f in enumerate(frames)
    ]


def _preferring(frames: list[Frame], wanted: Callable[[Frame], bool]) -> list[Frame]:
    """The frames that are `wanted`, or all of them when none is."""
    chosen = [f for f in frames if wanted(f)]
    return chosen or frames
