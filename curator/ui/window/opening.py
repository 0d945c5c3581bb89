"""`Opening`: the window's first frame, then its catalog.

app.py shows the window before it opens the catalog; `Opening` calls
`open_catalog` once, on the turn after the first paint (or after
`FALLBACK_MS`). Until `release()` (idempotent) it drops and counts every
press application-wide, so nothing acts on a catalog not open and nothing is
dropped silently (app.py says how many).

`LoopQuit` is main's quit: it ends main's event loop and drops a quit still
pending when the loop returns (Qt 6 posts quits as events: a stray one would
end every later event loop of the process).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

from curator.ui.common.presses import PRESSES

FALLBACK_MS = 1000  # no first paint by then (a minimized window): open anyway

# What a person does; a key's release, the shortcut check and a move follow a
# press and are dropped with it. Only presses are counted, and not a modifier's
# (Ctrl+Z is one press).
_MODIFIERS = frozenset(
    {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr}
)
_FOLLOWERS = frozenset(
    {
        QEvent.Type.KeyRelease,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.Wheel,
        QEvent.Type.DragEnter,
        QEvent.Type.DragMove,
    }
)


class Opening(QObject):
    """Open the catalog after `window`'s first paint; drop input until `release()`."""

    def __init__(self, window: QWidget, open_catalog: Callable[[], None]) -> None:
        super().__init__()
        self.ignored = 0  # presses dropped
        self._painted = False
        self._window = window
        self._open_catalog: Callable[[], None] | None = open_catalog
        self._app = QCoreApplication.instance()
        if self._app is not None:
            self._app.installEventFilter(self)
        QTimer.singleShot(FALLBACK_MS, self, self._open)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Paint and watched is self._window and not self._painted:
            self._painted = True
            QTimer.singleShot(0, self, self._open)  # once this frame is out
            return False
        if kind in PRESSES:
            modifier = isinstance(event, QKeyEvent) and event.key() in _MODIFIERS
            self.ignored += 0 if modifier else 1
            return True
        return kind in _FOLLOWERS

    @Slot()
    def _open(self) -> None:
        open_catalog, self._open_catalog = self._open_catalog, None
        if open_catalog is not None:
            open_catalog()

    def release(self) -> int:
        """Let input through again; how many presses were ignored."""
        if self._app is not None:
            self._app.removeEventFilter(self)
            self._app = None
        return self.ignored


class LoopQuit:
    """Main's `quit`: ends the loop `exec` runs; a call after it returned is ignored."""

    def __init__(self, app: QCoreApplication) -> None:
        self._app, self.running = app, False

    def __call__(self) -> None:
        if self.running:
            self._app.quit()

    def exec(self) -> int:
        """The application's event loop, until quit or exit; its exit code."""
        self.running = True
        try:
            return int(self._app.exec())
        finally:
            self.running = False
            # A second quit posted as the loop ended is dropped with the loop it was for.
            QCoreApplication.removePostedEvents(self._app, QEvent.Type.Quit)
