"""`Arrivals`: where a live import's new photos go in the gallery's list, read
on the lists pool, so a quick-look batch costs the UI thread no catalog read.

Protocol (main thread, except the read):
- `add(ids)` queues a batch's new photos; with no read in flight, a read
  starts at once: a `Job` on the pool that, given the list as it is now
  (`version()`: its generation and query; `listed()`: a copy of its ids),
  returns which of the photos the query shows and where each goes (`place`,
  any thread).
- One read in flight: batches added meanwhile wait, and go together in the
  next read, after it.
- A read is applied (`apply`) only while the list is still the one it was
  read against (the same generation, the same query object); else its photos go back to
  the head of the queue, before any batch that came after them, and are read
  again against the list as it is now. So a batch is never placed against a
  stale list, nor after a later one. A photo whose read went stale twice is
  placed on the UI thread (`fallback`): while a watch measures, the list
  changes every fraction of a second and re-reads alone could starve a batch
  (a 10-minute watch bench: tiles 10 s late at the median, ranges never shown).
- A failed read (logged) is done once more on the UI thread, where an error
  that persists is shown as any catalog error (`fallback`).
- After `close()` nothing is read or applied.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Slot

from curator.engine.delivery import Job, delivery_to
from curator.ui.common.guard import ErrorReporter, guarded_slot

log = logging.getLogger(__name__)

Version = tuple[int, object]  # (the list's generation, its query)
Placed = Any  # what `place` returns, handed to `apply` as it is
_Result = tuple[int, object, list[int], Placed | None]


class Arrivals(QObject):
    def __init__(
        self,
        pool: QThreadPool,
        version: Callable[[], Version],
        listed: Callable[[], list[int]],
        place: Callable[[Any, list[int], list[int]], Placed],
        apply: Callable[[Placed], None],
        fallback: Callable[[list[int]], None],
        errors: ErrorReporter,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.errors = errors
        self._pool, self._version, self._listed = pool, version, listed
        self._place = place
        self._apply, self._fallback = apply, fallback
        self._waiting: dict[int, None] = {}  # photo ids, in arrival order
        self._stale_once: set[int] = set()  # photos whose read went stale once
        self._in_flight = False
        self._delivery = delivery_to(self, self._on_placed)

    @property
    def busy(self) -> bool:
        """A read is in flight or photos wait for one (tests)."""
        return self._in_flight or bool(self._waiting)

    def add(self, photo_ids: list[int]) -> None:
        for pid in photo_ids:
            self._waiting[pid] = None
        self._submit()

    def close(self) -> None:
        """Nothing read or applied after this (a read in flight finishes, dropped)."""
        self._waiting.clear()
        self._stale_once.clear()
        self._delivery.close()

    def _submit(self) -> None:
        if self._in_flight or not self._waiting or self._delivery.closed:
            return
        ids, self._waiting = list(self._waiting), {}
        (generation, query), listed = self._version(), self._listed()
        place = self._place
        self._in_flight = True

        def failed(exc: Exception) -> _Result:
            log.warning("placing %d new photos in the gallery failed", len(ids), exc_info=exc)
            return generation, query, ids, None

        self._pool.start(
            Job(
                lambda: (generation, query, ids, place(query, listed, ids)),
                self._delivery,
                on_error=failed,
            )
        )

    @Slot(object)
    @guarded_slot
    def _on_placed(self, result: _Result) -> None:
        self._in_flight = False
        generation, query, ids, placed = result
        current, current_query = self._version()
        if generation != current or query is not current_query:  # the list changed meanwhile
            if self._stale_once.isdisjoint(ids):
                self._stale_once.update(ids)
                self._waiting = {**dict.fromkeys(ids), **self._waiting}
            else:  # stale twice: placed here, against the list as it is now
                self._stale_once.difference_update(ids)
                self._fallback(ids)
        elif placed is None:
            self._fallback(ids)
        else:
            self._stale_once.difference_update(ids)
            self._apply(placed)
        self._submit()
