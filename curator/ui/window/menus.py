"""`WindowMenus`: the main window's menu bar (File — its client galleries'
items: ui.export.client_actions —, Edit, View, Cull — ui.cull.menu —,
Projects, Help) and one `QAction` per window key binding
(`ui.review.keymap.WINDOW_BINDINGS`), forwarding to the window's
``dispatch``. It decides nothing. Invariants: every binding's action is in
`actions` under its name and on the window, so its shortcut works on every
page; key overrides apply once every action exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QToolBar

from curator.ui.export.client_actions import (
    CatalogPlace,
    ClientGalleryActions,
    ClientGalleryParts,
    grid_selection,
)
from curator.ui.gallery.grid_decisions import GridDecisions, build_label_menu
from curator.ui.maintenance.purge_action import PurgeAction
from curator.ui.review.actions import DecisionAction
from curator.ui.review.keymap import WINDOW_BINDINGS
from curator.ui.window.tools import ACTIONS as TOOL_ACTIONS

if TYPE_CHECKING:
    from curator.settings import Settings
    from curator.ui.common.guard import ErrorReporter
    from curator.ui.gallery.view import GalleryView
    from curator.ui.maintenance.backup_controller import BackupController, BackupDone
    from curator.ui.maintenance.purge_controller import PurgeController
    from curator.ui.projects.actions import ProjectActions
    from curator.ui.review.session import ReviewSession
    from curator.ui.window.import_actions import ImportActions
    from curator.ui.window.tools import WindowTools


@dataclass(frozen=True)
class MenuHooks:
    """What the menus call back into the window for."""

    dispatch: Callable[[str], None]  # a window binding's action, by name
    label_chosen: Callable[[DecisionAction], None]  # Edit ▸ Label ▸ a colour
    notify: Callable[[str], None]  # a short notice in the status bar
    status: Callable[[str], None]  # a status message that stays (the backup's)
    purged: Callable[[list[int]], None]  # photos moved to the trash
    backup_finished: Callable[[BackupDone], None]
    close: Callable[[], object]  # Quit, and the backup's "ready to quit"


@dataclass(frozen=True)
class MenuParts:
    """The window's parts the menus hold items of."""

    imports: ImportActions
    projects: ProjectActions
    tools: WindowTools
    gallery: GalleryView
    session: ReviewSession
    errors: ErrorReporter
    problems_dock: QDockWidget
    view_toolbar: QToolBar  # the pass's own actions' row (Uncertain / Least sure first)
    purge: PurgeController | None = None
    backup: BackupController | None = None
    client: ClientGalleryParts | None = None  # File ▸ Client Gallery… and its kin


class WindowMenus:
    """The menu bar of `window` (see the module docstring)."""

    def __init__(
        self, window: QMainWindow, parts: MenuParts, hooks: MenuHooks, settings: Settings
    ) -> None:
        bar = window.menuBar()
        self.file = bar.addMenu("&File")
        parts.imports.build_menu(self.file)
        self.file.addSeparator()
        export_anchor = self.file.addSeparator()  # File ▸ Export… goes above it
        self.backup_action: QAction | None = None
        if parts.backup is not None:
            self.backup_action = self._backup_item(parts.backup, hooks)
        settings_action = self.file.addAction("&Settings…")
        settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        settings_action.triggered.connect(parts.tools.open_settings)
        keymap_action = self.file.addAction("&Keyboard Shortcuts…")
        keymap_action.triggered.connect(parts.tools.open_keymap)
        self.file.addSeparator()
        quit_action = self.file.addAction("&Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(hooks.close)
        self.edit = bar.addMenu("&Edit")
        self.view = bar.addMenu("&View")
        self.cull = bar.addMenu("&Cull")  # Propose…, Accept the Rest: ui.cull.menu fills it
        parts.projects.build_menu(bar)
        self.help = bar.addMenu("&Help")
        self.actions = self._binding_actions(window, export_anchor, hooks.dispatch)
        self.client: ClientGalleryActions | None = None
        if parts.client is not None and parts.backup is not None:  # after File ▸ Export…
            backup, gallery = parts.backup, parts.gallery
            place = CatalogPlace(
                backup.source_url or str(backup.catalog_path), backup.catalog_path.parent
            )
            self.client = ClientGalleryActions(
                window,
                parts.client,
                place,
                lambda: grid_selection(gallery),
                settings=parts.tools.hooks.settings,
                errors=parts.errors,
            )
            self.file.insertActions(export_anchor, self.client.actions)
        self.grid_decisions = GridDecisions(
            parts.gallery, parts.session, parts.errors, hooks.notify
        )
        self.edit.addSeparator()
        self.label_menu = build_label_menu(self.edit, hooks.label_chosen)
        parts.tools.add_actions(self.actions)
        parts.tools.add_actions(self.grid_decisions.actions)
        parts.view_toolbar.addAction(self.actions["uncertain_first"])
        parts.view_toolbar.addAction(self.actions["least_sure_first"])  # cull for me
        parts.tools.apply_keys(settings.key_overrides)
        self.purge: PurgeAction | None = None
        if parts.purge is not None:  # Edit ▸ Move Rejected to Trash…
            self.purge = PurgeAction(window, parts.purge, parts.errors, hooks.notify)
            self.purge.deleted.connect(hooks.purged)
            self.edit.addSeparator()
            self.edit.addAction(self.purge.action)
        self.view.addSeparator()
        self.problems_action = parts.problems_dock.toggleViewAction()
        self.problems_action.setText("&Problems (failed photos, error log)")
        self.view.addAction(self.problems_action)

    def _binding_actions(
        self, window: QMainWindow, export_anchor: QAction, dispatch: Callable[[str], None]
    ) -> dict[str, QAction]:
        """One action per window binding, in the menu its action belongs to."""
        menus: dict[str, QMenu] = {
            "undo": self.edit,
            "redo": self.edit,
            "grid": self.view,
            "loupe": self.view,
            "survey": self.view,
            "help": self.help,
            "search": self.edit,
            "tags": self.view,
            "people": self.view,
            **{name: self.view for name in TOOL_ACTIONS},
        }
        actions: dict[str, QAction] = {}
        for binding in WINDOW_BINDINGS:
            if binding.action == "duplicates":
                continue  # its item is its room's (ui.duplicates.slot)
            action = QAction(binding.cull.capitalize(), window)
            action.setShortcuts([QKeySequence(k) for k in binding.keys])
            action.triggered.connect(lambda _=False, name=binding.action: dispatch(name))
            if binding.action == "export":
                action.setText("&Export…")
                self.file.insertAction(export_anchor, action)
            elif binding.action == "search":
                action.setText("&Find…")
                self.edit.addAction(action)
            elif binding.action == "tags":
                action.setText("&Tags (tag cloud)")
                self.view.addAction(action)
            elif binding.action == "people":
                action.setText("&People (a face per person)")
                self.view.addAction(action)
            else:
                menus[binding.action].addAction(action)
            actions[binding.action] = action
        return actions

    def _backup_item(self, backup: BackupController, hooks: MenuHooks) -> QAction:
        """File ▸ Back Up Catalog Now, and the backup's news to the status bar."""
        action = self.file.addAction("&Back Up Catalog Now")
        action.triggered.connect(backup.back_up_now)
        backup.started.connect(hooks.status)
        backup.progressed.connect(hooks.status)
        backup.finished.connect(hooks.backup_finished)
        backup.quit_ready.connect(hooks.close)
        return action
