"""The faces stage's cost levers (issues 49 §5–§6, 50 §1): the second look is
skipped when the first is sure of a face, and a photo's faces are described
in one call of the descriptor model with the vectors each gets alone."""

from __future__ import annotations

import numpy as np
import pytest

from curator.ml.faces import descriptor as desc
from curator.ml.faces import find
from curator.ml.faces.networks import Detection
from tests.faces_helpers import (
    PORTRAITS,
    ScriptedDetector,
    ScriptedNets,
    installed_model,
    montage,
    portrait,
    scaled,
)


def _at(score: float, x: float, y: float, side: float) -> Detection:
    points = np.array([[x + side * 0.3, y + side * 0.4], [x + side * 0.7, y + side * 0.4]] * 3)
    return Detection(score, (x, y, side, side), points.astype(np.float64))


def _nets(full: list[Detection], near: list[Detection]) -> ScriptedNets:
    return ScriptedNets(ScriptedDetector(full), ScriptedDetector(near))


FRAME = np.zeros((540, 720, 3), np.uint8)  # under `HALVE_FROM`: found boxes are frame pixels


def test_a_sure_face_in_the_first_look_skips_the_second() -> None:
    nets = _nets([_at(0.9, 300, 150, 200), _at(0.1, 40, 40, 30)], [])
    found = find.detect_faces(nets, FRAME)  # type: ignore[arg-type]
    assert nets.detector.passes == [None]  # no hint's closer look, though a hint was there
    assert nets.near_detector.passes == [None]  # no quarters
    assert [d.score for d in found] == [0.9]


def test_an_unsure_first_look_looks_again() -> None:
    nets = _nets([_at(0.4, 300, 150, 200), _at(0.1, 40, 40, 30)], [])
    find.detect_faces(nets, FRAME)  # type: ignore[arg-type]
    assert nets.detector.passes[0] is None and len(nets.detector.passes) == 2  # the hint
    assert nets.near_detector.passes[1:] == find.quarters(720, 540)


def test_a_frame_without_a_face_looks_again() -> None:
    nets = _nets([_at(0.1, 40, 40, 30)], [])
    find.detect_faces(nets, FRAME)  # type: ignore[arg-type]
    assert len(nets.detector.passes) == 2 and len(nets.near_detector.passes) == 5


def test_a_small_face_asks_for_the_quarters_however_sure_the_first_look() -> None:
    small = 0.5 * find.SMALL_FACE_SHARE * 720
    nets = _nets([_at(0.95, 300, 150, 200), _at(0.9, 40, 40, small)], [])
    find.detect_faces(nets, FRAME)  # type: ignore[arg-type]
    quarters = find.quarters(720, 540)
    assert nets.detector.passes[1:] == quarters
    assert nets.near_detector.passes[1:] == quarters


def test_the_short_range_detector_is_sure_only_past_its_own_bar() -> None:
    """A short-range finding counts as sure from `NEAR_SURE_SCORE`, not from
    `SURE_SCORE` (its scores run higher on what is not a face)."""
    unsure_near = _at((find.NEAR_MIN_SCORE + find.NEAR_SURE_SCORE) / 2, 300, 150, 300)
    sure_near = _at(find.NEAR_SURE_SCORE, 300, 150, 300)
    assert not find.is_confident([], [unsure_near])
    assert find.is_confident([], [sure_near])
    assert find.is_confident([_at(find.SURE_SCORE, 0, 0, 50)], [])
    assert not find.is_confident([_at(find.SURE_SCORE - 0.01, 0, 0, 50)], [])
    nets = _nets([], [unsure_near])
    find.detect_faces(nets, FRAME)  # type: ignore[arg-type]
    assert len(nets.near_detector.passes) == 5


# -- the descriptor's batch, on the real model -------------------------------------------


@pytest.fixture(scope="module")
def model() -> object:
    return installed_model()


def test_a_photos_faces_described_together_get_the_vectors_each_gets_alone(
    model: object,
) -> None:
    one = scaled(portrait(PORTRAITS[0]), 0.5)
    two = scaled(portrait(PORTRAITS[1]), 0.5)
    rgb = montage([(one, 20, 20), (two, 700, 60)], 1300, 800)
    found = find.find_faces(rgb, model, "test")  # type: ignore[arg-type]
    assert len(found.descriptors) == 2 and all(d is not None for d in found.descriptors)
    net = desc.descriptor_for(model)  # type: ignore[arg-type]
    alone = []  # each face's landmarks again, then its own call of the model
    nets = find.networks_for(model)  # type: ignore[arg-type]
    for detection in sorted(find.detect_faces(nets, rgb), key=lambda d: -d.long_side):
        mesh = nets.landmarks.mesh(rgb, detection, 1.0)
        alone.append(desc.vector_bytes(net.of_landmarks(rgb, mesh.points)))
    assert list(found.descriptors) == alone


def test_describe_many_is_describe_face_by_face(model: object) -> None:
    net = desc.descriptor_for(model)  # type: ignore[arg-type]
    rng = np.random.default_rng(5)
    faces = [rng.integers(0, 256, (desc.SIZE, desc.SIZE, 3), dtype=np.uint8) for _ in range(3)]
    together = net.describe_many(faces)
    for face, vector in zip(faces, together, strict=True):
        assert vector is not None
        assert np.array_equal(vector, net.describe(face))
    assert net.describe_many([]) == []
