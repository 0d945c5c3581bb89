"""Burst and bracket detection, and best-frame suggestion. Pure; no catalog, no Qt.

A burst is a run of frames from one camera, each taken strictly less than
`max_gap_s` after the previous (counted from the end of its exposure, so a
bracket of long exposures stays one), showing the same scene as the run's
*first* frame (a slow pan does not drift): CLIP cosine ≥ `min_cosine`, or
structural signatures within `max_structure_distance` (imaging.structure
`prepared_same_scene`). What the camera says wins (imaging.drive_mode): one
sequence's consecutive frames are one scene; a bracket whose index starts again
opens a group. Frames sort by camera, capture time, sequence number, file name,
path — never the photo id; the sweep is O(n) after the sort. Frames without a
capture time, or with neither embedding nor signature, are never grouped.

Best frame (`best_frame`; `star_steps` names its steps, each narrowing the
frames to a non-empty subset):
1. a frame whose detail level (imaging.metrics `level_of_score`, allowing for
   `contrast`) is under `SHARP_GATE` of the sharpest's loses — unless, where
   every frame's key faces are judged, its softest key face passes the gate
   (of the people found in every frame: ml.faces.moment `softest_common`);
2. in a bracket (bias tags or settings differing by `BRACKET_MIN_EV`, or the
   camera says so) the frames nearest the metered exposure;
3. none more than `EXPOSURE_GATE` points under the best exposure score;
4. people, where judged: ml.faces.moment's `people_steps`;
5. exposure, then sharpness score (each within `tech_tolerance` of the best),
   then preference; a tie goes to the first frame in capture order.
`Frame` and `Burst` are curator.records' (re-exported). Measurements: docs/decisions/bursts.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

import numpy as np

from curator.imaging.metrics import level_of_score
from curator.imaging.structure import (
    SAME_SCENE_MAX_DISTANCE,
    prepare_signatures,
    prepared_same_scene,
)
from curator.ml.faces.moment import (
    Known,
    Step,
    people_first,
    people_of,
    people_steps,
    same_person,
    softest_common,
)
from curator.records import Burst, Frame, KeyEyes

__all__ = [
    "Burst",
    "Frame",
    "best_frame",
    "capture_order",
    "contrast",
    "exposed_well",
    "find_bursts",
    "new_bracket",
    "next_in_sequence",
    "people_first",
    "people_of",
    "people_steps",
    "relative_ev",
    "same_person",
    "settings_ev",
    "sharp_and_metered",
    "star_steps",
    "technical_quality",
]

SHARP_GATE = 0.6  # a level under 60 % of the sharpest sibling's: clearly less sharp
CONTRAST_GAMMA = 2.2  # sRGB: contrast (so detail level) goes as 2^(EV / 2.2) …
CONTRAST_GAMMA_UP = 4.5  # … darker; brighter, clipping eats part of the gain
SCORE_CAP = 90.0  # above it every frame is "perfectly sharp" (the curve's steep end)
BRACKET_MIN_EV = 0.5  # exposure settings this far apart: a (manual) bracket
METERED_EV_TOLERANCE = 0.15
EXPOSURE_GATE = 25.0  # exposure score points under the best: a badly exposed frame
_SEQUENCES = {"continuous", "bracket"}
# Photo ids -> their key eyes (`find_bursts`: a catalog's reader, called once).
KeyEyesLoader = Callable[[Sequence[int]], Mapping[int, tuple[KeyEyes, ...]]]


def technical_quality(frame: Frame) -> float:
    """Harmonic mean of sharpness and exposure (0 when either is missing or 0)."""
    s, e = frame.sharpness or 0.0, frame.exposure or 0.0
    return 0.0 if s <= 0 or e <= 0 else 2 * s * e / (s + e)


def capture_order(frame: Frame) -> tuple[str, datetime, bool, int, str, str]:
    """The sort key: camera, capture time, sequence number, file name, path."""
    assert frame.captured_at is not None
    seq = frame.sequence_number
    return (
        frame.camera or "",
        frame.captured_at,
        seq is None,
        seq if seq is not None else 0,
        frame.name,
        frame.path,
    )


def settings_ev(frame: Frame) -> float | None:
    """log2(exposure time × ISO / f-number²): the light the camera let in, in EV
    (more is brighter); None when a setting is missing."""
    t, n, iso = frame.exposure_time, frame.f_number, frame.iso
    if not t or not n or not iso or t <= 0 or n <= 0 or iso <= 0:
        return None
    return math.log2(t * iso / (n * n))


def relative_ev(frames: Sequence[Frame]) -> tuple[list[float], bool, float]:
    """(each frame's exposure in EV relative to the group, whether it is a
    bracket, the metered exposure on that scale): from the bias tags when they
    differ; else from the exposure settings (manual bracketing: the middle of
    the bracket is the metered one); else from the measured EV (pixels)."""
    n = len(frames)
    biases = [f.exposure_bias for f in frames]
    said = any(f.drive_mode == "bracket" for f in frames)
    if all(b is not None for b in biases) and len({b for b in biases}) > 1:
        return [float(b) for b in biases], True, 0.0  # type: ignore[arg-type]
    settings = [settings_ev(f) for f in frames]
    if all(v is not None for v in settings):
        values = [float(v) for v in settings]  # type: ignore[arg-type]
        if said or max(values) - min(values) >= BRACKET_MIN_EV:
            return values, True, float(np.median(values))
    measured = [f.exposure_ev for f in frames]
    if all(v is not None for v in measured):
        values = [float(v) for v in measured]  # type: ignore[arg-type]
        return values, said, float(np.median(values)) if said else 0.0
    return [0.0] * n, said, 0.0


def contrast(ev: float) -> float:
    """How much more detail a frame `ev` EV brighter shows of the same scene:
    2^(ev/2.2) darker (measured 0.69 at −1.3 EV on the fixtures, 0.66 by the
    model), 2^(ev/4.5) brighter (1.21 measured at +1.3 EV: clipping)."""
    return 2 ** (ev / (CONTRAST_GAMMA if ev < 0 else CONTRAST_GAMMA_UP))


def best_frame(
    frames: Sequence[Frame],
    tech_tolerance: float = 5.0,
    smiles: bool = True,
    key_eyes: Known = None,
) -> int:
    """The suggested frame's photo id (rule in the module docstring); `frames`
    in capture order; `smiles` False: a smile decides nothing (step 4);
    `key_eyes`, where given, the frames' key eyes by photo id (instead of
    their `Frame.key_eyes`)."""
    candidates = list(frames)
    for _, step in star_steps(tech_tolerance, smiles, key_eyes, frames):
        candidates = step(candidates)
    top_pref = max(f.preference or 0.0 for f in candidates)
    return next(f for f in candidates if (f.preference or 0.0) == top_pref).photo_id


def star_steps(
    tech_tolerance: float = 5.0,
    smiles: bool = True,
    key_eyes: Known = None,
    burst: Sequence[Frame] | None = None,
) -> list[tuple[str, Step]]:
    """`best_frame`'s rule as named steps, each narrowing the frames it is given
    (in capture order) to a non-empty subset; the star is the first frame of
    the last step's result with the best preference. Named so a bench can say
    which step decided a burst. `burst`: the moment's frames, whose people
    the "everyone found" step counts (None: the frames it is given)."""
    steps: list[tuple[str, Step]] = [
        ("sharpness gate and bracket", lambda fs: sharp_and_metered(fs, key_eyes)),
        ("exposure gate", exposed_well),
        *people_steps(smiles, key_eyes, burst),
    ]
    for name, get in (
        ("exposure", _score(lambda f: f.exposure)),
        ("sharpness", _score(lambda f: f.sharpness)),
    ):
        steps.append((f"{name} score", _within(get, tech_tolerance)))
    return steps


def sharp_and_metered(frames: list[Frame], key_eyes: Known = None) -> list[Frame]:
    """Steps 1 and 2: the frames not clearly less sharp than the sharpest (for
    their exposure; or whose key faces are not, where every frame has them
    judged: the softest of the people found in every frame, `softest_common`),
    and in a bracket those nearest the metered exposure."""
    evs, bracket, metered = relative_ev(frames)
    pool = list(zip(frames, evs, strict=True))
    passed = _not_less_sharp([f.sharpness for f in frames], evs)
    if all(f.key_face_sharpness is not None for f in frames):
        faces = _not_less_sharp(softest_common(frames, key_eyes), evs)
        passed = [a or b for a, b in zip(passed, faces, strict=True)]
    pool = [p for p, ok in zip(pool, passed, strict=True) if ok]
    if bracket:
        nearest = min(abs(ev - metered) for _, ev in pool)
        pool = [(f, ev) for f, ev in pool if abs(ev - metered) <= nearest + METERED_EV_TOLERANCE]
    return [f for f, _ in pool]


def _not_less_sharp(scores: Sequence[float | None], evs: Sequence[float]) -> list[bool]:
    """Whether each score's detail level (for its exposure) is at least
    `SHARP_GATE` of the sharpest's (a missing score passes)."""
    levels = [
        None if v is None else level_of_score(min(v, SCORE_CAP)) / contrast(ev)
        for v, ev in zip(scores, evs, strict=True)
    ]
    judged = [v for v in levels if v is not None]
    top = max(judged, default=0.0)
    return [v is None or v >= SHARP_GATE * top for v in levels]


def _within(get: Callable[[Frame], float], tolerance: float) -> Step:
    """A step keeping the frames within `tolerance` of the best by `get`."""

    def step(frames: list[Frame]) -> list[Frame]:
        best = max(get(f) for f in frames)
        return [f for f in frames if get(f) >= best - tolerance]

    return step


def exposed_well(frames: Iterable[Frame]) -> list[Frame]:
    """Step 3: the frames within `EXPOSURE_GATE` points of the best exposure score
    (frames without a score stay)."""
    pool = list(frames)
    scores = [f.exposure for f in pool if f.exposure is not None]
    if not scores:
        return pool
    best = max(scores)
    return [f for f in pool if f.exposure is None or f.exposure >= best - EXPOSURE_GATE]


def _score(get: Callable[[Frame], float | None]) -> Callable[[Frame], float]:
    return lambda f: get(f) or 0.0


def next_in_sequence(earlier: Frame, later: Frame) -> bool:
    """The camera says `later` is the frame after `earlier` in one burst or bracket."""
    return (
        earlier.drive_mode in _SEQUENCES
        and later.drive_mode == earlier.drive_mode
        and earlier.sequence_index is not None
        and later.sequence_index == earlier.sequence_index + 1
    )


def new_bracket(earlier: Frame, later: Frame) -> bool:
    """The camera says `later` starts another bracket (its index starts again)."""
    return (
        earlier.drive_mode == "bracket"
        and later.drive_mode == "bracket"
        and earlier.sequence_index is not None
        and later.sequence_index is not None
        and later.sequence_index <= earlier.sequence_index
    )


def find_bursts(
    frames: Sequence[Frame],
    *,
    max_gap_s: float = 3.0,
    min_cosine: float = 0.92,
    max_structure_distance: float = SAME_SCENE_MAX_DISTANCE,
    tech_tolerance: float = 5.0,
    smiles: bool = True,
    key_eyes: KeyEyesLoader | None = None,
) -> list[Burst]:
    """Bursts of `frames` (see the module docstring); each lists its photo ids
    in capture order, its group id is the smallest of them; `smiles`: whether
    a smile counts for the best frame (`best_frame`). `key_eyes`, called once
    with the burst frames that have key faces (photo ids), gives their key
    eyes for the star (a catalog reads them for those frames only, not for
    every photo); without it the frames' own `Frame.key_eyes` are used."""
    usable = [
        f
        for f in frames
        if f.captured_at is not None and (f.embedding is not None or f.struct_sig is not None)
    ]
    usable.sort(key=capture_order)

    def in_gate(earlier: Frame, later: Frame) -> bool:
        gap = (later.captured_at - earlier.captured_at).total_seconds()  # type: ignore[operator]
        if earlier.drive_mode in _SEQUENCES and later.drive_mode == earlier.drive_mode:
            gap -= earlier.exposure_time or 0.0  # a camera sequence: from the end of the exposure
        return (
            later.camera == earlier.camera and gap < max_gap_s and not new_bracket(earlier, later)
        )

    # Only frames in the time gate of a neighbour are ever compared: prepare those.
    gated = [
        (i > 0 and in_gate(usable[i - 1], f)) or (i + 1 < len(usable) and in_gate(f, usable[i + 1]))
        for i, f in enumerate(usable)
    ]
    signatures = prepare_signatures(
        [f.struct_sig if near else None for f, near in zip(usable, gated, strict=True)]
    )

    def same_scene(first: int, previous: int, this: int) -> bool:
        """One camera sequence, or the embeddings agree, or the signatures do."""
        if next_in_sequence(usable[previous], usable[this]):
            return True
        a, b = usable[first].embedding, usable[this].embedding
        if a is not None and b is not None and float(np.dot(a, b)) >= min_cosine:
            return True
        return prepared_same_scene(signatures[first], signatures[this], max_structure_distance)

    runs: list[list[Frame]] = []
    run: list[int] = []  # indices into `usable`; run[0] is the anchor

    def close_run() -> None:
        if len(run) >= 2:
            runs.append([usable[i] for i in run])
        run.clear()

    for index, frame in enumerate(usable):
        if run and not (in_gate(usable[run[-1]], frame) and same_scene(run[0], run[-1], index)):
            close_run()
        run.append(index)
    close_run()
    known = None
    if key_eyes is not None:
        faced = [f.photo_id for members in runs for f in members if f.eyes_open is not None]
        known = key_eyes(faced) if faced else {}
    bursts: list[Burst] = []
    for members in runs:
        ids = tuple(f.photo_id for f in members)
        bursts.append(Burst(min(ids), ids, best_frame(members, tech_tolerance, smiles, known)))
    return bursts
