"""`LoupeSlot`: the main window's loupe page, built after the first paint (by a
0-ms timer after `first_paint`), or at once by `page()` when needed sooner.
At most one page is built; a late page shows where the session already is
(`LoupePage.follow_session`) with the key overrides and remembered layout;
before it exists nothing is sent to it and nothing about it is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QStackedWidget

from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.common.image_loader import ImageLoader
from curator.ui.common.pools import UiPools
from curator.ui.review.session import ReviewSession
from curator.ui.window.state import WindowState

if TYPE_CHECKING:  # loads with the page, after the first paint
    from curator.ui.loupe.page import LoupePage

LOUPE_PANELS_HIDDEN = "loupe/panels_hidden"  # Shift+Tab, remembered between runs


@dataclass(frozen=True)
class LoupeParts:
    """What the page is made from and who hears it (the window's services and slots)."""

    session: ReviewSession
    previews: ImageLoader
    thumbnails: ImageLoader
    errors: ErrorReporter
    pools: UiPools
    match_threshold: Callable[[], float]  # the live one (the gallery model's) when built
    add_actions: Callable[[Mapping[str, QAction]], None]  # keys that follow the overrides
    tags_changed: Callable[[int], None]
    project_requested: Callable[[str], None]
    like_requested: Callable[[int], None]
    window_state: WindowState | None


class LoupeSlot(QObject):
    def __init__(self, stack: QStackedWidget, parts: LoupeParts) -> None:
        super().__init__(stack)
        self._stack, self._parts = stack, parts
        self.errors = parts.errors  # guarded_slot reports here
        self.built: LoupePage | None = None
        self._scheduled = False

    def page(self) -> LoupePage:
        """The page, built now if it was not yet."""
        if self.built is None:
            self.built = self._build()
        return self.built

    def showing(self) -> bool:
        return self.built is not None and self._stack.currentWidget() is self.built

    def first_paint(self) -> None:
        """The window painted: build the page once that frame is out (schedules once)."""
        if not self._scheduled:
            self._scheduled = True
            QTimer.singleShot(0, self, self._build_after_paint)

    def invalidate(self, ids: list[int]) -> None:
        """An import rewrote these rows: the page re-reads them (if it exists)."""
        if self.built is not None:
            self.built.rows_rewritten(ids)

    def save_state(self) -> None:
        """The hidden panels, remembered (only when the page was built this run)."""
        state = self._parts.window_state
        if self.built is not None and state is not None:
            state.set_flag(LOUPE_PANELS_HIDDEN, self.built.chrome.panels_hidden)

    @Slot()
    @guarded_slot
    def _build_after_paint(self) -> None:
        if self._stack.window().isVisible():  # not while closing or closed
            self.page()

    def _build(self) -> LoupePage:
        from curator.ui.loupe.page import LoupePage

        p = self._parts
        page = LoupePage(
            p.session,
            p.previews,
            p.thumbnails,
            p.errors,
            self._stack,
            originals_pool=p.pools.originals,
            renditions_pool=p.pools.renditions,
            analysis_pool=p.pools.analysis,
            rows_pool=p.pools.rows,
            match_threshold=p.match_threshold(),
        )
        page.tags_changed.connect(p.tags_changed)
        page.project_requested.connect(p.project_requested)
        page.like_requested.connect(p.like_requested)
        self._stack.addWidget(page)
        p.add_actions(page.actions_by_name)
        if p.window_state is not None:
            p.window_state.restore_splitters(page)  # the side panel's width
            if p.window_state.flag(LOUPE_PANELS_HIDDEN):
                page.chrome.set_panels_hidden(True)
        if p.session.started:
            page.follow_session()
        return page
