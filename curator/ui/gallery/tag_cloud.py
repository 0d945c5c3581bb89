"""`TagCloudView`: the tags of the photos the gallery shows, drawn as a cloud.

Each tag is one word sized by its count (log scale), most used first; the
describer's italic and blue, yours upright; one the filter requires has a
badge, one it excludes is struck through. A click emits `tag_clicked(name,
mode)`: "only", "add" (Ctrl) or "exclude" (Alt). Painted by hand; invariant:
`word_rects` holds exactly the words painted, so a click finds the word drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

if TYPE_CHECKING:  # the catalog loads after the first paint
    from curator.catalog.tagging.counts import TagCount

SMALLEST_PX, LARGEST_PX = 11, 26  # the word sizes of the least and the most used tag
GAP_X, GAP_Y, MARGIN = 12, 6, 8
YOURS, DESCRIBERS = QColor("#ececec"), QColor("#8fb8e0")
REQUIRED_FILL, EXCLUDED = QColor("#3d6ea8"), QColor("#e0705a")


def count_text(tag: TagCount) -> str:
    """The tooltip: "sea — 1,234 photos (describer 1,200 · you 34)"."""
    parts = [
        f"{label} {n:,}"
        for label, n in (("you", tag.you), ("describer", tag.describer), ("imported", tag.imported))
        if n
    ]
    photos = "photo" if tag.count == 1 else "photos"
    return f"{tag.name} — {tag.count:,} {photos} ({' · '.join(parts)})"


class TagCloudView(QWidget):
    tag_clicked = Signal(str, str)  # name, "only" | "add" | "exclude"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.tags: tuple[TagCount, ...] = ()
        self.required: frozenset[str] = frozenset()
        self.excluded: frozenset[str] = frozenset()
        self.word_rects: list[tuple[QRect, TagCount]] = []
        self._fonts: dict[tuple[int, bool], QFont] = {}
        self._metrics: dict[tuple[int, bool], QFontMetrics] = {}
        self._laid_out_width = -1
        self._top = 1  # the most used tag's count: the largest size

    def set_tags(self, tags: Sequence[TagCount]) -> None:
        """The words to show, in the order given (the most used first)."""
        self.tags = tuple(tags)
        self._top = max((t.count for t in self.tags), default=1)
        self._relayout()

    def set_filter(self, required: Sequence[str], excluded: Sequence[str]) -> None:
        """The tags the gallery's filter requires and excludes (drawn marked)."""
        self.required, self.excluded = frozenset(required), frozenset(excluded)
        self.update()

    def word_rect(self, name: str) -> QRect | None:
        """Where the word `name` is drawn (tests click there), or None."""
        return next((rect for rect, tag in self.word_rects if tag.name == name), None)

    def tag_at(self, pos: QPoint) -> TagCount | None:
        return next((tag for rect, tag in self.word_rects if rect.contains(pos)), None)

    def is_yours(self, name: str) -> bool | None:
        """Whether the word is drawn as yours (None: not shown)."""
        tag = next((t for _, t in self.word_rects if t.name == name), None)
        return None if tag is None else tag.mostly_yours

    def font_px(self, name: str) -> int | None:
        """The word's size in pixels as drawn (None: not shown)."""
        tag = next((t for _, t in self.word_rects if t.name == name), None)
        return None if tag is None else self._size_of(tag)

    # --- layout ------------------------------------------------------------------

    def _size_of(self, tag: TagCount) -> int:
        top = self._top
        if top <= 1:
            return SMALLEST_PX
        weight = math.log(max(tag.count, 1)) / math.log(top)
        return round(SMALLEST_PX + (LARGEST_PX - SMALLEST_PX) * weight)

    def _font(self, px: int, italic: bool) -> QFont:
        font = self._fonts.get((px, italic))
        if font is None:
            font = QFont(self.font())
            font.setPixelSize(px)
            font.setItalic(italic)
            self._fonts[(px, italic)] = font
        return font

    def _relayout(self) -> None:
        """Flow the words left to right, wrapping at the width; the height follows."""
        width = max(self.width(), 120)
        self._laid_out_width = width
        rects: list[tuple[QRect, TagCount]] = []
        x, y, line_height = MARGIN, MARGIN, 0
        line: list[tuple[QRect, TagCount]] = []
        for tag in self.tags:
            key = (self._size_of(tag), not tag.mostly_yours)
            metrics = self._metrics.get(key)
            if metrics is None:  # one per size and style: 300 words, a dozen sizes
                metrics = self._metrics[key] = QFontMetrics(self._font(*key))
            w, h = metrics.horizontalAdvance(tag.name) + 8, metrics.height() + 2
            if x + w > width - MARGIN and line:
                rects += _baseline(line, y, line_height)
                x, y, line_height, line = MARGIN, y + line_height + GAP_Y, 0, []
            line.append((QRect(x, 0, w, h), tag))
            x += w + GAP_X
            line_height = max(line_height, h)
        if line:
            rects += _baseline(line, y, line_height)
            y += line_height
        self.word_rects = rects
        self.setMinimumHeight(y + MARGIN)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(280, self.minimumHeight())

    def resizeEvent(self, event: object) -> None:
        if self.width() != self._laid_out_width:
            self._relayout()

    # --- painting and the pointer -----------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        clip = event.rect()
        for rect, tag in self.word_rects:
            if not rect.intersects(clip):
                continue
            font = self._font(self._size_of(tag), not tag.mostly_yours)
            if tag.name in self.required:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(REQUIRED_FILL)
                painter.drawRoundedRect(rect, 4, 4)
            if tag.name in self.excluded:
                font = QFont(font)
                font.setStrikeOut(True)
                painter.setPen(EXCLUDED)
            elif tag.name in self.required:
                painter.setPen(QColor("white"))  # on the badge
            else:
                painter.setPen(YOURS if tag.mostly_yours else DESCRIBERS)
            painter.setFont(font)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, tag.name)
        painter.end()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        tag = self.tag_at(event.position().toPoint())
        if event.button() != Qt.MouseButton.LeftButton or tag is None:
            super().mouseReleaseEvent(event)
            return
        mods = event.modifiers()
        if mods & Qt.KeyboardModifier.AltModifier:
            mode = "exclude"
        elif mods & Qt.KeyboardModifier.ControlModifier:
            mode = "add"
        else:
            mode = "only"
        self.tag_clicked.emit(tag.name, mode)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        over = self.tag_at(event.position().toPoint()) is not None
        self.setCursor(Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.ArrowCursor)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tag = self.tag_at(event.pos())
            if tag is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), count_text(tag), self)
            return True
        return super().event(event)


def _baseline(
    line: list[tuple[QRect, TagCount]], top: int, height: int
) -> list[tuple[QRect, TagCount]]:
    """A line's words on one baseline: each moved down by what it lacks of the tallest."""
    return [(rect.translated(0, top + height - rect.height()), tag) for rect, tag in line]
