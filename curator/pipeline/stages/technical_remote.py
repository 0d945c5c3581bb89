"""The technical stage's call into an isolated worker: a child process here, or a Ray node.

`call_isolated` turns a dead, hung or failing worker (`ChildProcessPool` or
`engine.cluster.RayPool`) into a `TechnicalFailure` of that one file;
`NodeMeasure` is the stage's body as a Ray task runs it; `Shipped.land` puts
what a node made into the seat's cache.

On a Ray node the seat's path is mapped to the node's (`node_path`, by
`CURATOR_RAY_ROOTS`: `SEAT=NODE` pairs separated by `;`, longest prefix wins)
and measured as at the seat, in a decoder child the Ray worker keeps (the
worker never dies of a photo); a folder the node cannot see fails the file
(`RayNodeCannotSeeFile`, retried). Previews and renditions are written to a
scratch folder (`scratch_folder`), shipped back and removed; faces are
measured with the node's face model (`faces_here`) or left to the seat.

`Shipped.land` writes the files into the cache atomically before the outcome
goes to the writer, so the catalog never names a missing cache entry; a cache
fault fails the file (`CacheWriteError`).

Invariants: imports no Qt and no catalog (a Ray worker imports this module);
nothing here raises for a bad file.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Protocol, TypeVar

from curator.engine.cluster import ClusterLost, RayCluster, RayPool, Shared, TaskLost
from curator.engine.isolation import (
    ChildProcessPool,
    WorkerCrashed,
    WorkerFailed,
    WorkerTimedOut,
    memory_limit_for,
)
from curator.engine.types import StageFn
from curator.imaging.cache import cache_path, clip_key, write_bytes
from curator.imaging.errors import CacheWriteError
from curator.imaging.formats import format_by_name
from curator.imaging.types import TechnicalFailure, TechnicalMeasurement, TechnicalRequest
from curator.pipeline.stages.technical_child import (
    TechnicalOutcome,
    failure_of,
    init_decoder_process,
    run_technical,
)
from curator.records import FacesFailure

T = TypeVar("T")
R = TypeVar("R")

ROOTS_ENV = "CURATOR_RAY_ROOTS"


class IsolatedCalls(Protocol):
    """What `call_isolated` calls: a `ChildProcessPool` or a `RayPool`."""

    def call(self, fn: Callable[[T], R], arg: T, timeout: float | None = None) -> R: ...


def call_isolated(
    processes: IsolatedCalls, fn: StageFn | NodeMeasure, request: TechnicalRequest, timeout_s: float
) -> TechnicalOutcome:
    """Run the stage body in an isolated worker; a dead, hung or failing worker
    (a child here, a Ray task) becomes a failure of this file alone."""
    path = request.path
    try:
        result = processes.call(fn, request, timeout_s)
    except ClusterLost as exc:
        return _failure(path, exc.message, "RayClusterLost", exc.detail)
    except TaskLost as exc:
        return _failure(path, exc.message, "RayTaskLost", exc.detail, transient=True)
    except WorkerCrashed as exc:
        if request.faces_model:
            return without_faces(processes, fn, request, timeout_s, exc)
        return _failure(
            path,
            "The decoder crashed on this file (it is probably damaged); "
            "Curator's other photos were not affected.",
            "WorkerCrashed",
            str(exc),
            transient=True,
        )
    except WorkerTimedOut as exc:
        return _failure(
            path,
            f"Decoding this file took longer than {timeout_s:.0f} seconds and was stopped.",
            "WorkerTimedOut",
            str(exc),
        )
    except WorkerFailed as exc:
        return _failure(
            path,
            "Curator hit an internal error while measuring this file; "
            "the details are in the error log.",
            "WorkerFailed",
            exc.detail,
        )
    return result.land(request) if isinstance(result, Shipped) else result


def without_faces(
    processes: IsolatedCalls,
    fn: StageFn | NodeMeasure,
    request: TechnicalRequest,
    timeout_s: float,
    crash: WorkerCrashed,
) -> TechnicalOutcome:
    """A decoder that crashed while the faces stage rode along: measure again
    without it, so a face model that crashes fails the photo's faces only."""
    outcome = call_isolated(processes, fn, replace(request, faces_model=None), timeout_s)
    if isinstance(outcome, TechnicalMeasurement) and outcome.decoded:
        failure = FacesFailure(
            "The face model crashed on this photo, so its faces are not judged; "
            "Curator's other photos were not affected.",
            "WorkerCrashed",
            str(crash),
        )
        return replace(outcome, faces=failure)
    return outcome


def _failure(
    path: str, message: str, error_type: str, detail: str, *, transient: bool = False
) -> TechnicalFailure:
    return TechnicalFailure(
        path, message, error_type, detail=detail, transient=transient, format=format_by_name(path)
    )


def cluster_lost(outcome: TechnicalOutcome) -> str | None:
    """The sentence when `outcome` says the Ray cluster is gone (the run stops)."""
    if isinstance(outcome, TechnicalFailure) and outcome.error_type == "RayClusterLost":
        return outcome.message
    return None


# -- the seat's path on this node --------------------------------------------------


def parse_roots(text: str) -> tuple[tuple[str, str], ...]:
    """`SEAT=NODE;SEAT=NODE` as pairs, the longest seat prefix first."""
    pairs = []
    for part in text.split(";"):
        seat, sep, node = part.partition("=")
        if sep and seat.strip() and node.strip():
            pairs.append((seat.strip(), node.strip()))
    return tuple(sorted(pairs, key=lambda pair: len(pair[0]), reverse=True))


def node_path(path: str, roots: tuple[tuple[str, str], ...]) -> str:
    """`path` (the seat's) on this node: its seat prefix replaced by the node's
    mount (a Windows seat's backslashes become this node's separators)."""
    for seat, node in roots:
        windows = "\\" in seat or re.match(r"^[A-Za-z]:", seat) is not None
        prefix = seat.rstrip("/\\")
        if windows:
            match = path.lower() == prefix.lower() or path.lower().startswith(
                (prefix.lower() + "\\", prefix.lower() + "/")
            )
        else:
            match = path == prefix or path.startswith(prefix + "/")
        if match:
            rest = path[len(prefix) :]
            parts = [p for p in (re.split(r"[\\/]", rest) if windows else rest.split("/")) if p]
            return os.path.join(node, *parts)
    return path


def roots_here() -> tuple[tuple[str, str], ...]:
    return parse_roots(os.environ.get(ROOTS_ENV, ""))


def measure_visible(body: StageFn, request: TechnicalRequest) -> TechnicalOutcome:
    """The body, in the node's decoder child, once the file's folder is seen there."""
    folder = os.path.dirname(request.path)
    if not os.path.isdir(folder):
        host = socket.gethostname()
        return _failure(
            request.path,
            f"The Ray node {host} does not see this photo's folder ({folder}): mount the "
            f"shared drive there, or map this computer's path to its mount with {ROOTS_ENV} "
            "('/Volumes/Studio=/mnt/studio') where `ray start` runs on that node.",
            "RayNodeCannotSeeFile",
            f"{host}: no folder {folder}",
            transient=True,
        )
    return body(request)


@dataclass(frozen=True)
class ClusterPlan:
    """A run's technical stage on a Ray cluster: the cluster, and the run's
    known hashes (with the decoder's niceness: a node's children keep their
    priority) in its object store."""

    cluster: RayCluster
    known: Shared[tuple[frozenset[str], int]]

    def pool(self) -> RayPool:
        return RayPool(self.cluster, name="curator technical", num_cpus=1.0, max_retries=3)

    def body(self, timeout_s: float) -> NodeMeasure:
        return NodeMeasure(self.known, timeout_s)


def seat_timeout(timeout_s: float) -> float:
    """How long the seat waits for one file's Ray task: the node stops a decoder
    after `timeout_s`; past three times that (and a minute for a busy
    cluster's queue), the task is given up as lost and the file tried again."""
    return timeout_s * 3 + 60.0


# -- the body of a Ray task ---------------------------------------------------------

_node_lock = threading.Lock()
_node_decoder: list[tuple[str, ChildProcessPool]] = []  # this Ray worker's (token, child)


def node_decoder(known: Shared[tuple[frozenset[str], int]], max_pixels: int) -> ChildProcessPool:
    """This Ray worker's decoder child, primed with the run's known hashes."""
    with _node_lock:
        if not _node_decoder:
            pool = ChildProcessPool(
                1,
                initializer=init_decoder_process,
                initargs=known.get(),
                memory_limit=memory_limit_for(max_pixels),
            )
            _node_decoder.append((known.token, pool))
        token, pool = _node_decoder[0]
        if token != known.token:
            pool.reprime(*known.get())
            _node_decoder[0] = (known.token, pool)
        return pool


SCRATCH_PREFIX = "curator-ray-"
_swept: list[bool] = []  # this worker process swept the dead workers' scratch folders


def scratch_folder() -> str:
    """A new scratch folder for one file, named after this Ray worker's process;
    the first one a worker makes sweeps those of workers that died (a worker
    killed mid-file leaves its folder behind: `finally` never ran there)."""
    root = tempfile.gettempdir()
    with _node_lock:
        if not _swept:
            _swept.append(True)
            for entry in os.listdir(root):
                pid = entry[len(SCRATCH_PREFIX) :].split("-", 1)[0]
                if entry.startswith(SCRATCH_PREFIX) and pid.isdigit() and not _alive(int(pid)):
                    shutil.rmtree(os.path.join(root, entry), ignore_errors=True)
    return tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=root)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


_faces_found: dict[str, str | None] = {}  # the seat's face model folder -> this node's


def faces_here(seat_folder: str | None) -> str | None:
    """The face model's folder on this node when the seat sends the faces stage
    along: the seat's folder if this node has the files there, else this
    node's own install (ml.faces.files); None without one, and the seat's
    faces phase judges the photo's faces from its preview afterwards."""
    if seat_folder is None:
        return None
    with _node_lock:
        if seat_folder not in _faces_found:
            from curator.ml.faces.files import find_face_model

            for configured in (seat_folder, None):
                files = find_face_model(configured).files
                if files is not None:
                    _faces_found[seat_folder] = files.folder
                    break
            else:
                _faces_found[seat_folder] = None
        return _faces_found[seat_folder]


@dataclass(frozen=True)
class Shipped:
    """A node's outcome and the cache files it made (key, JPEG bytes)."""

    outcome: TechnicalOutcome
    files: tuple[tuple[str, bytes], ...] = ()
    node: str = ""

    def land(self, request: TechnicalRequest) -> TechnicalOutcome:
        """Write the files into the seat's cache; the outcome, or the cache's failure."""
        try:
            for key, data in self.files:
                write_bytes(request.cache_dir, key, data)
        except OSError as exc:
            err = CacheWriteError.writing_to(request.cache_dir, exc)
            err.__cause__ = exc
            err.content_hash = self.outcome.content_hash
            return failure_of(request, err)
        return _seat_times(self.outcome, request.path)


def _seat_times(outcome: TechnicalOutcome, path: str) -> TechnicalOutcome:
    """The outcome with the seat's mtime of the file: two computers may see a
    shared drive's times at another precision, and the next import compares
    the catalog's with the seat's scan (an unchanged file is not read again)."""
    if outcome.mtime_ns is None:
        return outcome
    try:
        st = os.stat(path)
    except OSError:
        return outcome
    return replace(outcome, mtime_ns=st.st_mtime_ns) if st.st_size == outcome.size else outcome


@dataclass(frozen=True)
class NodeMeasure:
    """The technical stage's body as a Ray task runs it (module docstring).
    Picklable: it travels with every file (`known` is a reference, not the hashes)."""

    known: Shared[tuple[frozenset[str], int]]  # init_decoder_process's arguments
    timeout_s: float
    body: StageFn = run_technical

    def __call__(self, request: TechnicalRequest) -> Shipped:
        scratch = scratch_folder()
        try:
            here = replace(
                request,
                path=node_path(request.path, roots_here()),
                cache_dir=scratch,
                faces_model=faces_here(request.faces_model),
            )
            pool = node_decoder(self.known, request.max_pixels)
            outcome = call_isolated(pool, partial(measure_visible, self.body), here, self.timeout_s)
            files = _made_files(scratch, outcome)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return Shipped(replace(outcome, path=request.path), files, socket.gethostname())


def _made_files(scratch: str, outcome: TechnicalOutcome) -> tuple[tuple[str, bytes], ...]:
    if not isinstance(outcome, TechnicalMeasurement) or not outcome.decoded:
        return ()
    files = []
    rendition = clip_key(outcome.content_hash) if outcome.content_hash else None
    for key in (outcome.preview_key, outcome.thumbnail_key, rendition):
        if key:
            try:
                files.append((key, cache_path(scratch, key).read_bytes()))
            except OSError:  # never written: the seat's cache keeps what it has
                continue
    return tuple(files)


__all__ = [
    "ROOTS_ENV",
    "ClusterPlan",
    "IsolatedCalls",
    "NodeMeasure",
    "Shipped",
    "call_isolated",
    "cluster_lost",
    "faces_here",
    "measure_visible",
    "node_decoder",
    "node_path",
    "parse_roots",
    "roots_here",
    "scratch_folder",
    "seat_timeout",
    "without_faces",
]
