"""How a face looks (issue 49 §1), without the networks: the smile score's
calibration, the head's pose from 3-D landmarks, the looking rule, the
photo's summary (smiling, all_at_camera, ready) and a burst's star.

The faces here are built in 3-D: the few landmarks the rules read placed on
a head (millimetres; x to the subject's left, y down, z away from the camera),
eyeballs whose irises turn to a gaze, the whole head turned by a known yaw,
pitch and roll and seen by an orthographic camera."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pytest

from curator.ml.bursts import best_frame, people_first
from curator.ml.faces import expression as ex
from curator.ml.faces.verdicts import summarize
from curator.records import SMILING_FROM, EyeState, Face, Frame, Looking

EYE_W = 30.0  # mm: the eye's width, corner to corner
RADIUS = ex.EYE_RADIUS * EYE_W

HEAD = {
    33: (-45.0, 0.0, 6.0),
    133: (-15.0, 0.0, 6.0),
    263: (45.0, 0.0, 6.0),
    362: (15.0, 0.0, 6.0),
    61: (-25.0, 60.0, 4.0),
    291: (25.0, 60.0, 4.0),
    13: (0.0, 58.0, 0.0),
    14: (0.0, 62.0, 0.0),
    234: (-70.0, 10.0, 45.0),
    454: (70.0, 10.0, 45.0),
    ex.FOREHEAD: (0.0, -75.0, 10.0),
    ex.CHIN: (0.0, 95.0, 10.0),
}


def rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """Head frame -> camera frame for Curator's signs (expression's docstring)."""
    y, p, r = (math.radians(v) for v in (yaw, pitch, roll))
    turn = np.array([[math.cos(y), 0, -math.sin(y)], [0, 1, 0], [math.sin(y), 0, math.cos(y)]])
    nod = np.array([[1, 0, 0], [0, math.cos(p), math.sin(p)], [0, -math.sin(p), math.cos(p)]])
    lean = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    return turn @ nod @ lean


def face(
    yaw: float = 0.0,
    pitch: float = 0.0,
    roll: float = 0.0,
    gaze: tuple[float, float] = (0.0, 0.0),
    px_per_mm: float = 2.0,
) -> tuple[np.ndarray, np.ndarray]:
    """(478 x 2 points in pixels, 478 depths) of a head turned (yaw, pitch,
    roll) whose eyes look `gaze` (yaw, pitch in degrees, camera frame: 0, 0 is
    at the camera)."""
    turn = rotation(yaw, pitch, roll)
    xyz = np.zeros((478, 3))
    for i, at in HEAD.items():
        xyz[i] = at
    # An iris at rest sits above its corners' line (`GAZE_PITCH_ZERO`).
    gy, gp = math.radians(gaze[0]), math.radians(gaze[1] + ex.GAZE_PITCH_ZERO)
    looking_at = np.array(
        [math.sin(gy) * math.cos(gp), -math.sin(gp), -math.cos(gy) * math.cos(gp)]
    )
    in_head = turn.T @ looking_at
    for corners, iris in ((ex.RIGHT_CORNERS, ex.RIGHT_IRIS), (ex.LEFT_CORNERS, ex.LEFT_IRIS)):
        middle = (xyz[corners[0]] + xyz[corners[1]]) / 2
        centre = middle + np.array([0.0, 0.0, ex.CORNERS_DEPTH * RADIUS])
        xyz[iris] = centre + ex.IRIS_DEPTH * RADIUS * in_head
    seen = (turn @ xyz.T).T * px_per_mm + np.array([500.0, 400.0, 0.0])
    return seen[:, :2], seen[:, 2]


def shapes(**scores: float) -> np.ndarray:
    names = {"smile": ex.MOUTH_SMILE, "upper": (48, 49), "jaw": (25,)}  # mouthUpperUp, jawOpen
    out = np.zeros(52, dtype=np.float32)
    for name, value in scores.items():
        out[list(names[name])] = value
    return out


@pytest.mark.parametrize(
    ("yaw", "pitch", "roll"),
    [(0, 0, 0), (30, 0, 0), (-30, 0, 0), (0, 20, 0), (0, -20, 0), (0, 0, 25), (20, -10, -15)],
)
def test_the_head_pose_is_read_from_the_landmarks_in_3d(
    yaw: float, pitch: float, roll: float
) -> None:
    pose = ex.head_pose(*face(yaw, pitch, roll))
    assert pose is not None
    assert pose.yaw == pytest.approx(yaw, abs=1.0)
    assert pose.pitch == pytest.approx(pitch - ex.PITCH_ZERO, abs=1.0)
    assert pose.roll == pytest.approx(roll, abs=4.0)  # read in the picture: a turn skews it


def test_no_pose_without_depth_or_from_degenerate_landmarks() -> None:
    points, _ = face()
    assert ex.head_pose(points, None) is None
    assert ex.head_pose(np.zeros((478, 2)), np.zeros(478)) is None
    broken = points.copy()
    broken[33] = np.nan
    assert ex.head_pose(broken, np.zeros(478)) is None


@pytest.mark.parametrize("yaw", [0.0, 25.0, -35.0])
def test_eyes_on_the_camera_from_a_turned_head_look_at_the_camera(yaw: float) -> None:
    points, depth = face(yaw=yaw, pitch=8.0)
    pose = ex.head_pose(points, depth)
    assert ex.looking(points, pose, EyeState.OPEN) is Looking.CAMERA


@pytest.mark.parametrize(
    ("yaw", "gaze"),
    [(0.0, (35.0, 0.0)), (25.0, (40.0, 0.0)), (-20.0, (-10.0, -35.0)), (0.0, (0.0, 35.0))],
)
def test_eyes_turned_from_the_lens_look_away(yaw: float, gaze: tuple[float, float]) -> None:
    points, depth = face(yaw=yaw, gaze=gaze)
    pose = ex.head_pose(points, depth)
    assert ex.looking(points, pose, EyeState.OPEN) is Looking.AWAY


def test_a_profile_looks_away_whatever_its_eyes() -> None:
    points, depth = face(yaw=65.0, gaze=(0.0, 0.0))
    pose = ex.head_pose(points, depth)
    assert pose is not None and pose.yaw > ex.PROFILE_FROM
    assert ex.looking(points, pose, EyeState.UNKNOWN) is Looking.AWAY


def test_where_the_eyes_cannot_be_read_it_cannot_tell() -> None:
    points, depth = face()
    pose = ex.head_pose(points, depth)
    assert ex.looking(points, pose, EyeState.CLOSED) is None
    assert ex.looking(points, pose, EyeState.UNKNOWN) is None  # sunglasses, turned away
    assert ex.looking(points, None, EyeState.OPEN) is None
    tiny_points, tiny_depth = face(px_per_mm=0.2)  # eyes 6 px wide: no iris to place
    tiny = ex.head_pose(tiny_points, tiny_depth)
    assert ex.looking(tiny_points, tiny, EyeState.OPEN) is None
    # The same eyes judged on a detail image twice the preview's size: 12 px there.
    double_points, double_depth = face(px_per_mm=0.4)
    double = ex.head_pose(double_points, double_depth)
    assert ex.looking(double_points, double, EyeState.OPEN) is Looking.CAMERA
    assert ex.looking(double_points, double, EyeState.OPEN, to_preview=0.5) is None


def test_a_glance_between_the_lines_is_can_t_tell() -> None:
    between = (ex.CAMERA_WITHIN + ex.AWAY_FROM) / 2
    points, depth = face(gaze=(between, 0.0))
    assert ex.looking(points, ex.head_pose(points, depth), EyeState.OPEN) is None


def test_without_the_classifier_the_smile_is_the_mouth_s_through_its_line() -> None:
    neutral = ex.smile_score(shapes(smile=0.01))
    broad = ex.smile_score(shapes(smile=0.8))
    assert neutral is not None and broad is not None
    assert neutral < SMILING_FROM < broad
    assert ex.smile_score(shapes(smile=ex.MOUTH_LINE)) == pytest.approx(SMILING_FROM)
    just_under = ex.smile_score(shapes(smile=ex.MOUTH_LINE - 0.01))
    assert just_under is not None and just_under < SMILING_FROM
    values = (0.0, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0)
    rising = [ex.smile_score(shapes(smile=v)) for v in values]
    assert all(s is not None for s in rising)
    assert rising == sorted(rising)  # type: ignore[type-var]
    assert rising[0] == 0.0 and rising[-1] == 1.0
    # Scores out of range (the model's rounding) read as their ends.
    assert ex.smile_score(shapes(smile=1.02)) == 1.0


def test_with_the_classifier_the_smile_is_the_mean_of_mouth_and_happy_through_its_line() -> None:
    """Equal weights: the mouth and the classifier each move the score as much,
    and a mean at `SMILE_LINE` reads exactly smiling's line."""
    at_line = ex.smile_score(shapes(smile=ex.SMILE_LINE - 0.1), ex.SMILE_LINE + 0.1)
    assert at_line == pytest.approx(SMILING_FROM)
    swapped = ex.smile_score(shapes(smile=ex.SMILE_LINE + 0.1), ex.SMILE_LINE - 0.1)
    assert swapped == pytest.approx(SMILING_FROM)
    # A mouth the Face Landmarker reads as a small smile is called smiling when
    # the classifier sees a happy face, and not when it sees none.
    mouth = ex.MOUTH_LINE + 0.05  # smiling by the mouth alone
    assert ex.smile_score(shapes(smile=mouth)) > SMILING_FROM  # type: ignore[operator]
    assert ex.smile_score(shapes(smile=mouth), 0.9) > SMILING_FROM  # type: ignore[operator]
    assert ex.smile_score(shapes(smile=mouth), 0.05) < SMILING_FROM  # type: ignore[operator]
    rising = [ex.smile_score(shapes(smile=0.3), h) for h in (0.0, 0.2, 0.5, 0.8, 1.0)]
    assert rising == sorted(rising)  # type: ignore[type-var]
    assert ex.smile_score(shapes(smile=0.0), 0.0) == 0.0
    assert ex.smile_score(shapes(smile=1.0), 1.0) == 1.0
    # A happy out of range reads as its end; a NaN one as not read.
    assert ex.smile_score(shapes(smile=0.4), 1.3) == ex.smile_score(shapes(smile=0.4), 1.0)
    assert ex.smile_score(shapes(smile=0.4), math.nan) == ex.smile_score(shapes(smile=0.4))


def test_of_the_blendshapes_only_the_mouth_s_smile_decides_the_smile() -> None:
    """No weight of Curator's own: an open jaw or a raised lip (a laugh's,
    a yawn's, a word's) does not move the score."""
    still = ex.smile_score(shapes(smile=0.2))
    assert ex.smile_score(shapes(smile=0.2, upper=0.6, jaw=0.7)) == still
    assert ex.smile_score(shapes(smile=0.2, upper=0.6, jaw=0.7), 0.4) == ex.smile_score(
        shapes(smile=0.2), 0.4
    )
    assert ex.mouth_smile(shapes(smile=0.2)) == pytest.approx(0.2)
    one_sided = shapes()
    one_sided[ex.MOUTH_SMILE[0]] = 0.6  # a lopsided smile: the corners' mean
    assert ex.mouth_smile(one_sided) == pytest.approx(0.3)


def test_a_smile_needs_52_finite_scores() -> None:
    assert ex.smile_score(np.zeros(12)) is None
    broken = shapes(smile=0.5)
    broken[3] = np.nan
    assert ex.smile_score(broken) is None
    assert ex.smile_score(broken, 0.9) is None  # the classifier alone is not a reading
    assert ex.mouth_smile(broken) is None


def test_read_looks_gives_the_three_together() -> None:
    points, depth = face(yaw=10.0)
    looks = ex.read_looks(points, depth, shapes(smile=0.9, upper=0.4), EyeState.OPEN)
    assert looks.looking is Looking.CAMERA
    assert looks.pose is not None and looks.pose.yaw == pytest.approx(10.0, abs=1.0)
    assert looks.smile is not None and looks.smile > SMILING_FROM
    # The classifier's happy is the other half of the smile: a broad mouth on a
    # face it reads as not happy at all is not called smiling.
    glum = ex.read_looks(points, depth, shapes(smile=0.9), EyeState.OPEN, happy=0.0)
    assert glum.smile is not None and glum.smile < SMILING_FROM


def judged(smile: float | None, looking: Looking | None, *, key: bool = True) -> Face:
    return Face(
        (0.1, 0.1, 0.2, 0.2), 200, True, EyeState.OPEN, key=key, smile=smile, looking=looking
    )


def test_the_summary_says_smiling_looking_and_how_many_are_ready() -> None:
    both = summarize([judged(0.9, Looking.CAMERA), judged(0.8, Looking.CAMERA)], 80.0)
    assert (both.smiling, both.all_at_camera, both.ready) == (True, True, 2)
    one_away = summarize([judged(0.9, Looking.CAMERA), judged(0.2, Looking.AWAY)], 80.0)
    assert (one_away.smiling, one_away.all_at_camera, one_away.ready) == (False, False, 1)
    # A face that is not key counts towards ready, never against the key faces.
    guest = summarize([judged(0.9, Looking.CAMERA), judged(None, None, key=False)], 80.0)
    assert (guest.smiling, guest.all_at_camera, guest.ready) == (True, True, 1)
    # A face in the background counts only seen at the camera: a passer-by with
    # open eyes in one frame of a burst does not tip its star.
    passer = summarize([judged(0.9, Looking.CAMERA), judged(None, Looking.CAMERA, key=False)], 80.0)
    assert passer.ready == 2
    shut = Face((0, 0, 0.2, 0.2), 200, True, EyeState.CLOSED, key=True, looking=Looking.CAMERA)
    assert summarize([shut], 80.0).ready == 0
    # A subject's open eyes whose gaze cannot be told are ready (not held against
    # the frame), though not "looking at the camera"; one seen turned away is not.
    unsure = summarize([judged(0.9, Looking.CAMERA), judged(0.9, None)], 80.0)
    assert (unsure.smiling, unsure.all_at_camera, unsure.ready) == (True, False, 2)
    assert not summarize([], 80.0).smiling and not summarize([], 80.0).all_at_camera


# -- a burst's star (issue 49 §2) ------------------------------------------------------


def burst_frame(pid: int, sharp: float = 90.0, **faces: object) -> Frame:
    when = datetime(2024, 6, 1, 12) + timedelta(seconds=0.2 * pid)
    return Frame(pid, "cam", when, None, sharp, 92.0, None, **faces)  # type: ignore[arg-type]


OPEN = {"eyes_open": True, "closed_eyes": False, "key_face_sharpness": 80.0}


def test_the_star_goes_to_the_frame_that_smiles_at_the_camera() -> None:
    away = burst_frame(1, 95.0, **OPEN, faces_ready=0, all_at_camera=False, smiling=True)
    glum = burst_frame(2, 95.0, **OPEN, faces_ready=1, all_at_camera=True, smiling=False)
    peak = burst_frame(3, 90.0, **OPEN, faces_ready=1, all_at_camera=True, smiling=True)
    assert best_frame([away, glum, peak]) == 3
    assert best_frame([away, glum]) == 2  # looking at the camera before a smile
    # Open eyes still come first: a smile with a blink never gets the star.
    blink = burst_frame(4, 95.0, eyes_open=False, closed_eyes=True, faces_ready=0, smiling=True)
    assert best_frame([blink, glum]) == 2
    # A smile never buys a soft face: the key faces' sharpness decides first.
    soft = burst_frame(
        5,
        90.0,
        **{**OPEN, "key_face_sharpness": 50.0},
        faces_ready=1,
        all_at_camera=True,
        smiling=True,
    )
    assert best_frame([soft, glum]) == 2


def test_a_smile_whose_gaze_cannot_be_told_beats_a_glum_look_at_the_camera() -> None:
    # The burst bench's misses: a smiling peak read "can't tell" (a glance
    # between the lines) lost to the glum frame read "camera" when the look
    # came before the smile. Both are ready; the smile decides; a tie of
    # smiles goes to the frame seen looking at the camera.
    glum = burst_frame(
        1, 95.0, **OPEN, faces_ready=1, all_at_camera=True, smiling=False, smile=0.02
    )
    unsure = burst_frame(
        2, 90.0, **OPEN, faces_ready=1, all_at_camera=False, smiling=True, smile=0.99
    )
    assert best_frame([glum, unsure]) == 2
    assert best_frame([glum, unsure], smiles=False) == 1  # a sports shoot: the look decides
    both = replace(glum, smiling=True, smile=0.99)
    assert best_frame([unsure, both]) == 1
    # Nor a likely smile under the line (the broadest smile comes before the look).
    likely = replace(unsure, smiling=False, smile=0.45)
    assert best_frame([glum, likely]) == 2
    # A face seen turned away is not ready: the smile does not buy it back.
    away = replace(unsure, faces_ready=0)
    assert best_frame([glum, away]) == 1


def test_a_group_s_star_goes_to_the_frame_where_most_faces_are_ready() -> None:
    three = burst_frame(1, 95.0, **OPEN, faces_ready=3, all_at_camera=False, smiling=True)
    five = burst_frame(2, 88.0, **OPEN, faces_ready=5, all_at_camera=False, smiling=False)
    four = burst_frame(3, 95.0, **OPEN, faces_ready=4, all_at_camera=True, smiling=True)
    assert best_frame([three, five, four]) == 2
    # Frames whose faces were not read leave the choice to the other rules.
    unread = [burst_frame(6, 80.0, **OPEN), burst_frame(7, 90.0, **OPEN)]
    assert people_first(unread) == unread and best_frame(unread) == 7
