"""A stored taste model for tests that need one (the approval rule trusts a
model's MATCH only when it is not early and its held-out Spearman clears the
bar: catalog.approval)."""

from __future__ import annotations

import numpy as np

from curator.catalog.models import TasteModel


def store_model(*, spearman: float | None = 0.8, samples: int = 60, dim: int = 4) -> int:
    """Store a taste model row of `samples` decisions and held-out `spearman`;
    returns its version (the newest)."""
    last = TasteModel.select(TasteModel.version).order_by(TasteModel.version.desc()).first()
    version = (last.version if last else 0) + 1
    blob = np.zeros(dim, dtype="<f4").tobytes()
    TasteModel.create(
        version=version,
        embedding_model="test",
        n_samples=samples,
        alpha=1.0,
        spearman=spearman,
        spearman_low=None if spearman is None else spearman - 0.1,
        spearman_high=None if spearman is None else min(1.0, spearman + 0.1),
        bias=0.0,
        weights=blob,
        mean=blob,
        scale=blob,
        precision=np.zeros(dim * dim, dtype="<f4").tobytes(),
    )
    return version
