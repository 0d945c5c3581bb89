"""The main window's size and layout. `fit_to(available, wanted)`: the wanted
size shrunk to the screen (minus a margin), centred. `WindowState` keeps the
geometry, which docks show, named splitters' sizes and named flags in an INI
file in the app's config folder (not `saveState()`: the toolbars show and hide
by what they hold).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QSplitter, QWidget

WANTED = QSize(1280, 820)
SCREEN_MARGIN = 24  # px left free around a fitted window (taskbars, shadows)
FILENAME = "window.ini"


def fit_to(available: QRect, wanted: QSize = WANTED) -> QRect:
    """`wanted`, no larger than `available` less the margin, centred in it."""
    width = max(320, min(wanted.width(), available.width() - 2 * SCREEN_MARGIN))
    height = max(240, min(wanted.height(), available.height() - 2 * SCREEN_MARGIN))
    rect = QRect(0, 0, width, height)
    rect.moveCenter(available.center())
    return rect


def available_area(window: QMainWindow) -> QRect:
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 768)


class WindowState:
    """Remembers one main window's geometry and dock/toolbar layout."""

    def __init__(self, config_dir: Path) -> None:
        self.file = Path(config_dir) / FILENAME

    def _store(self) -> QSettings:
        return QSettings(str(self.file), QSettings.Format.IniFormat)

    def restore(self, window: QMainWindow) -> bool:
        """Put the window where it was; else fit it to its screen. True if restored."""
        store = self._store()
        geometry = store.value("geometry")
        restored = False
        if isinstance(geometry, QByteArray) and window.restoreGeometry(geometry):
            restored = self._on_a_screen(window)
        if not restored:
            window.setGeometry(fit_to(available_area(window)))
        for dock in window.findChildren(QDockWidget):
            shown = store.value(f"docks/{dock.objectName()}")
            if dock.objectName() and shown is not None:
                dock.setVisible(str(shown).lower() == "true")
        self.restore_splitters(window)
        return restored

    def restore_splitters(self, widget: QWidget) -> None:
        """Every named splitter in `widget` as it was (also for a page built later)."""
        store = self._store()
        for splitter in widget.findChildren(QSplitter):
            sizes = store.value(f"splitters/{splitter.objectName()}")
            if splitter.objectName() and isinstance(sizes, QByteArray):
                splitter.restoreState(sizes)

    def flag(self, name: str) -> bool | None:
        """A remembered on/off (None: never saved)."""
        value = self._store().value(f"flags/{name}")
        return None if value is None else str(value).lower() == "true"

    def set_flag(self, name: str, value: bool) -> None:
        store = self._store()
        store.setValue(f"flags/{name}", value)
        store.sync()

    def save(self, window: QMainWindow) -> None:
        store = self._store()
        store.setValue("geometry", window.saveGeometry())
        for dock in window.findChildren(QDockWidget):
            if dock.objectName():
                store.setValue(f"docks/{dock.objectName()}", not dock.isHidden())
        for splitter in window.findChildren(QSplitter):
            if splitter.objectName():
                store.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
        store.sync()

    @staticmethod
    def _on_a_screen(window: QMainWindow) -> bool:
        """Enough of the window on some screen to grab it (not on an unplugged one)."""
        frame = window.geometry()
        for screen in QGuiApplication.screens():
            overlap = screen.availableGeometry().intersected(frame)
            if overlap.width() >= 100 and overlap.height() >= 50:
                return True
        return False
