"""`ProjectActions`: the main window's project controls, in one place — the
Projects menu, the gallery's Add to / Remove from Project menu, the filter
bar's project combo and the shown project's line and cover (the grid's
thumbnail, never a load of its own), the loupe's B and Shift+B, and the
non-modal `ProjectPicker`. Every write goes through `ProjectService`; this
class holds widgets and dialogs only.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QMenuBar, QToolBar, QWidget

from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.common.image_loader import ImageKey, ImageLoader
from curator.ui.gallery.filter_bar import GalleryFilterBar
from curator.ui.gallery.model import GalleryListModel
from curator.ui.gallery.view import GalleryView
from curator.ui.projects.service import ProjectService
from curator.ui.review.session import ReviewSession

if TYPE_CHECKING:  # the dialogs load when first opened, not before the first paint
    from curator.ui.projects.picker import ProjectPicker

COVER_EDGE = 40  # the shown project's cover, in the toolbar


class ProjectActions(QObject):
    def __init__(
        self,
        window: QMainWindow,
        *,
        service: ProjectService,
        filter_bar: GalleryFilterBar,
        gallery: GalleryView,
        model: GalleryListModel,
        session: ReviewSession,
        thumbnails: ImageLoader,
        errors: ErrorReporter,
        notify: Callable[[str], None],
        keys_back: Callable[[], None],
    ):
        super().__init__(window)
        self.window, self.projects, self.filter_bar = window, service, filter_bar
        self.gallery, self.model, self.session = gallery, model, session
        self.thumbnails, self.errors = thumbnails, errors
        self.notify, self.keys_back = notify, keys_back
        self.picker: ProjectPicker | None = None
        self.cover_label = QLabel("")
        self.cover_label.setFixedSize(COVER_EDGE, COVER_EDGE)
        self.cover_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cover_label.hide()
        self.project_bar: QToolBar | None = None
        self.cover_action: QAction | None = None
        self.project_label = QLabel("")
        # Others' items for the gallery's context menu: (menu, selected ids) -> None.
        self.menu_extras: list[Callable[[QMenu, list[int]], None]] = []
        service.projects_changed.connect(self._on_projects_changed)
        service.notice.connect(notify)
        filter_bar.project_chosen.connect(self._on_project_chosen)
        filter_bar.query_changed.connect(lambda _query: self.update_project_label())
        thumbnails.image_ready.connect(self._on_thumbnail_ready)
        gallery.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        gallery.customContextMenuRequested.connect(self._show_gallery_menu)

    # --- construction -------------------------------------------------------------

    def make_toolbar(self, parent: QWidget) -> QToolBar:
        """A second toolbar row: the shown project's cover and line (hidden when none)."""
        bar = QToolBar("Project", parent)
        bar.setObjectName("project-bar")
        bar.setMovable(False)
        # A toolbar shows or hides a widget through its action (Qt's QToolBar docs).
        self.cover_action = bar.addWidget(self.cover_label)
        self.cover_action.setVisible(False)
        bar.addWidget(self.project_label)
        bar.hide()
        self.project_bar = bar
        return bar

    def build_menu(self, menubar: QMenuBar) -> QMenu:
        menu = menubar.addMenu("&Projects")
        self.new_project_action = self._add(menu, "&New Project…", self.new_project)
        self.rename_project_action = self._add(menu, "&Rename Project…", self.rename_project)
        self.delete_project_action = self._add(menu, "&Delete Project…", self.delete_project)
        menu.addSeparator()
        self._add(menu, "&Choose Current Project… (Shift+B in the loupe)", self.open_project_picker)
        self.show_project_menu = QMenu("&Show Project", menu)
        menu.addMenu(self.show_project_menu)
        self.show_project_menu.aboutToShow.connect(self._fill_show_project_menu)
        self._enable_actions()
        return menu

    @staticmethod
    def _add(menu: QMenu, text: str, slot: Callable[[], object]) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(lambda _=False: slot())
        return action

    # --- the gallery's selection ---------------------------------------------------

    def selected_photo_ids(self) -> list[int]:
        """The gallery's selected photos, in gallery order."""
        rows = sorted(i.row() for i in self.gallery.selectionModel().selectedIndexes())
        return [pid for pid in (self.model.photo_id(r) for r in rows) if pid is not None]

    def gallery_menu(self) -> QMenu:
        """The gallery's context menu for the selection (Add to / Remove from project)."""
        menu = QMenu(self.gallery)
        ids = self.selected_photo_ids()
        for extra in self.menu_extras:
            extra(menu, ids)
        add = menu.addMenu("Add to Project")
        add.setEnabled(bool(ids))
        for project in self.projects.projects:
            action = add.addAction(f"{project.name} ({project.count})")
            action.triggered.connect(
                lambda _=False, pid=project.id: self.projects.add(pid, self.selected_photo_ids())
            )
        if self.projects.projects:
            add.addSeparator()
        add.addAction("New Project…").triggered.connect(self._new_project_with_selection)
        remove = menu.addMenu("Remove from Project")
        shown = self.filter_bar.project_id
        # The shown project first: removing from it is the common case.
        for project in sorted(self.projects.projects, key=lambda p: p.id != shown):
            if not project.count:
                continue
            action = remove.addAction(project.name)
            action.triggered.connect(
                lambda _=False, pid=project.id: self.projects.remove(pid, self.selected_photo_ids())
            )
        remove.setEnabled(bool(ids) and bool(remove.actions()))
        return menu

    @Slot(QPoint)
    @guarded_slot
    def _show_gallery_menu(self, pos: QPoint) -> None:
        menu = self.gallery_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.gallery.viewport().mapToGlobal(pos))

    @guarded_slot
    def _new_project_with_selection(self) -> None:
        ids = self.selected_photo_ids()
        made = self.new_project()
        if made is not None and ids:
            self.projects.add(made, ids)

    # --- the Projects menu -----------------------------------------------------------

    @guarded_slot
    def new_project(self) -> int | None:
        """Projects ▸ New Project…: ask a name, create it, make it current."""
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getText(self.window, "New project", "Name of the new project:")
        if not ok:
            return None
        made = self.projects.create(name)
        return None if made is None else made.id

    def _ask_project(self, title: str, what: str) -> int | None:
        """Which project (the current one offered first)? None when cancelled or none."""
        projects = self.projects.projects
        if not projects:
            self.notify("There are no projects yet (Projects ▸ New Project…).")
            return None
        names = [p.name for p in projects]
        current = self.projects.current
        start = names.index(current.name) if current is not None else 0
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getItem(self.window, title, what, names, start, False)
        if not ok:
            return None
        return next((p.id for p in projects if p.name == name), None)

    @guarded_slot
    def rename_project(self) -> None:
        summary = self.projects.summary(self._ask_project("Rename project", "Project to rename:"))
        if summary is None:
            return
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getText(
            self.window, "Rename project", f"New name for “{summary.name}”:", text=summary.name
        )
        if ok:
            self.projects.rename(summary.id, name)

    @guarded_slot
    def delete_project(self) -> None:
        summary = self.projects.summary(self._ask_project("Delete project", "Project to delete:"))
        if summary is None:
            return
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(
            self.window,
            "Delete project",
            f"Delete the project “{summary.name}”? Its {summary.count} photo(s) are not "
            "touched: they stay in the catalog with their ratings and decisions; only the "
            "set goes.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.projects.delete(summary.id)

    @guarded_slot
    def _fill_show_project_menu(self) -> None:
        menu = self.show_project_menu
        menu.clear()
        menu.addAction("All Photos").triggered.connect(lambda _=False: self.show_project(None))
        for project in self.projects.projects:
            menu.addAction(f"{project.name} ({project.count})").triggered.connect(
                lambda _=False, pid=project.id: self.show_project(pid)
            )

    def show_project(self, project_id: int | None) -> None:
        """Show one project's photos in the gallery (None: all) and make it current."""
        self.filter_bar.show_project(project_id)
        if project_id is not None:
            self.projects.set_current(project_id)

    # --- the picker and the loupe's B --------------------------------------------------

    def open_project_picker(self, add_photo: int | None = None) -> ProjectPicker:
        """The quick picker; the chosen (or created) project becomes current and,
        with `add_photo`, that photo is added to it."""
        if self.picker is not None:
            self.picker.close()
        from curator.ui.projects.picker import ProjectPicker

        title = "Add to project" if add_photo is not None else "Choose the current project"
        picker = ProjectPicker(
            self.projects.projects,
            current_id=self.projects.current_id,
            title=title,
            parent=self.window,
        )
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        picker.chosen.connect(lambda pid: self._picked_project(pid, add_photo))
        picker.create_requested.connect(lambda name: self._create_picked(name, add_photo))
        picker.finished.connect(self._picker_closed)
        self.picker = picker
        picker.open()
        picker.raise_()
        picker.activateWindow()  # the keys go to its text field, not the loupe behind
        return picker

    @Slot()
    def _picker_closed(self, *_: object) -> None:
        self.picker = None
        self.window.activateWindow()  # the keys come back to the window behind
        self.keys_back()

    @guarded_slot
    def _picked_project(self, project_id: int, add_photo: int | None) -> None:
        self.projects.set_current(project_id)
        if add_photo is not None:
            self._add_to_current(add_photo)
            return
        current = self.projects.current
        if current is not None:
            self.notify(f"Current project: “{current.name}” (B adds a photo to it).")

    @guarded_slot
    def _create_picked(self, name: str, add_photo: int | None) -> None:
        made = self.projects.create(name)
        if made is not None and add_photo is not None:
            self._add_to_current(add_photo)

    def _add_to_current(self, photo_id: int) -> None:
        project_id = self.projects.current_id
        if project_id is None:
            return
        from curator.catalog.queries import gallery_rows  # the catalog: after the paint

        rows = gallery_rows([photo_id])
        name = rows[photo_id].file_name if photo_id in rows else f"photo {photo_id}"
        self.projects.toggle_one(project_id, photo_id, name)

    @Slot(str)
    @guarded_slot
    def on_project_key(self, action: str) -> None:
        """The loupe's B ("add_to_project") and Shift+B ("choose_project")."""
        photo_id = self.session.current
        if photo_id is None:
            self.notify("No photo to add to a project.")
            return
        if action == "add_to_project" and self.projects.current is not None:
            self._add_to_current(photo_id)
        else:
            self.open_project_picker(add_photo=photo_id)

    # --- following the service ---------------------------------------------------------

    @Slot(object)
    @guarded_slot
    def _on_project_chosen(self, project_id: object) -> None:
        if isinstance(project_id, int):
            self.projects.set_current(project_id)

    @Slot(list)
    @guarded_slot
    def _on_projects_changed(self, _projects: list[object]) -> None:
        self.filter_bar.set_projects(self.projects.projects)
        self._enable_actions()
        self.update_project_label()

    def _enable_actions(self) -> None:
        if hasattr(self, "rename_project_action"):
            has_any = bool(self.projects.projects)
            self.rename_project_action.setEnabled(has_any)
            self.delete_project_action.setEnabled(has_any)

    @Slot(int)
    def _on_thumbnail_ready(self, photo_id: int) -> None:
        shown = self.projects.summary(self.filter_bar.project_id)
        if shown is not None and shown.cover is not None and shown.cover.photo_id == photo_id:
            self.update_project_label()

    def _show_cover(self, visible: bool) -> None:
        if self.cover_action is not None:
            self.cover_action.setVisible(visible)
        else:
            self.cover_label.setVisible(visible)

    def update_project_label(self) -> None:
        """The shown project's name, count and cover (its thumbnail once loaded)."""
        shown = self.projects.summary(self.filter_bar.project_id)
        if self.project_bar is not None:
            self.project_bar.setVisible(shown is not None)
        if shown is None:
            self.project_label.setText("")
            self._show_cover(False)
            return
        text = f"“{shown.name}”: {shown.count} photo{'s' if shown.count != 1 else ''}"
        cover = shown.cover
        if cover is None:
            self.project_label.setText(f"  {text}, no cover yet  ")
            self._show_cover(False)
            return
        kind = "cover" if cover.approved else "cover (none approved yet)"
        self.project_label.setText(f"  {text} · {kind}: {os.path.basename(cover.path)}  ")
        self.project_label.setToolTip(cover.path)
        self.cover_label.setToolTip(f"Cover of “{shown.name}”: {cover.path}")
        pixmap = None
        if cover.thumbnail_key is not None:
            # Turned as the grid shows it: the grid loaded the thumbnail under this key.
            key = ImageKey(cover.photo_id, cover.thumbnail_key, cover.rotation)
            pixmap = self.thumbnails.pixmap(key)
        if pixmap is None:
            self._show_cover(False)
            return
        self.cover_label.setPixmap(
            pixmap.scaled(
                COVER_EDGE,
                COVER_EDGE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        self._show_cover(True)
