"""`StaleRows`: changed gallery rows re-read on a pool thread while the stale
row keeps being shown, so a live import's rewrites cost the UI thread no read.

Protocol (main thread, except the read): `mark(ids)` gives changed rows a new
generation; `want(pid)` (a stale row served) queues its re-read, coalesced,
one read in flight; `forget(ids)` / `clear()` drop rows (their reads ignored);
`apply(fresh, gone)` gets only the ids still stale at the read's generation; a
failed read leaves them stale; after `close()` nothing is applied.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection

from PySide6.QtCore import QObject, QThreadPool, QTimer, Slot

from curator.catalog.types import GalleryRow
from curator.engine.delivery import Job, delivery_to
from curator.ui.common.guard import ErrorReporter, guarded_slot

log = logging.getLogger(__name__)

ReadRows = Callable[[list[int]], dict[int, GalleryRow]]
ApplyRows = Callable[[dict[int, GalleryRow], list[int]], None]
_Result = tuple[dict[int, int], dict[int, GalleryRow] | None]


class StaleRows(QObject):
    def __init__(
        self,
        pool: QThreadPool,
        read: ReadRows,
        apply: ApplyRows,
        errors: ErrorReporter,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.errors = errors
        self._pool, self._read, self._apply = pool, read, apply
        self._generation = 0
        self._stale: dict[int, int] = {}  # photo id → generation it was marked at
        self._wanted: set[int] = set()
        self._in_flight = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._submit)
        self._delivery = delivery_to(self, self._on_read)

    def is_stale(self, photo_id: int) -> bool:
        return photo_id in self._stale

    @property
    def busy(self) -> bool:
        """A read is queued or in flight (tests)."""
        return self._in_flight or bool(self._wanted)

    def mark(self, ids: list[int]) -> None:
        for pid in ids:
            self._generation += 1
            self._stale[pid] = self._generation

    def want(self, photo_id: int) -> None:
        if photo_id in self._stale and photo_id not in self._wanted:
            self._wanted.add(photo_id)
            if not self._in_flight and not self._timer.isActive():
                self._timer.start()

    def forget(self, ids: Collection[int]) -> None:
        if len(ids) > len(self._stale):  # many (an accept of 60,000): walk the smaller side
            gone = ids if isinstance(ids, set | frozenset) else set(ids)
            self._stale = {k: v for k, v in self._stale.items() if k not in gone}
            self._wanted.difference_update(gone)
            return
        for pid in ids:
            self._stale.pop(pid, None)
            self._wanted.discard(pid)

    def clear(self) -> None:
        self._stale.clear()
        self._wanted.clear()

    def close(self) -> None:
        """No read is applied after this (a read in flight finishes, dropped)."""
        self._timer.stop()
        self._delivery.close()

    @Slot()
    @guarded_slot
    def _submit(self) -> None:
        if self._in_flight or self._delivery.closed:
            return
        asked = {pid: self._stale[pid] for pid in self._wanted if pid in self._stale}
        self._wanted.clear()
        if not asked:
            return
        self._in_flight = True
        read, ids = self._read, list(asked)

        def failed(exc: Exception) -> _Result:
            log.error("re-reading %d changed gallery rows failed", len(ids), exc_info=exc)
            return asked, None

        self._pool.start(Job(lambda: (asked, read(ids)), self._delivery, on_error=failed))

    @Slot(object)
    @guarded_slot
    def _on_read(self, result: _Result) -> None:
        self._in_flight = False
        asked, rows = result
        if rows is not None:
            current = [pid for pid, gen in asked.items() if self._stale.get(pid) == gen]
            for pid in current:
                del self._stale[pid]
            fresh = {pid: rows[pid] for pid in current if pid in rows}
            gone = [pid for pid in current if pid not in rows]
            if fresh or gone:
                self._apply(fresh, gone)
        if self._wanted:
            self._timer.start()
