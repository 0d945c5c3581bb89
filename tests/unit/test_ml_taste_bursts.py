"""The taste model's maths and the burst sweep, on synthetic data."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from curator.ml.bursts import Frame, find_bursts, technical_quality
from curator.ml.taste import (
    KEPT_TARGET,
    DecisionState,
    NotEnoughDecisions,
    fit_taste,
    label_for,
    rating_to_score,
)


def _unit(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_label_mapping() -> None:
    assert label_for(DecisionState(2, "kept", True)) == (2.0, 1.0)  # explicit rating wins
    assert label_for(DecisionState(None, "rejected", False)) == (1.0, 1.0)
    assert label_for(DecisionState(None, "kept", True)) == (4.5, 1.0)
    assert label_for(DecisionState(None, "kept", False)) == (KEPT_TARGET, 0.3)
    assert label_for(DecisionState(None, "unreviewed", False)) is None


def test_rating_maps_to_0_100() -> None:
    assert list(rating_to_score(np.array([1.0, 3.0, 5.0, 7.0, -1.0]))) == [
        0.0,
        50.0,
        100.0,
        100.0,
        0.0,
    ]


def test_learns_a_hidden_preference() -> None:
    rng = np.random.default_rng(1)
    d = 64
    x = _unit(rng, 300, d)
    direction = rng.normal(size=d)
    truth = x @ direction
    y = np.clip(np.round(3 + 2 * truth / truth.std()), 1, 5)
    model = fit_taste(x[:200], y[:200])
    assert model.spearman is not None and model.spearman > 0.5
    pred = model.predict_rating(x[200:])
    from scipy.stats import spearmanr

    assert spearmanr(pred, y[200:]).statistic > 0.6
    scores = model.predict_score(x[200:])
    assert scores.min() >= 0 and scores.max() <= 100
    # Far-from-data points are less certain than training points.
    far = _unit(rng, 5, d) * 3
    assert model.uncertainty(far).mean() > model.uncertainty(x[:5]).mean()


def test_refuses_too_few_or_uniform_decisions() -> None:
    rng = np.random.default_rng(0)
    x = _unit(rng, 30, 16)
    with pytest.raises(NotEnoughDecisions, match="at least 20"):
        fit_taste(x[:10], np.full(10, 3.0))
    with pytest.raises(NotEnoughDecisions, match="same thing"):
        fit_taste(x, np.full(30, 4.0))


def _frame(
    pid: int,
    t: float,
    emb: np.ndarray,
    sharp: float = 80,
    expo: float = 80,
    cam: str = "A",
    pref=None,
) -> Frame:  # type: ignore[no-untyped-def]
    return Frame(pid, cam, datetime(2024, 1, 1) + timedelta(seconds=t), emb, sharp, expo, pref)


def test_bursts_group_near_identical_frames_close_in_time() -> None:
    rng = np.random.default_rng(3)
    base = _unit(rng, 1, 32)[0]
    other = _unit(rng, 1, 32)[0]
    near = base + 0.01 * rng.normal(size=32).astype(np.float32)
    near /= np.linalg.norm(near)
    frames = [
        _frame(1, 0.0, base),
        _frame(2, 0.5, near, sharp=95),
        _frame(3, 1.0, base),
        _frame(4, 1.5, other),  # different picture: breaks the burst
        _frame(5, 30.0, base),  # same picture, much later: not a burst
        _frame(6, 0.7, base, cam="B"),  # another camera
        Frame(7, "A", None, base, 90, 90, None),  # no time: never grouped
    ]
    bursts = find_bursts(frames)
    assert [(b.group_id, b.photo_ids, b.best_id) for b in bursts] == [(1, (1, 2, 3), 2)]


def test_best_frame_weighs_exposure_and_then_taste() -> None:
    e = np.ones(4, dtype=np.float32) / 2
    bracket = [
        _frame(10, 0.0, e, sharp=99, expo=30),  # crisp but -1.3 EV
        _frame(11, 0.3, e, sharp=85, expo=90),
        _frame(12, 0.6, e, sharp=84, expo=91, pref=90),  # as good technically, preferred
    ]
    assert technical_quality(bracket[0]) < technical_quality(bracket[1])
    (burst,) = find_bursts(bracket)
    assert burst.best_id == 12


def test_tag_confidence_follows_clip_agreement() -> None:
    from curator.ml.tag_confidence import HIGH, LOW, tag_confidences

    image = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    texts = {
        "a photo of dog": np.array(
            [HIGH + 0.05, np.sqrt(1 - (HIGH + 0.05) ** 2), 0.0], dtype=np.float32
        ),
        "a photo of car": np.array(
            [LOW - 0.05, np.sqrt(1 - (LOW - 0.05) ** 2), 0.0], dtype=np.float32
        ),
        "a photo of tree": np.array(
            [(LOW + HIGH) / 2, 0.0, np.sqrt(1 - ((LOW + HIGH) / 2) ** 2)], dtype=np.float32
        ),
    }
    calls: list[list[str]] = []

    def embed_texts(prompts: list[str]) -> np.ndarray:
        calls.append(prompts)
        return np.stack([texts[p] for p in prompts])

    rows = [
        (1, 10, "dog"),
        (2, 10, "car"),
        (3, 10, "tree"),
        (4, 99, "dog"),
    ]  # photo 99: no embedding
    got = dict(tag_confidences(rows, {10: image}, embed_texts))
    assert got[1] == 100.0 and got[2] == 0.0 and abs(got[3] - 50.0) < 0.01
    assert 4 not in got
    assert calls == [["a photo of car", "a photo of dog", "a photo of tree"]]  # each name once


def test_embedding_cache_mirrors_new_and_replaced_vectors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from curator.catalog import judgments
    from curator.catalog.db import Catalog
    from curator.catalog.models import Photo

    with Catalog.open(tmp_path / "c.sqlite"):
        a = Photo.create(path=b"/a.jpg", content_hash="a")
        b = Photo.create(path=b"/b.jpg", content_hash="b")
        va, vb = np.eye(4, dtype=np.float32)[:2]
        judgments.store_embeddings("m", [(a.id, va)])
        cache = judgments.EmbeddingCache("m").load()
        assert cache.ids == [a.id] and np.array_equal(cache.matrix, va[None])
        cache.add([(b.id, vb), (a.id, vb)])  # one new, one replaced
        assert cache.ids == [a.id, b.id]
        assert np.array_equal(cache.matrix, np.stack([vb, vb]))
        ids, x = judgments.load_embeddings("m", [b.id, a.id, 999])
        assert ids == [a.id] and x.shape == (1, 4)
