"""`TagCloudSlot`: the Tags dock (View ▸ Tags, Shift+T), its panel built when first shown.

The panel counts the tags of the photos the gallery shows, so it follows:
a new gallery query at once (`refresh_now`); a tag edit, an undo, the dock
shown, the rows read again at once (`tags_changed`); an import's batches, the
describer, decisions within `SOON_MS` (`refresh_soon`: one read a second).
Nothing is read while hidden; the panel's clicks go to the filter bar, whose
query comes back here, so the cloud always shows the filter as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Slot
from PySide6.QtWidgets import QDockWidget, QMainWindow

from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.gallery.filter_bar import GalleryFilterBar

if TYPE_CHECKING:
    from curator.catalog.types import GalleryQuery
    from curator.engine.progress import StageProgress
    from curator.ui.gallery.tag_cloud_panel import TagCloudPanel

SOON_MS = 1000


class TagCloudSlot(QObject):
    def __init__(
        self,
        window: QMainWindow,
        pool: QThreadPool,
        query: Callable[[], GalleryQuery],
        filter_bar: GalleryFilterBar,
        errors: ErrorReporter,
    ) -> None:
        super().__init__(window)
        self.errors = errors  # guarded_slot reports here
        self._pool, self._query, self._filter_bar = pool, query, filter_bar
        self.built: TagCloudPanel | None = None
        self.catalog_open = False
        self.dock = QDockWidget("Tags", window)
        self.dock.setObjectName("tags_dock")
        self.dock.setAllowedAreas(
            Qt.DockWidgetArea.RightDockWidgetArea | Qt.DockWidgetArea.LeftDockWidgetArea
        )
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        window.resizeDocks([self.dock], [300], Qt.Orientation.Horizontal)
        self.dock.hide()
        self.dock.visibilityChanged.connect(self._on_visibility_changed)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(SOON_MS)
        self._soon.timeout.connect(self.tags_changed)

    def panel(self) -> TagCloudPanel:
        """The panel, built now if it was not yet."""
        if self.built is None:
            from curator.ui.gallery.tag_cloud_panel import TagCloudPanel

            self.built = TagCloudPanel(self._pool, self.dock)
            self.built.tag_clicked.connect(self._filter_bar.apply_cloud_click)
            self.dock.setWidget(self.built)
        return self.built

    def toggle(self) -> None:
        """Shift+T: show the dock (and its search field) or hide it."""
        self.dock.setVisible(not self.dock.isVisible())
        if self.dock.isVisible():
            self.panel().search.setFocus()

    @property
    def showing(self) -> bool:
        return self.dock.isVisible() and self.catalog_open

    @Slot()
    @guarded_slot
    def refresh_now(self, *_: object) -> None:
        """The gallery shows other photos: count theirs (when on screen)."""
        self._load(tags_changed=False)

    @Slot()
    @guarded_slot
    def tags_changed(self, *_: object) -> None:
        """Tags changed: read the catalog's tag rows again and count (when on screen)."""
        self._load(tags_changed=True)

    def _load(self, *, tags_changed: bool) -> None:
        if not self.showing:
            return
        panel = self.panel()
        panel.set_filter(self._filter_bar.tags_all, self._filter_bar.tags_none)
        # A change of tags still waiting for its second is read with this count.
        panel.load(self._query(), tags_changed=tags_changed or self._soon.isActive())
        self._soon.stop()

    @Slot()
    def refresh_soon(self, *_: object) -> None:
        """A change in a stream of them: read within `SOON_MS`, once."""
        if self.showing and not self._soon.isActive():
            self._soon.start()

    @Slot(object)
    def on_stage_progress(self, progress: StageProgress) -> None:
        if progress.stage == "describe":  # new tags are landing
            self.refresh_soon()

    def shutdown(self) -> None:
        self._soon.stop()
        if self.built is not None:
            self.built.shutdown()

    @Slot(bool)
    @guarded_slot
    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            self.tags_changed()  # what changed while hidden was not followed
