"""Full-resolution originals for the loupe's 100 % view, decoded off the UI
thread and out of the app's process.

`OriginalLoader` decodes, on demand (Z), the originals of the photos shown
zoomed only, and keeps just those (a 24 MP frame is ~96 MB), in a child of an
`engine.isolation.ChildProcessPool` (`imaging.decode.decode_display_request`):
a file that crashes LibRaw, or a decode over `DECODE_TIMEOUT_S`, kills the
child and the view shows a sentence (`original_failed`), never an exception.

Concurrency protocol (as `ImageLoader`'s):
1. `request_many` publishes the wanted ids (a frozenset swapped by reference),
   drops held originals and requests no longer wanted, and starts a job with a
   new generation per wanted photo neither held, failed nor in flight; a job
   no longer wanted when it starts skips its decode.
2. Results are `Format_RGB32` QImages (painted directly, no QPixmap copy); one
   whose generation is not its photo's in flight is dropped.
3. Results come only through the loader's `Delivery`; `close()` closes it,
   drops queued tasks and stops the child; `shutdown()` also drains the pool.
4. Screen renditions (`long_edge`, a content hash, a `cache_dir`) are cached
   on disk by `imaging.cache.screen_key` (upright, not turned) and pruned to a
   byte budget (LRU); a damaged entry is decoded again, never shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage

from curator.engine.delivery import Job, delivery_to
from curator.engine.isolation import ChildProcessPool, WorkerCrashed, WorkerTimedOut
from curator.imaging.cache import (
    SCREEN_CACHE_BYTES,
    discard,
    prune_screen,
    read_screen,
    screen_key,
    write_jpeg,
)
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.common.image_loader import turned

if TYPE_CHECKING:  # the decoder stack and numpy load at the first original, not with the window
    import numpy as np

    from curator.imaging.decode import DisplayDecode, DisplayRequest

SCREEN_JPEG_QUALITY = 95  # a cached rendition keeps the detail it was decoded for
MAX_PIXELS = 250_000_000  # same safety limit as the technical stage's decoder
DECODE_TIMEOUT_S = 300.0  # generous: a 100 MP RAW on a busy laptop, never a hang


def to_qimage(pixels: np.ndarray) -> QImage:
    """(h, w, 3) uint8 RGB as a `Format_RGB32` QImage (what the raster engine paints)."""
    import numpy as np

    rgb = np.ascontiguousarray(pixels, dtype=np.uint8)
    height, width = rgb.shape[:2]
    image = QImage(rgb.data, width, height, rgb.strides[0], QImage.Format.Format_RGB888)
    # convertToFormat copies out of the numpy buffer, into the format painting wants.
    return image.convertToFormat(QImage.Format.Format_RGB32)


def decode_in_child(children: ChildProcessPool, request: DisplayRequest) -> DisplayDecode:
    """`decode_display_request` in a child process; a crash or timeout is a sentence."""
    from curator.imaging.decode import DisplayDecode, decode_display_request

    try:
        return children.call(decode_display_request, request, timeout=DECODE_TIMEOUT_S)
    except WorkerCrashed as exc:
        return DisplayDecode(
            None,
            f"The decoder stopped while opening the original ({exc}); the file may be "
            "damaged. Showing the preview.",
        )
    except WorkerTimedOut:
        return DisplayDecode(
            None,
            f"Opening the original took longer than {DECODE_TIMEOUT_S:.0f} s and was "
            "stopped; showing the preview.",
        )
    except Exception as exc:  # the pipe broke, the pool was closed: never kill the job
        return DisplayDecode(
            None, f"The original could not be opened ({exc}); showing the preview."
        )


@dataclass(frozen=True)
class OriginalSource:
    """What a job decodes, as plain values: the decoder's `DisplayRequest` is made
    on the pool thread, so the UI thread never imports the decoder stack."""

    path: str
    max_pixels: int
    long_edge: int | None  # a screen rendition of at most this long edge; None: full size

    def request(self) -> DisplayRequest:
        from curator.imaging.decode import DisplayRequest

        return DisplayRequest(self.path, self.max_pixels, self.long_edge)


@dataclass(frozen=True)
class OriginalResult:
    photo_id: int
    generation: int
    image: QImage | None
    error: str | None = None  # a sentence when the decode failed
    skipped: bool = False  # no longer wanted when the job started
    from_cache: bool = False  # read from the screen-rendition cache, not decoded


@dataclass(frozen=True)
class CacheSpot:
    """Where one screen rendition is cached (crosses to the pool thread)."""

    cache_dir: str
    key: str
    max_bytes: int


def read_cached(spot: CacheSpot) -> QImage | None:
    """The cached rendition, or None (absent or damaged: a damaged one is deleted)."""
    data = read_screen(spot.cache_dir, spot.key)
    if data is None:
        return None
    image = QImage.fromData(data)  # the format is sniffed: a non-JPEG is null
    if image.isNull():
        discard(spot.cache_dir, spot.key)
        return None
    return image.convertToFormat(QImage.Format.Format_RGB32)


def write_cached(spot: CacheSpot, pixels: np.ndarray) -> None:
    """Cache a decoded rendition within the folder's budget; a failure only costs a decode."""
    from PIL import Image

    try:
        write_jpeg(spot.cache_dir, spot.key, Image.fromarray(pixels), SCREEN_JPEG_QUALITY)
        prune_screen(spot.cache_dir, spot.max_bytes)
    except (OSError, ValueError):
        pass


class _Wanted:
    """The photo ids wanted now; swapped whole, read without a lock."""

    def __init__(self) -> None:
        self.ids: frozenset[int] = frozenset()


def load_original(
    photo_id: int,
    generation: int,
    source: OriginalSource,
    wanted: _Wanted,
    children: ChildProcessPool,
    turns: int = 0,
    cache: CacheSpot | None = None,
) -> OriginalResult:
    """Decode one original in a child (on a pool thread), unless no longer wanted
    (a screen rendition: read from or written to `cache`), turned `turns`
    quarter-turns clockwise here, off the UI thread (~250 ms for 24 MP)."""
    if photo_id not in wanted.ids:
        return OriginalResult(photo_id, generation, None, skipped=True)
    cached = None if cache is None else read_cached(cache)
    if cached is not None:
        return OriginalResult(photo_id, generation, turned(cached, turns), from_cache=True)
    decoded = decode_in_child(children, source.request())
    if decoded.pixels is None:
        error = decoded.error or "The original could not be decoded; showing the preview."
        return OriginalResult(photo_id, generation, None, error)
    if cache is not None:
        write_cached(cache, decoded.pixels)
    try:
        image = turned(to_qimage(decoded.pixels), turns)
    except MemoryError:
        text = "Not enough memory to show the original at full size; showing the preview."
        return OriginalResult(photo_id, generation, None, text)
    return OriginalResult(photo_id, generation, image)


class OriginalLoader(QObject):
    """Decodes the originals of the photos shown zoomed; keeps only those."""

    original_ready = Signal(int)  # photo id
    original_failed = Signal(int, str)  # photo id, sentence

    def __init__(
        self,
        threads: QThreadPool,
        errors: ErrorReporter,
        parent: QObject | None = None,
        *,
        max_pixels: int = MAX_PIXELS,
        children: ChildProcessPool | None = None,
        cache_dir: str | None = None,
        cache_bytes: int = SCREEN_CACHE_BYTES,
    ):
        """`children`: the decoder processes (default: one child per pool thread,
        started on the first request); `cache_dir`: where screen renditions are
        cached within `cache_bytes` (None: never)."""
        super().__init__(parent)
        self.threads, self.errors, self.max_pixels = threads, errors, max_pixels
        self.cache_dir, self.cache_bytes = cache_dir, cache_bytes
        self._wanted = _Wanted()
        self._generation = 0
        self._images: dict[int, QImage] = {}  # photo id -> its original (wanted ones only)
        self._turns: dict[int, int] = {}  # photo id -> the quarter-turns its image has
        self._in_flight: dict[int, int] = {}  # photo id -> generation of its unfinished job
        self._failed: dict[int, str] = {}  # photo id -> sentence (not retried until reset)
        self._children = children  # None: made on the first request
        self._delivery = delivery_to(self, self._on_loaded)  # closed by close()
        self.loads = 0  # jobs started (tests)
        self.cache_hits = 0  # of them, read from the screen-rendition cache (tests)

    @property
    def closed(self) -> bool:
        return self._delivery.closed

    def image(self, photo_id: int, turns: int = 0) -> QImage | None:
        """The held original, if it is turned `turns` (else None: it is re-decoded)."""
        if self._turns.get(photo_id, 0) != turns % 4:
            return None
        return self._images.get(photo_id)

    def failure(self, photo_id: int) -> str | None:
        return self._failed.get(photo_id)

    def loading(self, photo_id: int) -> bool:
        return photo_id in self._in_flight

    def request(
        self,
        photo_id: int,
        path: str,
        long_edge: int | None = None,
        turns: int = 0,
        content_hash: str | None = None,
    ) -> None:
        """Want this one original (and no other); `long_edge`: as a screen rendition
        of at most that edge, cached under `content_hash` when given; `turns`:
        quarter-turns clockwise."""
        hashes = {photo_id: content_hash} if content_hash else None
        self.request_many([(photo_id, path)], long_edge, {photo_id: turns}, hashes)

    def request_many(
        self,
        wanted: list[tuple[int, str]],
        long_edge: int | None = None,
        turns: Mapping[int, int] | None = None,
        hashes: Mapping[int, str] | None = None,
    ) -> None:
        """Want exactly these originals, each turned by `turns` (photo id ->
        quarter-turns clockwise; absent: 0); a photo turned since is decoded again."""
        if self.closed:
            return
        ids = frozenset(pid for pid, _path in wanted)
        self._wanted.ids = ids
        for pid in ids:
            want = (turns or {}).get(pid, 0) % 4
            if self._turns.get(pid, 0) != want:
                self._images.pop(pid, None)
                self._in_flight.pop(pid, None)  # its late result is dropped
                self._turns[pid] = want
        for pid in [p for p in self._turns if p not in ids]:
            del self._turns[pid]
        for pid in [p for p in self._images if p not in ids]:
            del self._images[pid]  # ~100 MB each: dropped as soon as not shown
        for pid in [p for p in self._in_flight if p not in ids]:
            del self._in_flight[pid]  # its result will be dropped
        for pid, path in dict(wanted).items():
            if pid in self._images or pid in self._failed or pid in self._in_flight:
                continue
            self._submit(pid, path, long_edge, (hashes or {}).get(pid))

    def _submit(
        self, photo_id: int, path: str, long_edge: int | None, content_hash: str | None
    ) -> None:
        self._generation += 1
        self._in_flight[photo_id] = self._generation
        if self._children is None:
            # One child per pool thread: a stale decode never holds up the wanted one.
            self._children = ChildProcessPool(max(1, self.threads.maxThreadCount()))
        self.loads += 1
        spot = None
        if self.cache_dir is not None and long_edge is not None and content_hash:
            key = screen_key(content_hash, long_edge)
            spot = CacheSpot(self.cache_dir, key, self.cache_bytes)
        job = partial(
            load_original,
            photo_id,
            self._generation,
            OriginalSource(path, self.max_pixels, long_edge),
            self._wanted,
            self._children,
            self._turns.get(photo_id, 0),
            spot,
        )
        self.threads.start(Job(job, self._delivery))

    def cancel(self) -> None:
        """Nothing is wanted any more (the photo changed while not zoomed)."""
        self._wanted.ids = frozenset()
        self._in_flight.clear()

    def release(self) -> None:
        """Not zoomed any more: stop wanting anything and free the held originals."""
        self.cancel()
        self._images.clear()
        self._turns.clear()

    def reset(self) -> None:
        """Forget everything, failures included (e.g. the files came back)."""
        self.release()
        self._failed.clear()

    def close(self) -> None:
        """Stop for good (see the module docstring). Main thread only."""
        self._delivery.close()
        self.reset()
        self.threads.clear()
        if self._children is not None:
            self._children.close()  # an in-flight decode is stopped; its job sees a crash

    def shutdown(self) -> None:
        """`close()`, then wait for the pool's running tasks."""
        self.close()
        self.threads.waitForDone()

    @Slot(object)
    @guarded_slot
    def _on_loaded(self, result: OriginalResult) -> None:
        if self.closed or result.skipped:
            return
        if self._in_flight.get(result.photo_id) != result.generation:
            return  # no longer wanted, or wanted again by a newer request
        del self._in_flight[result.photo_id]
        if result.image is None or result.image.isNull():
            message = result.error or "The original could not be decoded; showing the preview."
            self._failed[result.photo_id] = message
            self.original_failed.emit(result.photo_id, message)
            return
        self._images[result.photo_id] = result.image
        self.cache_hits += result.from_cache
        self.original_ready.emit(result.photo_id)
