"""The face model's three networks (run by `graphs.Graph`: LiteRT, or OpenCV's DNN).

- **BlazeFace, full range** (192 x 192 input, 2,304 anchors on a 48 x 48
  grid, one per cell, of fixed size): per anchor a score and a box with six
  keypoints (the eyes, the nose tip, the mouth, the ears) as offsets in input
  pixels. `Detector.detect` letterboxes a region of the image into the input,
  keeps anchors above the threshold and merges overlapping ones (and ones
  centred on or just beside a better one's box) by their score-weighted
  mean (MediaPipe's "weighted" non-maximum suppression).
- **Face Mesh** (192 x 192 crop, the face upright, 1.5 x the detection box):
  468 landmarks and a face-presence logit.
- **Iris** (64 x 64 crop around one eye, 2.3 x its width, outer corner on
  the left as the model expects for the eye on the image's left, the
  subject's right; the other eye is mirrored in and out): 71 eye-contour
  and brow points (0 and 8 are the corners, 1–7 the lower lid, 9–15 the
  upper lid from the corner at 8's side) and 5 iris points.

Crops are rotated so the eyes are level (the roll from the detector's eye
keypoints, then from the mesh's eye corners) and mapped back to image
pixels through the inverse affine transform.

Measured on this machine (one thread), LiteRT / OpenCV's DNN: detector 5.2 /
10.5 ms a pass, mesh 1.8 / 4.3 ms and iris 1.7 / 4.6 ms per call (`graphs`).
OpenCV 5's new DNN engine cannot return two named outputs of these graphs;
the classic engine can and is asked for when the build has engines (4.x has
only the classic one).

Invariants: inputs are RGB uint8 arrays, never modified; outputs are in the
input image's pixel coordinates; a network is loaded once per process per
model folder (`networks_for`); nothing here decides open or closed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray

from curator.ml.faces.files import DETECTOR, IRIS, MESH, FaceModelFiles
from curator.ml.faces.graphs import Graph, nhwc

DETECTOR_SIZE = 192
DETECTOR_GRID = 48
MESH_SIZE = 192
MESH_BOX_SCALE = 1.5
IRIS_SIZE = 64
IRIS_EYE_SCALE = 2.3
MERGE_IOU = 0.3  # detections overlapping more than this are one face
GROWN = 0.2  # a detection centred this close to a better one's box is that face
KEYPOINTS = 6  # right eye, left eye, nose tip, mouth, right ear, left ear (subject's)

# Face Mesh indices of the eye corners (subject's right eye: 33 outer, 133
# inner; left eye: 263 outer, 362 inner).
RIGHT_EYE_CORNERS = (33, 133)
LEFT_EYE_CORNERS = (263, 362)

Points = NDArray[np.float64]


@dataclass(frozen=True)
class Detection:
    """One face found by the detector, in image pixels."""

    score: float
    box: tuple[float, float, float, float]  # x, y, w, h
    keypoints: Points  # (6, 2)

    @property
    def long_side(self) -> float:
        return max(self.box[2], self.box[3])


@dataclass(frozen=True)
class Mesh:
    points: Points  # (468, 2) in image pixels
    presence: float  # 0..1: does the crop hold a face at all
    size: float  # side of the crop square, in image pixels


@dataclass(frozen=True)
class EyeContour:
    lids: Points  # (16, 2): corners at 0 and 8, lower lid 1..7, upper lid 9..15
    iris: Points  # (5, 2): centre, then four points on the iris edge
    crop: NDArray[np.uint8]  # the 64 x 64 RGB crop (the right eye mirrored), for inspection


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-100.0, min(100.0, x))))


def merge_detections(found: list[Detection], iou: float = MERGE_IOU) -> list[Detection]:
    """Overlapping detections merged by their score-weighted mean, best first
    (vectorised: a hostile frame's 2,304 candidates merge in milliseconds)."""
    if not found:
        return []
    order = np.argsort([-d.score for d in found], kind="stable")
    scores = np.array([found[i].score for i in order])
    boxes = np.array([found[i].box for i in order], dtype=np.float64)
    keypoints = np.stack([found[i].keypoints for i in order])
    alive = np.ones(len(order), dtype=bool)
    merged: list[Detection] = []
    for best in range(len(order)):
        if not alive[best]:
            continue
        group = alive & ((box_ious(boxes[best], boxes) > iou) | centres_inside(boxes[best], boxes))
        group[best] = True
        alive &= ~group
        weights = scores[group] / scores[group].sum()
        box = tuple(float(v) for v in weights @ boxes[group])
        points = np.tensordot(weights, keypoints[group], axes=1)
        merged.append(Detection(float(scores[best]), box, points))  # type: ignore[arg-type]
    return merged


def centres_inside(box: NDArray[np.float64], boxes: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Whether each of `boxes` has its centre inside `box` grown by `GROWN` of its
    size on each side (a part of the same face found again, e.g. the chin by a
    low-scoring anchor, is that face; a neighbour's face is a face width away)."""
    cx = boxes[:, 0] + boxes[:, 2] / 2
    cy = boxes[:, 1] + boxes[:, 3] / 2
    x0, y0 = box[0] - GROWN * box[2], box[1] - GROWN * box[3]
    x1, y1 = box[0] + (1 + GROWN) * box[2], box[1] + (1 + GROWN) * box[3]
    return np.asarray((cx >= x0) & (cx <= x1) & (cy >= y0) & (cy <= y1))


def box_ious(box: NDArray[np.float64], boxes: NDArray[np.float64]) -> NDArray[np.float64]:
    """Intersection over union of `box` (x, y, w, h) with each row of `boxes`."""
    x1 = np.maximum(box[0], boxes[:, 0])
    y1 = np.maximum(box[1], boxes[:, 1])
    x2 = np.minimum(box[0] + box[2], boxes[:, 0] + boxes[:, 2])
    y2 = np.minimum(box[1] + box[3], boxes[:, 1] + boxes[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    union = box[2] * box[3] + boxes[:, 2] * boxes[:, 3] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


class Detector:
    """BlazeFace full range (see the module docstring)."""

    def __init__(self, path: str):
        self.net = Graph(path, ("reshaped_regressor_face_4", "reshaped_classifier_face_4"))
        cells = (np.arange(DETECTOR_GRID) + 0.5) / DETECTOR_GRID
        ys, xs = np.meshgrid(cells, cells, indexing="ij")
        self.anchors = np.stack([xs.ravel(), ys.ravel()], axis=1) * DETECTOR_SIZE

    def detect(
        self,
        rgb: NDArray[np.uint8],
        region: tuple[int, int, int, int] | None = None,
        threshold: float = 0.5,
    ) -> list[Detection]:
        """Faces in `region` (x, y, w, h; the whole image by default) of `rgb`,
        unmerged (the caller merges passes with `merge_detections`)."""
        x0, y0, width, height = region or (0, 0, rgb.shape[1], rgb.shape[0])
        size = DETECTOR_SIZE
        scale = size / max(width, height)
        new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
        pad_x, pad_y = (size - new_w) // 2, (size - new_h) // 2
        canvas = np.zeros((size, size, 3), np.uint8)
        patch = rgb[y0 : y0 + height, x0 : x0 + width]
        canvas[pad_y : pad_y + new_h, pad_x : pad_x + new_w] = cv2.resize(
            patch, (new_w, new_h), interpolation=cv2.INTER_AREA
        )
        raw_boxes, raw_scores = self.net.run(nhwc(canvas, 1 / 127.5, 127.5))
        boxes = raw_boxes.reshape(-1, 4 + 2 * KEYPOINTS)
        logits = np.clip(raw_scores.reshape(-1), -100, 100)
        scores = 1.0 / (1.0 + np.exp(-logits))
        found = []
        for i in np.nonzero(scores > threshold)[0]:
            r, (ax, ay) = boxes[i], self.anchors[i]
            cx, cy, bw, bh = ax + r[0], ay + r[1], r[2], r[3]
            kps = np.stack([ax + r[4::2], ay + r[5::2]], axis=1)
            kps = (kps - (pad_x, pad_y)) / scale + (x0, y0)
            box = (
                (cx - bw / 2 - pad_x) / scale + x0,
                (cy - bh / 2 - pad_y) / scale + y0,
                bw / scale,
                bh / scale,
            )
            found.append(Detection(float(scores[i]), box, kps.astype(np.float64)))
        return found


def upright_crop(
    rgb: NDArray[np.uint8], centre: tuple[float, float], side: float, roll: float, out: int
) -> tuple[np.ndarray, np.ndarray]:
    """A square of `side` image pixels around `centre`, turned by `roll`
    (radians, so that what lies at that angle becomes level), resampled to
    `out` x `out`; and the 2 x 3 transform from crop pixels back to image pixels."""
    forward = cv2.getRotationMatrix2D(centre, math.degrees(roll), out / side)
    forward[0, 2] += out / 2 - centre[0]
    forward[1, 2] += out / 2 - centre[1]
    crop = cv2.warpAffine(
        rgb, forward, (out, out), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return crop, cv2.invertAffineTransform(forward)


def to_image(points: np.ndarray, back: np.ndarray) -> Points:
    """Crop pixel coordinates (n, 2) mapped to image pixels by `back`."""
    pts = np.asarray(points, dtype=np.float64)
    return pts @ back[:, :2].T + back[:, 2]


class Landmarks:
    """Face Mesh and Iris (see the module docstring)."""

    def __init__(self, mesh_path: str, iris_path: str):
        self.mesh_net = Graph(mesh_path, ("conv2d_20", "conv2d_30"))
        self.iris_net = Graph(iris_path, ("output_eyes_contours_and_brows", "output_iris"))

    def mesh(self, rgb: NDArray[np.uint8], face: Detection) -> Mesh:
        right_eye, left_eye = face.keypoints[0], face.keypoints[1]
        roll = math.atan2(left_eye[1] - right_eye[1], left_eye[0] - right_eye[0])
        x, y, w, h = face.box
        side = max(w, h) * MESH_BOX_SCALE
        crop, back = upright_crop(rgb, (x + w / 2, y + h / 2), side, roll, MESH_SIZE)
        points, presence = self.mesh_net.run(nhwc(crop, 1 / 255.0))
        points = points.reshape(468, 3)[:, :2]
        return Mesh(to_image(points, back), _sigmoid(float(presence.ravel()[0])), side)

    def eye(
        self,
        rgb: NDArray[np.uint8],
        outer: NDArray[np.float64],
        inner: NDArray[np.float64],
        *,
        mirrored: bool,
    ) -> EyeContour:
        """One eye's contour from its two corners in image pixels. The model sees
        the eye on the image's left (the subject's right, outer corner on the
        left); `mirrored` (the subject's left eye) flips the crop in and the
        points out."""
        centre = (float((outer[0] + inner[0]) / 2), float((outer[1] + inner[1]) / 2))
        width = float(np.hypot(*(outer - inner)))
        # Level the corners: the outer corner on the left, or on the right for the
        # eye that is mirrored afterwards.
        a, b = (inner, outer) if mirrored else (outer, inner)
        roll = math.atan2(b[1] - a[1], b[0] - a[0])
        side = max(width * IRIS_EYE_SCALE, 4.0)
        crop, back = upright_crop(rgb, centre, side, roll, IRIS_SIZE)
        if mirrored:
            crop = np.ascontiguousarray(crop[:, ::-1])
        contour, iris = self.iris_net.run(nhwc(crop, 1 / 255.0))
        contour = contour.reshape(71, 3)[:16, :2].astype(np.float64)
        iris = iris.reshape(5, 3)[:, :2].astype(np.float64)
        if mirrored:
            contour[:, 0] = IRIS_SIZE - contour[:, 0]
            iris[:, 0] = IRIS_SIZE - iris[:, 0]
        return EyeContour(to_image(contour, back), to_image(iris, back), crop)


@dataclass(frozen=True)
class Networks:
    detector: Detector
    landmarks: Landmarks


@lru_cache(maxsize=2)
def networks_for(files: FaceModelFiles) -> Networks:
    """The networks of the model in `files`, loaded once per process."""
    return Networks(Detector(files.path(DETECTOR)), Landmarks(files.path(MESH), files.path(IRIS)))
