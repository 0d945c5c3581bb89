"""How a judged face looks: its smile, its head's pose, and whether it looks at the camera.

- **Smile** (`smile_score`, 0–1): the mean of the 3-D mouth smile
  (`mouth_smile`) and the classifier's "happy", read through `SMILE_LINE`
  (0.5 at the line: `records.SMILING_FROM`); without the classifier the mouth
  alone through `MOUTH_LINE`. The lines are set by tests/bench/smile_fit.py;
  no weight of Curator's own is trained.
- **Head pose** (`head_pose`, degrees): the face's axes from its 3-D landmarks
  (`ACROSS_PAIRS`), read as yaw (positive: turned to the photo's right), pitch
  (positive: up; less `PITCH_ZERO`) and roll.
- **Looking** (`looking`): the head's direction turned by each eye's turn
  (`eye_turn`: `EYE_RADIUS`, `IRIS_DEPTH`, `CORNERS_DEPTH`). CAMERA within
  `CAMERA_WITHIN` degrees across and `CAMERA_WITHIN_UPDOWN` up or down; AWAY
  past `AWAY_FROM` or `PROFILE_FROM`; otherwise None (also for eyes not open,
  under `MIN_EYE_PX`, or a head past `POSE_LIMIT`).

Invariants: pure functions of arrays; never raise for a strange face
(degenerate geometry gives None); deterministic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from curator.records import EyeState, Looking

MOUTH_SMILE = (44, 45)  # Face Landmarker's mouthSmileLeft, mouthSmileRight (of the 52)

# Where a face is called smiling: the mean of the mouth's smile and the
# classifier's happy (SMILE_LINE), or the mouth's smile alone where the
# classifier cannot run (MOUTH_LINE): the middle of the cuts reaching the best
# accuracy on the development half of GENKI-4K (the mean: AUC 0.983, accuracy
# 0.943 at the line; the mouth alone: AUC 0.969, 0.924).
SMILE_LINE = 0.47
MOUTH_LINE = 0.33

# Face Mesh indices: left-minus-right pairs (the subject's left is the photo's
# right on a face that looks at the camera), the forehead's top and the chin.
ACROSS_PAIRS = ((33, 263), (133, 362), (61, 291), (234, 454))
FOREHEAD, CHIN = 10, 152
RIGHT_CORNERS, LEFT_CORNERS = (33, 133), (263, 362)
RIGHT_IRIS, LEFT_IRIS = 468, 473
PITCH_ZERO = -9.5  # degrees: the forehead-to-chin line's lean on a level face (dev half's median)

EYE_RADIUS = 0.42  # the eyeball's radius in eye widths (12 mm to a 28 mm eye)
IRIS_DEPTH = 0.8  # the iris centre's distance in front of the eyeball's centre, in radii
CORNERS_DEPTH = 0.3  # the eye corners' middle in front of the centre, in radii
CORNERS_DEPTH_UPDOWN = 0.0  # ... as the head nods (the lids and corners follow the eye)
GAZE_PITCH_ZERO = 11.4  # degrees: the iris's rest above the corners' line
MIN_EYE_PX = 10.0  # an eye narrower than this (preview px) has no iris to place
CAMERA_WITHIN = 15.0  # degrees of gaze across, from the lens
CAMERA_WITHIN_UPDOWN = 18.0
AWAY_FROM = 25.0
PROFILE_FROM = 55.0  # a head turned this far looks away whatever its eyes do
POSE_LIMIT = 75.0  # past this the landmarks are a guess: no pose


@dataclass(frozen=True)
class HeadPose:
    """The head's turn in degrees (see the module docstring for the signs)."""

    yaw: float
    pitch: float
    roll: float


@dataclass(frozen=True)
class Looks:
    """How one face looks: what `records.Face` stores."""

    smile: float | None
    looking: Looking | None
    pose: HeadPose | None


def mouth_smile(shapes: NDArray[np.float32] | NDArray[np.float64]) -> float | None:
    """The Face Landmarker's mouth smile, 0..1: the mean of its two corners'
    smile blendshapes; None: not 52 finite scores."""
    values = np.asarray(shapes, dtype=np.float64).ravel()
    if values.size != 52 or not np.all(np.isfinite(values)):
        return None
    return float(np.clip(values[list(MOUTH_SMILE)], 0.0, 1.0).mean())


def smile_score(
    shapes: NDArray[np.float32] | NDArray[np.float64], happy: float | None = None
) -> float | None:
    """How sure Curator is that the face smiles, 0..1, from its 52
    blendshapes and the classifier's `happy` (0..1; None: not read): the
    mean of `mouth_smile` and `happy` through `SMILE_LINE`, or the mouth
    alone through `MOUTH_LINE` (0.5 at the line, 0 and 1 at the ends,
    straight between); None: not 52 finite scores."""
    mouth = mouth_smile(shapes)
    if mouth is None:
        return None
    if happy is None or not math.isfinite(happy):
        return _through(mouth, MOUTH_LINE)
    return _through((mouth + min(1.0, max(0.0, happy))) / 2, SMILE_LINE)


def _through(reading: float, line: float) -> float:
    """`reading` (0..1) read through `line`: 0.5 there, straight to 0 and 1."""
    if reading < line:
        return 0.5 * reading / line
    return min(1.0, 0.5 + 0.5 * (reading - line) / (1.0 - line))


def _unit(v: NDArray[np.float64]) -> NDArray[np.float64] | None:
    norm = float(np.linalg.norm(v))
    return None if not math.isfinite(norm) or norm < 1e-9 else v / norm


def face_axes(
    points: NDArray[np.float64], depth: NDArray[np.float64]
) -> NDArray[np.float64] | None:
    """The face's across, down and out-of-face axes as the rows of a 3 x 3
    matrix in the picture's frame (x right, y down, z away from the camera),
    or None for degenerate landmarks."""
    xyz = np.column_stack([points[:, :2], depth]).astype(np.float64)
    across = _unit(np.mean([xyz[b] - xyz[a] for a, b in ACROSS_PAIRS], axis=0))
    if across is None:
        return None
    down = xyz[CHIN] - xyz[FOREHEAD]
    down = _unit(down - float(down @ across) * across)
    if down is None:
        return None
    return np.stack([across, down, np.cross(across, down)])


def head_pose(points: NDArray[np.float64], depth: NDArray[np.float64] | None) -> HeadPose | None:
    """The head's yaw, pitch and roll in degrees from its 478 landmarks (image
    pixels) and their depth (see the module docstring); None when the
    landmarks are degenerate, the depth is missing, or the head is turned past
    `POSE_LIMIT`."""
    if depth is None or len(points) < 478 or len(depth) < 478:
        return None
    if not (np.all(np.isfinite(points[:478])) and np.all(np.isfinite(depth[:478]))):
        return None
    axes = face_axes(points, depth)
    if axes is None:
        return None
    across, _, back = axes
    facing = -back  # out of the face, towards the camera when it looks at it
    yaw = math.degrees(math.atan2(float(facing[0]), float(-facing[2])))
    pitch = math.degrees(math.atan2(float(-facing[1]), math.hypot(facing[0], facing[2])))
    roll = math.degrees(math.atan2(float(across[1]), float(across[0])))
    if max(abs(yaw), abs(pitch)) > POSE_LIMIT:
        return None
    return HeadPose(round(yaw, 2), round(pitch - PITCH_ZERO, 2), round(roll, 2))


def _turn(offset: float, head: float, corners: float) -> float | None:
    """The gaze angle (degrees, from the camera's axis) of an eye whose iris
    lies `offset` eye widths (the eye's own width, not as foreshortened) from
    its corners' middle in the picture, in a head turned `head` degrees the
    same way: the iris is `IRIS_DEPTH` radii in front of the eyeball's
    centre along the gaze, the corners' middle `CORNERS_DEPTH` along the
    head's direction, so offset x radius-in-widths = IRIS_DEPTH sin(gaze) -
    CORNERS_DEPTH sin(head)."""
    h = math.radians(head)
    reach = (offset / EYE_RADIUS + corners * math.sin(h)) / IRIS_DEPTH
    if not -1.0 <= reach <= 1.0:
        return None
    return math.degrees(math.asin(reach))


def eye_turn(
    points: NDArray[np.float64], pose: HeadPose, to_preview: float = 1.0
) -> tuple[float, float] | None:
    """Where the eyes point (yaw, pitch in degrees, the head's signs, 0: at the
    camera), both eyes averaged; None when an eye is narrower than
    `MIN_EYE_PX` preview pixels (`to_preview`: the points' pixels to the
    preview's) or its iris lies outside what an eye can turn to."""
    roll = math.radians(pose.roll)
    across = np.array([math.cos(roll), math.sin(roll)])
    down = np.array([-math.sin(roll), math.cos(roll)])
    yaws, pitches = [], []
    for corners, iris in ((RIGHT_CORNERS, RIGHT_IRIS), (LEFT_CORNERS, LEFT_IRIS)):
        a, b = points[corners[0], :2], points[corners[1], :2]
        width = abs(float((b - a) @ across)) / max(0.2, math.cos(math.radians(pose.yaw)))
        if width * to_preview < MIN_EYE_PX:
            return None
        offset = points[iris, :2] - (a + b) / 2
        yaw = _turn(float(offset @ across) / width, pose.yaw, CORNERS_DEPTH)
        pitch = _turn(-float(offset @ down) / width, pose.pitch, CORNERS_DEPTH_UPDOWN)
        if yaw is None or pitch is None:
            return None
        yaws.append(yaw)
        pitches.append(pitch - GAZE_PITCH_ZERO)
    return (sum(yaws) / 2, sum(pitches) / 2)


def looking(
    points: NDArray[np.float64],
    pose: HeadPose | None,
    eyes: EyeState,
    to_preview: float = 1.0,
) -> Looking | None:
    """CAMERA, AWAY or None (can't tell): the rule of the module docstring."""
    if pose is None:
        return None
    if abs(pose.yaw) >= PROFILE_FROM:
        return Looking.AWAY
    if eyes is not EyeState.OPEN:
        return None
    gaze = eye_turn(points, pose, to_preview)
    if gaze is None:
        return None
    across, updown = abs(gaze[0]), abs(gaze[1])
    if across <= CAMERA_WITHIN and updown <= CAMERA_WITHIN_UPDOWN:
        return Looking.CAMERA
    if across > AWAY_FROM or updown > AWAY_FROM:
        return Looking.AWAY
    return None


def read_looks(
    points: NDArray[np.float64],
    depth: NDArray[np.float64] | None,
    shapes: NDArray[np.float32] | NDArray[np.float64],
    eyes: EyeState,
    to_preview: float = 1.0,
    happy: float | None = None,
) -> Looks:
    """Smile, looking and head pose of one judged face (module docstring);
    `to_preview` scales the landmarks' pixels to the preview's; `happy` is
    the expression classifier's reading (None: not read)."""
    pose = head_pose(points, depth)
    smile = smile_score(shapes, happy)
    return Looks(
        None if smile is None else round(smile, 4),
        looking(points, pose, eyes, to_preview),
        pose,
    )
