"""Burst and bracket detection, and best-frame suggestion. Pure; no catalog, no Qt.

A burst is a run of frames from the same camera, each taken less than
`max_gap_s` after the previous one — strictly: single shots exactly 3 s
apart are two pictures; within one camera sequence (see below) counted from
the end of the previous exposure, so a night bracket of long exposures
stays one — that show the same scene as the run's *first* frame: their
CLIP embeddings agree (cosine ≥ `min_cosine`) **or** their
exposure-invariant structural signatures agree
(imaging.structure, distance ≤ `max_structure_distance`, or so but for the
few cells where the subject moved: `prepared_same_scene`). The signature is
what holds an exposure bracket together — its brightest frames fall under
the cosine threshold — and what groups bursts when there are no embeddings
at all (no CLIP weights yet). Comparing with the first frame, not the
previous one, keeps a group from drifting across a slow pan.

What the camera says wins where it says it (EXIF and maker notes,
imaging.drive_mode): consecutive frames of one camera sequence (a
continuous burst or a bracket, the sequence index counting up by one) are
one scene without asking the pixels, and a bracket frame whose sequence
index starts again (1 after 5) opens a new group even within the gate — two
brackets shot back to back are two.

Order, and so the groups, are deterministic: frames sort by camera, capture
time (with sub-seconds), the camera's sequence number (frames without one
after those with), file name, then full path — never the photo id, so the
same folder gives the same groups whatever order it was imported in. The
sort is O(n log n) and the sweep O(n): never all pairs of the library; only
frames in the time gate of a neighbour have their signature prepared.
Frames without a capture time, or with neither an embedding nor a
signature, are never grouped.

Best frame (`best_frame`; `star_steps` names its steps):
1. sharpness first: a frame whose detail level (imaging.metrics
   `level_of_score`, scores capped at 90) is under `SHARP_GATE` (60 %) of the
   sharpest sibling's, after allowing for its exposure (`contrast`: a frame
   1.3 EV darker shows ~2^(1.3/2.2) less detail of the same scene), never
   gets the star — a shaken frame loses however well it is exposed —
   unless, where the faces stage judged key faces in every frame, its
   softest key face passes the same gate among the frames' softest key
   faces: in a burst of people the faces are what the photographer focused
   on, and camera shake softens them as much as the rest, while the frame's
   own detail follows what else moves in it (hands, hair, a turned
   shoulder in front of the background) — a smiling frame whose face is as
   sharp as its siblings' is not "less sharp" because its frame shows less
   texture (issue 49: 9 of the burst bench's 120 peaks were gated so, their
   faces within 13 points of the star's). The faces only keep a frame in,
   never put one out: a frame with a near-zero extra key face (a face in
   the crowd judged key) still passes on its own detail;
2. in a bracket (the exposure bias differs, or the camera's exposure
   settings — shutter, aperture, ISO — differ by ≥ 0.5 EV, or the camera
   says bracket) the sharp frames nearest the metered exposure: bias 0, or
   without the bias tag (manual bracketing) the middle of the bracket by
   the settings, or by the measured EV;
3. never a badly exposed frame: frames more than `EXPOSURE_GATE` points
   under the best exposure score are out;
4. people (the faces stage's summary, where the frames were judged): a frame
   where every key face's eyes are open beats one where someone blinked
   (failing that, one with no closed key eyes beats one with); then (issue
   49) the frames where the most faces are ready — eyes open at the camera,
   or a key face's not seen looking away (ml.faces.verdicts `is_ready`; a
   passer-by counts only seen at the camera): a group's star goes to the frame
   where most of them are, never to one where a face is seen turned away
   when another frame has it ready; then one where every key face smiles
   among the frames whose softest key face is within
   `EXPRESSION_SHARP_TOLERANCE` points of the sharpest (a smile is worth a
   face a little softer, never a soft one); then the frames whose
   softest key face is within `FACE_SHARP_TOLERANCE` points of the
   sharpest stay (how a face looks only decides between frames of one
   moment: never a reject); then the broadest smile: those whose least
   smiling key face's score is within `SMILE_MARGIN` of the best — the
   score is the mean of the mouth's smile and the expression classifier's
   happy read through a line (ml.faces.expression), so a margin of its own
   scale: a broader smile decides between frames of one moment as sharp
   (on the burst bench's five kept seeds, each frame's smile read again in
   process, margins of 0.03 and 0.05 star 574 of 600 bursts, 0.08 and 0.1
   573; with the mouth's smile alone, until 2026-11-28, any margin from 0
   to 0.08 starred the same 231 of seeds 492 and 493's 240, and 1 of
   log-odds, the margin of the regression before it, 223: the glum frames
   that read just over the line tying with the peak); where no frame is
   read smiling, a likely smile the 0.5 line missed still beats a glum face
   (0.4 against 0.02: about 1 smile in 14 reads under the line on the
   development half of GENKI-4K, three in five of them at 0.2 or more), but
   two faint ones (the likeliest under `SMILE_HINT`, as three glum faces in
   four there read) decide nothing (on the same replay a hint of 0.05 or
   0.1 stars 574, 0.15 572, 0.25 569-570). Smiles count only where
   the kind of shoot values them (`smiles`: people, portrait, event; not
   sports or landscape, where the sharpest face wins: the caller says,
   from the `shoot_kind` setting); last of the people, one where every key
   face is seen looking at the camera: a face whose gaze Curator cannot tell (a
   glance between the camera's and the away line, eyes too small to read)
   may be looking at the lens, so a smile seen, a face sharper, beat a
   look at the camera unsure in the other frame (on the burst bench, a
   smiling peak read "can't tell" lost to a glum frame read "camera" in 4
   of 240 bursts, seeds 492 and 493, while the look came before the
   smiles); a face seen looking away has already cost its frame the star
   at the "most faces ready" step; last, the frames where no key face's
   eyes are under `OPEN_SHARE` (70 %) as open as the same person's (the
   face at its place and size, `same_person`) in another frame of the
   moment: a blink half-way, or a shut face the eyes verdict read open,
   loses to the frame where that person's eyes are open wide. It comes last
   because a smile narrows the eyes: placed before the smiles, it gave a
   glum frame the star over the smiling one (issue 49's burst bench,
   replayed: 8-11 fewer peaks of 120 at 70 %); last, it decides only
   between frames alike in everything else about their people;
5. then the exposure score, the sharpness score (each keeping the frames
   within `tech_tolerance` points of the best) and the preference score
   (the user's taste); a remaining tie goes to the first frame in capture
   order.

`Frame` and `Burst` are plain records (curator.records, re-exported here): the
catalog reads frames and writes bursts without importing ml.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from curator.imaging.metrics import level_of_score
from curator.imaging.structure import (
    SAME_SCENE_MAX_DISTANCE,
    prepare_signatures,
    prepared_same_scene,
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
FACE_SHARP_TOLERANCE = 8.0  # key-face sharpness points under the sharpest: as sharp
EXPRESSION_SHARP_TOLERANCE = 20.0  # ... a smile is worth this much, never a soft face
SMILE_MARGIN = 0.05  # smile scores this close are as broad (of 0..1; module docstring)
SMILE_HINT = 0.1  # where no frame is read smiling, a likeliest smile under this decides nothing
OPEN_SHARE = 0.7  # a key face's eyes under 70 % as open as the same person's in another frame
SAME_PLACE = 0.5  # one person in two frames: centres within half a face's width ...
SAME_SIZE = 1.5  # ... and widths within 1.5 times of each other
COMPARED_FACES = 12  # a frame's widest key faces whose eyes are compared
COMPARED_ROWS = 256  # faces compared with all the others at once (a 256 x n table)
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
    key_eyes: Mapping[int, tuple[KeyEyes, ...]] | None = None,
) -> int:
    """The suggested frame's photo id (rule in the module docstring); `frames`
    in capture order; `smiles` False: a smile decides nothing (step 4);
    `key_eyes`, where given, the frames' key eyes by photo id (instead of
    their `Frame.key_eyes`)."""
    candidates = list(frames)
    for _, step in star_steps(tech_tolerance, smiles, key_eyes):
        candidates = step(candidates)
    top_pref = max(f.preference or 0.0 for f in candidates)
    return next(f for f in candidates if (f.preference or 0.0) == top_pref).photo_id


Step = Callable[[list[Frame]], list[Frame]]


def star_steps(
    tech_tolerance: float = 5.0,
    smiles: bool = True,
    key_eyes: Mapping[int, tuple[KeyEyes, ...]] | None = None,
) -> list[tuple[str, Step]]:
    """`best_frame`'s rule as named steps, each narrowing the frames it is given
    (in capture order) to a non-empty subset; the star is the first frame of
    the last step's result with the best preference. Named so a bench can say
    which step decided a burst."""
    steps: list[tuple[str, Step]] = [
        ("sharpness gate and bracket", sharp_and_metered),
        ("exposure gate", exposed_well),
        *people_steps(smiles, key_eyes),
    ]
    for name, get in (
        ("exposure", _score(lambda f: f.exposure)),
        ("sharpness", _score(lambda f: f.sharpness)),
    ):
        steps.append((f"{name} score", _within(get, tech_tolerance)))
    return steps


def sharp_and_metered(frames: list[Frame]) -> list[Frame]:
    """Steps 1 and 2: the frames not clearly less sharp than the sharpest (for
    their exposure; or whose key faces are not, where every frame has them
    judged), and in a bracket those nearest the metered exposure."""
    evs, bracket, metered = relative_ev(frames)
    pool = list(zip(frames, evs, strict=True))
    passed = _not_less_sharp([f.sharpness for f in frames], evs)
    if all(f.key_face_sharpness is not None for f in frames):
        faces = _not_less_sharp([f.key_face_sharpness for f in frames], evs)
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


def people_first(frames: list[Frame], smiles: bool = True) -> list[Frame]:
    """Step 4: everyone's eyes open first, then the most faces ready (not
    looking away), then the smiles (where `smiles`) among frames with key
    faces nearly as sharp, then the sharpest key faces and (where `smiles`)
    the broadest smile among them, then every key face seen looking at the
    camera (frames the faces stage did not judge leave the choice to the
    other rules)."""
    for _, step in people_steps(smiles):
        frames = step(frames)
    return frames


def people_steps(
    smiles: bool = True, key_eyes: Mapping[int, tuple[KeyEyes, ...]] | None = None
) -> list[tuple[str, Step]]:
    """`people_first` as named steps (module docstring, step 4); `key_eyes`
    as `best_frame` takes them."""
    steps: list[tuple[str, Step]] = [
        ("eyes open", _eyes_open),
        ("most faces ready", _most_ready),
    ]
    if smiles:
        steps += [
            (
                "key faces nearly as sharp (smile)",
                lambda fs: _sharp_faces(fs, EXPRESSION_SHARP_TOLERANCE),
            ),
            ("smiling", lambda fs: _preferring(fs, lambda f: f.smiling is True)),
        ]
    steps.append(("key faces as sharp", lambda fs: _sharp_faces(fs, FACE_SHARP_TOLERANCE)))
    if smiles:
        steps.append(("broadest smile", _broadest_smile))
    steps.append(("looking at the camera", lambda fs: _preferring(fs, lambda f: f.looking is True)))
    steps.append(("eyes most open", lambda fs: _eyes_most_open(fs, key_eyes)))
    return steps


def _eyes_most_open(
    frames: list[Frame], known: Mapping[int, tuple[KeyEyes, ...]] | None = None
) -> list[Frame]:
    """The frames where no key face's eyes are under `OPEN_SHARE` as open as
    the same person's in another of the frames (`same_person`), or all of
    them when each has such a face (module docstring, step 4's last). Each
    frame's `COMPARED_FACES` widest key faces are compared with every other
    frame's at once, `COMPARED_ROWS` faces at a time (bounded memory). A
    regroup of 100,000 photos, half of them in four-frame bursts of two key
    faces each, all reaching this step: ~0.6 s here and ~0.6 s reading the
    eyes (`find_bursts`' loader), on ~3.5 s; a 200-frame burst of a crowd
    of 30: ~0.1 s."""
    owner, eyes = [], []
    for i, frame in enumerate(frames):
        seen = frame.key_eyes if known is None else known.get(frame.photo_id, frame.key_eyes)
        widest = sorted(seen, key=lambda e: -e.width)[:COMPARED_FACES]
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


def _broadest_smile(frames: list[Frame]) -> list[Frame]:
    """The frames whose least key-face smile is within `SMILE_MARGIN` of the
    broadest — of frames that all smile, or, where none is read smiling, as
    long as the likeliest smile reaches `SMILE_HINT` (a smile the 0.5 line
    missed, 0.4 against a glum 0.02); fainter ones decide nothing (frames
    without a smile read stay)."""
    scored = [f.smile for f in frames if f.smile is not None]
    if len(scored) < 2:
        return frames
    best = max(scored)
    if best < SMILE_HINT:
        return frames
    return [f for f in frames if f.smile is None or f.smile >= best - SMILE_MARGIN]


def _eyes_open(frames: list[Frame]) -> list[Frame]:
    """Every key face's eyes open, failing that no key face's eyes closed."""
    for wanted in (lambda f: f.eyes_open is True, lambda f: f.closed_eyes is False):
        chosen = [f for f in frames if wanted(f)]
        if chosen:
            return chosen
    return frames


def _most_ready(frames: list[Frame]) -> list[Frame]:
    """The frames with the most faces ready (ml.faces.verdicts `is_ready`)."""
    most = max((f.faces_ready or 0 for f in frames), default=0)
    return [f for f in frames if f.faces_ready == most] if most > 0 else frames


def _sharp_faces(frames: list[Frame], tolerance: float) -> list[Frame]:
    """The frames whose softest key face is within `tolerance` points of the
    sharpest such face (frames without one stay)."""
    sharp = [f.key_face_sharpness for f in frames if f.key_face_sharpness is not None]
    if not sharp:
        return frames
    top = max(sharp)
    return [
        f for f in frames if f.key_face_sharpness is None or f.key_face_sharpness >= top - tolerance
    ]


def _preferring(frames: list[Frame], wanted: Callable[[Frame], bool]) -> list[Frame]:
    """The frames that are `wanted`, or all of them when none is."""
    chosen = [f for f in frames if wanted(f)]
    return chosen or frames


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
