"""`PeopleSlot`: the People dock (View ▸ People, Shift+O), built when first shown.

It wires `ui.people.panel` and `ui.people.controller` to the window: a tile's
click filters the grid (`GalleryFilterBar.apply_person`); edits are steps of
the review session's queue (undone in order with decisions); the people are
read again after an edit, its undo, an import and another seat's change, and
a filtered person that changed is followed. Nothing is read while the dock is
hidden or the catalog closed; a seat that may only read writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QThreadPool, Slot
from PySide6.QtWidgets import QDockWidget, QMainWindow

from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.gallery.filter_bar import GalleryFilterBar

if TYPE_CHECKING:
    from curator.ui.people.controller import FacesRead, PeopleController, TileFaces, TilesRead
    from curator.ui.people.panel import PeoplePanel
    from curator.ui.review.session import ReviewSession


class PeopleSlot(QObject):
    def __init__(
        self,
        window: QMainWindow,
        pool: QThreadPool,
        session: ReviewSession,
        filter_bar: GalleryFilterBar,
        cache_dir: Path,
        errors: ErrorReporter,
    ) -> None:
        super().__init__(window)
        self.errors = errors  # guarded_slot reports here
        self._pool, self._session, self._filter_bar = pool, session, filter_bar
        self._cache_dir = cache_dir
        self.built: PeoplePanel | None = None
        self.controller: PeopleController | None = None
        self.catalog_open = False
        self.dock = QDockWidget("People", window)
        self.dock.setObjectName("people_dock")
        self.dock.setAllowedAreas(
            Qt.DockWidgetArea.RightDockWidgetArea | Qt.DockWidgetArea.LeftDockWidgetArea
        )
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        window.resizeDocks([self.dock], [340], Qt.Orientation.Horizontal)
        self.dock.hide()
        self.dock.visibilityChanged.connect(self._on_visibility_changed)
        session.people_stepped.connect(self.people_changed)

    def panel(self) -> PeoplePanel:
        """The panel (and its controller), built now if they were not yet."""
        if self.built is None:
            from curator.ui.people.controller import PeopleController
            from curator.ui.people.panel import PeoplePanel

            self.built = PeoplePanel(self.dock)
            self.controller = PeopleController(
                self._pool, self._session.steps, self._cache_dir, self
            )
            self.built.person_clicked.connect(self._filter_bar.apply_person)
            self.built.person_selected.connect(self.controller.load_faces)
            self.built.name_requested.connect(self._on_name)
            self.built.merge_requested.connect(self._on_merge)
            self.built.take_out_requested.connect(self._on_take_out)
            self.controller.tiles_ready.connect(self._on_tiles)
            self.controller.tile_faces_ready.connect(self._on_tile_faces)
            self.controller.faces_ready.connect(self._on_faces)
            self.controller.edited.connect(self._on_edited)
            self.controller.failed.connect(self.built.say)
            self.dock.setWidget(self.built)
        return self.built

    def toggle(self) -> None:
        """Shift+O: show the dock or hide it."""
        self.dock.setVisible(not self.dock.isVisible())
        if self.dock.isVisible():
            self.panel().tiles.setFocus()

    @property
    def showing(self) -> bool:
        return self.dock.isVisible() and self.catalog_open

    @Slot()
    @guarded_slot
    def people_changed(self, *_: object) -> None:
        """People changed (an edit, its undo, an import, another seat): read them again."""
        if self._filter_bar.person is not None:
            self._filter_bar.requery()  # who is in the filtered person may have changed
        if not self.showing:
            return
        panel = self.panel()
        assert self.controller is not None
        self.controller.load()
        if panel.faces_of is not None:
            self.controller.load_faces(panel.faces_of)

    def _may_write(self) -> bool:
        """A studio seat whose role may only read says so instead of writing."""
        if self._session.read_only is None:
            return True
        self.panel().say(self._session.read_only)
        return False

    @Slot(int, str)
    def _on_name(self, person: int, name: str) -> None:
        if self._may_write() and self.controller is not None:
            self.controller.name(person, name)

    @Slot(int, int)
    def _on_merge(self, into: int, other: int) -> None:
        if self._may_write() and self.controller is not None:
            self.controller.merge(into, other)

    @Slot(int)
    def _on_take_out(self, face: int) -> None:
        if self._may_write() and self.controller is not None:
            self.controller.take_out(face)

    @Slot(str)
    def _on_edited(self, sentence: str) -> None:
        self.panel().say(sentence)
        self.people_changed()

    @Slot(object)
    def _on_tiles(self, read: TilesRead) -> None:
        self.panel().show_tiles(read.tiles, read.images, read.more)
        shown = self._filter_bar.person
        tile = next((t for t in read.tiles if shown is not None and t.id == shown[0]), None)
        if shown is not None and tile is not None and tile.filter_label != shown[1]:
            self._filter_bar.requery(tile.filter_label)  # the filtered person was renamed

    @Slot(object)
    def _on_tile_faces(self, cut: TileFaces) -> None:
        self.panel().set_tile_faces(cut.images)

    @Slot(object)
    def _on_faces(self, read: FacesRead) -> None:
        self.panel().show_faces(read.person, read.faces, read.images)

    @Slot(bool)
    @guarded_slot
    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            self.people_changed()  # what changed while hidden was not followed
