"""The face networks OpenVINO compiled for this computer: where they are kept,
and whether they are ready — asked without importing OpenVINO or numpy.

The first faces process compiles each network (`graphs.openvino_request`,
~1.2 s of CPU) into `cache_folder`; later ones load it (~0.2 s). The import
and `curator doctor` say so while it is the case (`networks_prepared`).

Each compiled network leaves a mark (`mark_prepared`) named by its file's name
and size, its precision, the OpenVINO version and the architecture;
`networks_prepared(model_folder)` is true when every network of
`files.COMPILED_NETWORKS` is marked, or OpenVINO does not run them.

OpenVINO writes a network's blob in place (truncated, then written) and maps
it into memory to read it: a process loading a blob while another wrote it
died of SIGBUS inside `compile_model`, which no Python code can catch. So a
process compiles with the cache only in its `cache_turn` (a file lock on the
folder), and the blob of a network is written once, by the first.

Invariants: nothing here imports OpenVINO, numpy or OpenCV; a mark is written
only after its network compiled; no two processes compile with the cache at once.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.metadata
import importlib.util
import os
import platform
from collections.abc import Iterator
from pathlib import Path

from curator.ml.faces.files import COMPILED_NETWORKS
from curator.paths import resolve_paths

RUNTIME_ENV = "CURATOR_FACES_RUNTIME"  # a runtime's name forces it (tests, comparisons)
COMPILED_CACHE = "openvino"  # OpenVINO's compiled networks, under the app's cache folder
MARKS = "prepared"  # the marks' folder, inside it
TURN = ".compiling.lock"  # the folder's lock file (`cache_turn`)
# The longest a process waits for its turn: another's compile of one network is
# ~0.2-1.2 s of CPU, its turn much longer only on a crowded host or when it hangs.
TURN_WAIT_S = 60.0
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


class NoTurn(RuntimeError):
    """The cache's turn did not come: the caller compiles without the cache."""


@contextlib.contextmanager
def cache_turn() -> Iterator[None]:
    """This process's turn at `cache_folder` (see the module docstring), held
    while it compiles one network with the cache. Raises `NoTurn` when the
    turn does not come within `TURN_WAIT_S` or the folder cannot hold the lock."""
    from filelock import FileLock  # not at import: the GUI imports this module early

    folder = cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(folder / TURN, timeout=TURN_WAIT_S)
        lock.acquire()
    except OSError as exc:  # filelock's Timeout is an OSError (TimeoutError)
        raise NoTurn(f"no turn at the compiled networks' cache: {exc}") from exc
    try:
        yield
    finally:
        lock.release()


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
