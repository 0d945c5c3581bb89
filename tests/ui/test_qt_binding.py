"""Guards against a broken Qt binding: PySide6 6.12.0 decrements None's refcount
on each call of a void method, which aborts a long GUI session on Python 3.11."""

from __future__ import annotations

import sys

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from pytestqt.qtbot import QtBot


def test_painting_does_not_leak_references_to_none(qtbot: QtBot) -> None:
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    image.fill(QColor(10, 20, 30))
    pixmap = QPixmap.fromImage(image)
    target = QImage(128, 128, QImage.Format.Format_RGB32)
    painter = QPainter(target)
    try:
        before = sys.getrefcount(None)
        for _ in range(200):
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawPixmap(QRectF(0, 0, 32, 32), pixmap, QRectF(0, 0, 64, 64))
            painter.restore()
        after = sys.getrefcount(None)
    finally:
        painter.end()
    # Other threads may hold a few transient references; a leak is one per call.
    assert after - before > -50, f"None lost {before - after} references in 800 calls"
