"""What the taste model sees of a photo: its CLIP embedding with `FACE_FEATURES`
appended (CLIP sees a blink only faintly, the faces stage exactly):

1. a key face's eyes are closed (0/1);
2. every key face's eyes are open (0/1);
3. the softest key face's sharpness / 100 (0 without one);
4. the faces found / `MANY_FACES`, at most 1;
5. every key face smiles (`smiling`, 0/1);
6. every key face looks at the camera (`all_at_camera`, 0/1).

A photo the faces stage has not seen reads all 0. `FACE_SCALE` gives each
feature one embedding coordinate's spread. 5 and 6 come after the first four
(`EYES_FACE_DIM`), so `inputs_for` gives older models their own width.
Pure numpy. Measurements: docs/decisions/taste.md.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

FACE_FEATURES: tuple[str, ...] = (
    "a key face's eyes closed",
    "every key face's eyes open",
    "key face sharpness / 100",
    "faces / 5",
    "every key face smiling",
    "every key face looking at the camera",
)
FACE_DIM = len(FACE_FEATURES)
EYES_FACE_DIM = 4  # the eye, sharpness and count features, before smile and looking
FACE_SCALE = 0.08  # a centred unit-CLIP coordinate spreads ≈ 0.026, these features ≈ 0.3
MANY_FACES = 5

F32 = NDArray[np.float32]


def face_features(columns: NDArray[np.floating]) -> F32:
    """The (n, FACE_DIM) features, unscaled, from the catalog's columns
    (catalog.people.store.face_columns: closed eyes, eyes open, key
    sharpness 0-100, faces, smiling, all at the camera; NaN where the stage has not
    said)."""
    raw = np.asarray(columns, dtype=np.float64).reshape(-1, FACE_DIM)
    out = np.nan_to_num(raw, nan=0.0)
    out[:, 2] = np.clip(out[:, 2], 0.0, 100.0) / 100.0
    out[:, 3] = np.minimum(np.maximum(out[:, 3], 0.0), MANY_FACES) / MANY_FACES
    out[:, 4:] = np.clip(out[:, 4:], 0.0, 1.0)
    return out.astype(np.float32)


def with_faces(x: NDArray[np.floating], columns: NDArray[np.floating]) -> F32:
    """The embeddings `x` (n, d) with the scaled face features appended (n, d + FACE_DIM)."""
    features = face_features(columns) * np.float32(FACE_SCALE)
    return np.hstack([np.asarray(x, dtype=np.float32), features]).astype(np.float32)


def inputs_for(
    width: int, x: NDArray[np.floating], columns: Callable[[], NDArray[np.floating]]
) -> F32 | None:
    """The inputs a model of `width` weights takes for embeddings `x`: `x`
    itself (a model without face features), `x` with the face features
    (`columns` is asked only then; the first `EYES_FACE_DIM` for a model of
    that width), or None when none fits (another embedding model's vectors)."""
    d = x.shape[1]
    if width == d:
        return np.asarray(x, dtype=np.float32)
    if width in (d + FACE_DIM, d + EYES_FACE_DIM):
        return with_faces(x, columns())[:, :width]
    return None
