"""`ImportActions`: every way the window starts or steers an import.

Import Folder… (Ctrl+I), Recent Folders, a dropped folder, Pause/Resume,
Cancel and the Failed lane's Retry all end in `PipelineController` (which says
why a run can't start); only a folder that started is remembered as recent.
Ingest from Card… (Ctrl+Shift+I) opens `ui.ingest`'s dialog (made at first
use); Watch Folder… is `ui.ingest.watch`'s toggle (a watch left on goes on
when the catalog opens: `catalog_opened`). A read-only seat (`read_only`)
says so instead of starting.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.gallery.model import GalleryListModel
from curator.ui.window.pipeline_controller import PipelineController
from curator.ui.window.recent_folders import RecentFolders

if TYPE_CHECKING:  # the ingest's dialog loads when first opened
    from curator.settings import Settings
    from curator.ui.ingest.controller import IngestController
    from curator.ui.ingest.dialog import IngestDialog
    from curator.ui.ingest.watch import WindowWatch


def dropped_folder(event: QDragEnterEvent | QDropEvent) -> str | None:
    """The first local folder among the dragged URLs, if any."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        path = url.toLocalFile()
        if path and os.path.isdir(path):
            return path
    return None


class ImportActions(QObject):
    """File ▸ Import Folder… and Recent Folders, drops, Pause/Cancel and Retry."""

    def __init__(
        self,
        window: QWidget,
        pipeline: PipelineController,
        recent: RecentFolders,
        model: GalleryListModel,
        errors: ErrorReporter,
        *,
        ingest: Callable[[], IngestController] | None = None,
        settings: Callable[[], Settings] | None = None,
    ):
        super().__init__(window)
        self.window, self.pipeline, self.recent, self.model = window, pipeline, recent, model
        self.errors = errors
        self._ingest, self._settings = ingest, settings
        self.ingest_dialog: IngestDialog | None = None
        self.read_only: str | None = None  # a studio seat that may only read: why not
        self.watch: WindowWatch | None = None  # File ▸ Watch Folder… (made with the menu)

    def build_menu(self, file_menu: QMenu) -> None:
        """Import Folder… (Ctrl+I), Ingest from Card… and the Recent Folders submenu."""
        self.import_action = file_menu.addAction("&Import Folder…")
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(self.ask_import)
        self.ingest_action = file_menu.addAction("Ingest from &Card…")
        self.ingest_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.ingest_action.triggered.connect(self.open_ingest)
        self.ingest_action.setEnabled(self._ingest is not None)
        from curator.ui.ingest.watch import WindowWatch

        window = self.window
        self.watch = WindowWatch(
            window,
            self.pipeline,
            self.errors,
            window.statusBar() if isinstance(window, QMainWindow) else None,
            self.recent.file.parent,
            lambda: self.read_only,
            self._settings,
        )
        self.watch.add_to(file_menu)
        self.recent_menu = QMenu("Recent &Folders", self.window)
        file_menu.addMenu(self.recent_menu)
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)
        self.fill_recent_menu()

    def catalog_opened(self) -> None:
        """A watch left on (the window was killed, or quit, while watching) goes on."""
        if self.watch is not None:
            self.watch.resume()

    def start_import(self, folder: str) -> bool:
        if self.read_only is not None:  # a studio seat that may only read
            self.errors.report(self.read_only)
            return False
        started = self.pipeline.start_import(folder)
        if started:
            self.recent.add(folder)
        return started

    @Slot()
    @guarded_slot
    def ask_import(self) -> None:
        from PySide6.QtWidgets import QFileDialog  # a Qt type made when first used

        folder = QFileDialog.getExistingDirectory(self.window, "Import a folder of photos")
        if folder:
            self.start_import(folder)

    @Slot()
    @guarded_slot
    def open_ingest(self) -> IngestDialog | None:
        """File ▸ Ingest from Card…: one dialog, shown again while it copies."""
        if self._ingest is None or self._settings is None:
            return None
        if self.ingest_dialog is None:
            from curator.ui.ingest.dialog import IngestDialog

            self.ingest_dialog = IngestDialog(self._ingest(), self._settings(), parent=self.window)
        else:
            self.ingest_dialog.reopen()
        self.ingest_dialog.show()
        self.ingest_dialog.raise_()
        self.ingest_dialog.activateWindow()
        return self.ingest_dialog

    @Slot()
    @guarded_slot
    def fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        folders = self.recent.existing()
        for folder in folders:
            action = self.recent_menu.addAction(folder)
            action.triggered.connect(lambda _=False, f=folder: self.start_import(f))
        if not folders:
            self.recent_menu.addAction("No recent folders").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear the list").triggered.connect(self.recent.clear)

    def accept_drag(self, event: QDragEnterEvent) -> None:
        if dropped_folder(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def drop(self, event: QDropEvent) -> None:
        folder = dropped_folder(event)
        if folder is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.start_import(folder)

    @Slot(bool)
    @guarded_slot
    def on_pause_requested(self, paused: bool) -> None:
        if paused:
            self.pipeline.pause()
        else:
            self.pipeline.resume()

    @Slot(list)
    @guarded_slot
    def on_retry_requested(self, ids: list[int]) -> None:
        """Failed stages were reset to pending: re-read the files that failed
        to be measured, then embed/describe/score whatever is pending."""
        self.model.refresh(ids)
        from curator.catalog.queries import paths_needing_technical  # after the paint

        paths = paths_needing_technical(ids)
        if paths:
            self.pipeline.start_paths(paths)  # then embed/describe/score as usual
        else:
            self.pipeline.start_backfill()
