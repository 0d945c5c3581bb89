"""`StepQueue`: undo, redo and accept — steps that may touch one photo or
60,000 — written one at a time, in the order asked, on a worker.

Concurrency protocol (the one place it lives):
1. Steps run on ONE one-thread pool (`UiPools.cull`), in submission order.
2. `submit(what, fn, done)`: `pending` grows and a Job runs `fn()`; its
   outcome (value or exception) comes back on the main thread, in order:
   `pending` shrinks and `done(outcome)` runs.
3. Ordinary decisions stay on the UI thread, written at once while the queue
   is `idle`, refused with `busy_text()` while a step is pending.
4. What the next step needs (the proposals an accept ended,
   `AcceptedProposals`) passes between the steps on the worker, in order.
5. A step running after `UNDER_WAY_MS` is said (`under_way`).
6. While a step is pending the UI thread's cycle collector is held
   (engine/collector.py's `hold`).
7. `close()`: later outcomes are dropped; a step under way still commits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot

from curator.engine.delivery import Delivery, Job, delivery_to

if TYPE_CHECKING:
    from curator.catalog.proposals.packed import PackedProposals
    from curator.engine.collector import MainThreadCollector

log = logging.getLogger("curator.ui")
UNDER_WAY_MS = 150  # a step not done by then is said in the status line


@dataclass(frozen=True)
class StepOutcome:
    """What a step's job returned, or the exception it raised."""

    value: Any = None
    error: Exception | None = None


class AcceptedProposals:
    """The proposals each accept ended, latest last, and those of the accepts
    undone since (for redo), packed (catalog/proposals/packed.py); touched by
    the steps' jobs in order, the lock keeping a stray reader safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.accepted: list[PackedProposals] = []
        self.unaccepted: list[PackedProposals] = []

    def pushed(self, proposals: PackedProposals) -> None:
        """An accept ended these proposals: a new step, so redo's stack clears."""
        with self._lock:
            self.accepted.append(proposals)
            self.unaccepted.clear()

    def top(self, undo: bool) -> PackedProposals | None:
        with self._lock:
            stack = self.accepted if undo else self.unaccepted
            return stack[-1] if stack else None

    def moved(self, undo: bool) -> None:
        """The top step was undone (to redo's stack) or redone (back)."""
        with self._lock:
            stack, other = (
                (self.accepted, self.unaccepted) if undo else (self.unaccepted, self.accepted)
            )
            if stack:
                other.append(stack.pop())


class StepQueue(QObject):
    under_way = Signal(str)  # a step is taking a while: the sentence for the status line
    idle_changed = Signal(bool)  # True when the last pending step is done

    def __init__(
        self,
        threads: QThreadPool,
        parent: QObject | None = None,
        *,
        collector: MainThreadCollector | None = None,
    ) -> None:
        super().__init__(parent)
        self.threads = threads
        self._collector = collector
        self._release: Callable[[], None] | None = None  # the collector's hold, while pending
        self.accepts = AcceptedProposals()
        self._delivery: Delivery[tuple[int, StepOutcome]] = delivery_to(self, self._on_done)
        self._next = 0
        self._waiting: dict[int, tuple[str, Callable[[StepOutcome], None]]] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(UNDER_WAY_MS)
        self._timer.timeout.connect(self._say_under_way)

    @property
    def pending(self) -> int:
        return len(self._waiting)

    @property
    def idle(self) -> bool:
        return not self._waiting

    def busy_text(self) -> str:
        """Why a decision key did nothing while a step is pending."""
        what = self._head()
        return f"{what} is under way: that key did nothing; press it again when it is done."

    def submit(
        self, what: str, fn: Callable[[], object], done: Callable[[StepOutcome], None]
    ) -> None:
        """Run `fn()` after every step submitted before it; `done(outcome)` on the
        main thread; `what` names it in the status line."""
        self._next += 1
        key = self._next
        was_idle = self.idle
        self._waiting[key] = (what, done)

        def job() -> tuple[int, StepOutcome]:
            try:
                return key, StepOutcome(fn())
            except Exception as exc:  # delivered as an outcome: the step must end
                log.error("a step failed: %s", what, exc_info=exc)
                return key, StepOutcome(error=exc)

        if self._collector is not None and self._release is None:
            self._release = self._collector.hold()
        self.threads.start(Job(job, self._delivery))
        if was_idle:
            self.idle_changed.emit(False)
            self._timer.start()

    def close(self) -> None:
        """Nothing more is posted (App.shutdown, before the pools drain)."""
        self._timer.stop()
        self._delivery.close()
        self._let_go()

    def _let_go(self) -> None:
        if self._release is not None:
            self._release()
            self._release = None

    def _head(self) -> str:
        return next(iter(self._waiting.values()))[0] if self._waiting else "A step"

    @Slot()
    def _say_under_way(self) -> None:
        if not self._waiting:
            return
        more = len(self._waiting) - 1
        after = f" ({more} more waiting)" if more else ""
        self.under_way.emit(f"{self._head()}…{after} The window stays usable meanwhile.")

    @Slot(object)
    def _on_done(self, posted: tuple[int, StepOutcome]) -> None:
        key, outcome = posted
        entry = self._waiting.pop(key, None)
        if entry is None:
            return
        if self._waiting:
            self._timer.start()  # the next step gets its own grace period
        else:
            self._timer.stop()
            self.idle_changed.emit(True)
        try:
            entry[1](outcome)
        except Exception:  # a slot's failure must not stop the queue's bookkeeping
            log.exception("handling a step's outcome failed: %s", entry[0])
        if not self._waiting:
            self._let_go()  # the step's objects are gone with its job


__all__ = ["UNDER_WAY_MS", "AcceptedProposals", "StepOutcome", "StepQueue"]
