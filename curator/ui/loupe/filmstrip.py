"""`Filmstrip`: the current photo's neighbours under the loupe, in the order the
loupe walks, with their badges and stars; a click jumps there. It paints from
the thumbnail cache only (`show_around` asks for the visible ones) and loads
the visible rows into the page's row cache in one query (`load_rows`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from curator.catalog.queries import GalleryRow
from curator.ui.common.image_loader import ImageLoader
from curator.ui.gallery.listing import thumbnail_key
from curator.ui.gallery.view import draw_badge, draw_stars, state_badges
from curator.ui.loupe.view import fit_rect

HEIGHT = 96
CELL = 112  # width of one frame
CURRENT_FRAME = QColor(240, 190, 60)


class Filmstrip(QWidget):
    jump = Signal(int)  # photo id clicked

    def __init__(
        self,
        thumbnails: ImageLoader,
        row_for: Callable[[int], GalleryRow | None],
        parent: QWidget | None = None,
        *,
        load_rows: Callable[[list[int]], object] = lambda _ids: None,
    ):
        super().__init__(parent)
        self.thumbnails, self.row_for, self.load_rows = thumbnails, row_for, load_rows
        self.setFixedHeight(HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay on the canvas
        self.order: list[int] = []
        self.index = -1
        self.painted_ids: list[int] = []  # tests
        thumbnails.image_ready.connect(self._on_thumbnail)

    def visible_ids(self) -> list[int]:
        """The neighbours that fit, the current photo in the middle (clamped at the ends)."""
        if not self.order or self.index < 0:
            return []
        count = max(1, self.width() // CELL)
        first = max(0, min(self.index - count // 2, len(self.order) - count))
        return self.order[first : first + count]

    def show_around(self, order: list[int], index: int) -> None:
        self.order, self.index = order, index
        if not self.isVisible():
            return
        ids = self.visible_ids()
        self.load_rows(ids)
        rows = [r for pid in ids if (r := self.row_for(pid)) is not None]
        keys = [k for r in rows if (k := thumbnail_key(r)) is not None]
        self.thumbnails.request(keys)
        self.update()

    def cells(self) -> list[tuple[int, QRectF]]:
        ids = self.visible_ids()
        left = (self.width() - len(ids) * CELL) / 2
        return [(pid, QRectF(left + i * CELL, 0, CELL, HEIGHT)) for i, pid in enumerate(ids)]

    def mousePressEvent(self, event: QMouseEvent) -> None:
        for pid, rect in self.cells():
            if rect.contains(event.position()):
                self.jump.emit(pid)
                return

    def _on_thumbnail(self, photo_id: int) -> None:
        if self.isVisible() and photo_id in self.visible_ids():
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(28, 28, 28))
        current = self.order[self.index] if 0 <= self.index < len(self.order) else None
        painted = []
        for pid, cell in self.cells():
            row = self.row_for(pid)
            if row is None:
                continue
            painted.append(pid)
            area = cell.adjusted(5, 5, -5, -22)
            key = thumbnail_key(row)
            pixmap = None if key is None else self.thumbnails.pixmap(key)
            if pixmap is not None and not pixmap.isNull():
                painter.save()
                if row.cull == "rejected":
                    painter.setOpacity(0.4)
                painter.drawPixmap(
                    fit_rect(QSizeF(pixmap.size()), area), pixmap, QRectF(pixmap.rect())
                )
                painter.restore()
            else:
                painter.fillRect(area, QColor(45, 45, 45))
            badges = state_badges(row)
            base = cell.bottom() - 19
            for i, badge in enumerate(badges[:3]):
                draw_badge(painter, QRectF(cell.left() + 5 + i * 16, base, 14, 14), badge)
            if row.rating:
                stars_left = cell.left() + 5 + 16 * len(badges[:3])
                draw_stars(painter, stars_left, base + 7, row.rating, 8)
            if pid == current:
                painter.save()
                painter.setPen(QPen(CURRENT_FRAME, 2))
                painter.drawRect(cell.adjusted(2, 2, -2, -2))
                painter.restore()
        self.painted_ids = painted
