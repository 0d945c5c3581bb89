"""How the people of a moment look, for choosing its best frame and saying why. Pure.

- **Words** (`ready_reason`): why a frame is its moment's best, from its key
  faces: "everyone's eyes open · both smiling, looking at the camera", "eyes
  open · 1 looking away", "all smiling, 1 laughing"; "" without key faces.
  One wording for the loupe (a burst's suggested best) and the proposal.
- **Preference** (`prefer_looks`): of a moment's frames, those the burst star's
  people rule keeps (ml.faces.moment `people_first`). With `expressions` off (a
  sports shoot, or the check turned off) only the eyes and the key faces'
  sharpness decide. A frame is never rejected for how it looks.
Invariants: pure functions of plain records; the same frames in the same order
give the same answer; importing this loads nothing but records (the loupe
imports it at start-up); `prefer_looks` returns a non-empty subset of what it
is given (in its order) whenever it is given something.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from curator.records import EyeState, Face, Frame, KeyEyes, Looking, ProposalFrame


def ready_reason(faces: Sequence[Face]) -> str:
    """Why a frame is its moment's best, from its key faces, in words (module
    docstring); "" without key faces."""
    key = [f for f in faces if f.key]
    if not key:
        return ""
    many = len(key) > 1
    every = ("both" if len(key) == 2 else "all") if many else ""
    parts = []
    if all(f.eyes is EyeState.OPEN for f in key):
        parts.append("everyone's eyes open" if many else "eyes open")
    looks = []
    laughing = sum(1 for f in key if f.eyes is EyeState.NARROWED)
    if laughing == len(key):
        looks.append(f"{every} laughing".strip())
    elif all(f.smiling for f in key):
        looks.append(f"{every} smiling".strip() + (f", {laughing} laughing" if laughing else ""))
    elif laughing:
        looks.append(f"{laughing} laughing")
    if all(f.looking is Looking.CAMERA for f in key):
        looks.append("looking at the camera")
    if looks:
        parts.append(", ".join(looks))
    away = sum(1 for f in key if f.looking is Looking.AWAY)
    if away:
        parts.append(f"{away} looking away")
    return " · ".join(parts)


def _as_frame(index: int, frame: ProposalFrame, looks: bool) -> Frame:
    """What the people rule reads of a proposal's frame (its index as the id);
    without `looks`, nothing of how its faces look."""
    faces = frame.faces if _judged(frame) else None
    key = tuple(KeyEyes.of(f) for f in frame.key_faces)
    return Frame(
        index,
        None,
        None,
        None,
        frame.sharpness_score,
        frame.exposure_score,
        frame.taste,
        eyes_open=None if faces is None else faces.eyes_open,
        closed_eyes=None if faces is None else faces.closed_eyes,
        key_face_sharpness=None if faces is None else faces.key_sharpness,
        faces_ready=faces.ready if faces is not None and looks else None,
        all_at_camera=faces.all_at_camera if faces is not None and looks else None,
        smiling=faces.smiling if faces is not None and looks else None,
        smile=_least_smile(frame) if faces is not None and looks else None,
        key_eyes=key if looks else tuple(replace(e, smile=None, looking=None) for e in key),
        laughing=None if faces is None else faces.laughing,
    )


def _least_smile(frame: ProposalFrame) -> float | None:
    """The least smiling key face's smile score (None: one was not read)."""
    smiles = [f.smile for f in frame.key_faces]
    if not smiles or any(s is None for s in smiles):
        return None
    return min(s for s in smiles if s is not None)


def _judged(frame: ProposalFrame) -> bool:
    """The faces stage judged key faces in `frame`."""
    return frame.faces is not None and frame.faces.key > 0


def prefer_looks(
    candidates: Sequence[int], frames: Sequence[ProposalFrame], expressions: bool
) -> list[int]:
    """The indexes of `candidates` (into `frames`) the people rule keeps (module
    docstring); all of them when none has judged key faces."""
    if not any(_judged(frames[i]) for i in candidates):
        return list(candidates)  # nobody judged: the other rules choose
    from curator.ml.faces.moment import people_first  # numpy: not for the loupe's words

    pool = [_as_frame(i, frames[i], expressions) for i in candidates]
    kept = {f.photo_id for f in people_first(pool, smiles=expressions)}
    return [i for i in candidates if i in kept]
