"""The embed pipeline: files in, batches of unit vectors out, decoding hidden behind the model.

The model, not the decoder, sets the pace: end to end ≥ 0.9× the bare
forward throughput.

Invariants: an unreadable file is an `EmbedFailure` in its batch's result,
never raised; one `EmbedBatchResult` per batch in input order, every key in
exactly one result unless cancelled; results are frozen, vectors read-only;
no loader thread outlives the generator.

Concurrency protocol:
1. the calling thread (the ML pool's worker) runs only the model;
2. loaders decode, orient and crop each file (`ml.clip_pixels`), on threads
   or in worker processes as `ml.clip_loading` decides;
3. before batch k runs, batches up to k + prefetch_batches are submitted, so
   at most `prefetch_batches + 1` batches of pixels exist;
4. on CUDA (`queues_work`) batch k+1 is launched before batch k is collected;
5. a dead worker process takes only the loading with it: later chunks load
   on threads;
6. `cancel` is checked before each file, chunk and forward pass.
"""

from __future__ import annotations

import os
import traceback
from collections import deque
from collections.abc import Callable, Generator, Hashable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from threading import Event
from typing import Any, Generic, Protocol, TypeVar

import numpy as np
from PIL import Image

from curator.ml.clip_loading import (
    ChunkPixels,
    LoaderPlan,
    end_loader_processes,
    human_message,
    load_chunk,
    loader_processes,
    plan_loader,
)
from curator.ml.clip_pixels import PixelPlan, load_for_clip, prepare_pixels
from curator.ml.clip_slots import Slot, slot_lender

K = TypeVar("K", bound=Hashable)


class BatchEmbedder(Protocol):
    """What the pipeline needs from an embedder (ClipEmbedder, or a fake in tests).

    An embedder may also offer `pixel_plan` (an `ml.clip_pixels.PixelPlan`),
    `embed_pixels(uint8 batch)`, `device` and `loader_plan()`: then the
    loader prepares uint8 crops and the embedder normalises them as a batch.
    """

    @property
    def batch_size(self) -> int: ...

    @property
    def dim(self) -> int: ...

    @property
    def input_size(self) -> tuple[int, int]: ...

    def load(self) -> object: ...

    def preprocess(self, image: Image.Image) -> Any: ...

    def embed_tensors(self, batch: Sequence[Any]) -> np.ndarray: ...


@dataclass(frozen=True)
class EmbedFailure(Generic[K]):
    """One file that could not be embedded, and why, in a sentence."""

    key: K
    path: str
    message: str
    error_type: str
    detail: str = ""


@dataclass(frozen=True)
class EmbedBatchResult(Generic[K]):
    """The outcome of one batch: `vectors[i]` belongs to `keys[i]`."""

    index: int  # 0-based batch number
    keys: tuple[K, ...]
    vectors: np.ndarray  # float32 (len(keys), dim), L2-normalised, read-only
    failures: tuple[EmbedFailure[K], ...] = ()

    @property
    def size(self) -> int:
        """How many input items this batch accounts for (vectors + failures)."""
        return len(self.keys) + len(self.failures)


@dataclass(frozen=True)
class Loaded(Generic[K]):
    """What a loader made of some photos of a batch (one on a thread, a chunk in a
    process): the ones that loaded, in order, as uint8 crops (the pixel path) or
    as the model's own transform of each (the generic path), and the others."""

    keys: tuple[K, ...] = ()
    pixels: np.ndarray | None = None  # (len(keys), H, W, 3) uint8
    tensors: tuple[Any, ...] = ()
    failures: tuple[EmbedFailure[K], ...] = ()


def _pixel_plan(embedder: BatchEmbedder) -> PixelPlan | None:
    plan = getattr(embedder, "pixel_plan", None)
    return plan if isinstance(plan, PixelPlan) and hasattr(embedder, "embed_pixels") else None


@dataclass(frozen=True)
class SmallerSource:
    """A smaller picture the cache keeps beside each file (the pipeline's CLIP
    rendition of a preview): its short side, and where it is for a file (None:
    not there). A model that takes no more pixels reads it instead of the file
    (`with_smaller_sources`), at a seat or on a cluster alike."""

    short_side: int
    find: Callable[[str], str | None]


def input_side(embedder: BatchEmbedder) -> int:
    """The short side the embedder's transform resizes a photo to (its input's
    side where the transform is not one the pixel path knows)."""
    plan = _pixel_plan(embedder)
    return plan.short_side if plan is not None else max(embedder.input_size)


def with_smaller_sources(
    items: Sequence[tuple[K, str]], side: int, smaller: SmallerSource | None
) -> list[tuple[K, str]]:
    """`items` reading each file's smaller picture where there is one and a model
    of input `side` loses nothing by it."""
    if smaller is None or side > smaller.short_side:
        return list(items)
    return [(key, smaller.find(str(path)) or path) for key, path in items]


def loader_plan_for(embedder: BatchEmbedder, batch_size: int | None = None) -> LoaderPlan:
    """The loader the embedder's device and this machine call for (`ml.clip_loading`)."""
    plan = getattr(embedder, "loader_plan", None)
    if callable(plan):
        found = plan()
        if isinstance(found, LoaderPlan):
            return replace(found, batch_size=batch_size) if batch_size else found
    device = str(getattr(embedder, "device", "cpu"))
    size = batch_size or embedder.batch_size
    return plan_loader(device, size, pixels=_pixel_plan(embedder) is not None)


def embed_files(
    embedder: BatchEmbedder,
    items: Sequence[tuple[K, str | os.PathLike[str]]],
    *,
    batch_size: int | None = None,
    prefetch_batches: int | None = None,
    workers: int | None = None,
    processes: bool | None = None,
    on_batch: Callable[[EmbedBatchResult[K]], None] | None = None,
    cancel: Event | None = None,
) -> Generator[EmbedBatchResult[K], None, None]:
    """Embed image files, yielding one result per batch, in order (see the module docstring).

    The loader is sized from the machine (`ml.clip_loading.plan_loader`);
    `batch_size`, `prefetch_batches`, `workers` and `processes` override it.
    Raises ModelUnavailable (from `embedder.load()`, before any file is read)
    and EmbeddingFailed (a forward pass failed); never for a bad file.
    `on_batch` is called with each result just before it is yielded.
    """
    if (batch_size is not None and batch_size < 1) or (prefetch_batches or 0) < 0:
        raise ValueError("batch_size must be ≥ 1 and prefetch_batches ≥ 0")
    if workers is not None and workers < 1:
        raise ValueError("workers must be ≥ 1")
    embedder.load()
    if not items:
        return
    plan = loader_plan_for(embedder, batch_size)
    plan = replace(
        plan,
        workers=workers or plan.workers,
        prefetch_batches=plan.prefetch_batches if prefetch_batches is None else prefetch_batches,
        processes=plan.processes if processes is None else processes,
    )
    size = plan.batch_size
    batches = [items[start : start + size] for start in range(0, len(items), size)]
    stop = cancel or Event()
    feeder: BatchLoader[K] = BatchLoader(embedder, plan, stop)
    pending: deque[list[LoadTask[K]]] = deque()
    submitted = 0
    ahead = bool(getattr(embedder, "queues_work", False))  # CUDA: launch k+1, then collect k
    running: Callable[[], EmbedBatchResult[K]] | None = None  # launched, not yet collected
    try:
        for index in range(len(batches)):
            while submitted < len(batches) and submitted <= index + plan.prefetch_batches:
                if stop.is_set():
                    break
                pending.append(feeder.submit(batches[submitted]))
                submitted += 1
            if stop.is_set():
                break
            loaded = [feeder.result(task) for task in pending.popleft()]
            if stop.is_set():
                break
            launched = launch_batch(embedder, index, loaded)
            if running is not None:  # the GPU already runs `launched` meanwhile
                yield _delivered(running(), on_batch)
            running = launched
            if not ahead:
                yield _delivered(launched(), on_batch)
                running = None
        if running is not None:  # a forward pass already running finishes first
            yield _delivered(running(), on_batch)
    finally:
        feeder.close()


def _delivered(
    result: EmbedBatchResult[K], on_batch: Callable[[EmbedBatchResult[K]], None] | None
) -> EmbedBatchResult[K]:
    if on_batch is not None:
        on_batch(result)
    return result


# (key, path) or (key, path, the file's bytes read elsewhere)
Item = tuple[K, str | os.PathLike[str]] | tuple[K, str | os.PathLike[str], bytes | None]


@dataclass(frozen=True)
class LoadTask(Generic[K]):
    """Photos handed to the loader together: one on a thread, a chunk in a process
    (with the shared-memory slot lent for its crops, if one was)."""

    items: tuple[tuple[K, str | os.PathLike[str], bytes | None], ...]
    future: Future[Any]
    in_process: bool
    slot: Slot | None = None


class BatchLoader(Generic[K]):
    """The loader of one embedding run (or of a Ray actor's life): its pools, and
    the fall-back to threads when a worker process dies (see the module docstring).
    Processes only when the plan says so and the embedder has a pixel plan."""

    def __init__(self, embedder: BatchEmbedder, plan: LoaderPlan, stop: Event) -> None:
        self.embedder, self.plan, self.stop = embedder, plan, stop
        self.pixels = _pixel_plan(embedder)
        self.threads: Executor | None = None
        self.processes: Executor | None = None  # the session's (`loader_processes`): not ours
        self.in_processes: list[Future[Any]] = []
        self.lent: dict[Future[Any], Slot] = {}  # slots of chunks not yet collected
        self.broken = False

    def _threads(self) -> Executor:
        if self.threads is None:
            count = 2 if self.plan.processes else self.plan.workers
            self.threads = ThreadPoolExecutor(max_workers=count, thread_name_prefix="clip-load")
        return self.threads

    def _on_thread(self, item: tuple[K, str | os.PathLike[str], bytes | None]) -> Future[Any]:
        key, path, data = item
        return self._threads().submit(load_one, key, path, self.embedder, self.stop, data)

    def submit(self, batch: Sequence[Item[K]]) -> list[LoadTask[K]]:
        """Hand a batch to the loaders; `result` of each task, in order, gives it back."""
        items = [(i[0], i[1], i[2] if len(i) > 2 else None) for i in batch]
        if not (self.plan.processes and not self.broken and self.pixels is not None):
            return [LoadTask((item,), self._on_thread(item), False) for item in items]
        if self.processes is None:
            self.processes = loader_processes(self.plan.workers)
        self.in_processes = [f for f in self.in_processes if not f.done()]
        height, width = self.pixels.crop
        tasks = []
        for start in range(0, len(items), self.plan.chunk):
            chunk = tuple(items[start : start + self.plan.chunk])
            paths = [os.fspath(path) for _, path, _ in chunk]
            data = [d for _, _, d in chunk] if any(d is not None for _, _, d in chunk) else None
            slot = slot_lender().lend(len(chunk) * height * width * 3)
            name = slot.name if slot is not None else None
            future = self.processes.submit(load_chunk, paths, self.pixels, data, name)
            self.in_processes.append(future)
            if slot is not None:
                self.lent[future] = slot
            tasks.append(LoadTask(chunk, future, True, slot))
        return tasks

    def result(self, task: LoadTask[K]) -> Loaded[K]:
        """What the loader made of a task's photos (waits for it)."""
        if not task.in_process:
            loaded: Loaded[K] = task.future.result()
            return loaded
        try:
            chunk: ChunkPixels = task.future.result()
        except BrokenProcessPool:
            self.broken = True  # what was sent to the dead pool is loaded here instead
            self._give_back(task.future)
            if isinstance(self.processes, ProcessPoolExecutor):
                end_loader_processes(self.processes)  # the next run spawns new ones
            loads = [self._on_thread(item) for item in task.items]
            return merge_loaded([future.result() for future in loads])
        pixels = chunk.pixels
        if chunk.in_slot:
            assert self.pixels is not None and task.slot is not None
            pixels = task.slot.crops(len(chunk.positions), self.pixels.crop)
        self._give_back(task.future)
        if pixels is None:  # the slot went with its processes: load the chunk here
            return merge_loaded([self._on_thread(item).result() for item in task.items])
        keys = tuple(task.items[position][0] for position in chunk.positions)
        failures = tuple(
            EmbedFailure(
                task.items[f.position][0],
                os.fspath(task.items[f.position][1]),
                f.message,
                f.error_type,
                f.detail,
            )
            for f in chunk.failures
        )
        return Loaded(keys=keys, pixels=pixels, failures=failures)

    def _give_back(self, future: Future[Any]) -> None:
        """The slot lent to a finished chunk goes back to the session's lender."""
        slot = self.lent.pop(future, None)
        if slot is not None:
            slot_lender().give_back(slot)

    def close(self) -> None:
        """Drop what is still pending and stop the threads; the session's loader
        processes stay for the next run (a chunk already running there finishes
        and is dropped, and only then is its slot lent again). Idempotent."""
        for future in self.in_processes:
            future.cancel()
        for future, slot in self.lent.items():
            future.add_done_callback(_giving_back(slot))
        self.lent = {}
        self.in_processes = []
        if self.threads is not None:
            self.threads.shutdown(wait=True, cancel_futures=True)
        self.processes = self.threads = None


def _giving_back(slot: Slot) -> Callable[[Future[Any]], None]:
    """A done-callback that returns `slot` once its chunk's task is finished."""

    def give_back(_finished: Future[Any]) -> None:
        slot_lender().give_back(slot)

    return give_back


def merge_loaded(parts: Sequence[Loaded[K]]) -> Loaded[K]:
    """Several loads as one, in order (the pixel path when every part has pixels)."""
    keys = tuple(key for part in parts for key in part.keys)
    failures = tuple(f for part in parts for f in part.failures)
    with_pixels = [part.pixels for part in parts if part.pixels is not None and len(part.keys)]
    if keys and len(with_pixels) == sum(1 for part in parts if part.keys):
        return Loaded(keys=keys, pixels=np.concatenate(with_pixels), failures=failures)
    tensors = tuple(t for part in parts for t in _tensors_of(part))
    return Loaded(keys=keys, tensors=tensors, failures=failures)


def _tensors_of(part: Loaded[Any]) -> tuple[Any, ...]:
    if part.pixels is None or not part.keys:
        return part.tensors
    raise ValueError("a batch mixes pixel crops and transformed tensors")


def run_batch(
    embedder: BatchEmbedder, index: int, loaded: Sequence[Loaded[K]]
) -> EmbedBatchResult[K]:
    """One forward pass over what the loaders made of a batch."""
    return launch_batch(embedder, index, loaded)()


def launch_batch(
    embedder: BatchEmbedder, index: int, loaded: Sequence[Loaded[K]]
) -> Callable[[], EmbedBatchResult[K]]:
    """Start one forward pass over what the loaders made of a batch; the returned
    call gives its result. Only an embedder whose `queues_work` is true (CUDA)
    returns before the pass is done, so the caller prepares and launches the next
    batch while the GPU runs this one; elsewhere the pass runs here, at once."""
    merged = merge_loaded(loaded)
    wait: Callable[[], np.ndarray]
    if not merged.keys:
        empty = np.zeros((0, embedder.dim), dtype=np.float32)
        wait = lambda: empty  # noqa: E731
    elif merged.pixels is not None:
        launch = getattr(embedder, "launch_pixels", None)
        if callable(launch) and getattr(embedder, "queues_work", False):
            wait = launch(merged.pixels)
        else:
            made = embedder.embed_pixels(merged.pixels)  # type: ignore[attr-defined]
            wait = lambda: made  # noqa: E731
    else:
        made = embedder.embed_tensors(list(merged.tensors))
        wait = lambda: made  # noqa: E731

    def result() -> EmbedBatchResult[K]:
        vectors = wait()
        vectors.setflags(write=False)
        return EmbedBatchResult(
            index=index, keys=merged.keys, vectors=vectors, failures=merged.failures
        )

    return result


def load_one(
    key: K,
    path: str | os.PathLike[str],
    embedder: BatchEmbedder,
    stop: Event,
    data: bytes | None = None,
) -> Loaded[K]:
    """Prepare one file (or its bytes, `data`, read elsewhere: a Ray node embeds
    what the seat read) on a loader thread: uint8 crops when the embedder has a
    pixel plan, else its own transform; never raises."""
    if stop.is_set():
        return Loaded(failures=(EmbedFailure(key, str(path), "Cancelled.", "Cancelled"),))
    source = path if data is None else data
    try:
        pixels = _pixel_plan(embedder)
        if pixels is not None:
            return Loaded(keys=(key,), pixels=prepare_pixels(source, pixels)[None])
        image = load_for_clip(source, max(embedder.input_size))
        return Loaded(keys=(key,), tensors=(embedder.preprocess(image),))
    except Exception as err:
        failure = EmbedFailure(
            key=key,
            path=str(path),
            message=human_message(path, err),
            error_type=type(err).__name__,
            detail="".join(traceback.format_exception_only(err)).strip(),
        )
        return Loaded(failures=(failure,))
