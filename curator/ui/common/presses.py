"""`PRESSES`: the Qt events that are a person doing something (a key, a
shortcut, a click, a drop). The window's input guards drop them while the
window cannot act on them — the catalog's first open (`ui.window.opening`),
a catalog switch (`ui.maintenance.catalog_switch`) — each with its own set
of followers (a press's release and shortcut check), which differ: a switch
lets the wheel through, so the grid still scrolls.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent

PRESSES = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.Shortcut,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Drop,
    }
)

__all__ = ["PRESSES"]
