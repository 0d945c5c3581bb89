"""The faces stage's look again (issue 49 §2): a frame of a burst in which no
face was found, while the frames shot beside it show key faces, is looked at
again where those faces are (`ml.faces.relook` plans it, `ml.faces.find`
looks), and only the face looked for, at its place and size, is taken."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from curator.ml.faces import find
from curator.ml.faces.networks import Detection
from curator.ml.faces.relook import MAX_PLACES, Shot, look_again_at
from curator.records import LOOKED_AGAIN
from tests.faces_helpers import ScriptedDetector, ScriptedNets, installed_model

T0 = datetime(2024, 6, 1, 13, 0, 0)
FACE = (0.4, 0.3, 0.1, 0.13)


def shot(pid: int, seconds: float, *faces: tuple[float, float, float, float], **kw: Any) -> Shot:
    camera = kw.get("camera", "Canon EOS R5")
    aspect = kw.get("aspect", 1.5)
    return Shot(pid, camera, T0 + timedelta(seconds=seconds), aspect, tuple(faces))


# -- planning: which frames, and where ------------------------------------------------


def test_a_faceless_frame_between_frames_with_faces_is_looked_at_where_they_are() -> None:
    other = (0.42, 0.31, 0.1, 0.13)  # the same face a frame later, a little moved
    places = look_again_at([shot(1, 0, FACE), shot(2, 1), shot(3, 2, other)], 3.0)
    assert places == {2: (FACE,)}  # one place for one face, the frames with faces not


def test_only_the_same_camera_within_the_burst_pause_and_framed_alike_counts() -> None:
    shots = [
        shot(1, 0, FACE),
        shot(2, 3.5),  # 3.5 s after: not within a 3 s pause
        shot(3, 0.5, camera="Nikon Z9"),  # another camera at the same moment
        shot(4, 1, aspect=1 / 1.5),  # the same camera held upright
        shot(5, -2.9),  # 2.9 s before: within it
    ]
    assert look_again_at(shots, 3.0) == {5: (FACE,)}


def test_frames_without_a_camera_are_one_camera_and_without_a_size_one_framing() -> None:
    shots = [shot(1, 0, FACE, camera=None, aspect=None), shot(2, 1, camera=None, aspect=None)]
    assert look_again_at(shots, 3.0) == {2: (FACE,)}
    assert look_again_at([shot(1, 0, FACE), shot(2, 1, aspect=None)], 3.0) == {}


def test_the_neighbours_are_walked_past_other_faceless_frames_and_in_any_order() -> None:
    shots = [shot(4, 2.5, FACE), shot(1, 0), shot(2, 1), shot(3, 2)]
    assert look_again_at(shots, 3.0) == {1: (FACE,), 2: (FACE,), 3: (FACE,)}
    assert look_again_at(list(reversed(shots)), 3.0) == look_again_at(shots, 3.0)


def test_a_face_of_another_size_at_the_same_place_is_looked_at_with_its_own_zoom() -> None:
    larger = (0.38, 0.28, 0.17, 0.23)  # another framing of the same face, 1.7 x its side
    places = look_again_at([shot(1, 0, FACE), shot(2, 1), shot(3, 2, larger)], 3.0)
    assert places == {2: (larger, FACE)}  # largest first


def test_a_group_is_looked_at_in_at_most_max_places_places() -> None:
    group = [(0.05 + 0.15 * i, 0.4, 0.08, 0.1) for i in range(6)]
    places = look_again_at([shot(1, 0, *group), shot(2, 1)], 3.0)
    assert len(places[2]) == MAX_PLACES and set(places[2]) <= set(group)


def test_a_frame_with_faces_or_without_neighbours_is_not_looked_at_again() -> None:
    assert look_again_at([shot(1, 0, FACE), shot(2, 1, FACE)], 3.0) == {}
    assert look_again_at([shot(1, 0), shot(2, 1)], 3.0) == {}
    assert look_again_at([], 3.0) == {}


# -- looking: where, and what is taken ------------------------------------------------


def test_the_regions_are_squares_around_the_faces_inside_the_frame() -> None:
    regions = find.again_regions([FACE, (0.95, 0.9, 0.05, 0.1)], (1080, 1440, 3))
    side = max(0.1 * 1440, 0.13 * 1080)
    square = round(find.AGAIN_ZOOM * side)
    cx, cy = 0.45 * 1440, 0.365 * 1080
    assert regions[0] == (round(cx - square / 2), round(cy - square / 2), square, square)
    x, y, w, h = regions[1]  # at the corner: moved inside
    assert x + w <= 1440 and y + h <= 1080 and w == h == round(find.AGAIN_ZOOM * 108)


def _box(score: float, cx: float, cy: float, side: float) -> Detection:
    points = np.zeros((6, 2), np.float64)
    return Detection(score, (cx - side / 2, cy - side / 2, side, side), points)


def test_only_the_face_at_the_place_and_size_looked_for_is_taken() -> None:
    frame = np.zeros((540, 720, 3), np.uint8)
    box = (0.4, 0.4, 0.15, 0.2)  # 108 px at (324, 270)
    the_face = _box(0.8, 330, 275, 100)
    an_eye = _box(0.7, 310, 250, 24)  # a sure "face" of an eye's size in the region
    beside = _box(0.9, 150, 275, 100)  # a face-sized pattern 1.7 sides away
    nets = ScriptedNets(ScriptedDetector(in_regions=[the_face, an_eye, beside]), ScriptedDetector())
    found = find.detect_faces(nets, frame, [box])  # type: ignore[arg-type]
    assert [d.score for d in found] == [0.8]
    assert find.again_regions([box], frame.shape)[0] in nets.detector.passes


# -- on real faces -------------------------------------------------------------------


def _burst_frame(fixtures: Path, genki: str) -> np.ndarray:
    """A 1,440 px preview of burst 77 of the burst bench's seed 494: a GENKI-4K
    face pasted on a blurred camera fixture as `tests.bench.burst_star` does,
    through a JPEG of the bench's quality."""
    from PIL import Image

    from tests.bench import faces_dev as fd
    from tests.bench import smile_dev as sd
    from tests.bench.burst_star import as_saved, paste

    names = sorted(p.name for p in (fixtures / "jpeg").glob("*.jpg"))
    cover = fd.blurred_backgrounds(fixtures)[names.index("sony_a200_unset_clock.jpg")]
    photo = as_saved(paste(cover, sd.dev_folder() / genki, 246, 293, 825))
    return np.asarray(photo.resize((1440, 1080), Image.Resampling.BOX))


def test_a_smiling_face_the_first_look_missed_is_found_where_its_burst_shows_one(
    fixtures_dir: Path,
) -> None:
    from tests.bench import smile_dev as sd

    if sd.missing_reason():
        pytest.skip(sd.missing_reason())
    model = installed_model()
    glum = find.find_faces(_burst_frame(fixtures_dir, "file2651.jpg"), model, "t")
    assert len(glum.key_faces) == 1  # the frame beside it: its face found
    peak = _burst_frame(fixtures_dir, "file1185.jpg")  # laughing, at the same place
    assert find.find_faces(peak, model, "t").faces == ()  # the whole frame's look misses it
    again = find.find_faces(peak, model, "t", look_again=[glum.key_faces[0].box])
    assert again.note is None and len(again.faces) == 1
    face = again.faces[0]
    assert face.key and face.eyes.value == "open" and (face.smile or 0) >= 0.5
    assert face.looking is not None and face.looking.value == "camera"


def test_a_look_again_where_nothing_is_finds_nothing_and_says_so(fixtures_dir: Path) -> None:
    from PIL import Image

    model = installed_model()
    with Image.open(fixtures_dir / "jpeg" / "canon_sx60_hdr_YES.jpg") as image:
        scene = np.asarray(image.convert("RGB").resize((1440, 1080)))
    places = [(x, y, 0.1, 0.13) for x in (0.1, 0.45, 0.8) for y in (0.1, 0.45, 0.8)]
    again = find.find_faces(scene, model, "t", look_again=places[:4])
    assert again.faces == () and again.note == LOOKED_AGAIN
    again = find.find_faces(scene, model, "t", look_again=places[4:8])
    assert again.faces == () and again.note == LOOKED_AGAIN


def test_a_look_again_takes_only_a_face_the_mesh_sees(
    fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A red plant in a fixture without people, looked at closer where two
    faces of a burst might have been (the look again bench's look 21 of that
    frame), reads a 0.52 "face" the mesh hardly sees: not taken."""
    import cv2

    from curator.imaging.decode import decode_image
    from curator.ml.faces import eyes

    model = installed_model()
    path = fixtures_dir / "jpeg" / "orientation" / "landscape_6.jpg"
    preview = np.asarray(decode_image(path.read_bytes(), is_raw=False).preview)
    scale = 1440 / max(preview.shape[:2])
    size = (round(preview.shape[1] * scale), round(preview.shape[0] * scale))
    frame = np.asarray(cv2.resize(preview, size, interpolation=cv2.INTER_CUBIC))  # 600 px
    places = [(0.2202, 0.6648, 0.0821, 0.1094), (0.0192, 0.6434, 0.1912, 0.2549)]
    assert find.find_faces(frame, model, "t").faces == ()  # nobody, at first look
    again = find.find_faces(frame, model, "t", look_again=places)
    assert again.faces == () and again.note == LOOKED_AGAIN
    monkeypatch.setattr(eyes, "SEEN_FROM", 0.0)  # any presence would do: the plant is taken
    (plant,) = find.find_faces(frame, model, "t", look_again=places).faces
    assert abs(plant.box[0] - 0.208) < 0.01 and plant.confidence < 0.6  # the plant, unsure
