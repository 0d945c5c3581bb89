"""`Delivery`: results from pool threads to the main thread, until closed.

Why: a QRunnable that emits on a QObject deleted with the window raises
"Signal source has been deleted" (or, racing the deletion, crashes). So a
loader's tasks never hold its QObjects; they hold a `Delivery`, a plain
Python object that the loader closes on the main thread *before* any of its
QObjects can go.

Protocol:
- The owner (on the main thread) makes one `Delivery(signal)` around a
  signal of a signals object it parents to itself, and hands the Delivery to
  every task it starts.
- A pool thread calls `deliver(value)`: under the lock, if still open, it
  emits `signal(value)` (a queued connection: it only posts an event).
- `close()` takes the same lock and marks it closed; once it returns no
  thread will touch the signal again, and later `deliver` calls are dropped
  (and return False). The owner closes it in its own `close()`, and also
  from its `destroyed` signal as a safety net.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Delivery:
    """A closable path from pool threads to one signal (see the module docstring)."""

    def __init__(self, emit: Callable[[object], None]):
        self._emit: Callable[[object], None] | None = emit
        self._lock = threading.Lock()

    @property
    def closed(self) -> bool:
        return self._emit is None

    def deliver(self, value: object) -> bool:
        """Emit `value` unless closed; True when it was emitted."""
        with self._lock:
            if self._emit is None:
                return False
            self._emit(value)
            return True

    def close(self, *_: object) -> None:
        """No emission after this returns (extra arguments: usable as a slot)."""
        with self._lock:
            self._emit = None
