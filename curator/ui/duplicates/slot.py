"""View ▸ Duplicates (Shift+D) in the main window: the menu item, and the review
(`ui.duplicates.review`) made at its first opening, wired to the window's
parts: the review session (its step queue runs the writes; an undo or a
decision elsewhere reaches the review through it), the preview and
thumbnail loaders, the reads pool and the window's own undo (Ctrl+Z in the
review is the window's). One review at a time: opening it again raises it
and reads the groups anew; the window's close ends its work."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QStatusBar, QWidget

from curator.ui.review.keymap import WINDOW_BINDINGS

if TYPE_CHECKING:
    from curator.ui.common.guard import ErrorReporter
    from curator.ui.common.image_loader import ImageLoader
    from curator.ui.common.pools import UiPools
    from curator.ui.duplicates.review import DuplicatesReview
    from curator.ui.review.session import ReviewSession

SHORTCUT = next(b.keys[0] for b in WINDOW_BINDINGS if b.action == "duplicates")
MENU_TEXT = "&Duplicates (the same picture stored twice)…"


class HasViewMenu(Protocol):
    @property
    def view(self) -> QMenu: ...


class DuplicatesHost(Protocol):
    """The window's parts the review stands on (the main window)."""

    @property
    def session(self) -> ReviewSession: ...
    @property
    def errors(self) -> ErrorReporter: ...
    @property
    def thumbnails(self) -> ImageLoader: ...
    @property
    def pools(self) -> UiPools: ...
    @property
    def menus(self) -> HasViewMenu: ...
    @property
    def closed(self) -> SignalInstance: ...
    @property
    def window_actions(self) -> dict[str, QAction]: ...
    def dispatch(self, action: str) -> None: ...
    def statusBar(self) -> QStatusBar: ...
    def window(self) -> QWidget: ...


class DuplicatesSlot:
    def __init__(self, host: DuplicatesHost, previews: ImageLoader) -> None:
        """The item goes in View, after People."""
        self.window, self.host, self.previews = host.window(), host, previews
        self.built: DuplicatesReview | None = None
        self.action = QAction(MENU_TEXT, self.window)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setToolTip("Review the near-duplicates one group at a time, side by side")
        self.action.triggered.connect(lambda _=False: self.open())
        self.window.addAction(self.action)  # the shortcut works on every page
        menu, after = host.menus.view, host.window_actions.get("people")
        listed = menu.actions()
        at = listed.index(after) + 1 if after in listed else len(listed)
        if at < len(listed):
            menu.insertAction(listed[at], self.action)
        else:
            menu.addAction(self.action)

    def open(self) -> DuplicatesReview:
        """Show the review (made now if it never was) on the groups as stored now."""
        review = self.built if self.built is not None else self._build()
        review.start()
        review.show()
        review.raise_()
        review.activateWindow()
        review.view.setFocus()
        return review

    def _build(self) -> DuplicatesReview:
        from curator.ui.duplicates.review import DuplicatesReview
        from curator.ui.duplicates.work import DuplicatesWork

        host = self.host
        session = host.session
        work = DuplicatesWork(host.pools.choices, host.errors, session.steps, self.window)
        host.closed.connect(work.shutdown)  # before the pools drain: nothing more starts
        undo: Callable[[], None] = lambda: host.dispatch("undo")  # noqa: E731
        self.built = DuplicatesReview(
            work, session, self.previews, host.thumbnails, host.errors, undo, self.window
        )
        return self.built
