"""How the CLIP loader is sized, and its worker processes' task: chosen from the machine.

`plan_loader` decides from the device, cores and memory how many photos go
through one forward pass and how they are decoded; `load_chunk` is a worker
process's share of the decoding. Measurements: docs/decisions/clip.md.
- **CPU**: one loader thread (two past 4 cores), batches of `CPU_BATCH`, two
  prefetched; the loader never takes the model's cores.
- **GPU**: threads stop near 700 photos/s, so from `PROCESSES_FROM_CPUS` cores
  worker *processes* (all cores but two) decode into shared-memory slots
  (`ml.clip_slots`), kept for the session (`loader_processes`). Batches of
  `GPU_BATCH`, `SMALL_GPU_BATCH` under `SMALL_GPU_BYTES`.
- A transform `ml.clip_pixels` does not recognise runs per photo on threads.

Invariants: importing this module imports neither torch nor open_clip;
`load_chunk` never raises for a bad file.
"""

from __future__ import annotations

import atexit
import math
import multiprocessing
import os
import threading
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from curator.ml.clip_pixels import PixelPlan, prepare_pixels
from curator.ml.clip_slots import release_slots, write_crops

CPU_BATCH = 16
GPU_BATCH = 64
SMALL_GPU_BATCH = 32
SMALL_GPU_BYTES = 8 * 1024**3
MPS_BATCH = 32
PROCESSES_FROM_CPUS = 4  # fewer cores than this: threads (a process would take the model's)
MAX_WORKERS = 32
MIN_CHUNK = 8  # photos a worker process's task (see plan_loader)


@dataclass(frozen=True)
class LoaderPlan:
    """How one embedding run is fed (see the module docstring)."""

    batch_size: int
    workers: int  # loader threads, or processes when `processes`
    processes: bool
    prefetch_batches: int  # batches submitted ahead of the one the model runs
    chunk: int  # photos per task (1 on threads)

    def describe(self) -> str:
        kind = ("process" if self.processes else "thread") + ("es" if self.processes else "s")
        kind = kind if self.workers > 1 else kind.removesuffix("es" if self.processes else "s")
        return f"batches of {self.batch_size}, {self.workers} loader {kind}"


def machine_cpus() -> int:
    """The cores this process may run on (its affinity where the OS says, else all)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def auto_batch_size(device: str, gpu_memory: int | None = None) -> int:
    """Photos per forward pass when the settings leave it to Curator (0)."""
    if device == "cuda":
        return (
            SMALL_GPU_BATCH
            if gpu_memory is not None and gpu_memory < SMALL_GPU_BYTES
            else (GPU_BATCH)
        )
    if device == "mps":
        return MPS_BATCH
    return CPU_BATCH


def plan_loader(
    device: str,
    batch_size: int,
    *,
    cpus: int | None = None,
    pixels: bool = True,
    gpu_memory: int | None = None,
) -> LoaderPlan:
    """The loader for a model on `device` (batch_size 0: chosen here)."""
    cpus = machine_cpus() if cpus is None else max(1, cpus)
    size = batch_size or auto_batch_size(device, gpu_memory)
    if device == "cpu":
        return LoaderPlan(size, 1 if cpus <= 4 else 2, False, 2, 1)
    if pixels and cpus >= PROCESSES_FROM_CPUS:
        workers = min(MAX_WORKERS, max(2, cpus - 2))
        # 8 or more a task: a task's own cost (sending it, its future) is paid per
        # chunk, and with the crops in shared memory a bigger chunk costs nothing more
        chunk = max(MIN_CHUNK, min(16, math.ceil(size / workers)))
        in_flight = 3 * workers * chunk  # every worker busy, a task waiting behind each
        return LoaderPlan(size, workers, True, max(2, math.ceil(in_flight / size)), chunk)
    return LoaderPlan(size, max(2, min(8, cpus - 1)), False, 2, 1)


_pool_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_workers = 0


def loader_processes(workers: int) -> ProcessPoolExecutor:
    """The session's loader processes: spawned once (about a second, more than a GPU
    takes to embed a thousand photos) and kept until `end_loader_processes` (at
    exit, or when one died). Spawned, never forked (this process has threads,
    perhaps Qt and a GPU context); each imports Pillow, numpy and this module."""
    global _pool, _pool_workers
    with _pool_lock:
        if _pool is None or _pool_workers != workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            context = multiprocessing.get_context("spawn")
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
            _pool_workers = workers
        return _pool


def end_loader_processes(pool: ProcessPoolExecutor | None = None) -> None:
    """End the loader processes (all, or only `pool` if it is still the current one)
    and release their shared-memory slots (`ml.clip_slots`)."""
    global _pool
    with _pool_lock:
        if pool is not None and pool is not _pool:
            return
        ending, _pool = _pool, None
    if ending is not None:
        ending.shutdown(wait=True, cancel_futures=True)
    release_slots()  # no process is left to write them


atexit.register(end_loader_processes)


@dataclass(frozen=True)
class ChunkFailure:
    """One photo of a chunk that could not be prepared: its place in the chunk and why."""

    position: int
    message: str
    error_type: str
    detail: str


@dataclass(frozen=True)
class ChunkPixels:
    """A chunk's result: the crops of the photos that loaded, in order, and the others."""

    positions: tuple[int, ...]  # which photos of the chunk loaded, in order
    pixels: np.ndarray | None  # (len(positions), H, W, 3) uint8; None: in the slot
    failures: tuple[ChunkFailure, ...]
    in_slot: bool = False  # the crops were written into the chunk's shared-memory slot


def load_chunk(
    paths: list[str],
    plan: PixelPlan,
    data: list[bytes | None] | None = None,
    slot: str | None = None,
) -> ChunkPixels:
    """A worker process's task: prepare each photo of the chunk, from its file or
    from its bytes when `data` has them (never raises). With `slot` (the name of
    a shared-memory block lent by `ml.clip_slots`) the crops are written there
    and `in_slot` is set; without one, or where it cannot be written, they come
    back in `pixels`."""
    crops: list[np.ndarray] = []
    positions: list[int] = []
    failures: list[ChunkFailure] = []
    for position, path in enumerate(paths):
        given = data[position] if data is not None else None
        try:
            crops.append(prepare_pixels(path if given is None else given, plan))
            positions.append(position)
        except Exception as err:
            failures.append(
                ChunkFailure(
                    position,
                    human_message(path, err),
                    type(err).__name__,
                    "".join(traceback.format_exception_only(err)).strip(),
                )
            )
    height, width = plan.crop
    if slot is not None and crops and write_crops(slot, crops):
        return ChunkPixels(tuple(positions), None, tuple(failures), in_slot=True)
    pixels = np.stack(crops) if crops else np.zeros((0, height, width, 3), dtype=np.uint8)
    return ChunkPixels(tuple(positions), pixels, tuple(failures))


def human_message(path: str | os.PathLike[str], err: Exception) -> str:
    """Why one photo could not be prepared for CLIP, in a sentence."""
    where = f"'{os.fspath(path)}'"
    if isinstance(err, FileNotFoundError):
        return f"The image {where} is missing, so it could not be embedded."
    if isinstance(err, PermissionError):
        return f"Curator is not allowed to read {where}, so it could not be embedded."
    if isinstance(err, IsADirectoryError):
        return f"{where} is a folder, not an image."
    if isinstance(err, Image.DecompressionBombError):
        return f"{where} declares too many pixels to be decoded safely."
    if isinstance(err, UnidentifiedImageError):
        return f"{where} is not an image Curator can read (corrupt, or not a picture)."
    if isinstance(err, OSError | SyntaxError | ValueError):
        return f"{where} could not be decoded; the file is truncated or corrupt ({err})."
    return f"{where} could not be prepared for CLIP: {err}"
