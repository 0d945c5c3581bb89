"""Which step of the burst star's rule decided a bench burst (for the evidence).

`deciding_step` rebuilds each frame of a burst as the star rule reads it
(ml.bursts `Frame`: the frame's sharpness and exposure scores, the key faces'
summary as ml.faces.verdicts makes it, their places and openness) from `curator list --json`'s rows,
and runs `best_frame`'s steps one at a time (`ml.bursts.star_steps`), saying
the first step after which the peak frame was out of the running, or
"peak kept to the end" when it survived every step (then the tie-break or a
step that kept several frames left it second).

Invariants: pure; reads only the rows it is given.
"""

from __future__ import annotations

from typing import Any

from curator.records import SMILING_FROM, EyeState, Frame, KeyEyes, Looking


def as_frame(index: int, row: dict[str, Any]) -> Frame:
    """A listed row as the star rule's `Frame` (its key faces' summary)."""
    faces = row.get("faces") or []
    key = [f for f in faces if f.get("key")]
    sharp = [f["sharpness"] for f in key if f.get("sharpness") is not None]
    smiles = [f.get("smile") for f in key]
    return Frame(
        index,
        None,
        None,
        None,
        row.get("sharpness_score"),
        row.get("exposure_score"),
        None,
        eyes_open=all(f.get("eyes") == "open" for f in key) if key else None,
        closed_eyes=any(f.get("eyes") == "closed" for f in key) if key else None,
        key_face_sharpness=min(sharp) if sharp else None,
        faces_ready=sum(1 for f in faces if f.get("eyes") in READY_EYES and _ready_look(f))
        if key
        else None,
        all_at_camera=all(f.get("looking") == "camera" for f in key) if key else None,
        smiling=all(s is not None and s >= SMILING_FROM for s in smiles) if key else None,
        smile=min(s for s in smiles if s is not None) if key and None not in smiles else None,
        key_eyes=tuple(
            KeyEyes.at(
                tuple(f["box"]),  # type: ignore[arg-type]
                f.get("openness"),
                EyeState(f.get("eyes") or "unknown"),
                f.get("smile"),
                Looking(f["looking"]) if f.get("looking") else None,
                f.get("sharpness"),
            )
            for f in key
        ),
        laughing=any(f.get("eyes") == "narrowed" for f in key) if key else None,
    )


READY_EYES = ("open", "narrowed")  # eyes that let a face count ready (`is_ready`)


def _ready_look(face: dict[str, Any]) -> bool:
    """Where a face with open (or laughing) eyes looks lets it count ready
    (ml.faces.verdicts `is_ready`): at the camera, or a key face's gaze not told."""
    return face.get("looking") == "camera" or (
        face.get("looking") is None and bool(face.get("key"))
    )


def deciding_step(frames: dict[str, dict[str, Any]]) -> str:
    """The first step of the star's rule that left the peak out (module docstring)."""
    from curator.ml.bursts import star_steps

    kinds = list(frames)
    pool = [as_frame(i, frames[k]) for i, k in enumerate(kinds)]
    peak = kinds.index("peak")
    for name, step in star_steps(smiles=True, burst=pool):
        pool = step(pool)
        if peak not in {f.photo_id for f in pool}:
            return f"peak out at: {name}"
    return "peak kept to the end"
