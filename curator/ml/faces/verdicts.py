"""Which faces are the photo's subjects, and what the photo's faces say.

Only the *key faces* (the couple, not the thirty guests behind) drive the
badges, the sort and a burst's best frame; every face keeps its own verdict.
A judged face is key when its long side is at least `NEAR_LARGEST` of the
largest judged face's, or when it is at least `IN_FOCUS_SIZE` of it and within
`IN_FOCUS_MARGIN` points of the sharpest judged face (a bride at half the
groom's size, both sharp). Never key: a face not judged; one the detector was
unsure of (under `SURE_FACE`) under `NEAR_LARGEST` of the largest sure face; an
unsure one the mesh hardly saw (`doubtful`) beside a sure face — nor is such a
face the largest the first rule measures against. A photo with judged faces has
at least one key face (the largest), unless each is doubtful beside a sure face
too small to judge. The cases behind these rules: docs/decisions/faces.md.

The photo's summary (`summarize`) fills `FacesSummary`, whose fields' meanings
are records.FACES_SUMMARY's table. SOFT FACE: a key face at least `SOFT_GAP`
points under the photo's sharpness and under `SOFT_BELOW` (70 in 95 is not
soft; 25 in 80 is). `ready` counts a passer-by only seen at the camera
(`is_ready`), so it does not tip a burst's star. `smiling`, `all_at_camera`,
`ready` and `laughing` decide only between frames of one moment, never a
reject: only a key face's *shut* eyes are CLOSED EYES. Invariants: pure; the
same faces give the same verdicts in any order.
"""

from __future__ import annotations

from dataclasses import replace

from curator.ml.faces.eyes import TURNED_AWAY
from curator.records import EyeState, Face, FacesSummary, Looking

NEAR_LARGEST = 0.55
SURE_FACE = 0.5  # the detector's score (find.SURE_SCORE's scale) of a face it is sure of
IN_FOCUS_SIZE = 0.3
IN_FOCUS_MARGIN = 12.0
SOFT_GAP = 25.0
SOFT_BELOW = 45.0


def mark_key_faces(faces: list[Face]) -> list[Face]:
    """`faces` with `key` set by the rule above (same order)."""
    sure_of_one = any(_sure(f) for f in faces)
    judged = [f for f in faces if f.judged and not (sure_of_one and doubtful(f))]
    if not judged:
        return [replace(f, key=False) for f in faces]
    candidates = {id(f) for f in judged}
    largest = max(f.size_px for f in judged)
    sure = [f.size_px for f in judged if _sure(f)]
    largest_sure = max(sure) if sure else 0
    sharp = [f.sharpness for f in judged if f.sharpness is not None]
    sharpest = max(sharp) if sharp else None

    def key(face: Face) -> bool:
        if id(face) not in candidates:
            return False
        if not _sure(face) and face.size_px < NEAR_LARGEST * largest_sure:
            return False
        if face.size_px >= NEAR_LARGEST * largest:
            return True
        return (
            face.size_px >= IN_FOCUS_SIZE * largest
            and sharpest is not None
            and face.sharpness is not None
            and face.sharpness >= sharpest - IN_FOCUS_MARGIN
        )

    return [replace(f, key=key(f)) for f in faces]


def doubtful(face: Face) -> bool:
    """A face the detector was unsure of that the mesh hardly saw (its eyes
    "turned away or hidden"): no key face beside a face the detector was
    sure of (the module docstring)."""
    return not _sure(face) and face.eyes_note == TURNED_AWAY


def _sure(face: Face) -> bool:
    """Whether the detector was sure of `face` (where no face of the photo
    is, the rule above takes nothing away)."""
    return face.confidence >= SURE_FACE


def is_soft(face: Face, photo_sharpness: float | None) -> bool:
    """A face clearly softer than its photo (see the module docstring)."""
    if face.sharpness is None or photo_sharpness is None:
        return False
    return face.sharpness <= photo_sharpness - SOFT_GAP and face.sharpness < SOFT_BELOW


def summarize(faces: tuple[Face, ...] | list[Face], photo_sharpness: float | None) -> FacesSummary:
    key = [f for f in faces if f.key]
    sharp = [f.sharpness for f in key if f.sharpness is not None]
    return FacesSummary(
        count=len(faces),
        judged=sum(1 for f in faces if f.judged),
        key=len(key),
        closed_eyes=any(f.eyes is EyeState.CLOSED for f in key),
        soft_face=any(is_soft(f, photo_sharpness) for f in key),
        eyes_open=bool(key) and all(f.eyes is EyeState.OPEN for f in key),
        key_sharpness=min(sharp) if sharp else None,
        smiling=bool(key) and all(f.smiling for f in key),
        all_at_camera=bool(key) and all(f.looking is Looking.CAMERA for f in key),
        ready=sum(1 for f in faces if is_ready(f)),
        laughing=any(f.eyes is EyeState.NARROWED for f in key),
    )


def is_ready(face: Face) -> bool:
    """A judged face with its eyes open (or narrowed in a laugh: a laugh is
    the moment, not a blink) that looks at the camera, or a key face with
    such eyes whose gaze cannot be told (a glance between the lines, eyes
    too small or too narrowed to read the gaze): not seen looking away."""
    if not face.judged or face.eyes not in (EyeState.OPEN, EyeState.NARROWED):
        return False
    return face.looking is Looking.CAMERA or (face.looking is None and face.key)
