"""The face networks OpenVINO compiled for this computer: where they are kept,
and whether they are ready — asked without importing OpenVINO or numpy.

The first faces process compiles each network (`graphs.openvino_request`,
~1.2 s of CPU) into `cache_folder`; later ones load it (~0.2 s). The import
and `curator doctor` say so while it is the case (`networks_prepared`).

Each compiled network leaves a mark (`mark_prepared`) named by its file's name
and size, its precision, the OpenVINO version and the architecture;
`networks_prepared(model_folder)` is true when every network of
`files.COMPILED_NETWORKS` is marked, or OpenVINO does not run them.

Invariants: nothing here imports OpenVINO, numpy or OpenCV; a mark is written
only after its network compiled.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.metadata
import importlib.util
import os
import platform
from pathlib import Path

from curator.ml.faces.files import COMPILED_NETWORKS
from curator.paths import resolve_paths

RUNTIME_ENV = "CURATOR_FACES_RUNTIME"  # a runtime's name forces it (tests, comparisons)
COMPILED_CACHE = "openvino"  # OpenVINO's compiled networks, under the app's cache folder
MARKS = "prepared"  # the marks' folder, inside it
PREPARING = "Preparing the face networks for this computer (first time only: a few seconds)…"


def cache_folder() -> Path:
    """Where OpenVINO keeps the networks it compiled (under the app's cache)."""
    return resolve_paths().cache_dir / COMPILED_CACHE


def compiles_networks() -> bool:
    """Whether the face networks are compiled here: OpenVINO is installed and
    no other runtime is asked for (`graphs.runtime`'s choice, read cheaply)."""
    asked = os.environ.get(RUNTIME_ENV, "").strip().lower()
    if asked in ("litert", "opencv"):
        return False
    return importlib.util.find_spec("openvino") is not None


@functools.cache
def _openvino_version() -> str:
    try:
        return importlib.metadata.version("openvino")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _mark(path: str, precise: bool) -> Path:
    try:
        size = os.stat(path).st_size
    except OSError:
        size = -1
    name = Path(path).name
    kind = "f32" if precise else "native"
    return (
        cache_folder() / MARKS / f"{name}.{size}.{kind}.{_openvino_version()}.{platform.machine()}"
    )


def mark_prepared(path: str, precise: bool) -> None:
    """The network at `path` is compiled in the cache (a failure to say so is harmless)."""
    mark = _mark(path, precise)
    with contextlib.suppress(OSError):
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.touch()


def is_prepared(path: str, precise: bool) -> bool:
    return _mark(path, precise).exists()


def networks_prepared(model_folder: str) -> bool:
    """Whether every network of the model in `model_folder` is compiled for
    this computer already (see the module docstring)."""
    if not compiles_networks():
        return True
    return all(
        is_prepared(str(Path(model_folder) / file.name), precise)
        for file, precise in COMPILED_NETWORKS
    )
