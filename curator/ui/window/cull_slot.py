"""The window's Cull menu (ui.cull.menu) wired to the window's parts: the
grid's selection, the project it shows, its query, every project and the
recent folders and a watched folder's session as the scopes it offers,
the `shoot_kind` setting as the dialog's first kind of shoot, the status
bar for its sentences, the gallery re-read in place after a
proposal, and the review session told of an accept (one undo step, one
retrain poke)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMenu, QStatusBar, QWidget

from curator.ui.common.guard import ErrorReporter
from curator.ui.cull.menu import CullHooks, CullMenu
from curator.ui.gallery.grid_decisions import selected_ids

if TYPE_CHECKING:
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QAbstractItemView

    from curator.catalog.types import GalleryQuery
    from curator.ui.gallery.filter_bar import GalleryFilterBar
    from curator.ui.gallery.model import GalleryListModel
    from curator.ui.ingest.watch import WindowWatch
    from curator.ui.projects.service import ProjectService
    from curator.ui.review.session import ReviewSession
    from curator.ui.window.loupe_slot import LoupeSlot
    from curator.ui.window.recent_folders import RecentFolders

SENTENCE_MS = 10_000


@dataclass(frozen=True)
class CullParts:
    """The window's parts the Cull menu's hooks act on."""

    errors: ErrorReporter
    model: GalleryListModel
    loupe: LoupeSlot
    session: ReviewSession
    projects: ProjectService
    filter_bar: GalleryFilterBar
    recent: RecentFolders
    status: QStatusBar
    gallery: QAbstractItemView | None = None  # the grid: its selection is a scope
    shoot_kind: Callable[[], str | None] = lambda: None  # the setting as it is now
    watch: WindowWatch | None = None  # File ▸ Watch Folder…: its session is a scope

    def project(self) -> tuple[int, str] | None:
        shown = self.projects.summary(self.filter_bar.project_id)
        return None if shown is None else (shown.id, shown.name)

    def all_projects(self) -> list[tuple[int, str]]:
        return [(p.id, p.name) for p in self.projects.projects]

    def grid_query(self) -> GalleryQuery:
        return self.model.query

    def selection(self) -> list[int]:
        """The grid's selected photos (none without a selection: not its current one)."""
        view = self.gallery
        chosen = None if view is None else view.selectionModel()
        return selected_ids(view) if view is not None and chosen and chosen.hasSelection() else []

    def notify(self, text: str) -> None:
        self.status.showMessage(text, SENTENCE_MS)

    def proposals_changed(self) -> None:
        """New proposals: every tile may show one, or lose one (rows re-read in
        place). Called from CullMenu's guarded slot."""
        self.model.refresh_scores()
        self.loupe.invalidate(self.session.order)


def cull_menu(menu: QMenu, threads: QThreadPool, parts: CullParts, window: QWidget) -> CullMenu:
    """Fill the window's Cull menu (WindowMenus made it, empty)."""
    session = parts.session
    hooks = CullHooks(
        project=parts.project,
        folders=parts.recent.existing,
        notify=parts.notify,
        proposals_changed=parts.proposals_changed,
        decided=session.decided_in_one_step,
        read_only=lambda: session.read_only,
        projects=parts.all_projects,
        grid_query=parts.grid_query,
        selection=parts.selection,
        steps=session.steps,
        shoot_kind=parts.shoot_kind,
        watch=parts.watch.scope if parts.watch is not None else lambda: None,
        watch_grouped=parts.watch.grouped if parts.watch is not None else None,
    )
    return CullMenu(menu, threads, parts.errors, hooks, window)
