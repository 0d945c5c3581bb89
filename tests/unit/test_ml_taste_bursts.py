"""The taste model's maths and the burst sweep, on synthetic data."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from curator.ml.bursts import Frame, find_bursts, technical_quality
from curator.ml.taste import (
    KEPT_TARGET,
    DecisionCounts,
    DecisionState,
    FittedTaste,
    NotEnoughDecisions,
    fit_taste,
    label_for,
    labels,
    not_enough_message,
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


def test_labels_are_row_for_row_and_refuse_a_state_that_teaches_nothing() -> None:
    y, w = labels([DecisionState(None, "kept", False), DecisionState(5, "rejected", False)])
    assert y.tolist() == [KEPT_TARGET, 5.0] and w.tolist() == [0.3, 1.0]
    with pytest.raises(ValueError):
        labels([DecisionState(None, "unreviewed", False)])


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
    with pytest.raises(NotEnoughDecisions, match="needs at least 10 decisions on embedded photos"):
        fit_taste(x[:9], np.arange(9) % 5 + 1.0)
    with pytest.raises(NotEnoughDecisions, match="same thing"):
        fit_taste(x, np.full(30, 4.0))


def test_not_enough_says_what_is_missing_and_hints_at_weights_only_when_missing() -> None:
    x = np.zeros((0, 16), dtype=np.float32)
    counts = DecisionCounts(decisions=4, embedded_decisions=0, embedded_photos=0)
    asked: list[bool] = []

    def missing() -> bool:
        asked.append(True)
        return True

    with pytest.raises(NotEnoughDecisions) as info:
        fit_taste(x, np.zeros(0), counts=counts, weights_missing=missing)
    assert str(info.value) == (
        "The taste model needs at least 10 decisions on embedded photos; you have 4 decisions, "
        "0 embedded (CLIP weights missing — run `curator models pull`)."
    )
    assert info.value.counts == counts and asked == [True]
    present = not_enough_message(DecisionCounts(25, 12, 300), weights_missing=False)
    assert "you have 25 decisions, 12 embedded" in present
    assert "models pull" not in present
    # Enough data: the weights are never asked about.
    rng = np.random.default_rng(0)
    xs = _unit(rng, 30, 16)
    fit_taste(xs, np.arange(30) % 5 + 1.0, weights_missing=missing)
    assert asked == [True]


def _weighted_ridge(z: np.ndarray, y: np.ndarray, w: np.ndarray, alpha: float) -> np.ndarray:
    """Closed-form weighted ridge with an unpenalised intercept (the textbook solution)."""
    zm, ym = np.average(z, axis=0, weights=w), np.average(y, weights=w)
    zc, yc = (z - zm) * np.sqrt(w)[:, None], (y - ym) * np.sqrt(w)
    coef = np.linalg.solve(zc.T @ zc + alpha * np.eye(z.shape[1]), zc.T @ yc)
    return np.concatenate([[ym - zm @ coef], coef])


def test_the_stored_weight_vector_is_weighted_ridge_on_the_raw_embeddings() -> None:
    rng = np.random.default_rng(3)
    x = _unit(rng, 60, 24)
    y = np.clip(np.round(3 + 4 * x[:, 0] + rng.normal(scale=0.3, size=60)), 1, 5)
    w = np.where(np.arange(60) % 3 == 0, 0.3, 1.0)
    model = fit_taste(x, y, w, alpha=2.0)
    assert model.alpha == 2.0 and model.n_samples == 60
    # No look-alikes among 60 random directions: the weights are the decisions'.
    solution = _weighted_ridge(x.astype(np.float64), y, w, 2.0)
    expected = solution[0] + x @ solution[1:]
    np.testing.assert_allclose(model.predict_rating(x), expected, atol=1e-4)
    # The weights matter: uniform weights give another model.
    uniform = fit_taste(x, y, alpha=2.0)
    assert not np.allclose(uniform.predict_rating(x), model.predict_rating(x), atol=1e-4)
    # The posterior's precision is (AᵀWA + αI)⁻¹ on the centred embeddings.
    zc = (x - np.average(x, axis=0, weights=w)) * np.sqrt(w)[:, None]
    np.testing.assert_allclose(
        model.precision, np.linalg.inv(zc.T @ zc + 2.0 * np.eye(24)), atol=1e-4
    )


def test_a_burst_counts_once_and_stays_in_one_fold() -> None:
    """Ten frames of one scene rated alike weigh as one decision (issue 20)."""
    rng = np.random.default_rng(5)
    x = _unit(rng, 40, 24)
    y = np.clip(np.round(3 + 4 * x[:, 0]), 1, 5)
    burst = np.repeat(x[:1], 10, axis=0) + 0.001 * rng.normal(size=(10, 24)).astype(np.float32)
    xb = np.vstack([x, burst / np.linalg.norm(burst, axis=1, keepdims=True)]).astype(np.float32)
    yb = np.concatenate([y, np.full(10, 5.0)])
    once = fit_taste(xb, yb, alpha=1.0)
    alone = fit_taste(np.vstack([x, xb[-1:]]), np.concatenate([y, [5.0]]), alpha=1.0)
    heavy = fit_taste(np.vstack([x, xb[-1:]]), np.concatenate([y, [5.0]]), alpha=1.0,
                      sample_weight=np.concatenate([np.ones(40), [10.0]]))  # fmt: skip
    probe = xb[-1:]
    # Closer to "one decision" than to "ten decisions" on that scene.
    assert abs(once.predict_rating(probe)[0] - alone.predict_rating(probe)[0]) < abs(
        heavy.predict_rating(probe)[0] - alone.predict_rating(probe)[0]
    )


def test_the_held_out_figure_is_honest_about_bursts() -> None:
    """Siblings in both folds made "held-out" a lookup: 30 scenes of 6 frames
    each with random ratings read as a good model. Grouped folds do not."""
    rng = np.random.default_rng(7)
    scenes = _unit(rng, 30, 32)
    frames = np.repeat(scenes, 6, axis=0) + 0.01 * rng.normal(size=(180, 32)).astype(np.float32)
    x = (frames / np.linalg.norm(frames, axis=1, keepdims=True)).astype(np.float32)
    y = np.repeat(rng.integers(1, 6, 30).astype(float), 6)  # taste unrelated to the picture
    fitted = fit_taste(x, y, groups=np.repeat(np.arange(30), 6))
    assert fitted.spearman is not None and fitted.spearman < 0.35
    assert fitted.spearman_low is not None and fitted.spearman_high is not None
    assert fitted.spearman_low < fitted.spearman < fitted.spearman_high
    assert fitted.spearman_low < 0.0 < fitted.spearman_high  # "could be nothing"


def test_alpha_comes_from_the_grid_around_plain_ridge() -> None:
    from curator.ml.taste import ALPHAS, PRIOR_INDEX

    assert ALPHAS[PRIOR_INDEX] == pytest.approx(1.0)
    assert ALPHAS[0] == pytest.approx(0.01) and ALPHAS[-1] == pytest.approx(1000.0)
    rng = np.random.default_rng(4)
    x = _unit(rng, 40, 32)
    y = np.clip(np.round(3 + 5 * x[:, 1] + rng.normal(scale=0.5, size=40)), 1, 5)
    model = fit_taste(x, y)
    assert any(np.isclose(model.alpha, a) for a in ALPHAS)  # the grid as it is, unscaled
    assert model.precision.shape == (32, 32)
    assert model.spearman is not None and not model.early


def test_a_model_from_ten_decisions_is_early() -> None:
    rng = np.random.default_rng(8)
    x = _unit(rng, 12, 16)
    model = fit_taste(x, np.arange(12) % 5 + 1.0)
    assert model.early and model.n_samples == 12


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


def test_training_set_counts_decisions_embedded_photos_and_both(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from curator.catalog import judgments
    from curator.catalog.db import Catalog
    from curator.catalog.models import Photo, utcnow

    rng = np.random.default_rng(5)
    with Catalog.open(tmp_path / "c.sqlite"):
        photos = [Photo.create(path=f"/p{i}.jpg".encode(), content_hash=str(i)) for i in range(8)]
        Photo.update(rating=4).where(Photo.id.in_([p.id for p in photos[:2]])).execute()
        Photo.update(cull="rejected").where(Photo.id == photos[2].id).execute()
        Photo.update(picked=True, cull="kept").where(Photo.id == photos[3].id).execute()
        Photo.update(rating=2, deleted_at=utcnow()).where(Photo.id == photos[4].id).execute()
        empty = judgments.training_set("m")
        assert empty.counts == DecisionCounts(4, 0, 0) and empty.states == []
        # Embedded: one rated, the rejected one, two undecided, and the deleted one.
        chosen = [photos[i].id for i in (0, 2, 5, 6, 4)]
        judgments.store_embeddings("m", [(pid, _unit(rng, 1, 8)[0]) for pid in chosen])
        data = judgments.training_set("m")
        assert data.counts == DecisionCounts(4, 2, 4)
        assert judgments.decision_counts("m") == data.counts
        assert sorted(data.photo_ids) == sorted([photos[0].id, photos[2].id])
        by_id = dict(zip(data.photo_ids, data.states, strict=True))
        assert by_id[photos[0].id] == DecisionState(4, "unreviewed", False)
        assert by_id[photos[2].id] == DecisionState(None, "rejected", False)
        y, w = labels(data.states)
        assert sorted(y.tolist()) == [1.0, 4.0] and data.x.shape == (2, 8)
        with pytest.raises(NotEnoughDecisions) as info:
            fit_taste(data.x, y, w, counts=data.counts, weights_missing=False)
        assert "you have 4 decisions, 2 embedded" in str(info.value)


def test_a_stored_model_scores_like_the_fitted_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from curator.catalog.db import Catalog
    from curator.catalog.taste import store as taste_store

    rng = np.random.default_rng(6)
    x = _unit(rng, 40, 16)
    y = np.clip(np.round(3 + 4 * x[:, 2]), 1, 5)
    fitted = fit_taste(x, y)
    with Catalog.open(tmp_path / "c.sqlite"):
        version = taste_store.store_taste_model(fitted.to_record(), "m")
        stored = taste_store.latest_taste("m")
    assert stored is not None and stored.version == version
    loaded = FittedTaste.from_record(stored.coefficients)
    assert loaded.precision.shape == fitted.precision.shape
    np.testing.assert_allclose(loaded.predict_score(x), fitted.predict_score(x), atol=1e-4)
    np.testing.assert_allclose(loaded.uncertainty(x), fitted.uncertainty(x), rtol=1e-4)
    assert loaded.alpha == fitted.alpha and loaded.spearman == fitted.spearman
    assert loaded.n_samples == fitted.n_samples == 40


def test_too_few_decisions_never_import_scikit_learn() -> None:
    """An import with no decisions yet runs the score step: it must not pay
    scikit-learn's (and SciPy's) second-long import to learn there is nothing to fit."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from curator.ml.taste import NotEnoughDecisions, fit_taste\n"
        "try:\n"
        "    fit_taste(np.zeros((3, 8), np.float32), np.array([1.0, 3.0, 5.0]))\n"
        "except NotEnoughDecisions:\n"
        "    pass\n"
        "print('sklearn' in sys.modules, 'scipy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_a_burst_judged_apart_teaches_more_than_one_judged_alike() -> None:
    """Frames of one moment the photographer told apart (kept one, rejected the
    blinks) are not one judgment: with the targets differing inside the
    bursts they keep more of their weight than bursts rated alike (Kish's
    design effect on the targets' intra-class correlation)."""
    from curator.ml.taste import design_weights
    from curator.ml.taste_cv import intra_class_correlation

    groups = np.repeat(np.arange(6), 4)  # six bursts of four frames
    alike = np.repeat([1.0, 2.0, 3.0, 4.0, 5.0, 3.0], 4)
    apart = np.tile([5.0, 1.0, 1.0, 3.0], 6)  # the same spread inside every burst
    w = np.ones(len(groups))
    assert intra_class_correlation(alike, groups) == pytest.approx(1.0)
    assert intra_class_correlation(apart, groups) == 0.0
    assert np.allclose(design_weights(w, alike, groups), w)  # sum kept, all equal
    singles = np.arange(len(groups) + 6)
    mixed_groups = np.concatenate([groups, singles[len(groups) :]])
    for targets, expected_burst_share in ((alike, 0.25), (apart, 1.0)):
        y = np.concatenate([targets, np.arange(6) % 5 + 1.0])
        weights = design_weights(np.ones(len(y)), y, mixed_groups)
        ratio = weights[0] / weights[-1]  # a burst's frame against a single photo
        assert ratio == pytest.approx(expected_burst_share, abs=0.15), (targets, weights)
