"""`WindowWatch`: File ▸ Watch Folder… — the window's watched folder, over the
window's one pipeline (pipeline.watch's `WatchSession`, as `curator watch`).

- The menu item is a toggle. On, it asks for a folder and, if wanted, a backup
  folder each frame is copied to (`WatchDialog`), and watches it; off, the live
  run measures what it has and the later stages follow
  (`PipelineController.start_backfill`).
- The status bar says "Watching FOLDER — 312 arrived, last 2 s ago" (with a
  backup, "; 312 backed up" and how many wait), once a second, or that it is
  paused; the session's sentences go to the error reporter.
- The folder, its catalog and its backup are remembered (`WATCHING`) until
  turned off: a window killed while watching watches again when it next opens
  that catalog (`resume`); the rescan brings in what landed meanwhile and the
  backup copies what it had not. The last backup is the dialog's next default.
- The session's photos are Cull ▸ Propose…'s "this watch session" (`scope`);
  `grouped` lets a proposal for them follow (ui.cull.menu).
- Another process's watch into this catalog (`curator watch`, another
  window) is shown by `other` (ui.ingest.other_watch), never claimed: the
  toggle refuses with its sentence, and `resume` follows it instead.
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

from curator.ingest.types import IngestRequest
from curator.paths import RecentList
from curator.ui.common.format import ago
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.ingest.other_watch import OtherWatch
from curator.ui.ingest.watch_dialog import WatchChoice

if TYPE_CHECKING:
    from curator.pipeline.service import PipelineService
    from curator.pipeline.watch import WatchSession
    from curator.settings import Settings

# [folder, catalog, and its backup: destination, rename, subfolder]: the watch
# left on (config folder); and the last watch's (the dialog's default).
WATCHING = "watching.json"
LAST_WATCH = "last-watch.json"
TICK_MS = 1000  # the status bar's "last 2 s ago"


class WatchedPipeline(Protocol):
    """What the watch needs of the window's pipeline (`PipelineController`)."""

    @property
    def service(self) -> PipelineService: ...

    @property
    def stopping(self) -> SignalInstance: ...

    def start_backfill(self) -> bool: ...


def status_text(
    folder: str, count: int, last_at: float | None, paused: bool, backup: str = ""
) -> str:
    """The status bar's line for a watch, as it stands `now`; `backup`: its
    backup's part (`backup_text`), "" without one."""
    also = f"; {backup}" if backup else ""
    if paused:
        return f"Watching {folder} — paused: the folder is gone; {count} arrived{also}"
    if last_at is None:
        return f"Watching {folder} — {count} arrived, waiting for the first frame{also}"
    last = ago(time.monotonic() - last_at)
    return f"Watching {folder} — {count} arrived, last {last} ago{also}"


def backup_text(backed: int, owed: int) -> str:
    """The backup's part of the status bar: "312 backed up", "…, 2 waiting"."""
    return f"{backed} backed up" + (f", {owed} waiting" if owed else "")


# A kept choice's items, by position: the folder and catalog, then a backup's three.
FOLDER = 0
CATALOG = 1
DESTINATION = 2
RENAME = 3
SUBFOLDER = 4


def choice_items(choice: WatchChoice, catalog: str) -> list[str]:
    """A watch's choice as the `WATCHING` file keeps it."""
    b = choice.backup
    return [choice.folder, catalog, *([b.destination, b.rename, b.subfolder] if b else [])]


def choice_of(items: list[str]) -> tuple[WatchChoice, str] | None:
    """The choice and catalog a `WATCHING` file kept (None: none, or not ours)."""
    if len(items) == 2:
        return WatchChoice(items[FOLDER]), items[CATALOG]
    if len(items) == 5:
        folder = items[FOLDER]
        backup = IngestRequest(
            folder, items[DESTINATION], rename=items[RENAME], subfolder=items[SUBFOLDER]
        )
        return WatchChoice(folder, backup), items[CATALOG]
    return None


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
        settings: Callable[[], Settings] | None = None,
    ) -> None:
        super().__init__(window)
        self.window, self.pipeline, self.errors = window, pipeline, errors
        self.read_only = read_only
        self.settings = settings
        self.session: WatchSession | None = None
        self.choose: Callable[[], WatchChoice | None] = self._ask  # tests answer it here
        self._remembered = RecentList(Path(config_dir) / WATCHING, "watching", 5)
        self._last = RecentList(Path(config_dir) / LAST_WATCH, "watched", 5)
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
        # Another process's watch into this catalog: shown, never claimed as ours.
        self.other = OtherWatch(
            window,
            lambda: Path(self.pipeline.service.catalog_path),
            status,
            self._take_over,
            errors,
            lambda: self.watching,
        )

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
        choice = self.choose()
        if choice is None or not self.start(choice.folder, choice.backup):
            self.action.setChecked(False)

    def _ask(self) -> WatchChoice | None:
        from curator.ingest.template import DEFAULT_RENAME, DEFAULT_SUBFOLDER
        from curator.ui.ingest.watch_dialog import WatchDialog  # made when first used

        settings = self.settings() if self.settings is not None else None
        rename = settings.ingest_rename if settings is not None else DEFAULT_RENAME
        subfolder = settings.ingest_subfolder if settings is not None else DEFAULT_SUBFOLDER
        last = choice_of(self._last.read())
        dialog = WatchDialog(rename, subfolder, last[0] if last else None, self.window)
        try:
            return dialog.choice() if dialog.exec() == WatchDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def start(self, folder: str, backup: IngestRequest | None = None) -> bool:
        """Watch `folder` (and copy each frame as `backup` says); False (and the
        sentence said) when it cannot be."""
        from curator.fs.folders import folder_problem
        from curator.pipeline.watch import WatchSession

        refused = self.read_only()
        if refused is not None:
            self.errors.report(refused)
            return False
        if (problem := folder_problem(folder)) is not None:
            self.errors.report(problem.message)
            return False
        if backup is not None:
            from curator.ingest.live_backup import backup_problem

            said = backup_problem(folder, backup.destination, backup.rename, backup.subfolder)
            if said is not None:
                self.errors.report(said)
                return False
        other = self.other.current()
        if other is not None and other.watching:
            self.errors.report(f"{other.sentence()} Only one watch feeds a catalog at a time.")
            self.other.follow(other)
            return False
        if self.session is not None:
            self.stop()
        self.other.clear()
        service = self.pipeline.service
        exclude = (str(service.cache_dir),)
        session = WatchSession(folder, service, exclude=exclude, backup=backup, parent=self)
        session.noted.connect(self.errors.report)
        session.state_changed.connect(lambda _state: self._show())
        session.arrived.connect(lambda _arrival: self._show())
        session.backed_up.connect(lambda _backed: self._show())
        session.grouped.connect(self.grouped)
        session.stopped.connect(lambda: self._on_stopped(session))
        self.session = session
        session.start()
        kept = choice_items(WatchChoice(session.folder, session.backup), str(service.catalog_path))
        self._remembered.write(kept)
        self._last.write(kept)
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
        other = self.other.current()
        if other is not None and other.watching:  # a terminal watches: its frames come in
            self.other.follow(other)
            return
        left = choice_of(self._remembered.read())
        if left is None or self.watching:
            return
        choice, catalog = left
        if catalog != str(self.pipeline.service.catalog_path):
            return  # it watched into another catalog
        if self.start(choice.folder, choice.backup):
            self.errors.report(
                f"Watching {choice.folder} again: what landed while Curator was not running "
                "comes in" + (" and is backed up." if choice.backup is not None else ".")
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

    def _take_over(self, folder: str) -> bool:
        """The other process's watch ended: this window watches its folder."""
        return self.start(folder)

    @Slot()
    def shutdown(self) -> None:
        """The app stops: the watcher ends now; the folder stays remembered."""
        self._tick.stop()
        self.other.clear()
        if self.session is not None:
            self.session.shutdown()

    @Slot()
    def _show(self) -> None:
        session = self.session
        if session is None or not session.watching:
            return
        paused = session.state.value == "paused"
        shown = os.path.basename(session.folder.rstrip(os.sep)) or session.folder
        backup = "" if session.backup is None else backup_text(session.backed, session.backup_owed)
        self.label.setText(status_text(shown, session.count, session.last_at, paused, backup))
        self.label.setToolTip(session.folder)
