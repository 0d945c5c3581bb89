"""`InputGate`: the user's input while the catalog opens.

app.py shows the window before it opens the catalog (issue 21 §1: the first
paint needs no catalog, so peewee and the models are imported after it) and
opens it on the event loop's first turn. A key can reach the window before
that only when something turns the event loop first (a nested loop, a test
pressing keys); a decision, an undo or an import then would act on a catalog
that is not open. Until `release()` the gate drops every key press, shortcut,
click and drop, and counts them; app.py says on the status line how many were
ignored, so nothing is acted on half-built and nothing is dropped silently.

Invariants: the gate filters the whole application (the window is the only
one before the catalog opens) and is released before anything else is shown
(the fatal box of a catalog that does not open); `release()` is idempotent.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject

# What a person does; a key's release, the shortcut check and a move follow a
# press and are dropped with it. Only presses are counted.
_PRESSES = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.Shortcut,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Drop,
    }
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


class InputGate(QObject):
    """Drops the user's input until `release()`; `ignored` counts the presses."""

    def __init__(self) -> None:
        super().__init__()
        self.ignored = 0
        self._app = QCoreApplication.instance()
        if self._app is not None:
            self._app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _PRESSES:
            self.ignored += 1
            return True
        return kind in _FOLLOWERS

    def release(self) -> int:
        """Let input through again; how many presses were ignored."""
        if self._app is not None:
            self._app.removeEventFilter(self)
            self._app = None
        return self.ignored
