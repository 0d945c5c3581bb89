"""`LiveSeats`: the other seats' and processes' work on the catalog, shown live.

Another seat's decision, tag or import arrives as `SeatNews` — on a shared
(PostgreSQL) catalog by LISTEN/NOTIFY (catalog.backends.listen), on the
embedded (SQLite) one from the change feed that a terminal's command or a
second window fills (catalog.backends.feed) — and is applied as a live
import's batches are (`LiveImport`); `resync` news (the connection came back,
or the feed moved past this window) re-reads every shown row; a lost
connection is said. People changed elsewhere are told by `people_changed`,
projects by `projects_changed`, a new taste model re-reads the scores.

The window's desk ("window 1", "window 2": its decisions, its undo;
catalog.backends.seat) is taken by `take_desk` before the listener starts,
so the listener knows its own decisions, and let go at `stop`.

Protocol: `start(listener)` starts ONE streaming `Job` that polls
(`POLL_S`) and delivers each news, closing the listener's connection on its
own thread when it ends; `stop()` closes the delivery and ends the loop
within `POLL_S`; the news is applied on the main thread (`_on_news`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from curator.engine.delivery import Job, delivery_to
from curator.ui.common.guard import ErrorReporter, guarded_slot

if TYPE_CHECKING:
    from curator.catalog.backends.feed import FeedListener
    from curator.catalog.backends.listen import SeatListener, SeatNews
    from curator.engine.lock import DeskLock

POLL_S = 0.25  # how long one wait for news lasts (and so how late `stop` takes effect)


class LiveSeats(QObject):
    """Applies the other seats' news to this seat's window (module docstring)."""

    applied = Signal(object)  # the SeatNews just shown (tests, the bench's latency)
    people_changed = Signal()  # another seat changed people: the People view re-reads
    projects_changed = Signal()  # another seat made, renamed or removed a project

    def __init__(
        self,
        pool: QThreadPool,
        errors: ErrorReporter,
        *,
        on_added: Callable[[list[int]], None],
        on_changed: Callable[[list[int]], None],
        resync: Callable[[], None],
        rescore: Callable[[], None] | None = None,
        notify: Callable[[str], None],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.errors = errors
        self._pool = pool
        self._on_added, self._on_changed = on_added, on_changed
        self._resync, self._notify = resync, notify
        self._rescore = rescore or resync
        self._stop = threading.Event()
        self._delivery = delivery_to(self, self._on_news)
        self.listening = False
        self._desk: DeskLock | None = None

    def take_desk(self, catalog_path: Path | str) -> str:
        """Number this window on its catalog (the first free "window N") and make
        it this process's desk; the desk's name."""
        import os

        from curator.catalog.backends.seat import set_desk
        from curator.engine.lock import take_desk

        if self._desk is None:
            self._desk = take_desk(Path(str(catalog_path)))
        desk = self._desk.desk if self._desk is not None else f"window {os.getpid()}"
        set_desk(desk)
        return desk

    def start(self, listener: SeatListener | FeedListener) -> None:
        stop, delivery = self._stop, self._delivery

        def listen() -> None:
            try:
                while not stop.is_set():
                    news = listener.poll(POLL_S)
                    if news is not None and not delivery.deliver(news):
                        break  # the window went
            finally:
                listener.close()

        self.listening = True
        self._pool.start(Job(listen, delivery))

    def stop(self) -> None:
        self._stop.set()
        self._delivery.close()
        self.listening = False
        if self._desk is not None:
            from curator.catalog.backends.seat import desk_of_process, set_desk

            if desk_of_process() == self._desk.desk:  # not a newer window's (a catalog switch)
                set_desk(None)
            self._desk.release()
            self._desk = None

    @Slot(object)
    @guarded_slot
    def _on_news(self, news: SeatNews) -> None:
        if news.sentence:
            self._notify(news.sentence)
        if news.resync:
            self._resync()
        if news.added:
            self._on_added(list(news.added))
        if news.changed:
            self._on_changed(list(news.changed))
        if news.scores and not news.resync:
            self._rescore()
        if news.people or news.resync:
            self.people_changed.emit()
        if news.projects or news.resync:
            self.projects_changed.emit()
        if news.received_at:
            self.last_latency_s = time.monotonic() - news.received_at
        self.applied.emit(news)
