"""`LoupeChrome`: Shift+Tab hides (again: shows) the side panel and the
filmstrip, across photos and passes; F makes the window full screen with
everything but the photo hidden, and F, Esc or leaving the loupe restores what
was visible. The window's bars are found, not named.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QToolBar, QWidget


class LoupeChrome(QObject):
    def __init__(self, page: QWidget, panels: list[QWidget]):
        super().__init__(page)
        self.page, self.panels = page, panels
        self.panels_hidden = False
        self.full_screen = False
        self._hidden_by_us: list[QWidget] = []
        self._lent: list[QAction] = []
        self._window_state = Qt.WindowState.WindowNoState
        page.installEventFilter(self)

    def set_panels_hidden(self, hidden: bool) -> None:
        """Hide or show the side panel and filmstrip (Shift+Tab; restored at start)."""
        self.panels_hidden = hidden
        self._apply_panels()

    def toggle_panels(self) -> str:
        self.set_panels_hidden(not self.panels_hidden)
        return "Panels hidden (Shift+Tab shows them)." if self.panels_hidden else "Panels shown."

    def toggle_full_screen(self) -> str:
        if self.full_screen:
            self.leave_full_screen()
            return "Full screen off."
        self.enter_full_screen()
        return "Full screen: F or Esc leaves."

    def enter_full_screen(self) -> None:
        if self.full_screen:
            return
        window = self.page.window()
        self.full_screen = True
        self._window_state = window.windowState()
        bars: list[QWidget] = []
        if isinstance(window, QMainWindow):
            bars += window.findChildren(QToolBar)
            bars += window.findChildren(QDockWidget)
            bars += [window.menuBar(), window.statusBar()]
        self._hidden_by_us = [w for w in bars if w.isVisible()]
        if isinstance(window, QMainWindow):
            # A hidden menu bar takes its shortcuts with it: the window holds them.
            have = set(window.actions())
            self._lent = [a for a in _menu_actions(window.menuBar()) if a not in have]
            window.addActions(self._lent)
        for widget in self._hidden_by_us:
            widget.hide()
        self._apply_panels()
        window.showFullScreen()

    def leave_full_screen(self) -> None:
        if not self.full_screen:
            return
        self.full_screen = False
        window = self.page.window()
        for widget in self._hidden_by_us:
            widget.show()
        self._hidden_by_us = []
        for action in self._lent:
            window.removeAction(action)
        self._lent = []
        self._apply_panels()
        window.setWindowState(self._window_state)

    def _apply_panels(self) -> None:
        hide = self.panels_hidden or self.full_screen
        for panel in self.panels:
            panel.setVisible(not hide)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Only when the page goes, not when the window is minimised (spontaneous).
        hidden = event.type() == QEvent.Type.Hide and not event.spontaneous()
        if watched is self.page and hidden and self.full_screen:
            self.leave_full_screen()
        return False


def _menu_actions(widget: QWidget) -> list[QAction]:
    """Every action with a shortcut in `widget`'s menus, submenus included."""
    out: list[QAction] = []
    for action in widget.actions():
        menu = action.menu()
        if isinstance(menu, QMenu):
            out += _menu_actions(menu)
        elif not action.shortcut().isEmpty():
            out.append(action)
    return out
