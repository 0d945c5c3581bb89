"""The one way back from pool threads: a `Job` runs a function on a QThreadPool
thread and hands what it made to a `Delivery`, which posts it to the owner's
slot on the main thread — until the owner closes it.

Why: a QRunnable that emits on a QObject deleted with the window raises
"Signal source has been deleted" (or, racing the deletion, crashes). So a
worker never holds its owner's QObjects; it holds a `Delivery`, a plain
Python object that the owner closes on the main thread *before* any of its
QObjects can go.

Protocol (the one place it lives; every worker in Curator follows it):
- The owner (a QObject on the main thread) makes one Delivery per kind of
  result with `delivery_to(owner, slot)`: a `DeliverySignals` object
  parented to the owner, its one `delivered` signal connected to `slot`, and
  the owner's `destroyed` connected to `close` as a safety net.
- The owner starts `Job(fn, delivery, on_error)` on a pool that app.py made
  and passed in (no module makes its own pool). Inputs are immutable and
  captured by `fn` (ids, paths, a settings snapshot), never rows or widgets.
- On the pool thread the job runs `fn()`. Its return value — or, if it
  raised, what `on_error(exc)` makes of the exception (by default: logged,
  nothing) — is delivered unless it is None. The thread's catalog connection
  (peewee keeps one per thread) is closed when the job ends, so no idle
  connection outlives it. A long job may deliver intermediate values itself
  (`delivery.deliver(batch)`), in order, before its result.
- `deliver(value)` takes the delivery's lock and, if still open, emits
  `delivered(value)`: a queued connection, so it only posts an event, and
  the slot runs on the main thread. Values of one job arrive in the order
  they were delivered.
- `close()` takes the same lock and marks it closed; once it returns no
  thread touches the signal again, and later `deliver` calls are dropped
  (they return False: a streaming job stops working). The owner closes its
  deliveries in its own `close()`/`shutdown()`, before app.py drains the pools.
- What arrives may be stale (the user moved on): requests that can be
  superseded carry a generation or a key, and the slot drops old ones.
- A Job in flight (made, queued or running) is held by this module
  (`IN_FLIGHT`) until its `run` ends or its pool drops it unrun: a root for
  the cycle collector, so a pool whose wrapper became cyclic garbage cannot
  have its queued jobs' Deliveries cleared while the C++ pool runs them.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Signal

log = logging.getLogger(__name__)

T = TypeVar("T")


class Delivery(Generic[T]):
    """A closable path from pool threads to one slot (see the module docstring)."""

    def __init__(self, emit: Callable[[T], object]):
        self._emit: Callable[[T], object] | None = emit
        self._lock = threading.Lock()

    @property
    def closed(self) -> bool:
        return self._emit is None

    def deliver(self, value: T) -> bool:
        """Post `value` unless closed; True when it was posted."""
        with self._lock:
            if self._emit is None:
                return False
            self._emit(value)
            return True

    def close(self, *_: object) -> None:
        """No emission after this returns (extra arguments: usable as a slot)."""
        with self._lock:
            self._emit = None


class DeliverySignals(QObject):
    """The one signals object of a delivery: parented to its owner (main thread)."""

    delivered = Signal(object)


def delivery_to(owner: QObject, slot: Callable[[T], object]) -> Delivery[T]:
    """A Delivery that posts to `slot` on `owner`'s thread, closed when `owner` goes."""
    signals = DeliverySignals(owner)
    signals.delivered.connect(slot)
    delivery: Delivery[T] = Delivery(signals.delivered.emit)
    # A closure, not `delivery.close`: PySide holds a plain object's bound method
    # weakly, and when the cycle collector frees the Delivery before a deferred
    # delete of the owner runs, `destroyed` then calls into freed memory (a
    # segfault "Garbage-collecting"). The closure is held until the owner goes.
    owner.destroyed.connect(lambda *_: delivery.close())
    return delivery


def log_and_drop(exc: Exception) -> None:
    """The default `on_error`: the failure is logged and nothing is delivered."""
    log.error("a background job failed", exc_info=exc)


def log_and_deliver(exc: Exception) -> Exception:
    """An `on_error` for owners that report failures themselves: logged, then delivered."""
    log.error("a background job failed", exc_info=exc)
    return exc


class _InFlight:
    """The Jobs between construction and the end of their `run` (see the module
    docstring): strong references from a module global, so nothing a job will
    use is ever cyclic garbage. A job its pool dropped unrun (`clear()`) has
    lost its C++ side; such entries are pruned whenever the set has doubled
    since the last pruning (amortised O(1) per job: a screenful of thumbnail
    loads is hundreds of jobs at once)."""

    _FLOOR = 64

    def __init__(self) -> None:
        self._jobs: set[Any] = set()
        self._lock = threading.Lock()
        self._prune_at = self._FLOOR

    def add(self, job: QRunnable) -> None:
        with self._lock:
            self._jobs.add(job)
            if len(self._jobs) >= self._prune_at:
                self._jobs = {j for j in self._jobs if shiboken6.isValid(j)}
                self._prune_at = max(self._FLOOR, 2 * len(self._jobs))

    def discard(self, job: QRunnable) -> None:
        with self._lock:
            self._jobs.discard(job)

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)


IN_FLIGHT = _InFlight()


class Job(QRunnable, Generic[T]):
    """`fn()` on a pool thread, its result delivered (see the module docstring)."""

    def __init__(
        self,
        fn: Callable[[], T | None],
        delivery: Delivery[T],
        on_error: Callable[[Exception], T | None] = log_and_drop,
    ):
        super().__init__()
        self.setAutoDelete(True)
        self.fn, self.delivery, self.on_error = fn, delivery, on_error
        IN_FLIGHT.add(self)

    def run(self) -> None:
        try:
            try:
                result = self.fn()
            except Exception as exc:  # turned into a message for the main thread, never lost
                result = self.on_error(exc)
            finally:
                # The catalog is imported after the window's first paint (issue
                # 21 §1): a job that ran before it opened no connection.
                catalog_db = sys.modules.get("curator.catalog.db")
                if catalog_db is not None:
                    catalog_db.close_thread_connection()
            if result is not None:
                self.delivery.deliver(result)
        finally:
            IN_FLIGHT.discard(self)


__all__ = [
    "IN_FLIGHT",
    "Delivery",
    "DeliverySignals",
    "Job",
    "delivery_to",
    "log_and_deliver",
    "log_and_drop",
]
