"""What the score stage reports and hands its workers, importable without the
catalog: the window is built with `pipeline.stages.retrain`'s objects, which
speak these, before the catalog is opened (issue 21 §1), so this module
imports no peewee and no catalog module. `pipeline.stages.score` re-exports
every name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from curator.settings import Settings


@dataclass(frozen=True)
class EmbeddingSnapshot:
    """The vectors of one embedding model at one moment (immutable for workers)."""

    model: str
    ids: Sequence[int]
    matrix: NDArray[np.float32]


@dataclass(frozen=True)
class TasteReport:
    version: int | None
    samples: int
    spearman: float | None
    alpha: float | None
    scored: int
    message: str
    spearman_low: float | None = None  # the held-out Spearman's 95 % interval
    spearman_high: float | None = None
    early: bool = False  # fewer than 20 decisions


RETRAIN_FAILED = "Retraining failed:"  # how a failed retrain's report begins


def not_enough(samples: int, reason: str) -> TasteReport:
    return TasteReport(None, samples, None, None, 0, reason)


def clip_weights_missing(settings: Settings) -> Callable[[], bool]:
    """A file-system check (no torch) for the not-enough message's hint."""

    def missing() -> bool:
        from curator.ml.embedder import weights_present
        from curator.settings import clip_config

        return not weights_present(clip_config(settings))

    return missing
