"""`ProblemsSlot`: the Problems dock (View ▸ Problems), its panel built when first shown.

The dock is made at once (View ▸ Problems and a remembered layout work); the
panel (`ui.maintenance.problems_view`) is built the first time the dock
shows, or by `panel()`. At most one panel is built; `refresh` touches only a
built one (it reads the catalog when built).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QDockWidget, QMainWindow

from curator.ui.common.guard import ErrorReporter, guarded_slot

if TYPE_CHECKING:  # loads with the panel, when the dock first shows
    from curator.ui.maintenance.problems_view import ProblemsPanel


class ProblemsSlot(QObject):
    def __init__(
        self, window: QMainWindow, retry: Callable[[list[int]], None], errors: ErrorReporter
    ) -> None:
        super().__init__(window)
        self.errors = errors  # guarded_slot reports here
        self._retry = retry
        self.built: ProblemsPanel | None = None
        self.dock = QDockWidget("Problems", window)
        self.dock.setObjectName("problems_dock")
        self.dock.setAllowedAreas(
            Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
        )
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        window.resizeDocks([self.dock], [200], Qt.Orientation.Vertical)
        self.dock.hide()
        self.dock.visibilityChanged.connect(self._on_visibility_changed)

    def panel(self) -> ProblemsPanel:
        """The panel, built now if it was not yet."""
        if self.built is None:
            from curator.ui.maintenance.problems_view import ProblemsPanel

            self.built = ProblemsPanel(self.dock)
            self.built.retry_requested.connect(self._retry)
            self.dock.setWidget(self.built)
        return self.built

    def refresh(self) -> None:
        """A run finished: a built panel reloads, now when on screen, else when shown."""
        if self.built is not None:
            self.built.refresh_when_shown()

    @Slot(bool)
    @guarded_slot
    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            self.panel()
