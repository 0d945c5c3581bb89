"""Taste tests' helpers: a stored taste model for tests that need one (the
approval rule trusts a model's MATCH only when it is not early and its
held-out Spearman clears the bar: catalog.approval); a shoot of photos with
no files; teaching a model twins; checking that an older model still scores."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from curator.catalog.models import TasteModel

if TYPE_CHECKING:
    from curator.ml.taste import FittedTaste


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


def shoot_photos(n: int) -> list[int]:
    """`n` catalog photos of one shoot, a second apart (no files behind them): their ids."""
    from datetime import datetime, timedelta

    from curator.catalog.models import Photo

    start = datetime(2024, 6, 1, 12)
    return [
        int(
            Photo.create(
                path=f"/shoot/IMG_{i:04d}.jpg".encode(),
                content_hash=f"{i:064x}",
                captured_at=start + timedelta(seconds=i),
            ).id
        )
        for i in range(n)
    ]


def assert_old_model_still_scores(
    model: str, fitted: FittedTaste, inputs: np.ndarray, ids: list[int]
) -> None:
    """Store `fitted` (a taste fit on `inputs`, one row per id) as `model`'s
    newest taste model and rescore: every photo must score as the fit predicts
    on the inputs it was fitted on (a model stored before newer features
    scores on its own width)."""
    from curator.catalog.taste.store import store_taste_model
    from curator.pipeline.stages.score import latest_fitted, rescore
    from tests.scores import score_of

    version = store_taste_model(fitted.to_record(), model)
    assert rescore(model) == len(ids)
    latest = latest_fitted(model)
    assert latest is not None and latest[0] == version
    expected = fitted.predict_score(inputs)
    assert [score_of(pid) for pid in ids] == pytest.approx(list(expected), abs=0.01)
