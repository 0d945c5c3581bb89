"""A face's identity descriptor: OpenCV Zoo's SFace on the face aligned by its landmarks.

SFace (`files.DESCRIPTOR`, Apache 2.0) maps a 112 x 112 face aligned on
`TEMPLATE` (a similarity transform of five points from Face Landmarker's 478:
`LANDMARK_POINTS`) to 128 numbers; one person's faces point the same way (cosine).

Runtime: OpenVINO where installed (`graphs.runtime`; BF16 where the CPU has it),
else OpenCV's DNN. The BF16 vector is within cosine 0.9993 of OpenCV's FP32 one
(one person reads above 0.363), so both meet in one catalog under one `MODEL`.
A face costs ~9 ms on OpenVINO, ~16 ms on OpenCV's DNN: at most
`find.MAX_DESCRIBED` faces a photo, in one call (`describe_many`: the same
vectors, ~8 % less a face). Measurements: docs/decisions/faces-models.md.

Stored form (`vector_bytes` / `vector_of`): 128 float32, unit length,
little-endian (512 bytes), so the catalog never needs numpy to move one.

Invariants: upright RGB uint8 inputs, never modified; a unit float32 (128,)
output, the same for the same pixels on one seat; the network loads once per
process (`descriptor_for`); nothing here decides who is who (`people` does).
OpenCV is imported only to align or run the network (the people step reads
`MODEL` and `DIMENSIONS` without it: ~0.04 s of CPU).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from curator.ml.faces.files import DESCRIPTOR, DESCRIPTOR_MODEL, FaceModelFiles
from curator.ml.faces.graphs import fall_back, openvino_request, runtime

MODEL = DESCRIPTOR_MODEL  # stored beside each vector: vectors of two models never meet
SIZE = 112
DIMENSIONS = 128
# The five points' places in the aligned 112 x 112 face (the standard arcface
# template, which SFace was trained with): the image's left eye (the
# subject's right), the image's right eye, the nose tip, the mouth's
# left and right corners.
TEMPLATE = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float32,
)
# Face Landmarker's indices of those points: the subject's right iris centre,
# left iris centre, the nose tip, the mouth's right and left corners.
LANDMARK_POINTS = (468, 473, 1, 61, 291)


class DescriptorError(ValueError):
    """The face could not be described (its points do not make a face)."""


def five_points(landmarks: NDArray[np.float64]) -> NDArray[np.float32]:
    """The alignment's five points (`TEMPLATE`'s order) from 478 landmarks."""
    if landmarks.shape[0] <= max(LANDMARK_POINTS):
        raise DescriptorError(f"expected 478 landmarks, got {landmarks.shape[0]}")
    return np.asarray(landmarks[list(LANDMARK_POINTS)], dtype=np.float32)


def aligned_face(rgb: NDArray[np.uint8], points: NDArray[np.float32]) -> NDArray[np.uint8]:
    """The face whose five `points` (image pixels) are given, warped onto
    `TEMPLATE`: 112 x 112 RGB."""
    import cv2

    matrix, _ = cv2.estimateAffinePartial2D(points, TEMPLATE, method=cv2.LMEDS)
    if matrix is None or not np.all(np.isfinite(matrix)):
        raise DescriptorError("the face's landmarks do not make a face to align")
    face = cv2.warpAffine(
        rgb, matrix, (SIZE, SIZE), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(face, dtype=np.uint8)


class Descriptor:
    """SFace, run by OpenVINO where it is installed (the faces' graphs'
    runtime, `graphs.runtime`), else by OpenCV's DNN module."""

    def __init__(self, path: str):
        self.runtime = "openvino" if runtime() == "openvino" else "opencv"
        if self.runtime == "openvino":
            try:
                self._request, (self._port,) = openvino_request(path, (), precise=False)
                return
            except RuntimeError as exc:  # installed but unable to run it (`graphs.Graph`)
                self.runtime = fall_back(exc, "opencv")
        import cv2

        self._net: Any = cv2.dnn.readNet(path)

    def describe(self, face: NDArray[np.uint8]) -> NDArray[np.float32]:
        """The unit descriptor of an aligned 112 x 112 RGB face."""
        (vector,) = self.describe_many([face])
        if vector is None:
            raise DescriptorError("the descriptor model gave no usable vector")
        return vector

    def describe_many(self, faces: list[NDArray[np.uint8]]) -> list[NDArray[np.float32] | None]:
        """The unit descriptors of aligned 112 x 112 RGB faces, in one call of
        the model (a batch: each face's vector is the one it gets alone); None for a
        face the model gives no usable vector."""
        if not faces:
            return []
        # SFace takes RGB pixels 0-255, channels first (OpenCV's own SFace wrapper
        # swaps its BGR input to this).
        blob = np.ascontiguousarray(np.stack(faces).astype(np.float32).transpose(0, 3, 1, 2))
        raw = self._forward(blob).reshape(len(faces), -1)
        out: list[NDArray[np.float32] | None] = []
        for row in raw:
            norm = float(np.linalg.norm(row))
            usable = row.shape == (DIMENSIONS,) and np.isfinite(norm) and norm > 0.0
            out.append(row / np.float32(norm) if usable else None)
        return out

    def _forward(self, blob: NDArray[np.float32]) -> NDArray[np.float32]:
        if self.runtime == "opencv":
            self._net.setInput(blob)
            return np.asarray(self._net.forward(), dtype=np.float32)
        rows = []  # the network's batch is one face: a static shape runs faster
        for one in blob:
            self._request.infer({0: one[np.newaxis]})
            rows.append(np.array(self._request.get_tensor(self._port).data, dtype=np.float32))
        return np.concatenate(rows)

    def of_landmarks(
        self, rgb: NDArray[np.uint8], landmarks: NDArray[np.float64]
    ) -> NDArray[np.float32]:
        """The descriptor of the face with these 478 landmarks in `rgb`."""
        return self.describe(aligned_face(rgb, five_points(landmarks)))


@lru_cache(maxsize=2)
def descriptor_for(files: FaceModelFiles) -> Descriptor:
    """The descriptor model in `files`, loaded once per process."""
    return Descriptor(files.path(DESCRIPTOR))


def vector_bytes(vector: NDArray[np.float32]) -> bytes:
    """The stored form of a descriptor (see the module docstring)."""
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_of(data: bytes) -> NDArray[np.float32]:
    """A stored descriptor back as a float32 vector."""
    if len(data) != DIMENSIONS * 4:
        raise DescriptorError(f"a stored descriptor has {len(data)} bytes, not {DIMENSIONS * 4}")
    return np.frombuffer(data, dtype="<f4").astype(np.float32)
