"""`OtherWatch`: a watch that another process runs into this window's catalog.

One watch feeds a catalog at a time (the import lock). When `curator watch`
in a terminal, or another window, watches a folder into this catalog, this
window says so in its status bar — "Watching shoot in a terminal — 12
arrived here, last 2 s ago" — and its frames come in through the window's
feed (ui.window.live_seats), never through a watch of its own. Once the
other watch ends, the bar offers "Take over the watch of shoot" (one click:
this window watches that folder itself).

Protocol: `follow(holder)` shows the other watch and starts the one-second
tick that re-reads the lock's note (engine.lock.ImportHolder; a small file,
no lock taken); `heard(news)` counts the photos the feed brought meanwhile, and
photos from elsewhere while nothing is followed look at the note once (a
watch begun after the window opened);
when the note is gone the tick stops and the offer shows; `take_over`
hides everything and hands the folder to `start` (the window's own watch);
`clear()` hides everything (a watch of the window's own began).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar, QWidget

from curator.ui.common.format import ago
from curator.ui.common.guard import ErrorReporter, guarded_slot

if TYPE_CHECKING:
    from curator.engine.lock import ImportHolder

TICK_MS = 1000  # how often the lock's note is read while another process watches


def where_of(holder: ImportHolder) -> str:
    """ "in a terminal", "in window 2" """
    return (
        "in a terminal" if holder.desk == "terminal" else f"in {holder.desk or 'another Curator'}"
    )


def short_name(folder: str) -> str:
    return os.path.basename(folder.rstrip(os.sep)) or folder


def other_text(holder: ImportHolder, count: int, last_at: float | None) -> str:
    """The status bar's line for another process's watch."""
    watching = f"Watching {short_name(holder.folder)} {where_of(holder)}"
    if last_at is None:
        return f"{watching} — its frames appear here; none yet"
    return f"{watching} — {count} arrived here, last {ago(time.monotonic() - last_at)} ago"


class OtherWatch(QObject):
    """Another process's watch into this catalog, shown (module docstring)."""

    ended = Signal(object)  # the ImportHolder whose watch ended

    def __init__(
        self,
        parent: QWidget,
        catalog_path: Callable[[], Path],
        status: QStatusBar | None,
        start: Callable[[str], bool],
        errors: ErrorReporter,
        own_watch: Callable[[], bool] = lambda: False,
    ) -> None:
        super().__init__(parent)
        self.errors = errors
        self._own_watch = own_watch  # this window watches (then no other process can)
        self._catalog_path = catalog_path
        self._start = start
        self.holder: ImportHolder | None = None
        self.ended_folder: str | None = None
        self.count = 0
        self.last_at: float | None = None
        self.label = QLabel("")
        self.label.setObjectName("other_watch_status")
        self.label.hide()
        self.offer = QPushButton("")
        self.offer.setObjectName("take_over_watch")
        self.offer.hide()
        self.offer.clicked.connect(self.take_over)
        if status is not None:
            status.addPermanentWidget(self.label)
            status.addPermanentWidget(self.offer)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._look)

    def current(self) -> ImportHolder | None:
        """Who else holds the catalog's import lock now, and for what (None: nobody)."""
        from curator.engine.lock import ImportLock  # filelock: not before the first paint

        return ImportLock(self._catalog_path()).holder()

    def follow(self, holder: ImportHolder) -> None:
        """Show `holder`'s watch until it ends."""
        if self.holder != holder:
            self.count, self.last_at = 0, None
        self.holder, self.ended_folder = holder, None
        self.offer.hide()
        self.label.setText(other_text(holder, self.count, self.last_at))
        self.label.setToolTip(holder.sentence())
        self.label.show()
        self._tick.start()

    def heard(self, news: object) -> None:
        """The feed's news: the photos it added arrived through the other watch."""
        added = getattr(news, "added", ())
        if not added:
            return
        holder = self.holder
        if holder is None:  # photos came from elsewhere: a watch begun since?
            holder = self.current()
            if holder is None or not holder.watching or self._own_watch():
                return
            self.follow(holder)
        self.count += len(added)
        self.last_at = time.monotonic()
        self.label.setText(other_text(holder, self.count, self.last_at))

    @Slot()
    @guarded_slot
    def _look(self) -> None:
        holder = self.holder
        if holder is None:
            self._tick.stop()
            return
        now = self.current()
        if now is not None and now.watching:
            self.follow(now)
            return
        self._tick.stop()
        self.holder, self.ended_folder = None, holder.folder
        shown = short_name(holder.folder)
        self.label.setText(f"The watch of {shown} {where_of(holder)} ended: {self.count} arrived")
        self.offer.setText(f"Take over the watch of {shown}")
        self.offer.setToolTip(f"Watch {holder.folder} in this window from now on")
        self.offer.show()
        self.ended.emit(holder)

    @Slot()
    @guarded_slot
    def take_over(self) -> None:
        """This window watches the folder the other watch left."""
        folder = self.ended_folder
        self.clear()
        if folder:
            self._start(folder)

    def clear(self) -> None:
        self._tick.stop()
        self.holder, self.ended_folder = None, None
        self.label.hide()
        self.offer.hide()
