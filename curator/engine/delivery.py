"""The one way back from pool threads: a `Job` runs a function on a QThreadPool
thread and hands what it made to a `Delivery`, which posts it to the owner's
slot on the main thread — until the owner closes it.

A worker emitting on a QObject deleted with the window raises or crashes, so a
worker holds only a `Delivery`, a plain object the owner closes on the main
thread before any of its QObjects can go.

Protocol (every worker in Curator follows it):
- The owner makes one Delivery per kind of result, `delivery_to(owner, slot)`:
  a `DeliverySignals` parented to the owner, `delivered` connected to `slot`,
  the owner's `destroyed` connected to `close`.
- The owner starts `Job(fn, delivery, on_error)` on a pool app.py made; `fn`
  captures immutable inputs (ids, paths, settings), never rows or widgets.
- The job delivers `fn()`'s return value, or `on_error(exc)`'s (by default
  logged, nothing), unless None; the thread's catalog connection is closed
  when the job ends. A long job may `delivery.deliver(batch)` before its result.
- `deliver(value)` emits under the delivery's lock while open (a queued
  connection: the slot runs on the main thread, in order).
- `close()` takes the same lock; after it no thread touches the signal, and
  `deliver` returns False. Owners close their deliveries before app.py drains
  the pools.
- Stale results are dropped by the slot (a generation or a key).
- A Job in flight is held in `IN_FLIGHT` until its `run` ends or its pool drops
  it: a root for the cycle collector.
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
