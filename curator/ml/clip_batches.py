"""The embed pipeline: files in, batches of unit vectors out, decoding hidden behind the model.

Responsibility: feed a CLIP embedder from image files (the cached 1440 px
preview JPEGs) so that the model, not the decoder, sets the pace — the
embedding budget is end-to-end ≥ 0.9× the bare forward throughput.

Invariants:
- a file that cannot be read (missing, corrupt, not an image, unreadable)
  becomes an `EmbedFailure` with a human sentence in its batch's result; it
  never raises and never costs the other items of the batch;
- results come in input order, one `EmbedBatchResult` per batch of
  `batch_size` items (the last may be shorter); every input key appears in
  exactly one result, as a vector row or as a failure — unless cancelled;
- results are frozen and their vectors read-only, so they can be handed to
  another thread (the catalog writer) without copying;
- no thread outlives the generator: closing it, cancelling, or an error in the
  model shuts the loader pool down (pending loads are dropped).

Concurrency protocol. The calling thread (the ML pool's worker) runs only
the model. A small `ThreadPoolExecutor` (`workers` threads) does the rest for
each file: open, JPEG `draft` (the decoder's DCT scaling, so a 1440 px preview
is decoded at 1/4 size when the model wants 224 px), RGB, the model's own
transform. Pillow's decoder and resampler and torch's tensor ops release the
GIL, so loading really runs beside the forward pass. Loads are submitted per
file, a whole batch at a time, in order; before the model runs batch k the
batches k+1 … k+prefetch_batches are already submitted, so at most
`prefetch_batches + 1` batches of tensors exist at once (bounded memory) and
batch k+1 is usually complete by the time batch k's forward returns.
Cancellation is cooperative: `cancel` is checked before each file is loaded and
before each forward pass; a forward pass already running finishes first.
"""

from __future__ import annotations

import io
import os
import traceback
from collections import deque
from collections.abc import Callable, Generator, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from threading import Event
from typing import IO, Any, Generic, Protocol, TypeVar

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

K = TypeVar("K", bound=Hashable)


class BatchEmbedder(Protocol):
    """What the pipeline needs from an embedder (ClipEmbedder, or a fake in tests)."""

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
    key: K
    tensor: Any = None
    failure: EmbedFailure[K] | None = None


def load_for_clip(path: str | os.PathLike[str] | IO[bytes], min_edge: int) -> Image.Image:
    """Open an image as upright RGB, decoded no larger than needed for `min_edge` px.

    `draft` lets the JPEG decoder scale by 1/2, 1/4 or 1/8 while keeping both
    sides ≥ `min_edge`, which is all a CLIP transform (resize the short side,
    centre crop) will use; other formats ignore it.
    """
    with Image.open(path) as image:
        image.draft("RGB", (min_edge, min_edge))
        upright = ImageOps.exif_transpose(image)
        return upright.convert("RGB")


def embed_files(
    embedder: BatchEmbedder,
    items: Sequence[tuple[K, str | os.PathLike[str]]],
    *,
    batch_size: int | None = None,
    prefetch_batches: int = 2,
    workers: int = 2,
    on_batch: Callable[[EmbedBatchResult[K]], None] | None = None,
    cancel: Event | None = None,
) -> Generator[EmbedBatchResult[K], None, None]:
    """Embed image files, yielding one result per batch, in order (see the module docstring).

    Raises ModelUnavailable (from `embedder.load()`, before any file is read)
    and EmbeddingFailed (a forward pass failed); never for a bad file.
    `on_batch` is called with each result just before it is yielded.
    """
    size = batch_size or embedder.batch_size
    if size < 1 or prefetch_batches < 0 or workers < 1:
        raise ValueError("batch_size and workers must be ≥ 1 and prefetch_batches ≥ 0")
    embedder.load()
    if not items:
        return
    min_edge = max(embedder.input_size)
    batches = [items[start : start + size] for start in range(0, len(items), size)]
    stop = cancel or Event()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="clip-load")
    pending: deque[list[Future[Loaded[K]]]] = deque()
    submitted = 0
    try:
        for index in range(len(batches)):
            while submitted < len(batches) and submitted <= index + prefetch_batches:
                pending.append(
                    [
                        pool.submit(load_one, key, path, min_edge, embedder, stop)
                        for key, path in batches[submitted]
                    ]
                )
                submitted += 1
            loaded = [future.result() for future in pending.popleft()]
            if stop.is_set():
                return
            result = run_batch(embedder, index, loaded)
            if on_batch is not None:
                on_batch(result)
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_batch(embedder: BatchEmbedder, index: int, loaded: list[Loaded[K]]) -> EmbedBatchResult[K]:
    good = [item for item in loaded if item.failure is None]
    if good:
        vectors = embedder.embed_tensors([item.tensor for item in good])
    else:
        vectors = np.zeros((0, embedder.dim), dtype=np.float32)
    vectors.setflags(write=False)
    return EmbedBatchResult(
        index=index,
        keys=tuple(item.key for item in good),
        vectors=vectors,
        failures=tuple(item.failure for item in loaded if item.failure is not None),
    )


def load_one(
    key: K,
    path: str | os.PathLike[str],
    min_edge: int,
    embedder: BatchEmbedder,
    stop: Event,
    data: bytes | None = None,
) -> Loaded[K]:
    """Decode and preprocess one file (or its bytes, `data`, read elsewhere: a
    Ray node embeds what the seat read) on a loader thread; never raises."""
    if stop.is_set():
        return Loaded(key, failure=EmbedFailure(key, str(path), "Cancelled.", "Cancelled"))
    try:
        image = load_for_clip(path if data is None else io.BytesIO(data), min_edge)
        return Loaded(key, tensor=embedder.preprocess(image))
    except Exception as err:
        return Loaded(
            key,
            failure=EmbedFailure(
                key=key,
                path=str(path),
                message=human_message(path, err),
                error_type=type(err).__name__,
                detail="".join(traceback.format_exception_only(err)).strip(),
            ),
        )


def human_message(path: str | os.PathLike[str], err: Exception) -> str:
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
