"""`PRESSES`: the Qt events that are a person doing something (a key, a shortcut,
a click, a drop), which the window's input guards drop while it cannot act
(`ui.window.opening`, `ui.maintenance.catalog_switch`), each with its own
followers.
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
