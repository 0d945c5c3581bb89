"""`CatalogUpgrade`: a catalog that needs a migration is backed up and migrated
on a worker, with progress, before the window opens it (12+ s at 1 GB).

Protocol (the one place it lives):
- `start(location, read_only_ok)`: a `Job` on the backups' pool runs
  `catalog.upgrade.prepare.upgrade_catalog` (backup first, one transaction per
  migration) while the window stays live.
- `ProgressThrottle` passes on the first step, one per `THROTTLE_S` whose
  percentage moved, and every change of step, to `progressed(str)`.
- The outcome comes once: `finished(None)`, or `finished(exc)` (nothing changed).
- `close()`: later news dropped; a backup under way stops at its next step
  (`UpgradeStopped`, the half copy removed); a migration begun ends.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from curator.engine.delivery import Delivery, Job, delivery_to
from curator.ingest.types import human_bytes

if TYPE_CHECKING:  # the catalog loads after the first paint (issue 21 §1)
    from PySide6.QtWidgets import QStatusBar

    from curator.catalog.upgrade.progress import UpgradeProgress
    from curator.ui.gallery.view import GalleryView

log = logging.getLogger("curator.ui")

THROTTLE_S = 0.1  # at most ten sentences a second reach the UI thread
UPDATING = "Updating the catalog…"


class OpeningWindow(Protocol):
    """What `show_in` needs of the main window (a room to the right of this one)."""

    @property
    def gallery(self) -> GalleryView: ...

    def isVisible(self) -> bool: ...

    def statusBar(self) -> QStatusBar: ...


def upgrade_text(progress: UpgradeProgress) -> str:
    """The sentence for where an upgrade stands."""
    if progress.step == "backup":
        return (
            f"Backing up the catalog before updating it ({human_bytes(progress.size)}): "
            f"{progress.percent} %"
        )
    return UPDATING


class UpgradeStopped(Exception):
    """The window closed while the catalog was being backed up."""


class ProgressThrottle:
    """The worker's progress callback: throttled sentences to `deliver`; raises
    `UpgradeStopped` at a backup step once `stop` is set."""

    def __init__(
        self,
        deliver: Callable[[str], object],
        clock: Callable[[], float] = time.monotonic,
        stop: threading.Event | None = None,
    ) -> None:
        self._deliver, self._clock = deliver, clock
        self._stop = stop or threading.Event()
        self._last: tuple[str, int] | None = None  # step and percent last passed on
        self._at = 0.0
        self._lock = threading.Lock()

    def __call__(self, progress: UpgradeProgress) -> None:
        if self._stop.is_set() and progress.step == "backup":
            raise UpgradeStopped("the window closed during the backup")
        key = (str(progress.step), progress.percent)
        now = self._clock()
        with self._lock:
            last = self._last
            if last == key:
                return
            step_changed = last is None or last[0] != key[0]
            if not step_changed and now - self._at < THROTTLE_S and key[1] < 100:
                return
            self._last, self._at = key, now
        self._deliver(upgrade_text(progress))


def failure_sentence(exc: Exception, name: str) -> str:
    """What the fatal box says when the catalog did not open (logged here):
    a `CatalogError`'s own sentence, or what went wrong."""
    from curator.catalog.errors import CatalogError

    if isinstance(exc, CatalogError):
        log.error("%s", exc)
        return str(exc)
    log.error("the catalog did not open", exc_info=exc)
    return f"The catalog {name} could not be opened: {exc}"


@dataclass(frozen=True)
class UpgradeDone:
    error: Exception | None = None


class CatalogUpgrade(QObject):
    progressed = Signal(str)  # the sentence for the status line and the empty grid
    finished = Signal(object)  # None: ready to open; or the exception that stopped it

    def __init__(self, threads: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threads = threads
        self._news: Delivery[str] = delivery_to(self, self._on_news)
        self._done: Delivery[UpgradeDone] = delivery_to(self, self._on_done)
        self._said = False  # some progress was shown
        self._window: OpeningWindow | None = None  # where it is said (`show_in`)
        self._stop = threading.Event()  # set by `close`: a backup under way stops

    def start(self, location: Path | str, read_only_ok: bool = False) -> None:
        if self._window is not None and not self._window.isVisible():
            return  # closed before its catalog opened: nothing to upgrade
        throttle = ProgressThrottle(self._news.deliver, stop=self._stop)

        def upgrade() -> UpgradeDone:
            from curator.catalog.upgrade import prepare

            prepare.upgrade_catalog(location, read_only_ok=read_only_ok, progress=throttle)
            return UpgradeDone()

        self.threads.start(Job(upgrade, self._done, lambda exc: UpgradeDone(exc)))

    def show_in(self, window: OpeningWindow, then: Callable[[Exception | None], None]) -> None:
        """Say the progress in `window`'s status line and empty grid, both put
        back before `then` hears the outcome."""
        self._window = window
        empty_text = window.gallery.empty_text

        def say(text: str) -> None:
            window.gallery.set_empty_text(text)
            window.statusBar().showMessage(text)

        def done(error: Exception | None) -> None:
            if self._said:
                window.gallery.set_empty_text(empty_text)
                window.statusBar().clearMessage()
            then(error)

        self.progressed.connect(say)
        self.finished.connect(done)

    def close(self) -> None:
        self._stop.set()
        self._news.close()
        self._done.close()

    @Slot(object)
    def _on_news(self, text: str) -> None:
        self._said = True
        self.progressed.emit(text)

    @Slot(object)
    def _on_done(self, done: UpgradeDone) -> None:
        self.finished.emit(done.error)
