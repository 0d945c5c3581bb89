"""The taste model sees the faces stage's verdicts beside CLIP (issue 32 §3):
the inputs (ml.taste_inputs), the catalog's columns (on both backends), a
photographer who rejects blinks teaching it, and models stored before it
still scoring."""

from __future__ import annotations

import numpy as np

from curator.catalog import judgments
from curator.catalog.models import Photo
from curator.catalog.people import store
from curator.ml.taste import fit_taste
from curator.ml.taste_inputs import FACE_DIM, FACE_SCALE, face_features, inputs_for, with_faces
from curator.records import EyeState, Face, FacesFound, FacesSummary
from tests.taste_helpers import assert_old_model_still_scores, shoot_photos, teach_twins

MODEL = "clip-test"
NAN = float("nan")


def test_the_features_read_the_columns_and_nothing_said_is_no_people() -> None:
    columns = np.array(
        [
            [1, 0, 35.0, 2, 0, 1],  # a key face blinked
            [0, 1, 90.0, 12, 1, 0],  # a crowd, everyone open: faces capped at 5
            [0, 0, NAN, 0, 0, 0],  # looked at, no faces
            [NAN] * 6,  # not looked at
        ],
        dtype=np.float32,
    )
    f = face_features(columns)
    assert f.shape == (4, FACE_DIM)
    assert np.allclose(f[0], [1, 0, 0.35, 0.4, 0, 1])
    assert np.allclose(f[1], [0, 1, 0.9, 1.0, 1, 0])
    assert np.allclose(f[2], 0) and np.allclose(f[3], 0)
    x = np.ones((4, 6), dtype=np.float32)
    both = with_faces(x, columns)
    assert both.shape == (4, 6 + FACE_DIM) and np.allclose(both[:, :6], 1)
    assert np.allclose(both[0, 6:], FACE_SCALE * f[0])


def test_a_model_gets_the_inputs_of_its_own_width() -> None:
    x = np.zeros((3, 6), dtype=np.float32)
    asked: list[bool] = []

    def columns() -> np.ndarray:
        asked.append(True)
        return np.ones((3, FACE_DIM), dtype=np.float32)

    old = inputs_for(6, x, columns)
    assert old is not None and old.shape == (3, 6) and not asked  # before issue 32
    new = inputs_for(6 + FACE_DIM, x, columns)
    assert new is not None and new.shape == (3, 6 + FACE_DIM) and asked
    assert inputs_for(9, x, columns) is None  # another embedding model's width


def _faces(closed: bool, sharpness: float = 80.0) -> FacesFound:
    state = EyeState.CLOSED if closed else EyeState.OPEN
    face = Face((0.4, 0.1, 0.2, 0.25), 300, True, state, None, 0.1, sharpness, True, 0.9)
    summary = FacesSummary(1, 1, 1, closed, False, not closed, sharpness)
    return FacesFound((face,), "faces-test", summary=summary)


def test_face_columns_follow_the_ids_order_with_nan_where_unsaid(any_catalog: object) -> None:
    a, b, c = shoot_photos(3)
    nobody = FacesFound((), "faces-test", summary=FacesSummary())
    store.apply_faces(Photo._meta.database, [(a, _faces(True, 40.34)), (c, nobody)])
    columns = store.face_columns([c, b, a, a])
    assert np.allclose(columns[0], [0, 0, NAN, 0, 0, 0], equal_nan=True)
    assert np.isnan(columns[1]).all()  # b: never looked at
    assert np.allclose(columns[2], [1, 0, 40.3, 1, 0, 0], atol=1e-4)  # the sharpness to a tenth
    assert np.array_equal(columns[3], columns[2])
    assert store.face_columns([]).shape == (0, FACE_DIM)


def test_a_photographer_who_rejects_blinks_teaches_the_model(any_catalog: object) -> None:
    """Every blink rejected, whatever the picture: the model learns to score a
    blink below the same picture with everyone's eyes open — which the
    embedding alone cannot tell apart (the pairs share one vector)."""
    rng = np.random.default_rng(3)
    n = 60
    ids = shoot_photos(n)
    x = rng.normal(size=(n // 2, 8)).astype(np.float32)
    x = np.repeat(x, 2, axis=0)  # frame pairs of one moment: open, then a blink
    judgments.store_embeddings(MODEL, list(zip(ids, x, strict=True)))
    blinks = [i % 2 == 1 for i in range(n)]
    faces = [(pid, _faces(b)) for pid, b in zip(ids, blinks, strict=True)]
    store.apply_faces(Photo._meta.database, faces)
    # Every blink scores below its open twin (same embedding), after the rescore.
    teach_twins(MODEL, ids, x, list(blinks), 8 + FACE_DIM)


def test_a_model_stored_before_the_faces_still_scores(any_catalog: object) -> None:
    rng = np.random.default_rng(4)
    ids = shoot_photos(30)
    x = rng.normal(size=(30, 8)).astype(np.float32)
    judgments.store_embeddings(MODEL, list(zip(ids, x, strict=True)))
    store.apply_faces(Photo._meta.database, [(pid, _faces(False)) for pid in ids])
    y = np.where(x[:, 0] > 0, 4.0, 2.0)
    old = fit_taste(x, y, alpha=1.0)  # the embedding alone, as before issue 32
    assert_old_model_still_scores(MODEL, old, x, ids)
