"""Smile and looking enter the taste model's inputs as the faces did (issue 49
§4): the catalog's columns carry them (on both backends), a photographer who
rejects frames without smiles teaches the model, and a model stored with
issue 32's four face features still scores."""

from __future__ import annotations

import numpy as np

from curator.catalog import judgments
from curator.catalog.models import Photo
from curator.catalog.people import store
from curator.ml.taste import fit_taste
from curator.ml.taste_inputs import EYES_FACE_DIM, FACE_DIM, inputs_for, with_faces
from curator.records import EyeState, Face, FacesFound, FacesSummary, Looking
from tests.taste_helpers import assert_old_model_still_scores, shoot_photos, teach_twins

MODEL = "clip-test"


def _faces(*, smiling: bool, looking: bool) -> FacesFound:
    face = Face(
        (0.4, 0.1, 0.2, 0.25),
        300,
        True,
        EyeState.OPEN,
        None,
        0.3,
        80.0,
        True,
        0.9,
        smile=0.9 if smiling else 0.1,
        looking=Looking.CAMERA if looking else Looking.AWAY,
    )
    summary = FacesSummary(1, 1, 1, False, False, True, 80.0, smiling, looking, int(looking))
    return FacesFound((face,), "faces-test", summary=summary)


def test_a_model_of_issue_32s_width_gets_the_first_four_face_features() -> None:
    x = np.zeros((2, 6), dtype=np.float32)
    columns = np.array([[1, 0, 50.0, 1, 1, 1], [0, 1, 80.0, 2, 0, 1]], dtype=np.float32)
    eyes_only = inputs_for(6 + EYES_FACE_DIM, x, lambda: columns)
    everything = inputs_for(6 + FACE_DIM, x, lambda: columns)
    assert eyes_only is not None and everything is not None
    assert eyes_only.shape == (2, 6 + EYES_FACE_DIM)
    assert np.array_equal(eyes_only, everything[:, : 6 + EYES_FACE_DIM])
    # The smile and looking columns are the last two, in that order.
    assert np.array_equal(everything[:, -2:] > 0, [[True, True], [False, True]])


def test_face_columns_carry_smiling_and_looking(any_catalog: object) -> None:
    a, b, c, d = shoot_photos(4)
    db = Photo._meta.database
    store.apply_faces(
        db,
        [
            (a, _faces(smiling=True, looking=False)),
            (b, _faces(smiling=False, looking=True)),
            (c, _faces(smiling=True, looking=True)),
        ],
    )
    columns = store.face_columns([d, c, b, a])
    assert np.isnan(columns[0]).all()  # d: never looked at
    assert columns[1:, 4:].tolist() == [[1, 1], [0, 1], [1, 0]]
    # The other four columns did not move with the two new bits.
    assert columns[1:, :4].tolist() == [[0, 1, 80, 1]] * 3


def test_a_photographer_who_rejects_unsmiling_frames_teaches_the_model(
    any_catalog: object,
) -> None:
    """Every frame where the key face does not smile rejected, whatever the
    picture: the model scores it below the same picture with a smile — which
    the embedding alone cannot tell apart (the pairs share one vector)."""
    rng = np.random.default_rng(5)
    n = 60
    ids = shoot_photos(n)
    x = np.repeat(rng.normal(size=(n // 2, 8)).astype(np.float32), 2, axis=0)
    judgments.store_embeddings(MODEL, list(zip(ids, x, strict=True)))
    smiles = [i % 2 == 0 for i in range(n)]
    found = [(pid, _faces(smiling=s, looking=True)) for pid, s in zip(ids, smiles, strict=True)]
    store.apply_faces(Photo._meta.database, found)
    teach_twins(MODEL, ids, x, [not smiled for smiled in smiles], 8 + FACE_DIM)


def test_a_model_stored_with_issue_32s_face_features_still_scores(any_catalog: object) -> None:
    rng = np.random.default_rng(6)
    ids = shoot_photos(30)
    x = rng.normal(size=(30, 8)).astype(np.float32)
    judgments.store_embeddings(MODEL, list(zip(ids, x, strict=True)))
    looks = [(pid, _faces(smiling=i % 3 == 0, looking=i % 2 == 0)) for i, pid in enumerate(ids)]
    store.apply_faces(Photo._meta.database, looks)
    four = with_faces(x, store.face_columns(ids))[:, : 8 + EYES_FACE_DIM]
    y = np.where(x[:, 0] > 0, 4.0, 2.0)
    old = fit_taste(four, y, alpha=1.0)  # issue 32's inputs, before smiles
    assert_old_model_still_scores(MODEL, old, four, ids)
