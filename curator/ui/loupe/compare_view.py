"""`CompareView`: two photos side by side, both fit — the reference on the
left, the candidate (framed: the decision keys act on it) on the right.

Paints only what it is given; which photos are shown is the loupe page's
compare state. Synchronised zoom (Z, or a click) is
`curator.ui.loupe.synced_panes`'s, shared with survey.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from curator.catalog.queries import GalleryRow
from curator.ui.loupe.synced_panes import SyncedPanes, photo_size
from curator.ui.loupe.view import paint_footer, paint_message, paint_placeholder

GAP = 10
HEADER = 26
FOOTER = 40
CANDIDATE_FRAME = QColor(240, 190, 60)


@dataclass(frozen=True)
class ComparePane:
    row: GalleryRow | None
    pixmap: QPixmap | None
    caption: str = ""
    full: QImage | None = None  # the original's pixels, when zoomed and decoded


class CompareView(SyncedPanes):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.left = ComparePane(None, None)
        self.right = ComparePane(None, None)
        self.pinned = False
        self.painted_ids: tuple[int | None, int | None] = (None, None)  # tests

    def show_pair(self, left: ComparePane, right: ComparePane, *, pinned: bool) -> None:
        # The previews and originals come turned as the photographer rotated them.
        self.left, self.right, self.pinned = left, right, pinned
        self.update()

    def pane_rects(self) -> list[QRectF]:
        half = (self.width() - 3 * GAP) / 2
        height = self.height() - 2 * GAP
        return [
            QRectF(GAP, GAP, half, height),
            QRectF(2 * GAP + half, GAP, half, height),
        ]

    def photo_areas(self) -> list[QRectF]:
        """Where each pane's photo is drawn (under its title, over its footer)."""
        return [
            QRectF(r.left(), r.top() + HEADER, r.width(), r.height() - HEADER - FOOTER)
            for r in self.pane_rects()
        ]

    def pane_photos(self) -> list[tuple[GalleryRow | None, QPixmap | None]]:
        return [(self.left.row, self.left.pixmap), (self.right.row, self.right.pixmap)]

    @staticmethod
    def _size(pane: ComparePane) -> QSizeF | None:
        return photo_size(pane.row, pane.pixmap)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(18, 18, 18))
        left_rect, right_rect = self.pane_rects()
        left_title = "Reference (pinned: → / ← move the right)" if self.pinned else "Reference"
        self._paint_pane(painter, left_rect, self.left, left_title, candidate=False, index=0)
        self._paint_pane(
            painter, right_rect, self.right, "Candidate — keys act here", candidate=True, index=1
        )
        self.painted_ids = (
            None if self.left.row is None else self.left.row.id,
            None if self.right.row is None else self.right.row.id,
        )

    def _paint_pane(
        self,
        painter: QPainter,
        rect: QRectF,
        pane: ComparePane,
        title: str,
        *,
        candidate: bool,
        index: int,
    ) -> None:
        painter.setPen(CANDIDATE_FRAME if candidate else QColor(170, 170, 170))
        painter.drawText(
            QRectF(rect.left() + 4, rect.top(), rect.width() - 8, HEADER),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            title,
        )
        area = QRectF(
            rect.left(), rect.top() + HEADER, rect.width(), rect.height() - HEADER - FOOTER
        )
        if candidate:
            painter.save()
            painter.setPen(QPen(CANDIDATE_FRAME, 2))
            painter.drawRect(area.adjusted(-3, -3, 3, 3))
            painter.restore()
        row = pane.row
        if row is None:
            paint_message(painter, area, "No photo here.", QColor(150, 150, 150))
            return
        if not self.paint_photo(painter, index, pane.pixmap, pane.full, dim=row.cull == "rejected"):
            paint_placeholder(painter, area, row)
        strip = QRectF(rect.left() + 4, rect.bottom() - FOOTER + 6, rect.width() - 8, 28)
        caption = pane.caption or row.file_name
        zoom = f"{self.zoom.label}   ·   {caption}"
        paint_footer(painter, strip, row, zoom if self.zoomed else caption)
