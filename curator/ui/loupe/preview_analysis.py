"""`PreviewAnalyzer`: the histogram and the clipping / focus-peaking overlays
of the displayed preview, computed off the UI thread.

A pool thread reads the preview's cached JPEG (never the QPixmap) and computes
with numpy (`imaging.histogram`): the histogram always, from a decode scaled
to `HISTOGRAM_EDGE` in the DCT; the overlays (J, Shift+P) only when asked, at
full size, as ARGB QImages. The protocol is `ImageLoader`'s: one wanted
analysis (`request`), a job no longer wanted skips its work, results arrive by
`analysis_ready` through a `Delivery` into a small LRU, `close()` ends it.
Curves are built with the result (`unit_curves`): a paint draws four polygons.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage, QPolygonF

from curator.engine.delivery import Job, delivery_to
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.common.image_loader import read_scaled

if TYPE_CHECKING:  # numpy loads with the first analysis: the window paints before it
    import numpy as np

    from curator.imaging.histogram import Histogram

HISTOGRAM_EDGE = 512
KEEP = 6  # analyses kept (the current photo and a few just seen)


@dataclass(frozen=True)
class Overlays:
    """Which full-size overlays a request wants."""

    clipping: bool = False
    peaking: bool = False


@dataclass(frozen=True)
class Analysis:
    photo_id: int
    histogram: Histogram
    clipping: QImage | None = None  # ARGB32, the preview's size
    peaking: QImage | None = None
    curves: dict[str, QPolygonF] | None = None  # `unit_curves` of the histogram


def unit_curves(hist: Histogram) -> dict[str, QPolygonF]:
    """Each channel's curve in a 1 × 1 box (x: level / 255; y: 0 at the top),
    closed along the base, for the painter to scale to any plot; scaled so the
    tallest bin reaches the top, after a square root (a dark frame's spike at 0
    would otherwise flatten everything else)."""
    import numpy as np

    roots = {name: np.sqrt(np.asarray(c, dtype=np.float64)) for name, c in hist.channels()}
    peak = max(1.0, *(float(r.max()) for r in roots.values()))
    xs = (np.arange(256) / 255).tolist()
    return {
        name: QPolygonF(
            [QPointF(0, 1), *map(QPointF, xs, (1 - root / peak).tolist()), QPointF(1, 1)]
        )
        for name, root in roots.items()
    }


class _Wanted:
    """The one wanted (photo id, overlays); swapped whole, read without a lock."""

    def __init__(self) -> None:
        self.value: tuple[int, Overlays] | None = None


def read_rgb(path: Path, max_edge: int | None = None) -> np.ndarray | None:
    """A JPEG (or any Qt-readable image) as (h, w, 3) uint8 RGB, scaled in the decoder."""
    image = read_scaled(path, max_edge)
    if image.isNull():
        return None
    return qimage_rgb(image)


def qimage_rgb(image: QImage) -> np.ndarray:
    """A copy of `image`'s pixels as (h, w, 3) uint8 RGB."""
    import numpy as np

    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    buffer = np.frombuffer(rgb.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    return buffer[:, : w * 3].reshape(h, w, 3).copy()


def rgba_qimage(rgba: np.ndarray) -> QImage:
    """(h, w, 4) uint8 RGBA as a premultiplied ARGB32 QImage (a copy)."""
    import numpy as np

    data = np.ascontiguousarray(rgba)
    h, w = data.shape[:2]
    image = QImage(data.data, w, h, data.strides[0], QImage.Format.Format_RGBA8888)
    return image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


def analyse(photo_id: int, path: Path, overlays: Overlays) -> Analysis | None:
    """The histogram (and the wanted overlays) of one preview file; None if unreadable."""
    from curator.imaging.histogram import clipping_rgba, histogram, peaking_rgba

    small = read_rgb(path, HISTOGRAM_EDGE)
    if small is None:
        return None
    clipping = peaking = None
    if overlays.clipping or overlays.peaking:
        full = read_rgb(path)
        if full is not None:
            clipping = rgba_qimage(clipping_rgba(full)) if overlays.clipping else None
            peaking = rgba_qimage(peaking_rgba(full)) if overlays.peaking else None
    counts = histogram(small)
    return Analysis(photo_id, counts, clipping, peaking, unit_curves(counts))


@dataclass(frozen=True)
class _Done:
    photo_id: int
    overlays: Overlays
    path: Path
    result: Analysis | None
    skipped: bool  # not wanted any more when it started


def analyse_wanted(photo_id: int, path: Path, overlays: Overlays, wanted: _Wanted) -> _Done:
    """`analyse` on a pool thread, unless the request is no longer the wanted one."""
    if wanted.value != (photo_id, overlays):
        return _Done(photo_id, overlays, path, None, True)
    return _Done(photo_id, overlays, path, analyse(photo_id, path, overlays), False)


class PreviewAnalyzer(QObject):
    """Histogram and overlays of the current preview, off the UI thread (module docstring)."""

    analysis_ready = Signal(int)  # photo id

    def __init__(self, errors: ErrorReporter, pool: QThreadPool, parent: QObject | None = None):
        """`pool`: app.py's one-thread analysis pool."""
        super().__init__(parent)
        self.errors = errors
        self.pool = pool
        self._wanted = _Wanted()
        self._in_flight: set[tuple[int, Overlays]] = set()
        self._results: OrderedDict[int, tuple[Overlays, Analysis]] = OrderedDict()
        self._delivery = delivery_to(self, self._on_done)
        self.computed = 0  # analyses delivered (tests)
        self._incarnated = False  # see _submit

    def analysis(self, photo_id: int) -> Analysis | None:
        found = self._results.get(photo_id)
        return None if found is None else found[1]

    def request(self, photo_id: int, path: Path, overlays: Overlays) -> None:
        """Make this the wanted analysis; nothing is queued when it is known or in flight."""
        if self._delivery.closed:
            return
        key = (photo_id, overlays)
        self._wanted.value = key
        have = self._results.get(photo_id)
        if have is not None and _covers(have[0], overlays):
            self._results.move_to_end(photo_id)
            return
        if key in self._in_flight:
            return
        self._submit(photo_id, path, overlays)

    def _submit(self, photo_id: int, path: Path, overlays: Overlays) -> None:
        if not self._incarnated:
            # The binding types the tasks use, made on the UI thread first (see
            # image_loader.incarnate_reader_types); here, after the first paint.
            import numpy as np

            qimage_rgb(rgba_qimage(np.zeros((1, 1, 4), np.uint8)))
            QPolygonF([QPointF(0, 0)])  # unit_curves' types
            self._incarnated = True
        self._in_flight.add((photo_id, overlays))
        job = partial(analyse_wanted, photo_id, path, overlays, self._wanted)
        self.pool.start(Job(job, self._delivery))

    def close(self) -> None:
        self._delivery.close()
        self._wanted.value = None
        self.pool.clear()

    def shutdown(self) -> None:
        self.close()
        self.pool.waitForDone()

    @Slot(object)
    @guarded_slot
    def _on_done(self, done: _Done) -> None:
        photo_id, overlays, result = done.photo_id, done.overlays, done.result
        self._in_flight.discard((photo_id, overlays))
        if self._delivery.closed:
            return
        if done.skipped:
            # Skipped, then wanted again (→ then ←) while in flight: queue it now.
            if self._wanted.value == (photo_id, overlays):
                self._submit(photo_id, done.path, overlays)
            return
        if result is None:  # unreadable: the panel keeps saying "…"
            return
        self._results[photo_id] = (overlays, result)
        self._results.move_to_end(photo_id)
        while len(self._results) > KEEP:
            self._results.popitem(last=False)
        self.computed += 1
        self.analysis_ready.emit(photo_id)


def _covers(have: Overlays, want: Overlays) -> bool:
    return (have.clipping or not want.clipping) and (have.peaking or not want.peaking)
