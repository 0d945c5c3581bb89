"""The window's Cull menu (ui.cull.menu) wired to the window's parts: the
project the gallery shows and the recent folders as the scopes it offers,
the status bar for its sentences, the gallery re-read in place after a
proposal, and the review session told of an accept (one undo step, one
retrain poke)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMenu, QStatusBar, QWidget

from curator.ui.common.guard import ErrorReporter
from curator.ui.cull.menu import CullHooks, CullMenu

if TYPE_CHECKING:
    from PySide6.QtCore import QThreadPool

    from curator.ui.gallery.filter_bar import GalleryFilterBar
    from curator.ui.gallery.model import GalleryListModel
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

    def project(self) -> tuple[int, str] | None:
        shown = self.projects.summary(self.filter_bar.project_id)
        return None if shown is None else (shown.id, shown.name)

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
        steps=session.steps,
    )
    return CullMenu(menu, threads, parts.errors, hooks, window)
