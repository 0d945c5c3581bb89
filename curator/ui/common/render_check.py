"""Offscreen drawing for `curator --self-test`: proves Qt's image plugins and
painter work without a display. `gui_application()` must run before anything
creates a plain QCoreApplication (a process gets one application object).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter


def gui_application() -> QCoreApplication:
    """The process's application, created offscreen when there is none yet."""
    existing = QCoreApplication.instance()
    if existing is not None:
        return existing
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QGuiApplication(sys.argv[:1])


def render_thumbnail(path: Path, edge: int = 160) -> tuple[int, int]:
    """Load `path` with Qt, paint it scaled into an image; its (width, height).
    Raises ValueError when Qt can't read the file or the painted image is blank."""
    image = QImage(str(path))
    if image.isNull():
        raise ValueError(f"Qt could not read the thumbnail {path}")
    scaled = image.scaled(edge, edge, Qt.AspectRatioMode.KeepAspectRatio)
    canvas = QImage(scaled.size(), QImage.Format.Format_RGB32)
    canvas.fill(0)
    painter = QPainter(canvas)
    try:
        painter.drawImage(0, 0, scaled)
    finally:
        painter.end()
    x, y = canvas.width() // 2, canvas.height() // 2
    if canvas.pixelColor(x, y).rgb() != scaled.pixelColor(x, y).rgb():
        raise ValueError("the painter did not draw the thumbnail")
    return canvas.width(), canvas.height()
