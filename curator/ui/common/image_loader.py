"""Asynchronous loading of cached JPEGs (thumbnails, previews) into QPixmaps.

Keys are (photo id, cache key, rotation) (`ImageKey`); cache keys are
content-addressed, so a pixmap is never wrong for its key, only unwanted.

Concurrency protocol:
1. `request(keys)` replaces the wanted set, touches the cached entries among
   them (LRU) and queues one `Job` (`load_image`) per key neither cached,
   failed nor in flight.
2. A job skips a key no longer wanted (the set is a frozenset swapped by
   reference: no lock); it returns a QImage, never a QPixmap. A missing or
   damaged entry is made again first by the loader's `remake`; an offline
   file comes back `offline`; one that cannot be made is failed.
3. On the main thread `_on_loaded` drops older generations (`reset()`),
   keeps the pixmap in an LRU of `capacity` and emits `image_ready(photo_id)`;
   a skipped key wanted again by then is queued again.
4. Results come only through the loader's `Delivery`; `close()` closes it and
   makes `request()` a no-op; `shutdown()` also drains the pool.
5. `pixmap_or_previous` answers a photo's last pixmap until its new key's is
   decoded, so a tile never goes grey.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QSize, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage, QImageReader, QPixmap, QTransform

from curator.engine.delivery import Job, delivery_to
from curator.imaging.rebuild import RemadeEntry, read_whole
from curator.ui.common.guard import ErrorReporter, guarded_slot

# Makes a missing cache entry again: (file path, cache key) -> the JPEG (pool thread).
Remake = Callable[[str, str], RemadeEntry]


@dataclass(frozen=True)
class ImageKey:
    photo_id: int
    cache_key: str
    rotation: int = 0  # the photographer's quarter-turns clockwise, applied after decoding
    # The photo's file, to make a missing entry again; not part of the key's identity.
    source: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class LoadResult:
    key: ImageKey
    generation: int
    image: QImage | None  # None: skipped (no longer wanted) or unreadable
    skipped: bool = False
    offline: bool = False  # the entry was missing and the photo's file is not there
    remade: bool = False  # the entry was made again from the photo's file


class _WantedSet:
    """The keys wanted now; swapped whole, read from pool threads without a lock."""

    def __init__(self) -> None:
        self.keys: frozenset[ImageKey] = frozenset()


def load_image(
    key: ImageKey,
    generation: int,
    cache_dir: Path,
    max_edge: int | None,
    wanted: _WantedSet,
    remake: Remake | None = None,
) -> LoadResult:
    """Decode one cache JPEG (on a pool thread), made again from the photo's
    file when missing or damaged, or skip it when no longer wanted."""
    if key not in wanted.keys:
        return LoadResult(key, generation, None, skipped=True)
    data = read_whole(cache_dir, key.cache_key)  # a damaged entry is dropped: made again
    offline = remade = False
    if data is None and remake is not None and key.source:
        made = remake(key.source, key.cache_key)
        data, offline, remade = made.data, made.offline, made.data is not None
    elif remake is not None and key.source:
        offline = not os.path.lexists(key.source)  # cached, but is the file there now?
    image = turned(decode_scaled(data or b"", max_edge), key.rotation)
    return LoadResult(
        key, generation, None if image.isNull() else image, offline=offline, remade=remade
    )


# The cache holds JPEGs only. Naming the format keeps QImageReader from probing
# every image plugin: the SVG plugin's probe takes a Qt connection mutex while
# the pool thread holds the GIL, and deadlocked with the main thread (see
# docs/decisions/ui.md).
CACHE_FORMAT = b"jpeg"


@contextmanager
def jpeg_bytes_reader(data: bytes) -> Iterator[QImageReader]:
    """A reader of JPEG bytes held in memory (a cache entry): JPEG only, never
    auto-detected (`CACHE_FORMAT` says why); its buffer closes after the block."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    try:
        reader = QImageReader(buffer, CACHE_FORMAT)
        reader.setAutoDetectImageFormat(False)  # JPEG only, even for damaged bytes
        yield reader
    finally:
        buffer.close()


def decode_scaled(data: bytes, max_edge: int | None) -> QImage:
    """`read_scaled` of a JPEG held in memory (a null QImage for empty or bad bytes)."""
    if not data:
        return QImage()
    with jpeg_bytes_reader(data) as reader:
        return _read(reader, max_edge)


def read_scaled(path: Path, max_edge: int | None) -> QImage:
    """A cached JPEG as a QImage no longer than `max_edge` on its long side,
    scaled in the decoder's DCT (null when unreadable). Safe on any thread."""
    return _read(QImageReader(str(path)), max_edge)  # the suffix names its decoder


def _read(reader: QImageReader, max_edge: int | None) -> QImage:
    reader.setAutoTransform(False)  # cached JPEGs are already upright
    size = reader.size()
    if max_edge and size.isValid() and max(size.width(), size.height()) > max_edge:
        scale = max_edge / max(size.width(), size.height())
        reader.setScaledSize(
            QSize(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)))
        )
    return reader.read()


def turned(image: QImage, quarter_turns: int) -> QImage:
    """`image` turned `quarter_turns` x 90 deg clockwise (never stored in the cache)."""
    turns = quarter_turns % 4
    if turns == 0 or image.isNull():
        return image
    return image.transformed(QTransform().rotate(90 * turns))


def incarnate_reader_types() -> None:
    """Run, once on the main thread, every binding call `load_image` makes:
    PySide creates a wrapped type's Python class lazily, and not thread-safely
    (a pool thread's first `QImageReader` crashed the process; see
    docs/decisions/ui.md), so the tasks are left nothing to create."""
    # A real 1 x 1 JPEG for the readers to read: one asked for the size of no
    # image logs "Not a JPEG file" on Qt 6.11.
    tiny = QByteArray()
    out = QBuffer(tiny)
    out.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide 6.11 takes the format as str here (its stubs say bytes, which it refuses)
    QImage(1, 1, QImage.Format.Format_RGB32).save(out, CACHE_FORMAT.decode())  # type: ignore[call-overload]
    out.close()
    reader = QImageReader(os.devnull, CACHE_FORMAT)  # read_scaled's reader of a path,
    reader.setAutoDetectImageFormat(False)  # never asked to read (the size of no
    reader.setAutoTransform(False)  # image is what logs)
    reader.setScaledSize(QSize(1, 1))
    turned(QImage(1, 1, QImage.Format.Format_RGB32), 1).isNull()
    with jpeg_bytes_reader(bytes(tiny.data())) as in_memory:  # decode_scaled's types
        _read(in_memory, None).isNull()
        in_memory.size().isValid()


class ImageLoader(QObject):
    """Loads cache JPEGs off the main thread into an LRU of QPixmaps."""

    image_ready = Signal(int)  # photo id whose pixmap just became available
    first_remade = Signal()  # the first missing entry was made again (the rest may follow)

    def __init__(
        self,
        cache_dir: Path,
        threads: QThreadPool,
        errors: ErrorReporter,
        *,
        capacity: int,
        max_edge: int | None = None,
        remake: Remake | None = None,
        parent: QObject | None = None,
    ):
        """`remake`: makes a missing entry again (None: a missing entry is failed)."""
        super().__init__(parent)
        incarnate_reader_types()  # before any task can run (see its docstring)
        self.cache_dir, self.threads, self.errors = cache_dir, threads, errors
        self.capacity, self.max_edge, self.remake = capacity, max_edge, remake
        self._pixmaps: OrderedDict[ImageKey, QPixmap] = OrderedDict()
        self._failed: set[ImageKey] = set()
        self._offline: set[int] = set()  # photo ids whose file was not there to remake from
        self._latest: dict[int, ImageKey] = {}  # photo id → key of its newest pixmap
        self._in_flight: set[ImageKey] = set()
        self._wanted = _WantedSet()
        self._generation = 0
        # Closed by close(), and (safety net) when the loader is deleted without it.
        self._delivery = delivery_to(self, self._on_loaded)
        self.loads = 0  # decodes started (for tests and benchmarks)
        self.remade = 0  # entries made again from the photo's file

    @property
    def closed(self) -> bool:
        return self._delivery.closed

    def pixmap(self, key: ImageKey) -> QPixmap | None:
        pixmap = self._pixmaps.get(key)
        if pixmap is not None:
            self._pixmaps.move_to_end(key)
        return pixmap

    def pixmap_or_previous(self, key: ImageKey) -> QPixmap | None:
        """`key`'s pixmap, else the photo's last one in the LRU (order untouched), else None."""
        pixmap = self.pixmap(key)
        if pixmap is not None:
            return pixmap
        previous = self._latest.get(key.photo_id)
        return None if previous is None else self._pixmaps.get(previous)

    def failed(self, key: ImageKey) -> bool:
        return key in self._failed

    def offline(self, photo_id: int) -> bool:
        """Whether the photo's entry was missing and its file was not there."""
        return photo_id in self._offline

    def request(self, keys: Iterable[ImageKey]) -> None:
        if self.closed:
            return
        wanted = list(dict.fromkeys(keys))
        self._wanted.keys = frozenset(wanted)
        for key in reversed(wanted):  # the first wanted ends up most recently used
            if key in self._pixmaps:
                self._pixmaps.move_to_end(key)
        for key in wanted:
            if key in self._pixmaps or key in self._failed or key in self._in_flight:
                continue
            self._submit(key)

    def reset(self) -> None:
        """Forget what is in flight: results started before now are dropped."""
        self._generation += 1
        self._in_flight.clear()
        self._wanted.keys = frozenset()

    def close(self) -> None:
        """Stop for good: `request()` is a no-op, no result is delivered after this returns."""
        self._delivery.close()
        self.reset()
        self.threads.clear()  # tasks not started yet never start

    def shutdown(self) -> None:
        """`close()`, then wait for the pool's running tasks (they skip their work)."""
        self.close()
        self.threads.waitForDone()

    def _submit(self, key: ImageKey) -> None:
        self._in_flight.add(key)
        self.loads += 1
        job = partial(
            load_image,
            key,
            self._generation,
            self.cache_dir,
            self.max_edge,
            self._wanted,
            self.remake,
        )
        self.threads.start(Job(job, self._delivery))

    @Slot(object)
    @guarded_slot
    def _on_loaded(self, result: LoadResult) -> None:
        if self.closed or result.generation != self._generation:
            return
        self._in_flight.discard(result.key)
        if result.skipped:
            # Skipped when its task started, wanted again since: that request saw
            # it in flight and queued nothing, so queue it now.
            if result.key in self._wanted.keys and result.key not in self._pixmaps:
                self._submit(result.key)
            return
        if result.offline:
            self._offline.add(result.key.photo_id)
        else:
            self._offline.discard(result.key.photo_id)
        if result.remade:
            self.remade += 1
            if self.remade == 1:
                self.first_remade.emit()
        if result.image is None:
            self._failed.add(result.key)
            if result.offline:
                self.image_ready.emit(result.key.photo_id)  # its tile says so now
            return
        self._pixmaps[result.key] = QPixmap.fromImage(result.image)
        self._latest[result.key.photo_id] = result.key
        while len(self._pixmaps) > self.capacity:
            evicted, _ = self._pixmaps.popitem(last=False)
            if self._latest.get(evicted.photo_id) == evicted:
                del self._latest[evicted.photo_id]
        self.image_ready.emit(result.key.photo_id)
