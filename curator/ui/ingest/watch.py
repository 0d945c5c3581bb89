"""`WindowWatch`: File ▸ Watch Folder… — the window's watched folder, over the
window's one pipeline (pipeline.watch's `WatchSession`, as `curator watch`).

- The menu item is a toggle. On, it asks for a folder (checked by
  `fs.folders.folder_problem`) and watches it; off, the live run measures what
  it has and the later stages follow (`PipelineController.start_backfill`).
- The status bar says "Watching FOLDER — 312 arrived, last 2 s ago", once a
  second, or that it is paused; the session's sentences go to the error reporter.
- The folder is remembered with its catalog (`WATCHING`) until turned off: a
  window killed while watching watches again when it next opens that catalog
  (`resume`), and the rescan brings in what landed meanwhile.
- The session's photos are Cull ▸ Propose…'s "this watch session" (`scope`);
  `grouped` lets a proposal for them follow (ui.cull.menu).
- `shutdown()` (App.stop): the watcher ends at once, nothing more is delivered,
  and the folder stays remembered (only a Cancel while the window shows ends
  the watch for good).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMenu, QStatusBar, QWidget

from curator.paths import RecentList
from curator.ui.common.guard import ErrorReporter, guarded_slot

if TYPE_CHECKING:
    from curator.pipeline.service import PipelineService
    from curator.pipeline.watch import WatchSession

WATCHING = "watching.json"  # [folder, catalog]: the watch left on (config folder)
TICK_MS = 1000  # the status bar's "last 2 s ago"


class WatchedPipeline(Protocol):
    """What the watch needs of the window's pipeline (`PipelineController`)."""

    @property
    def service(self) -> PipelineService: ...

    @property
    def stopping(self) -> SignalInstance: ...

    def start_backfill(self) -> bool: ...


def ago(seconds: float) -> str:
    """ "2 s", "3 min", "1 h 5 min" """
    s = int(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60} min"


def status_text(folder: str, count: int, last_at: float | None, paused: bool) -> str:
    """The status bar's line for a watch, as it stands `now`."""
    if paused:
        return f"Watching {folder} — paused: the folder is gone; {count} arrived"
    if last_at is None:
        return f"Watching {folder} — {count} arrived, waiting for the first frame"
    return f"Watching {folder} — {count} arrived, last {ago(time.monotonic() - last_at)} ago"


class WindowWatch(QObject):
    """File ▸ Watch Folder… (see the module docstring)."""

    grouped = Signal()  # the session's bursts were grouped again (new frames)
    changed = Signal()  # watching started or stopped

    def __init__(
        self,
        window: QWidget,
        pipeline: WatchedPipeline,
        errors: ErrorReporter,
        status: QStatusBar | None,
        config_dir: Path,
        read_only: Callable[[], str | None] = lambda: None,
    ) -> None:
        super().__init__(window)
        self.window, self.pipeline, self.errors = window, pipeline, errors
        self.read_only = read_only
        self.session: WatchSession | None = None
        self.choose: Callable[[], str] = self._ask  # tests answer the folder dialog here
        self._remembered = RecentList(Path(config_dir) / WATCHING, "watching", 2)
        self.label = QLabel("")
        self.label.setObjectName("watch_status")
        self.label.hide()
        if status is not None:
            status.addPermanentWidget(self.label)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._show)
        self.action = QAction("&Watch Folder…", window)
        self.action.setCheckable(True)
        self.action.setToolTip(
            "Import each photo as it lands in a folder: tethering, a camera's FTP, a card reader"
        )
        self.action.triggered.connect(lambda checked=False: self._on_triggered(checked))
        pipeline.stopping.connect(self.shutdown)

    def add_to(self, menu: QMenu) -> None:
        menu.addAction(self.action)

    @property
    def empty_text(self) -> str | None:
        """What an empty grid says while a folder is watched (None: not watching)."""
        if self.session is None or not self.watching:
            return None
        return f"Watching {self.session.folder}: each photo appears here as it lands"

    @property
    def watching(self) -> bool:
        return self.session is not None and self.session.watching

    def scope(self) -> tuple[str, Sequence[int]] | None:
        """The session's folder and photos (Cull ▸ Propose…), or None when not watching."""
        session = self.session
        if session is None or not session.watching:
            return None
        return session.folder, sorted(session.photo_ids)

    # --- on and off -------------------------------------------------------------

    @guarded_slot
    def _on_triggered(self, checked: bool) -> None:
        if not checked:
            self.stop()
            return
        folder = self.choose()
        if not folder or not self.start(folder):
            self.action.setChecked(False)

    def _ask(self) -> str:
        from PySide6.QtWidgets import QFileDialog  # made when first used

        return QFileDialog.getExistingDirectory(self.window, "Watch a folder for new photos")

    def start(self, folder: str) -> bool:
        """Watch `folder`; False (and the sentence said) when it cannot be."""
        from curator.fs.folders import folder_problem
        from curator.pipeline.watch import WatchSession

        refused = self.read_only()
        if refused is not None:
            self.errors.report(refused)
            return False
        if (problem := folder_problem(folder)) is not None:
            self.errors.report(problem.message)
            return False
        if self.session is not None:
            self.stop()
        service = self.pipeline.service
        session = WatchSession(folder, service, exclude=(str(service.cache_dir),), parent=self)
        session.noted.connect(self.errors.report)
        session.state_changed.connect(lambda _state: self._show())
        session.arrived.connect(lambda _arrival: self._show())
        session.grouped.connect(self.grouped)
        session.stopped.connect(lambda: self._on_stopped(session))
        self.session = session
        session.start()
        self._remembered.write([session.folder, str(service.catalog_path)])
        self.action.setChecked(True)
        self.label.show()
        self._tick.start()
        self._show()
        self.changed.emit()
        return True

    def stop(self) -> None:
        """Stop watching (the user's): the later stages follow once the run ends."""
        session = self.session
        if session is None:
            return
        self._remembered.write([])
        self.action.setChecked(False)
        self._tick.stop()
        self.label.setText(f"Stopped watching {session.folder}: {session.count} arrived")
        session.stop()
        self.changed.emit()

    def resume(self) -> None:
        """The catalog is open: a watch left on (a window killed while watching)
        goes on, and catches up what landed meanwhile."""
        left = self._remembered.read()
        if len(left) != 2 or self.watching:
            return
        folder, catalog = left
        if catalog != str(self.pipeline.service.catalog_path):
            return  # it watched into another catalog
        if self.start(folder):
            self.errors.report(
                f"Watching {folder} again: what landed while Curator was not running comes in."
            )

    def _on_stopped(self, session: WatchSession) -> None:
        if self.session is session:
            self.session = None
            self.label.hide()
        session.deleteLater()
        if session.cancelled:  # the run was cancelled: nothing more is started
            self.action.setChecked(False)
            if self.window.isVisible():  # the user's Cancel, not a quit (the window hides
                self._remembered.write([])  # first, then cancels: the watch stays on)
            return
        self.pipeline.start_backfill()  # describe, embed and score the frames that came

    @Slot()
    def shutdown(self) -> None:
        """The app stops: the watcher ends now; the folder stays remembered."""
        self._tick.stop()
        if self.session is not None:
            self.session.shutdown()

    @Slot()
    def _show(self) -> None:
        session = self.session
        if session is None or not session.watching:
            return
        paused = session.state.value == "paused"
        shown = os.path.basename(session.folder.rstrip(os.sep)) or session.folder
        self.label.setText(status_text(shown, session.count, session.last_at, paused))
        self.label.setToolTip(session.folder)
