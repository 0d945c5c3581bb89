"""A face's identity descriptor: OpenCV Zoo's SFace on the face aligned by its landmarks.

SFace (`files.DESCRIPTOR`, Apache 2.0) maps a 112 x 112 face, aligned the
way ArcFace-style models are trained (the eyes' centres, the nose tip and
the mouth's corners on `TEMPLATE`, a similarity transform), to 128 numbers;
two faces of one person point the same way (cosine similarity), two people
apart. The five points come from the landmarks the stage already has (Face
Landmarker's 478: the irises' centres, the nose tip, the mouth's corners),
so no second landmark model runs.

Runtime: OpenVINO where it is installed (the graphs' runtime,
`graphs.runtime`), in BF16 where the CPU computes it natively (AVX-512
BF16, AMX) and FP32 elsewhere, one face a run (the network's batch is fixed
at one: a static shape); else OpenCV's DNN. On a 2-core Xeon with AMX
(2026-11-27; one thread, CPU time, the median of
30 people dev faces): OpenVINO 9.0 ms a face, OpenCV 29. The BF16 vector is
within cosine 0.9993 of OpenCV's FP32 one (40 people dev faces; one
person's faces read above 0.363), so both seats' vectors meet in one
catalog under one `MODEL`.

Cost, measured on this project's machine (OpenCV 5's DNN, one thread, CPU
time, 30 runs): 16 ms a face with OpenCV 5's new engine, 33 ms with the
classic one (OpenCV 4.x has only the classic); the alignment is ~0.1 ms.
onnxruntime was tried: 38 ms (the file keeps its weights as graph inputs,
which stops its constant folding). The stage describes at most
`find.MAX_DESCRIBED` faces of a photo, the largest judged ones. On the faces
bench's cull mix (57 labelled people photos, 1.2 described faces each, and
31 camera fixtures) the stage's mean went from 27.9 to 42.3 ms a photo
(people photos 31.0 -> 53.1), over the bench's 40 ms line; measured on a
machine at load ~11, the same run for both.
Levers measured later (one process, process time, two rounds on the same
loaded machine, the cull mix as above): the stage already runs OpenCV with
one thread (`technical_child`, the bench), and every DNN engine costs the
same forward but the classic one (new/auto/ORT 15.4-15.8 ms, classic 30 ms);
describing only faces whose landmarks span >= 64 px gave 40.8/40.7 ms (all
faces: 40.6/41.1), >= 96 px 40.1/39.2 ms while leaving a tenth to a quarter
of the judged faces undescribed (their spans: 10th percentile 92 px, 25th
115 px), and no descriptor at all 28.5/28.1 ms. No gate was adopted: it
buys about a millisecond for faces the people step then never places.
(Those figures were measured on the labelled set's photos at their own
360-1,137 px; on 1,440 px previews, as the stage is given them, faces are
larger, more of them are described, and the descriptor is ~16 ms of the
mix's 47.7 ms: tests/bench/test_faces_bench.py, the correction.)
A photo's faces go through the model in one call (`describe_many`, a batch):
the vectors are bit for bit those of one call a face, for up to ~8 % less a
face (15.6 -> 14.3 ms with four faces, same run; with two, nothing measurable).

`vector_bytes` / `vector_of` are the stored form: 128 float32, unit length,
little-endian (512 bytes), so the catalog never needs numpy to move one.

Invariants: inputs are upright RGB uint8 arrays, never modified; the
output is a unit vector (float32, shape (128,)); on one seat the same pixels and points
give the same vector; the network is loaded once per process per file
(`descriptor_for`). Nothing here decides who is who (`people` does).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from curator.ml.faces.files import DESCRIPTOR, FaceModelFiles
from curator.ml.faces.graphs import fall_back, openvino_request, runtime

MODEL = "sface-2021dec"  # stored beside each vector: vectors of two models never meet
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
