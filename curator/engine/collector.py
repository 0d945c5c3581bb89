"""Python's cycle collector, run on the main thread only, while pool threads run.

CPython collects cycles on whichever thread allocates past the threshold; on a
pool thread the garbage can hold Qt wrappers (a `Delivery`'s signals) whose
C++ objects would die there while the main thread dispatches to them: a segfault.

The protocol, while a Qt event loop with pools runs:
1. Automatic collection is off; a main-thread timer collects a generation when
   `gc.get_count()` says CPython would have, at most one young collection per
   tick (`DEFAULT_INTERVAL_MS`); past `BURST_YOUNG` young objects the next tick
   comes after `FAST_INTERVAL_MS`, so a burst is walked in small pieces.
2. A window step on a worker (ui/review/step_queue.py) `hold`s the collector,
   `HOLD_MAX_S` at most.
3. A full collection at most every `FULL_EVERY_S`, or 20 times its last cost.
4. Every `FREEZE_AFTER_MODULES` modules loaded, the young generations are
   collected and everything `gc.freeze`d (imports live as long as the process).
5. With `freeze_survivors` (the window; off in tests) a full collection
   costing more than `FREEZE_AFTER_FULL_S` freezes its survivors.
6. Frozen cycles are reclaimed `RECLAIM_EVERY_S` after a freeze when the
   photographer is `away`, or after `RECLAIM_ANYWAY_S` (`reclaims`).

Invariants: `gc.collect` runs on the main thread only; one collector at a time
(a nested `collected_on_main_thread()` reuses it); the outermost restores
automatic collection and unfreezes; nothing is frozen but right after a
collection. Costs: docs/decisions/engine.md.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import shiboken6
from PySide6.QtCore import QObject, QTimer

DEFAULT_INTERVAL_MS = 200
FULL_EVERY_S = 10.0  # the shortest time between two full collections
FREEZE_AFTER_MODULES = 50  # modules loaded since the last freeze that make the next one
# A full collection that took longer than this freezes its survivors (module
# docstring): ~40k tracked objects' walk on a quiet 2-core machine.
FREEZE_AFTER_FULL_S = 0.020
FAST_INTERVAL_MS = 20  # the next tick's interval after a tick that found a burst
BURST_YOUNG = 10_000  # young objects at a tick that make a burst (CPython's own: 700)
HOLD_MAX_S = 60.0  # a hold older than this no longer stops collections
RECLAIM_EVERY_S = 600.0  # survivors frozen this long ago are collected once more, when away
RECLAIM_ANYWAY_S = 3600.0  # ... or at the keys, this long after

_active: MainThreadCollector | None = None


class MainThreadCollector(QObject):
    """A main-thread timer that collects the generations that are due."""

    def __init__(
        self,
        interval_ms: int = DEFAULT_INTERVAL_MS,
        parent: QObject | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        freeze_survivors: bool = False,
        away: Callable[[], bool] = lambda: True,
    ):
        super().__init__(parent)
        self.freeze_survivors = freeze_survivors  # after a costly full collection
        self.away = away  # no one at the window: a reclaim's long walk may run
        self.collections = [0, 0, 0]  # per generation, for tests and diagnostics
        self.freezes = 0  # `freeze_after_imports` that froze, for tests and diagnostics
        self.survivor_freezes = 0  # full collections whose survivors were frozen
        self.reclaims = 0  # frozen survivors collected again (`RECLAIM_EVERY_S`)
        self._survivors_frozen_at: float | None = None  # the first survivors' freeze since
        self._holds = 0  # `hold`s not released yet
        self._held_since = 0.0  # when the first of them began
        self._modules_at_freeze = 0  # len(sys.modules) at the last freeze
        self._clock = clock
        self._last_full = -float("inf")
        self._full_cost_s = 0.0
        self._timer = QTimer(self)
        self._interval_ms = interval_ms
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)
        self._was_enabled: bool | None = None  # automatic collection before `start`

    def start(self) -> None:
        """Automatic collection off; this timer collects instead."""
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Timer off; what it froze the collector's again; automatic collection
        back as it was before `start` (untouched when `start` never ran: a
        collector used only to collect or freeze never turns it on)."""
        self._timer.stop()
        self._holds = 0  # what is due is collected now, held or not
        if self.freezes or self.survivor_freezes:
            gc.unfreeze()
        self.collect_due()
        if self._was_enabled:
            gc.enable()
        self._was_enabled = None

    def hold(self) -> Callable[[], None]:
        """Collections wait until the returned release is called (main thread;
        releasing twice is harmless), or for `HOLD_MAX_S` at most: a step on a
        worker whose many objects live exactly as long as it (module docstring)."""
        if not self._holds:
            self._held_since = self._clock()
        self._holds += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._holds = max(0, self._holds - 1)  # `stop` may have cleared it

        return release

    @property
    def held(self) -> bool:
        """A hold is on, and not older than `HOLD_MAX_S`."""
        return self._holds > 0 and self._clock() - self._held_since < HOLD_MAX_S

    @property
    def interval_ms(self) -> int:
        """When the next tick comes (`FAST_INTERVAL_MS` during a burst)."""
        return self._timer.interval()

    def tick(self) -> None:
        """The timer's: freeze after imports, collect what is due, and the
        next tick sooner while young objects come in bursts (module docstring)."""
        if self.held:
            return
        young = gc.get_count()[0]  # before a freeze's own young collection
        self.freeze_after_imports()
        self.collect_due()
        burst = young > BURST_YOUNG
        interval = min(FAST_INTERVAL_MS, self._interval_ms) if burst else self._interval_ms
        if self._timer.interval() != interval:
            self._timer.setInterval(interval)

    def freeze_after_imports(self) -> bool:
        """When `FREEZE_AFTER_MODULES` modules have loaded since the last freeze
        (or the first call), collect the young generations (their garbage is
        not frozen) and freeze every object (see the module docstring)."""
        loaded = len(sys.modules)
        if self.freezes and loaded - self._modules_at_freeze < FREEZE_AFTER_MODULES:
            return False
        self._modules_at_freeze = loaded
        gc.collect(1)
        gc.freeze()
        self.freezes += 1
        return True

    def collect_due(self) -> int:
        """Collect the oldest generation whose count passed its threshold, as
        CPython would have (collecting one collects the younger ones too);
        the number of unreachable objects found. A full collection that cost
        more than `FREEZE_AFTER_FULL_S` freezes its survivors; frozen survivors
        are collected again once `RECLAIM_EVERY_S` has passed (module docstring)."""
        if self.held:
            return 0
        if self._reclaim_due():
            return self._reclaim()
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if not thresholds[generation] or counts[generation] <= thresholds[generation]:
                continue
            if generation == 2 and not self._full_allowed():
                continue  # as CPython: the middle generation instead
            self.collections[generation] += 1
            start = self._clock()
            found = gc.collect(generation)
            if generation == 2:
                self._last_full, self._full_cost_s = start, self._clock() - start
                if self.freeze_survivors and self._full_cost_s > FREEZE_AFTER_FULL_S:
                    self._freeze_survivors()
            return found
        return 0

    def _freeze_survivors(self) -> None:
        """Right after a full collection: what is left is alive, out of the walk."""
        gc.freeze()
        self.survivor_freezes += 1
        if self._survivors_frozen_at is None:
            self._survivors_frozen_at = self._clock()

    def _reclaim_due(self) -> bool:
        frozen_at = self._survivors_frozen_at
        if frozen_at is None:
            return False
        waited = self._clock() - frozen_at
        return waited >= RECLAIM_ANYWAY_S or (waited >= RECLAIM_EVERY_S and self.away())

    def _reclaim(self) -> int:
        """Frozen survivors back in the walk, every generation collected (cyclic
        garbage among them freed), the survivors frozen again if that walk was
        costly (as after any full collection)."""
        self._survivors_frozen_at = None
        self.reclaims += 1
        gc.unfreeze()
        start = self._clock()
        found = gc.collect()
        self._last_full, self._full_cost_s = start, self._clock() - start
        if self._full_cost_s > FREEZE_AFTER_FULL_S:
            self._freeze_survivors()
        return found

    def _full_allowed(self) -> bool:
        wait = max(FULL_EVERY_S, 20 * self._full_cost_s)
        return self._clock() - self._last_full >= wait


@contextmanager
def collected_on_main_thread(
    interval_ms: int = DEFAULT_INTERVAL_MS, *, freeze_survivors: bool = False
) -> Iterator[MainThreadCollector]:
    """Cycle collection on the main thread only, for the `with` block (call it on
    the main thread, with the Q(Core)Application made; see the module docstring).
    A nested one reuses the active collector as it is."""
    global _active
    if _active is not None:
        yield _active
        return
    collector = MainThreadCollector(interval_ms, freeze_survivors=freeze_survivors)
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
    "BURST_YOUNG",
    "DEFAULT_INTERVAL_MS",
    "FAST_INTERVAL_MS",
    "FREEZE_AFTER_FULL_S",
    "HOLD_MAX_S",
    "RECLAIM_ANYWAY_S",
    "RECLAIM_EVERY_S",
    "MainThreadCollector",
    "active_collector",
    "collected_on_main_thread",
]
