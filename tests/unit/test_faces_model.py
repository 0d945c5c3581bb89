"""The faces stage's body on real portraits (ml.faces.find): faces found, eyes,
the face's own sharpness, key faces, and hostile frames kept in bounds."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from curator.ml.faces.find import (
    MAX_FACES,
    TOO_SMALL_TO_SEARCH,
    faces_outcome,
    find_faces,
)
from curator.records import EyeState, FacesFailure, FacesFound
from tests.faces_helpers import PORTRAITS, installed_model, montage, portrait, scaled

VERSION = "faces-test"


@pytest.fixture
def model() -> object:
    return installed_model()


@pytest.mark.parametrize("name", PORTRAITS)
def test_a_portrait_has_one_key_face_with_open_eyes_where_the_face_is(
    model: object, name: str
) -> None:
    rgb = portrait(name)
    found = find_faces(rgb, model, VERSION, photo_sharpness=80.0)  # type: ignore[arg-type]
    assert found.version == VERSION and found.note is None
    assert len(found.faces) == 1
    face = found.faces[0]
    assert face.judged and face.key and face.eyes is EyeState.OPEN
    x, y, w, h = face.box
    assert 0.2 < x + w / 2 < 0.8 and 0.15 < y + h / 2 < 0.5  # the head, not the suit
    assert 0.15 < w < 0.6 and face.size_px == pytest.approx(
        max(w * rgb.shape[1], h * rgb.shape[0]), abs=2
    )
    assert face.sharpness is not None and face.sharpness > 50
    assert found.summary.eyes_open and not found.summary.closed_eyes
    assert not found.summary.soft_face


def _blur_face(rgb: np.ndarray, box: tuple[float, ...], sigma: float) -> np.ndarray:
    if sigma == 0:
        return rgb
    h, w = rgb.shape[:2]
    x0, y0 = int(box[0] * w), int(box[1] * h)
    x1, y1 = int((box[0] + box[2]) * w), int((box[1] + box[3]) * h)
    out = rgb.copy()
    out[y0:y1, x0:x1] = cv2.GaussianBlur(rgb, (0, 0), sigma)[y0:y1, x0:x1]
    return out


def test_the_face_s_sharpness_falls_with_a_blur_of_the_face_only_and_says_soft(
    model: object,
) -> None:
    rgb = portrait()
    box = find_faces(rgb, model, VERSION).faces[0].box  # type: ignore[arg-type]
    scores, soft = [], []
    for sigma in (0.0, 1.5, 3.0, 5.0):
        found = find_faces(_blur_face(rgb, box, sigma), model, VERSION, photo_sharpness=85.0)  # type: ignore[arg-type]
        assert len(found.faces) == 1, sigma
        scores.append(found.faces[0].sharpness)
        soft.append(found.summary.soft_face)
    assert scores == sorted(scores, reverse=True) and scores[0] - scores[-1] > 40, scores
    assert soft[0] is False and soft[-1] is True  # the photo is sharp, its face is not


def test_in_a_group_the_faces_are_key_and_a_small_one_is_not_judged(model: object) -> None:
    """Small faces beside the frame ask for the closer look (the quarters): a
    43 px face is found there, judged; the others, alike in size, are key."""
    a, b = portrait(PORTRAITS[0]), portrait(PORTRAITS[1])
    frame = montage(
        [(scaled(a, 0.6), 0, 0), (scaled(b, 0.6), 500, 100), (scaled(a, 0.22), 1200, 500)],
        1440,
        960,
    )
    found = find_faces(frame, model, VERSION)  # type: ignore[arg-type]
    sizes = sorted(f.size_px for f in found.faces)
    assert len(sizes) == 3 and sizes[0] < 60 < sizes[1], sizes
    assert all(f.judged for f in found.faces)
    big = [f for f in found.faces if f.size_px > 60]
    assert all(f.key for f in big) and found.summary.key >= 2


def test_a_soft_guest_far_smaller_than_the_subject_is_not_a_key_face(model: object) -> None:
    """A guest behind the subject, half its size and out of focus: judged, but not
    key (only key faces make badges); in focus, the same guest is key."""
    a = scaled(portrait(PORTRAITS[0]), 1.4)
    guest = scaled(portrait(PORTRAITS[1]), 0.7)
    verdicts = {}
    for blur in (0.0, 3.0):
        g = cv2.GaussianBlur(guest, (0, 0), blur) if blur else guest
        found = find_faces(montage([(a, 0, 0), (g, 1050, 300)], 1440, 1260), model, VERSION)  # type: ignore[arg-type]
        judged = sorted((f for f in found.faces if f.judged), key=lambda f: -f.size_px)
        assert len(judged) == 2, blur
        assert judged[0].key
        verdicts[blur] = judged[1].key
    assert verdicts == {0.0: True, 3.0: False}


def test_a_photo_without_people_has_no_faces_and_no_note(model: object) -> None:
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 255, (960, 1440, 3), dtype=np.uint8)
    found = find_faces(noise, model, VERSION)  # type: ignore[arg-type]
    assert found.faces == () and found.note is None
    assert found.summary.count == 0 and not found.summary.eyes_open


def _face_crop(name: str, model: object) -> np.ndarray:
    """The face of a portrait, 1.8 times its box, square (RGB)."""
    rgb = portrait(name)
    height, width = rgb.shape[:2]
    x, y, w, h = find_faces(rgb, model, VERSION, describe=False).faces[0].box  # type: ignore[arg-type]
    cx, cy, side = (x + w / 2) * width, (y + h / 2) * height, max(w * width, h * height) * 1.8
    x0, y0 = max(0, round(cx - side / 2)), max(0, round(cy - side / 2))
    return rgb[y0 : y0 + round(side), x0 : x0 + round(side)]


@pytest.mark.parametrize(
    ("background", "at"),
    [("exiv2_FurnaceCreekInn2.jpg", (700, 400)), ("iphone6_hdr_NO.jpg", (1230, 60))],
)
def test_a_blurred_background_s_pattern_is_no_face_beside_a_real_one(
    model: object, fixtures_dir: object, background: str, at: tuple[int, int]
) -> None:
    """On these fixtures blurred as the acceptance's backgrounds are, the
    detector was sure of a flat "face" the mesh hardly saw (an inn's wall at
    590 px, key, where the real face was not; a wisteria at 109 px): a face
    the mesh hardly sees with no detail in its eye band is none."""
    rgb = _pasted_on_blur(fixtures_dir, background, PORTRAITS[1], 180, at, model)
    found = find_faces(rgb, model, VERSION, describe=False)  # type: ignore[arg-type]
    assert len(found.faces) == 1, [(f.size_px, f.sharpness, f.eyes_note) for f in found.faces]
    only = found.faces[0]
    assert only.key and only.eyes is EyeState.OPEN and (only.sharpness or 0) > 50


def _pasted_on_blur(
    fixtures_dir: object, background: str, name: str, side: int, at: tuple[int, int], model: object
) -> np.ndarray:
    """A portrait's face (`side` px square) pasted at `at` on a fixture blurred as
    the acceptance's backgrounds are (1,600 x 1,200, Gaussian 12), as the
    1,440 px preview."""
    from pathlib import Path

    from PIL import Image, ImageFilter

    cover = Image.open(Path(str(fixtures_dir)) / "jpeg" / background).convert("RGB")
    scale = max(1600 / cover.width, 1200 / cover.height)
    cover = cover.resize((round(cover.width * scale), round(cover.height * scale)))
    cover = cover.crop((0, 0, 1600, 1200)).filter(ImageFilter.GaussianBlur(12))
    cover.paste(Image.fromarray(_face_crop(name, model)).resize((side, side)), at)
    return np.asarray(cover.resize((1440, 1080), Image.Resampling.BOX))


@pytest.mark.parametrize(("name", "side"), [(PORTRAITS[0], 140), (PORTRAITS[1], 120)])
def test_a_lone_small_face_the_whole_frame_misses_is_found_in_the_quarters(
    model: object, fixtures_dir: object, name: str, side: int
) -> None:
    """A person small in a wide frame (a face of ~60 px in the 1,440 px
    preview, on a blurred leaf): neither detector reads anything from the
    whole frame, not even a hint, so the quarters are looked at."""
    from curator.ml.faces.find import HINT_SCORE, NEAR_MIN_SCORE
    from curator.ml.faces.networks import networks_for

    rgb = _pasted_on_blur(fixtures_dir, "jolla_leaf_soft.jpg", name, side, (300, 700), model)
    nets = networks_for(model)  # type: ignore[arg-type]
    half = cv2.resize(rgb, (720, 540), interpolation=cv2.INTER_AREA)
    whole = nets.detector.detect(half, threshold=HINT_SCORE)
    assert whole + nets.near_detector.detect(half, threshold=NEAR_MIN_SCORE) == []
    found = find_faces(rgb, model, VERSION, describe=False)  # type: ignore[arg-type]
    assert [(f.judged, f.key, f.eyes) for f in found.faces] == [(True, True, EyeState.OPEN)]
    x, y, w, h = found.faces[0].box  # where the face was pasted (300, 700 of 1,600 x 1,200)
    assert x < 300 / 1600 + side / 1600 / 2 < x + w and y < 700 / 1200 + side / 1200 / 2 < y + h


@pytest.mark.parametrize("name", PORTRAITS)
def test_the_detectors_find_the_same_on_float_pixels_as_on_uint8(model: object, name: str) -> None:
    """`detect_faces` converts the frame it looks at to float32 once and every
    pass reduces that (half the time at a fractional ratio): the detections
    must be the uint8 path's to the last bit, reducing (the whole frame, a
    quarter) and enlarging (a region under the detector's input)."""
    from curator.ml.faces.find import HINT_SCORE, quarters
    from curator.ml.faces.networks import as_float, networks_for

    rgb = montage(
        [(scaled(portrait(name), 0.3), 400, 260), (scaled(portrait(name), 0.12), 60, 80)], 720, 540
    )
    nets = networks_for(model)  # type: ignore[arg-type]
    regions = [None, *quarters(720, 540), (380, 240, 150, 150), (50, 70, 96, 96)]
    found = 0
    for detector in (nets.detector, nets.near_detector):
        for region in regions:
            as_uint8 = detector.detect(rgb, region, threshold=HINT_SCORE)
            on_float = detector.detect(as_float(rgb), region, threshold=HINT_SCORE)
            assert [(d.score, d.box) for d in on_float] == [(d.score, d.box) for d in as_uint8]
            assert all(
                np.array_equal(a.keypoints, b.keypoints)
                for a, b in zip(on_float, as_uint8, strict=True)
            )
            found += len(as_uint8)
    assert found >= 10  # faces were found: the comparison compared something


def test_a_strip_is_not_searched_and_says_why(model: object) -> None:
    strip = np.full((1, 60_000, 3), 128, np.uint8)
    found = find_faces(strip, model, VERSION)  # type: ignore[arg-type]
    assert found.faces == () and found.note == TOO_SMALL_TO_SEARCH


def test_a_million_tiny_faces_are_capped(model: object) -> None:
    """A mosaic of hundreds of small portraits: a capped list, never a landmark run
    per "face" beyond the cap."""
    tile = scaled(portrait(PORTRAITS[0]), 0.07)  # ~63 x 80
    rows = [np.hstack([tile] * 22) for _ in range(12)]
    frame = np.ascontiguousarray(np.vstack(rows)[:960, :1440])
    found = find_faces(frame, model, VERSION)  # type: ignore[arg-type]
    assert len(found.faces) <= MAX_FACES
    assert sum(f.judged for f in found.faces) <= 24


def test_a_large_frame_is_reduced_before_looking(model: object) -> None:
    big = scaled(portrait(PORTRAITS[1]), 6.0)  # 3072 x 3600
    found = find_faces(big, model, VERSION)  # type: ignore[arg-type]
    assert len(found.faces) == 1 and found.faces[0].size_px <= 2048


def test_a_broken_model_is_a_failure_with_a_sentence(tmp_path: object) -> None:
    from pathlib import Path

    from curator.ml.faces.files import MODEL_FILES, FaceModelFiles

    folder = Path(str(tmp_path)) / "model"
    folder.mkdir()
    for file in MODEL_FILES:
        (folder / file.name).write_bytes(b"not a network")
    outcome = faces_outcome(portrait(), FaceModelFiles(str(folder)), VERSION)
    assert isinstance(outcome, FacesFailure)
    assert outcome.message.startswith("The face model failed on this photo")
    assert "Traceback" in outcome.detail
    assert not isinstance(outcome, FacesFound)


def _runtimes_here() -> list[str]:
    from curator.ml.faces import graphs

    return [name for name in graphs.RUNTIMES if graphs.importable(name)]


@pytest.mark.parametrize("name", PORTRAITS)
@pytest.mark.parametrize("runtime", ["openvino", "litert"])
def test_every_runtime_reads_the_faces_opencv_reads(
    model: object, name: str, runtime: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The graphs run by OpenVINO or LiteRT (where they have wheels) and by
    OpenCV's DNN (everywhere) find the same faces with the same verdicts, the
    landmarks within a small fraction of a pixel: a catalog's faces do not
    depend on which seat judged them."""
    from curator.ml.faces import graphs
    from curator.ml.faces.networks import Networks, networks_for

    if runtime not in _runtimes_here():
        pytest.skip(f"{runtime} is not installed here")
    rgb = portrait(name)
    read: dict[str, tuple[FacesFound, np.ndarray, np.ndarray]] = {}
    for each in (runtime, "opencv"):
        monkeypatch.setenv(graphs.RUNTIME_ENV, each)
        networks_for.cache_clear()
        nets: Networks = networks_for(model)  # type: ignore[arg-type]
        assert nets.detector.net.runtime == each
        found = find_faces(rgb, model, VERSION)  # type: ignore[arg-type]
        detection = max(nets.detector.detect(rgb), key=lambda d: d.score)
        presence = nets.landmarks.presence(rgb, detection)
        mesh = nets.landmarks.mesh(rgb, detection, presence)
        shapes = nets.landmarks.blendshapes(mesh)
        near = max(nets.near_detector.detect(rgb), key=lambda d: d.score)
        read[each] = (found, mesh.points, np.append(shapes, [presence, near.score]))
    networks_for.cache_clear()
    (other, other_mesh, other_scores), (cv, cv_mesh, cv_scores) = read[runtime], read["opencv"]
    assert [f.eyes for f in other.faces] == [f.eyes for f in cv.faces] == [EyeState.OPEN]
    assert np.abs(other_mesh - cv_mesh).max() < 0.5  # pixels of a ~250 px face
    assert np.abs(other_scores - cv_scores).max() < 0.01  # blendshapes, presence, detection
    assert other.faces[0].openness == pytest.approx(cv.faces[0].openness, abs=0.005)


def test_the_runtime_asked_for_is_used_and_one_not_installed_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from curator.ml.faces import graphs

    here = _runtimes_here()
    assert "opencv" in here
    monkeypatch.setenv(graphs.RUNTIME_ENV, "opencv")
    assert graphs.runtime() == "opencv"
    monkeypatch.setenv(graphs.RUNTIME_ENV, "")
    assert graphs.runtime() == here[0]  # the first of the order of preference
    monkeypatch.setattr(graphs, "importable", lambda name: name == "opencv")
    monkeypatch.setenv(graphs.RUNTIME_ENV, "openvino")
    assert graphs.runtime() == "opencv"


def test_openvino_keeps_the_compiled_networks_in_the_app_s_cache(
    model: object, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The networks OpenVINO compiles for this CPU are kept under the app's
    cache folder (here CURATOR_HOME's), so the next faces process loads them."""
    from pathlib import Path

    from curator.ml.faces import compiled, graphs
    from curator.ml.faces.files import NEAR_DETECTOR

    if not graphs.importable("openvino"):
        pytest.skip("OpenVINO is not installed here")
    monkeypatch.setenv("CURATOR_HOME", str(tmp_path))
    monkeypatch.setenv(graphs.RUNTIME_ENV, "openvino")
    graphs._core.cache_clear()
    try:
        graph = graphs.Graph(model.path(NEAR_DETECTOR), ("classificators",))  # type: ignore[attr-defined]
        (scores,) = graph.run(np.zeros((1, 128, 128, 3), np.float32))
    finally:
        graphs._core.cache_clear()
    assert scores.shape == (1, 896, 1)
    kept = list((Path(str(tmp_path)) / "cache" / compiled.COMPILED_CACHE).iterdir())
    assert any(p.stat().st_size > 10_000 for p in kept), kept


def test_openvino_reads_only_a_graph_whose_batch_is_open(
    model: object, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A graph whose input is fixed is compiled from its file (with the cache,
    OpenVINO then loads it without converting the graph: a faces process's
    start); the landmarks' graph, whose batch is left open, is read and
    compiled with its batch fixed at one, the shape its faster kernels need,
    and kept so (the next process reads nothing); each network compiled
    into the cache is marked prepared (`compiled.networks_prepared`)."""
    from curator.ml.faces import compiled, graphs
    from curator.ml.faces.files import LANDMARKS, NEAR_DETECTOR

    if not graphs.importable("openvino"):
        pytest.skip("OpenVINO is not installed here")
    monkeypatch.setenv("CURATOR_HOME", str(tmp_path))
    monkeypatch.setenv(graphs.RUNTIME_ENV, "openvino")
    real_core = graphs._openvino_core
    graphs._core.cache_clear()
    read: list[str] = []
    try:
        core = real_core()
        real_read = core.read_model

        class Counting:
            def read_model(self, path: str) -> object:
                read.append(path)
                return real_read(path)

            def compile_model(self, *args: object) -> object:
                return core.compile_model(*args)

        monkeypatch.setattr(graphs, "_openvino_core", lambda cached=True: Counting())
        near = graphs.Graph(model.path(NEAR_DETECTOR), ("classificators",))  # type: ignore[attr-defined]
        assert read == []
        marks = graphs.Graph(model.path(LANDMARKS), ())  # type: ignore[attr-defined]
        # Kept with its batch fixed: the next process compiles that, reading nothing.
        again = graphs.Graph(model.path(LANDMARKS), ())  # type: ignore[attr-defined]
    finally:
        graphs._core.cache_clear()
    assert read == [model.path(LANDMARKS)]  # type: ignore[attr-defined]
    shape = again._request.get_compiled_model().inputs[0].get_partial_shape()
    assert not shape.is_dynamic and shape[0].get_length() == 1
    for path in (model.path(NEAR_DETECTOR), model.path(LANDMARKS)):  # type: ignore[attr-defined]
        assert compiled.is_prepared(path, precise=True)  # marked: doctor and the import know
    assert not compiled.networks_prepared(model.folder)  # type: ignore[attr-defined]  # 2 of 7
    assert near.runtime == marks.runtime == "openvino"
    inputs = marks._request.get_compiled_model().inputs[0].get_partial_shape()
    assert not inputs.is_dynamic and inputs[0].get_length() == 1
    (landmarks, *_) = marks.run(np.zeros((1, 256, 256, 3), np.float32))
    assert landmarks.shape[0] == 1


def test_a_cache_another_process_is_writing_does_not_cost_openvino(
    model: object, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A cache OpenVINO fails on (as it did when two processes wrote one blob
    at once, before they took turns: "filesystem error: cannot set
    permissions: No such file or directory [<cache>/<n>.blob]"): that
    process compiles without the cache and still runs on OpenVINO, with
    nothing to say."""
    from curator.ml.faces import graphs
    from curator.ml.faces.files import NEAR_DETECTOR

    if not graphs.importable("openvino"):
        pytest.skip("OpenVINO is not installed here")
    real = graphs._openvino_core

    class Racing:
        def __init__(self, core: object) -> None:
            self.core = core

        def read_model(self, path: str) -> object:
            return self.core.read_model(path)  # type: ignore[attr-defined]

        def compile_model(self, *_args: object) -> None:
            raise RuntimeError(
                "Exception from src/inference/src/dev/core_impl.cpp:1:\nfilesystem error: cannot "
                "set permissions: No such file or directory [cache/openvino/1.blob]"
            )

    def core(cached: bool = True) -> object:
        return Racing(real(cached)) if cached else real(cached)

    monkeypatch.setattr(graphs, "_openvino_core", core)
    monkeypatch.setattr(graphs, "_FELL_BACK", set())
    monkeypatch.setenv(graphs.RUNTIME_ENV, "openvino")
    graph = graphs.Graph(model.path(NEAR_DETECTOR), ("classificators",))  # type: ignore[attr-defined]
    (scores,) = graph.run(np.zeros((1, 128, 128, 3), np.float32))
    assert graph.runtime == "openvino" and scores.shape == (1, 896, 1)
    assert not [r for r in caplog.records if r.name == graphs.__name__]


def test_openvino_compiles_with_the_cache_only_in_the_process_s_turn(
    model: object, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OpenVINO writes a network's blob in place and reads it mapped into
    memory: a faces process loading a blob while another wrote it died of
    SIGBUS in `compile_model` (the watch bench's children warming up at once
    on a fresh cache). A compile with the cache holds the cache's turn (a
    file lock, as another process holds it); while another holds it past
    the wait, this process compiles without the cache, writes nothing into
    it, and still runs on OpenVINO."""
    from filelock import FileLock, Timeout

    from curator.ml.faces import compiled, graphs
    from curator.ml.faces.files import NEAR_DETECTOR

    if not graphs.importable("openvino"):
        pytest.skip("OpenVINO is not installed here")
    monkeypatch.setenv("CURATOR_HOME", str(tmp_path))
    monkeypatch.setenv(graphs.RUNTIME_ENV, "openvino")
    monkeypatch.setattr(graphs, "_FELL_BACK", set())
    monkeypatch.setattr(compiled, "TURN_WAIT_S", 0.2)
    folder = compiled.cache_folder()
    folder.mkdir(parents=True)
    turn = folder / compiled.TURN
    real = graphs._compiled
    compiles: list[tuple[bool, bool]] = []  # (with the cache, the turn held)

    def spy(core: object, path: str, config: dict[str, object], kept: object) -> object:
        try:
            FileLock(turn, timeout=0).acquire().lock.release()
            held = False
        except Timeout:
            held = True
        compiles.append((kept is not None, held))
        return real(core, path, config, kept)  # type: ignore[arg-type]

    monkeypatch.setattr(graphs, "_compiled", spy)
    graphs._core.cache_clear()
    other = FileLock(turn)
    try:
        with other:  # another process's turn, past the wait
            busy = graphs.Graph(model.path(NEAR_DETECTOR), ("classificators",))  # type: ignore[attr-defined]
        written_meanwhile = sorted(p.name for p in folder.glob("*.blob"))
        mine = graphs.Graph(model.path(NEAR_DETECTOR), ("classificators",))  # type: ignore[attr-defined]
    finally:
        graphs._core.cache_clear()
    assert compiles == [(False, True), (True, True)]  # without the cache, then in its turn
    assert written_meanwhile == []
    assert list(folder.glob("*.blob"))  # in its turn, the network went into the cache
    for graph in (busy, mine):
        (scores,) = graph.run(np.zeros((1, 128, 128, 3), np.float32))
        assert graph.runtime == "openvino" and scores.shape == (1, 896, 1)


def _group_shot() -> tuple[np.ndarray, int]:
    """A 24 MP frame of 32 real faces of ~130 px (a large group at full
    resolution: ~31 px on the 1,440 px preview), and how many faces it holds."""
    parts = []
    for row in range(4):
        for col in range(8):
            face = scaled(portrait(PORTRAITS[(row + col) % 2]), 0.62 if (row + col) % 2 else 0.6)
            parts.append((face, 150 + col * 720, 250 + row * 920))
    return montage(parts, 6000, 4000), len(parts)


def test_a_large_group_s_small_faces_are_found_and_judged_in_the_sharper_pixels(
    model: object,
) -> None:
    """Issue 41 §4: on the preview a 24 MP group's faces are too small to judge;
    the sharper pixels the decode gives (asked for only for a group) find and
    judge them."""
    from curator.imaging.orientation import fit_long_edge_pixels

    frame, faces = _group_shot()
    preview = fit_long_edge_pixels(frame, 1440)
    asked = []

    def detail() -> np.ndarray:
        asked.append(True)
        return frame

    plain = find_faces(preview, model, VERSION)  # type: ignore[arg-type]
    sharper = find_faces(preview, model, VERSION, detail=detail)  # type: ignore[arg-type]
    assert asked == [True]  # decoded once, for a group
    # Judged: big enough in the pixels they were judged on for a verdict
    # (the official portrait's narrow, smiling eyes read "can't tell" at this
    # size about half the time: a verdict, not a size problem).
    judged = [f for f in sharper.faces if f.judged and f.eyes_note in (None, "can't tell")]
    assert len(judged) >= 0.95 * faces, [(f.size_px, f.eyes_note) for f in sharper.faces]
    assert not any(f.eyes is EyeState.CLOSED for f in sharper.faces)
    assert sum(f.eyes is EyeState.OPEN for f in sharper.faces) >= 0.6 * faces
    assert sum(f.eyes is EyeState.OPEN for f in plain.faces) < 0.2 * faces
    assert all(f.size_px < 64 for f in sharper.faces)  # sizes stay in the preview's pixels
    cells = {
        (round((f.box[0] + f.box[2] / 2) * 8 - 0.5), round((f.box[1] + f.box[3] / 2) * 4 - 0.5))
        for f in judged
    }
    assert len(cells) == len(judged)  # one face each, none found twice


def test_a_single_portrait_never_asks_for_sharper_pixels(model: object) -> None:
    asked = []

    def detail() -> np.ndarray:
        asked.append(True)
        return portrait()

    find_faces(portrait(), model, VERSION, detail=detail)  # type: ignore[arg-type]
    assert asked == []


def test_eyes_read_shut_on_a_crop_off_the_face_are_read_again_on_the_face_s_own_framing(
    model: object,
) -> None:
    """The detector's box a third of a face off (up and to the side, as on a
    face cut by the frame's edge or upscaled soft): the landmark model reads
    open eyes on that crop as shut; read again on the crop its own points
    frame, they are open, and the eye points lie on the eyes."""
    from curator.ml.faces import eyes
    from curator.ml.faces.find import detect_faces, read_eyes
    from curator.ml.faces.networks import EYE_BLINK, Detection, networks_for

    rgb = portrait(PORTRAITS[0])
    luma = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    nets = networks_for(model)  # type: ignore[arg-type]
    found = max(detect_faces(nets, rgb), key=lambda d: d.long_side)
    x, y, w, h = found.box
    shift = np.array([0.3 * w, -0.3 * h])
    off = Detection(found.score, (x + shift[0], y + shift[1], w, h), found.keypoints + shift)
    on_face = nets.landmarks.mesh(rgb, found, 1.0)
    off_face = nets.landmarks.mesh(rgb, off, 1.0)
    blink = nets.landmarks.blendshapes(off_face)[list(EYE_BLINK)]
    assert float(blink.mean()) >= eyes.CLOSED_FROM  # the off crop reads them shut
    mesh, shapes, reading = read_eyes(nets, rgb, luma, off_face, found.long_side)
    assert reading.state is EyeState.OPEN and reading.blink is not None
    assert reading.blink < eyes.CLOSED_FROM and shapes.shape == (52,)
    lids = np.vstack([mesh.right_lids, mesh.left_lids])
    truth = np.vstack([on_face.right_lids, on_face.left_lids])
    assert float(np.abs(lids - truth).max()) < 0.05 * found.long_side


def test_a_face_s_points_that_frame_nothing_are_not_read_again(model: object) -> None:
    from curator.ml.faces.networks import Mesh, networks_for

    nets = networks_for(model)  # type: ignore[arg-type]
    collapsed = Mesh(np.full((478, 2), 50.0), 1.0, 10.0)
    assert nets.landmarks.mesh_again(portrait(PORTRAITS[0]), collapsed) is None


def test_a_graph_openvino_cannot_run_runs_on_the_next_runtime(
    model: object, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """OpenVINO installed but failing (a broken install raises RuntimeError):
    the graphs and the descriptor run on the next runtime, and the faces are
    still found and described."""
    from curator.ml.faces import descriptor, graphs
    from curator.ml.faces.networks import networks_for

    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError(  # OpenVINO's form: where it was raised, then what (a bundle's)
            "Exception from src/inference/src/cpp/core.cpp:84:\n"
            "Unable to read the model: face.tflite Please check that model format: tflite is "
            "supported and the model is correct. Available frontends: ir onnx\n\n"
        )

    monkeypatch.setattr(graphs, "importable", lambda name: name in ("openvino", "opencv"))
    monkeypatch.setenv(graphs.RUNTIME_ENV, "openvino")
    monkeypatch.setattr(graphs, "openvino_request", broken)
    monkeypatch.setattr(descriptor, "openvino_request", broken)
    monkeypatch.setattr(graphs, "_FELL_BACK", set())
    networks_for.cache_clear()
    descriptor.descriptor_for.cache_clear()
    try:
        assert graphs.runtime() == "openvino"
        found = find_faces(portrait(PORTRAITS[0]), model, VERSION)  # type: ignore[arg-type]
        assert networks_for(model).detector.net.runtime == "opencv"  # type: ignore[arg-type]
        assert descriptor.descriptor_for(model).runtime == "opencv"  # type: ignore[arg-type]
    finally:
        networks_for.cache_clear()
        descriptor.descriptor_for.cache_clear()
    assert [f.eyes for f in found.faces] == [EyeState.OPEN]
    assert found.faces[0].smile is not None  # the mouth's, without the classifier
    assert found.descriptors[0] is not None
    said = [r.getMessage() for r in caplog.records if r.name == graphs.__name__]
    assert said == [  # one sentence for all six graphs, none a photo
        "OpenVINO could not run the face model (Unable to read the model: face.tflite Please "
        "check that model format: tflite is supported and the model is correct. Available "
        "frontends: ir onnx); OpenCV runs it instead, with the same verdicts, except "
        "smiles, which it reads from the mouth alone."
    ]


def test_a_runtime_whose_native_libraries_do_not_load_counts_as_not_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import builtins

    from curator.ml.faces import graphs

    real_import = builtins.__import__

    def failing(name: str, *args: object, **kwargs: object) -> object:
        if name == "openvino":
            raise OSError("libopenvino.so.2641: cannot open shared object file")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.delitem(__import__("sys").modules, "openvino", raising=False)
    monkeypatch.setattr(builtins, "__import__", failing)
    monkeypatch.setenv(graphs.RUNTIME_ENV, "openvino")
    assert not graphs.importable("openvino")
    assert graphs.runtime() != "openvino"
