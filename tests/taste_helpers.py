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


def teach_twins(model: str, ids: list[int], x: np.ndarray, flawed: list[bool], dim: int) -> None:
    """Reject every flawed photo and rate the others by their embedding's first
    value, retrain and rescore; then every flawed photo must score below its
    twin (the next id, the same embedding) and the model must weigh `dim` inputs."""
    from curator.catalog import decisions
    from curator.catalog.taste.store import latest_taste
    from curator.pipeline.stages.score import retrain_and_rescore
    from tests.scores import score_of

    for pid, vec, bad in zip(ids, x, flawed, strict=True):
        if bad:
            decisions.set_cull(pid, decisions.CullState.REJECTED)
        else:
            decisions.set_rating(pid, 4 if vec[0] > 0 else 2, keep=True)
    report = retrain_and_rescore(model)
    assert report.version is not None, report.message
    stored = latest_taste(model)
    assert stored is not None and len(stored.coefficients.weights) == dim
    for k in range(0, len(ids) - 1, 2):
        pair = {flawed[k]: ids[k], flawed[k + 1]: ids[k + 1]}
        assert set(pair) == {True, False}, "each twin pair holds one flawed photo"
        assert score_of(pair[True]) < score_of(pair[False])
