"""Confidence for the LLM's tags, from CLIP's agreement with them. Pure numpy.

The vision LLM gives tags but no confidence; the cosine between a photo's
image embedding and the text embedding of "a photo of {tag}" says how well a
tag fits. For ViT-L-14, matching captions land around 0.25-0.35 and unrelated
ones around 0.10-0.15, so confidence maps cosine linearly from `LOW` (0 %) to
`HIGH` (100 %), clipped: approximate, used only to rank and filter tags.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

LOW, HIGH = 0.12, 0.32
PROMPT = "a photo of {}"


def cosine_to_confidence(cos: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.clip((np.asarray(cos, dtype=np.float64) - LOW) / (HIGH - LOW) * 100.0, 0.0, 100.0)


def tag_confidences(
    rows: Sequence[tuple[int, int, str]],
    image_vectors: dict[int, NDArray[np.float32]],
    embed_texts: Callable[[list[str]], NDArray[np.float32]],
) -> list[tuple[int, float]]:
    """(photo_tag id, confidence 0-100) for each (photo_tag id, photo id, tag name)."""
    rows = [r for r in rows if r[1] in image_vectors]
    if not rows:
        return []
    names = sorted({name for _, _, name in rows})
    text = embed_texts([PROMPT.format(n) for n in names])
    by_name = {n: text[i] for i, n in enumerate(names)}
    cos = np.array([float(np.dot(image_vectors[pid], by_name[name])) for _, pid, name in rows])
    conf = cosine_to_confidence(cos)
    return [(tid, float(c)) for (tid, _, _), c in zip(rows, conf, strict=True)]
