"""`TasteMenu`: View ▸ Taste — whose decisions the taste model learns from and the
MATCH scores show: everyone's, this seat's photographer's, or another's
(catalog.taste.choice). Picking emits `picked` with the `taste` setting's new
value ("", "mine", or a login name); app.py saves and applies it. The
photographers are read when the menu opens (one small query).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from curator.ui.common.guard import ErrorReporter, guarded_slot


class TasteMenu(QObject):
    picked = Signal(str)  # the `taste` setting's new value

    def __init__(
        self,
        view_menu: QMenu,
        current: Callable[[], str],
        errors: ErrorReporter,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.errors, self._current = errors, current
        self.menu = view_menu.addMenu("&Taste")
        self.menu.setToolTipsVisible(True)
        self.menu.aboutToShow.connect(self.fill)
        self._group = QActionGroup(self.menu)

    @Slot()
    @guarded_slot
    def fill(self) -> None:
        """The items, the current one checked (on every opening: seats come and go)."""
        from curator.catalog.backends.seat import current_seat
        from curator.catalog.taste.choice import MINE
        from curator.catalog.taste.store import photographers

        me = current_seat().user
        self.menu.clear()
        self._group = QActionGroup(self.menu)
        items = [("", "Everyone's decisions"), (MINE, f"Mine ({me})")]
        items += [(name, f"{name}'s decisions") for name in photographers() if name != me]
        current = self._current().strip()
        for value, text in items:
            action = QAction(text, self.menu)
            action.setCheckable(True)
            action.setChecked(value == current or (value == MINE and current == me))
            action.triggered.connect(lambda _=False, v=value: self.picked.emit(v))
            self._group.addAction(action)
            self.menu.addAction(action)

    def actions(self) -> list[QAction]:
        return list(self.menu.actions())
