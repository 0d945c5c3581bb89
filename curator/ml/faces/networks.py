"""The face model's networks (run by `graphs.Graph`: OpenVINO, LiteRT, or OpenCV's DNN).

- **BlazeFace** full range (192 x 192, 2,304 anchors) and short range (128 x 128,
  896 anchors): per anchor a score and a box with six keypoints (`KEYPOINTS`).
  Full range finds faces down to a few pixels; short range finds the ones that
  fill the view or are cut by a crop's edge. `Detector.detect` letterboxes a
  region and keeps anchors above the threshold; `merge_detections` merges them
  (MediaPipe's score-weighted non-maximum suppression).
- **Face landmarks** (Face Landmarker, 478 points, 256 x 256 upright crop of
  `MESH_BOX_SCALE` x the box); **Face Mesh** (468 points): only its face
  presence is read (a blurred background reads 0.9–1.0 on the newer model,
  under 0.01 here).
- **Blendshapes**: 52 scores (0–1) from `BLENDSHAPE_POINTS`; `EYE_BLINK`,
  `BROW_DOWN` are read.
- **Expression** (`fer`'s mini-Xception, FER2013, 64 x 64 grey): only "happy"
  (`Expression.happy`); OpenCV's DNN cannot load it, so there `happy` is None.

Crops are rotated so the eyes are level and mapped back through the inverse
affine; `Landmarks.mesh_again` reads a face again on the crop its own points
frame. Costs: docs/decisions/faces-models.md.

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

from curator.ml.faces.files import (
    BLENDSHAPES,
    DETECTOR,
    EXPRESSION,
    LANDMARKS,
    MESH,
    NEAR_DETECTOR,
    FaceModelFiles,
)
from curator.ml.faces.graphs import Graph, nhwc

DETECTOR_SIZE = 192
DETECTOR_GRID = 48
NEAR_DETECTOR_SIZE = 128
MESH_SIZE = 256
PRESENCE_SIZE = 192
MESH_BOX_SCALE = 1.5
MERGE_IOU = 0.3  # detections overlapping more than this are one face
GROWN = 0.2  # a detection centred this close to a better one's box is that face
FACE_POINTS = 468  # the Face Mesh's points, before the irises' ten
MIN_FRAMED_PX = 8.0  # a face's points spanning less than this frame no crop
EXPRESSION_SIZE = 64
HAPPY = 3  # the expression graph's classes: angry, disgust, fear, happy, sad, surprise, neutral
KEYPOINTS = 6  # right eye, left eye, nose tip, mouth, right ear, left ear (subject's)

# Face Mesh indices of each eye's contour, in the layout `eyes.openness`
# reads: the outer corner, the lower lid from the outer corner to the inner
# one (seven points), the inner corner, the upper lid from the outer corner to
# the inner one (seven points). Subject's right eye: corners 33 and 133; left
# eye: 263 and 362.
RIGHT_EYE_LIDS = (33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173)
LEFT_EYE_LIDS = (263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398)

# The 146 of the 478 points the blendshapes model reads (Face Landmarker's
# blendshapes graph, in its order).
BLENDSHAPE_POINTS = (
    0, 1, 4, 5, 6, 7, 8, 10, 13, 14, 17, 21, 33, 37, 39, 40, 46, 52, 53, 54, 55, 58, 61, 63,
    65, 66, 67, 70, 78, 80, 81, 82, 84, 87, 88, 91, 93, 95, 103, 105, 107, 109, 127, 132, 133,
    136, 144, 145, 146, 148, 149, 150, 152, 153, 154, 155, 157, 158, 159, 160, 161, 162, 163,
    168, 172, 173, 176, 178, 181, 185, 191, 195, 197, 234, 246, 249, 251, 263, 267, 269, 270,
    276, 282, 283, 284, 285, 288, 291, 293, 295, 296, 297, 300, 308, 310, 311, 312, 314, 317,
    318, 321, 323, 324, 332, 334, 336, 338, 356, 361, 362, 365, 373, 374, 375, 377, 378, 379,
    380, 381, 382, 384, 385, 386, 387, 388, 389, 390, 397, 398, 400, 402, 405, 409, 415, 454,
    466, 468, 469, 470, 471, 472, 473, 474, 475, 476, 477,
)  # fmt: skip
EYE_BLINK = (9, 10)  # eyeBlinkLeft, eyeBlinkRight among the 52 scores
BROW_DOWN = (1, 2)  # browDownLeft, browDownRight

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
    points: Points  # (478, 2) in image pixels: the Face Mesh's 468, then the irises
    presence: float  # 0..1: does the crop hold a face at all
    size: float  # side of the crop square, in image pixels
    # (478,) each point's depth in image pixels (larger: farther from the camera;
    # the model's relative z, at the x scale), or None where not read
    depth: NDArray[np.float64] | None = None

    @property
    def right_lids(self) -> Points:
        """The subject's right eye's contour (`RIGHT_EYE_LIDS`'s layout), (16, 2)."""
        return self.points[list(RIGHT_EYE_LIDS)]

    @property
    def left_lids(self) -> Points:
        return self.points[list(LEFT_EYE_LIDS)]


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


def cut_by_region(d: Detection, region: tuple[int, int, int, int], shape: tuple[int, ...]) -> bool:
    """Whether `d`, found in `region` of an image of `shape`, runs past one of
    the region's edges inside the image: a face cut by a tile's edge is whole
    in the image, where another pass finds it; the detector's guess at its
    missing part would be a second, shifted face. (A face cut by the image's
    own edge is kept: a portrait cropped at the brow.)"""
    x, y, w, h = region
    height, width = shape[:2]
    bx, by, bw, bh = d.box
    slack = 0.1 * max(bw, bh)
    return (
        (x > 0 and bx < x - slack)
        or (y > 0 and by < y - slack)
        or (x + w < width and bx + bw > x + w + slack)
        or (y + h < height and by + bh > y + h + slack)
    )


def box_ious(box: NDArray[np.float64], boxes: NDArray[np.float64]) -> NDArray[np.float64]:
    """Intersection over union of `box` (x, y, w, h) with each row of `boxes`."""
    x1 = np.maximum(box[0], boxes[:, 0])
    y1 = np.maximum(box[1], boxes[:, 1])
    x2 = np.minimum(box[0] + box[2], boxes[:, 0] + boxes[:, 2])
    y2 = np.minimum(box[1] + box[3], boxes[:, 1] + boxes[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    union = box[2] * box[3] + boxes[:, 2] * boxes[:, 3] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def full_range_anchors() -> Points:
    """The full-range model's anchor centres, in input pixels: one per cell of a 48 x 48 grid."""
    cells = (np.arange(DETECTOR_GRID) + 0.5) / DETECTOR_GRID
    ys, xs = np.meshgrid(cells, cells, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1) * DETECTOR_SIZE


def short_range_anchors() -> Points:
    """The short-range model's anchor centres: two per cell of a 16 x 16 grid
    (stride 8), then six per cell of an 8 x 8 grid (the three stride-16 layers)."""
    layers = []
    for grid, per_cell in ((16, 2), (8, 6)):
        cells = (np.arange(grid) + 0.5) / grid
        ys, xs = np.meshgrid(cells, cells, indexing="ij")
        centres = np.stack([xs.ravel(), ys.ravel()], axis=1)
        layers.append(np.repeat(centres, per_cell, axis=0))
    return np.concatenate(layers) * NEAR_DETECTOR_SIZE


class Detector:
    """A BlazeFace model (see the module docstring): `full_range` or `short_range`."""

    def __init__(self, path: str, size: int, anchors: Points, outputs: tuple[str, str]):
        self.net = Graph(path, outputs)
        self.size = size
        self.anchors = anchors

    @classmethod
    def full_range(cls, path: str) -> Detector:
        outputs = ("reshaped_regressor_face_4", "reshaped_classifier_face_4")
        return cls(path, DETECTOR_SIZE, full_range_anchors(), outputs)

    @classmethod
    def short_range(cls, path: str) -> Detector:
        return cls(
            path, NEAR_DETECTOR_SIZE, short_range_anchors(), ("regressors", "classificators")
        )

    def detect(
        self,
        rgb: NDArray[np.uint8] | NDArray[np.float32],
        region: tuple[int, int, int, int] | None = None,
        threshold: float = 0.5,
    ) -> list[Detection]:
        """Faces in `region` (x, y, w, h; the whole image by default) of `rgb`,
        unmerged (the caller merges passes with `merge_detections`).

        `rgb` is uint8, or the same pixels as float32 (`as_float`): a caller
        that looks at one image several times converts it once, and OpenCV's
        area reduction of float32 pixels at a fractional ratio takes about
        half the time of uint8's (its uint8 path sums in float32 too and
        rounds at the end: rounded, the float32 path's pixels are the same,
        so are the detections)."""
        x0, y0, width, height = region or (0, 0, rgb.shape[1], rgb.shape[0])
        size = self.size
        scale = size / max(width, height)
        new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
        pad_x, pad_y = (size - new_w) // 2, (size - new_h) // 2
        patch = rgb[y0 : y0 + height, x0 : x0 + width]
        if patch.dtype != np.uint8 and scale >= 1:
            patch = patch.astype(np.uint8)  # enlarging: uint8's own (fixed-point) path
        resized = cv2.resize(patch, (new_w, new_h), interpolation=cv2.INTER_AREA)
        if resized.dtype != np.uint8:
            resized = np.rint(resized)  # as the uint8 path rounds
        canvas = np.zeros((size, size, 3), np.float32)  # pixel values, as uint8's
        canvas[pad_y : pad_y + new_h, pad_x : pad_x + new_w] = resized
        raw_boxes, raw_scores = self.net.run(nhwc(canvas, 1 / 127.5, 127.5))
        boxes = raw_boxes.reshape(-1, 4 + 2 * KEYPOINTS)
        logits = np.clip(raw_scores.reshape(-1).astype(np.float64), -100, 100)
        scores = 1.0 / (1.0 + np.exp(-logits))
        # Every anchor over the threshold decoded at once (a whole frame asked
        # down to `find.HINT_SCORE` has dozens), then cut into detections.
        kept = np.nonzero(scores > threshold)[0]
        r, anchors = boxes[kept], self.anchors[kept]
        ax, ay = anchors[:, :1], anchors[:, 1:]
        kps = np.stack([ax + r[:, 4::2], ay + r[:, 5::2]], axis=2)
        kps = (kps - (pad_x, pad_y)) / scale + (x0, y0)
        bw, bh = r[:, 2], r[:, 3]
        xs = (ax[:, 0] + r[:, 0] - bw / 2 - pad_x) / scale + x0
        ys = (ay[:, 0] + r[:, 1] - bh / 2 - pad_y) / scale + y0
        ws, hs = bw / scale, bh / scale
        return [
            Detection(float(scores[i]), (xs[j], ys[j], ws[j], hs[j]), kps[j].astype(np.float64))
            for j, i in enumerate(kept)
        ]


def as_float(rgb: NDArray[np.uint8]) -> NDArray[np.float32]:
    """`rgb`'s pixels as float32, for `Detector.detect`'s reductions."""
    return rgb.astype(np.float32)


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


def square_crop(image: NDArray[np.uint8], centre: tuple[float, float], side: float) -> np.ndarray:
    """The square of `side` pixels (rounded) around `centre`, unturned and not
    resampled; where it runs past the image's edge, the edge's pixels repeat."""
    size = max(1, round(side))
    x0, y0 = round(centre[0] - side / 2), round(centre[1] - side / 2)
    height, width = image.shape[:2]
    inside = image[
        max(0, y0) : max(0, min(height, y0 + size)), max(0, x0) : max(0, min(width, x0 + size))
    ]
    if inside.shape[0] == size and inside.shape[1] == size:
        return inside
    if inside.size == 0:  # wholly outside: the nearest edge pixel, repeated
        cy, cx = min(max(0, y0), height - 1), min(max(0, x0), width - 1)
        inside = image[cy : cy + 1, cx : cx + 1]
        top = left = 0
    else:
        top, left = max(0, y0) - y0, max(0, x0) - x0
    return cv2.copyMakeBorder(
        inside,
        top,
        size - top - inside.shape[0],
        left,
        size - left - inside.shape[1],
        cv2.BORDER_REPLICATE,
    )


def face_crop(rgb: NDArray[np.uint8], face: Detection, out: int) -> tuple[np.ndarray, np.ndarray]:
    """The landmark models' view of a detection: 1.5 x its box, the eyes level
    (the roll from its eye keypoints), resampled to `out` x `out`; and the
    transform back to image pixels."""
    right_eye, left_eye = face.keypoints[0], face.keypoints[1]
    roll = math.atan2(left_eye[1] - right_eye[1], left_eye[0] - right_eye[0])
    x, y, w, h = face.box
    side = max(w, h) * MESH_BOX_SCALE
    return upright_crop(rgb, (x + w / 2, y + h / 2), side, roll, out)


def to_image(points: np.ndarray, back: np.ndarray) -> Points:
    """Crop pixel coordinates (n, 2) mapped to image pixels by `back`."""
    pts = np.asarray(points, dtype=np.float64)
    return pts @ back[:, :2].T + back[:, 2]


class Landmarks:
    """Face Landmarker's landmarks and blendshapes (see the module docstring)."""

    def __init__(self, landmarks_path: str, blendshapes_path: str, presence_path: str):
        self.mesh_net = Graph(landmarks_path, ("Identity",))
        self.blend_net = Graph(blendshapes_path, ("StatefulPartitionedCall:0",))
        self.presence_net = Graph(presence_path, ("conv2d_30",))

    def presence(self, rgb: NDArray[np.uint8], face: Detection) -> float:
        """0..1: does the detection's crop hold a face at all (the Face Mesh's score)."""
        crop, _ = face_crop(rgb, face, PRESENCE_SIZE)
        (logit,) = self.presence_net.run(nhwc(crop, 1 / 255.0))
        return _sigmoid(float(logit.ravel()[0]))

    def mesh(self, rgb: NDArray[np.uint8], face: Detection, presence: float) -> Mesh:
        """The 478 landmarks of the face `face` found (`presence`: its score, carried)."""
        crop, back = face_crop(rgb, face, MESH_SIZE)
        side = max(face.box[2], face.box[3]) * MESH_BOX_SCALE
        return self._read(crop, back, side, presence)

    def mesh_again(self, rgb: NDArray[np.uint8], mesh: Mesh) -> Mesh | None:
        """The 478 landmarks read again on the crop the first reading's own
        points frame: the square around its 468 face points, `MESH_BOX_SCALE`
        times their extent, the eyes level from the eye corners (Face
        Landmarker's region from the last frame's landmarks as it tracks a
        face). None when the points make no face to frame."""
        points = mesh.points[:FACE_POINTS]
        low, high = points.min(axis=0), points.max(axis=0)
        side = float(max(high - low)) * MESH_BOX_SCALE
        if not np.isfinite(side) or side < MIN_FRAMED_PX:
            return None
        right, left = points[RIGHT_EYE_LIDS[0]], points[LEFT_EYE_LIDS[0]]
        roll = math.atan2(left[1] - right[1], left[0] - right[0])
        centre = (float(low[0] + high[0]) / 2, float(low[1] + high[1]) / 2)
        crop, back = upright_crop(rgb, centre, side, roll, MESH_SIZE)
        return self._read(crop, back, side, mesh.presence)

    def _read(self, crop: np.ndarray, back: np.ndarray, side: float, presence: float) -> Mesh:
        """The landmarks of an upright `MESH_SIZE` crop of `side` image pixels
        (`back` maps it to the image); `presence` is carried."""
        (points,) = self.mesh_net.run(nhwc(crop, 1 / 255.0))
        xyz = points.reshape(478, 3).astype(np.float64)
        depth = xyz[:, 2] * (side / MESH_SIZE)  # a turn of the crop in its plane keeps z
        return Mesh(to_image(xyz[:, :2], back), presence, side, depth)

    def blendshapes(self, mesh: Mesh) -> NDArray[np.float32]:
        """The 52 blendshape scores of a face's landmarks (image pixels, as the
        model was fed in Face Landmarker)."""
        subset = mesh.points[list(BLENDSHAPE_POINTS)].astype(np.float32)[np.newaxis]
        (scores,) = self.blend_net.run(subset)
        return np.asarray(scores, dtype=np.float32).ravel()


class Expression:
    """The expression classifier (see the module docstring)."""

    def __init__(self, path: str):
        self.net = _expression_graph(path)

    def happy(self, luma: NDArray[np.uint8], face: Detection) -> float | None:
        """0..1: how happy the classifier reads the face `face` found in the grey
        image `luma`; None where the runtime cannot run the graph (OpenCV's)."""
        if self.net is None:
            return None
        x, y, w, h = face.box
        side = max(w, h)
        if not (np.isfinite(side) and side >= 1.0):
            return None
        crop = square_crop(luma, (x + w / 2, y + h / 2), side)
        small = cv2.resize(crop, (EXPRESSION_SIZE, EXPRESSION_SIZE), interpolation=cv2.INTER_AREA)
        grey = small.astype(np.float32)
        grey *= np.float32(2 / 255.0)
        grey -= np.float32(1.0)
        (scores,) = self.net.run(grey[np.newaxis, :, :, np.newaxis])
        return float(np.clip(np.asarray(scores).ravel()[HAPPY], 0.0, 1.0))


def _expression_graph(path: str) -> Graph | None:
    """The expression graph, or None on OpenCV's runtime: its DNN module reads
    the quantized graph (some builds refuse even that) but cannot run it, so
    the graph is never kept there and a photo never fails on it."""
    try:
        graph = Graph(path, ("Identity",))
    except cv2.error:
        return None
    return None if graph.runtime == "opencv" else graph


@dataclass(frozen=True)
class Networks:
    detector: Detector
    near_detector: Detector
    landmarks: Landmarks
    expression: Expression


@lru_cache(maxsize=2)
def networks_for(files: FaceModelFiles) -> Networks:
    """The networks of the model in `files`, loaded once per process."""
    return Networks(
        Detector.full_range(files.path(DETECTOR)),
        Detector.short_range(files.path(NEAR_DETECTOR)),
        Landmarks(files.path(LANDMARKS), files.path(BLENDSHAPES), files.path(MESH)),
        Expression(files.path(EXPRESSION)),
    )
