"""`HelpOverlay`: the translucent sheet over the window that lists every key
(the keymap's rows with the user's overrides, and its notes); any key or click
closes it and gives the focus back. It lives with the key table because the
window makes it before the loupe's modules load. Text is never clipped: the
font shrinks until every cell fits (`help_layout`, down to `HELP_MIN_PIXELS`).
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontInfo,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import QWidget

from curator.ui.review.keymap import HELP_NOTES, help_rows


def help_line_height(height: int) -> int:
    """The help overlay's line in a `height`-pixel window: 24 px, tighter when the
    window is too short for every row and note; under 17 px the text shrinks too."""
    lines = len(help_rows()) + 1 + 3 + 2 * len(HELP_NOTES)
    return max(11, min(24, (height - 40) // lines))


HELP_MIN_PIXELS = 9  # the help's text never gets smaller than this


def help_layout(
    font: QFont, rows: list[tuple[str, str, str]], width: int
) -> tuple[QFont, tuple[int, int, int]]:
    """The body font and the three columns' widths (key, cull pass, rating pass)
    in which every cell of `rows` shows whole: key and rating as wide as their
    longest text (rating at most 40 %), the cull pass the rest; the font shrinks
    a pixel at a time (to `HELP_MIN_PIXELS`) until everything fits."""
    body = QFont(font)
    if body.pixelSize() <= 0:
        body.setPixelSize(QFontInfo(body).pixelSize())
    while True:
        bold = QFont(body)
        bold.setBold(True)
        key = _column_width(body, bold, rows, 0)
        rating = min(_column_width(body, bold, rows, 2), int(width * 0.4))
        cull = width - key - rating
        fits = cull >= _column_width(body, bold, rows, 1) and rating >= _column_width(
            body, bold, rows, 2
        )
        if fits or body.pixelSize() <= HELP_MIN_PIXELS:
            return body, (key, cull, rating)
        body.setPixelSize(body.pixelSize() - 1)


def _column_width(body: QFont, bold: QFont, rows: list[tuple[str, str, str]], column: int) -> int:
    """The widest text of `column` (the heading row in bold), plus the gap."""
    heading = QFontMetrics(bold).horizontalAdvance(rows[0][column])
    plain = QFontMetrics(body)
    return max([heading, *(plain.horizontalAdvance(r[column]) for r in rows[1:])]) + 16


class HelpOverlay(QWidget):
    """A translucent sheet over the window listing every key; any key or click closes it."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._return_focus: QWidget | None = None
        self.overrides: dict[str, str] = {}  # remapped keys (Settings.key_overrides)
        self.hide()

    def toggle(self) -> None:
        if self.isVisible():
            self.close_overlay()
            return
        self._return_focus = self.window().focusWidget()
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self.setFocus()

    def close_overlay(self) -> None:
        """Hide, giving the focus back to where it was (the loupe, usually)."""
        self.hide()
        target, self._return_focus = self._return_focus, None
        if target is not None and target is not self:
            with contextlib.suppress(RuntimeError):  # the widget may be gone by now
                target.setFocus()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # every key comes to keyPressEvent (and closes), none is a shortcut
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.close_overlay()
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.close_overlay()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 215))
        rows = [("Key", "Cull pass", "Rating pass"), *help_rows(self.overrides)]
        lines = len(rows) + 3 + 2 * len(HELP_NOTES)
        line = help_line_height(self.height())
        width = min(self.width() - 40, 1200)
        left = (self.width() - width) // 2
        top = max(20, (self.height() - line * lines) // 2)
        title = QFont(painter.font())
        title.setPointSizeF(title.pointSizeF() * 1.4)
        title.setBold(True)
        painter.setFont(title)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(
            QRect(left, top, width, line + 8), int(Qt.AlignmentFlag.AlignLeft), "Keyboard"
        )
        body = QFont(painter.font())
        body.setPointSizeF(title.pointSizeF() / 1.4)
        body.setPixelSize(max(HELP_MIN_PIXELS, min(QFontInfo(body).pixelSize(), line - 4)))
        body, widths = help_layout(body, rows, width)
        for i, cells in enumerate(rows):
            body.setBold(i == 0)
            painter.setFont(body)
            painter.setPen(QColor(240, 190, 60) if i == 0 else QColor(230, 230, 230))
            y = top + (i + 1) * line + 12
            x = left
            for text, w in zip(cells, widths, strict=True):
                painter.drawText(
                    QRect(x, y, w - 8, line),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    text,
                )
                x += w
        painter.setPen(QColor(200, 200, 200))
        body.setBold(False)
        body.setItalic(True)
        painter.setFont(body)
        y = top + (len(rows) + 1) * line + 20
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
        for note in HELP_NOTES:
            box = painter.boundingRect(QRect(left, y, width, 10 * line), flags, note)
            painter.drawText(box, flags, note)
            y = box.bottom() + 6
