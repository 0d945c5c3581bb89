"""The window's dark palette: dark greys and a muted blue highlight, as the
culling views photographers know are, so a photo's colours read true beside it.

Given to the whole application by app.main; tests that grab a widget on its
own give it the same palette so screenshots look as in the window.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette


def dark_palette() -> QPalette:
    """The application's palette: dark greys, a muted blue highlight."""
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: QColor(37, 37, 38),
        QPalette.ColorRole.WindowText: QColor(220, 220, 220),
        QPalette.ColorRole.Base: QColor(30, 30, 30),
        QPalette.ColorRole.AlternateBase: QColor(45, 45, 45),
        QPalette.ColorRole.Text: QColor(220, 220, 220),
        QPalette.ColorRole.Button: QColor(50, 50, 52),
        QPalette.ColorRole.ButtonText: QColor(220, 220, 220),
        QPalette.ColorRole.Highlight: QColor(70, 100, 150),
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.ToolTipBase: QColor(50, 50, 52),
        QPalette.ColorRole.ToolTipText: QColor(230, 230, 230),
    }
    for role, colour in colours.items():
        palette.setColor(role, colour)
    return palette
