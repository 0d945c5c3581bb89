"""Python's cycle collector, run on the main thread only, while pool threads run.

Why: CPython runs a cycle collection on whichever thread happens to allocate
past the collector's threshold. When that is a QThreadPool thread, the
garbage it frees can hold Qt wrappers (a closed window's objects, a
`Delivery`'s signals object), and their C++ objects are then deleted on the
pool thread while the main thread dispatches events to them: a segmentation
fault "Garbage-collecting" in CI, with the main thread inside
`QObject::event` and a pool thread inside CPython's delete_garbage (seen with gdb).

So, while a Qt event loop with pools is running (the GUI, a headless
pipeline run, the test session), automatic collection is off and a timer on
the main thread collects instead, by the same thresholds: a generation is
collected when `gc.get_count()` says CPython would have collected it. The
timer paces it (at most one young collection per tick), which also bounds
how often a full collection can run. Reference counting is untouched: only
cyclic garbage waits, at most one tick.

Invariants:
- `gc.collect` is called from the main thread only (the timer lives there).
- One collector at a time: a nested `collected_on_main_thread()` (a CLI run
  inside the GUI or the test session) reuses the active one.
- When the outermost one ends, automatic collection is back as it was.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import shiboken6
from PySide6.QtCore import QObject, QTimer

DEFAULT_INTERVAL_MS = 200

_active: MainThreadCollector | None = None


class MainThreadCollector(QObject):
    """A main-thread timer that collects the generations that are due."""

    def __init__(self, interval_ms: int = DEFAULT_INTERVAL_MS, parent: QObject | None = None):
        super().__init__(parent)
        self.collections = [0, 0, 0]  # per generation, for tests and diagnostics
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._was_enabled = True

    def start(self) -> None:
        """Automatic collection off; this timer collects instead."""
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Timer off; automatic collection back as it was before `start`."""
        self._timer.stop()
        self.collect_due()
        if self._was_enabled:
            gc.enable()

    def collect_due(self) -> int:
        """Collect the oldest generation whose count passed its threshold, as
        CPython would have (collecting one collects the younger ones too);
        the number of unreachable objects found."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                self.collections[generation] += 1
                return gc.collect(generation)
        return 0


@contextmanager
def collected_on_main_thread(
    interval_ms: int = DEFAULT_INTERVAL_MS,
) -> Iterator[MainThreadCollector]:
    """Cycle collection on the main thread only, for the `with` block (call it on
    the main thread, with the Q(Core)Application made; see the module docstring)."""
    global _active
    if _active is not None:
        yield _active
        return
    collector = MainThreadCollector(interval_ms)
    _active = collector
    collector.start()
    try:
        yield collector
    finally:
        _active = None
        collector.stop()
        shiboken6.delete(collector)  # now, not in whatever event loop comes next


def active_collector() -> MainThreadCollector | None:
    """The collector now in charge, if any."""
    return _active


__all__ = [
    "DEFAULT_INTERVAL_MS",
    "MainThreadCollector",
    "active_collector",
    "collected_on_main_thread",
]
